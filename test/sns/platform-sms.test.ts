import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AddPermissionCommand,
  CheckIfPhoneNumberIsOptedOutCommand,
  CreatePlatformApplicationCommand,
  CreatePlatformEndpointCommand,
  CreateSMSSandboxPhoneNumberCommand,
  CreateTopicCommand,
  DeleteEndpointCommand,
  DeletePlatformApplicationCommand,
  DeleteSMSSandboxPhoneNumberCommand,
  GetEndpointAttributesCommand,
  GetPlatformApplicationAttributesCommand,
  GetSMSAttributesCommand,
  GetSMSSandboxAccountStatusCommand,
  GetTopicAttributesCommand,
  ListEndpointsByPlatformApplicationCommand,
  ListOriginationNumbersCommand,
  ListPhoneNumbersOptedOutCommand,
  ListPlatformApplicationsCommand,
  ListSMSSandboxPhoneNumbersCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  RemovePermissionCommand,
  SetEndpointAttributesCommand,
  SetSMSAttributesCommand,
  SNSClient,
  VerifySMSSandboxPhoneNumberCommand,
} from "@aws-sdk/client-sns";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sns = () => new SNSClient(server.clientConfig());

async function deliveries(endpoint: string): Promise<{ message: string; protocol: string }[]> {
  const res = await rawRequest(server.endpoint, "GET", `/_overcast/sns/deliveries?endpoint=${encodeURIComponent(endpoint)}`);
  return JSON.parse(res.text).deliveries;
}

test("AddPermission adds a labelled statement to the topic policy; RemovePermission takes it out", async () => {
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: "shared" }));
  await sns().send(
    new AddPermissionCommand({ TopicArn, Label: "partner", AWSAccountId: ["111122223333"], ActionName: ["Publish", "Subscribe"] }),
  );
  const policy = JSON.parse((await sns().send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.Policy ?? "{}");
  assert.equal(policy.Statement.length, 2);
  assert.equal(policy.Statement[0].Sid, "__default_statement_ID");
  assert.deepEqual(policy.Statement[1], {
    Sid: "partner",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111122223333:root" },
    Action: ["SNS:Publish", "SNS:Subscribe"],
    Resource: TopicArn,
  });
  const duplicate = await rejectsWith(
    sns().send(new AddPermissionCommand({ TopicArn, Label: "partner", AWSAccountId: ["111122223333"], ActionName: ["Publish"] })),
    "InvalidParameterException",
    400,
  );
  assert.match(duplicate.message, /Statement already exists/);
  await rejectsWith(
    sns().send(new AddPermissionCommand({ TopicArn, Label: "bad", AWSAccountId: ["111122223333"], ActionName: ["SendMessage"] })),
    "InvalidParameterException",
    400,
  );
  await sns().send(new RemovePermissionCommand({ TopicArn, Label: "partner" }));
  const after = JSON.parse((await sns().send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.Policy ?? "{}");
  assert.deepEqual(
    after.Statement.map((s: { Sid: string }) => s.Sid),
    ["__default_statement_ID"],
  );
  await rejectsWith(
    sns().send(new AddPermissionCommand({ TopicArn: `${TopicArn}-gone`, Label: "x", AWSAccountId: ["1"], ActionName: ["Publish"] })),
    "NotFoundException",
    404,
  );
});

test("platform applications and endpoints: credentials write-only, token idempotency, push recorded, disabled endpoints refused", async () => {
  await rejectsWith(
    sns().send(new CreatePlatformApplicationCommand({ Name: "app", Platform: "GCM", Attributes: { Enabled: "true" } })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(
    sns().send(new CreatePlatformApplicationCommand({ Name: "app", Platform: "NOKIA", Attributes: { PlatformCredential: "k" } })),
    "InvalidParameterException",
    400,
  );
  const { PlatformApplicationArn } = await sns().send(
    new CreatePlatformApplicationCommand({ Name: "mobile", Platform: "GCM", Attributes: { PlatformCredential: "server-key" } }),
  );
  assert.equal(PlatformApplicationArn, "arn:aws:sns:us-east-1:000000000000:app/GCM/mobile");
  const attrs = await sns().send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn }));
  assert.deepEqual(attrs.Attributes, { Enabled: "true" });

  const { EndpointArn } = await sns().send(
    new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: "device-1", CustomUserData: "u1" }),
  );
  assert.match(EndpointArn ?? "", /^arn:aws:sns:us-east-1:000000000000:endpoint\/GCM\/mobile\/[0-9a-f-]{36}$/);
  const again = await sns().send(new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: "device-1", CustomUserData: "u1" }));
  assert.equal(again.EndpointArn, EndpointArn);
  const conflict = await rejectsWith(
    sns().send(new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: "device-1", CustomUserData: "other" })),
    "InvalidParameterException",
    400,
  );
  assert.match(conflict.message, /already exists with the same Token, but different attributes/);
  const got = await sns().send(new GetEndpointAttributesCommand({ EndpointArn }));
  assert.deepEqual(got.Attributes, { Enabled: "true", CustomUserData: "u1", Token: "device-1" });

  const push = JSON.stringify({ default: "plain", GCM: JSON.stringify({ notification: { title: "hi" } }) });
  await sns().send(new PublishCommand({ TargetArn: EndpointArn, Message: push, MessageStructure: "json" }));
  const recorded = await deliveries(EndpointArn as string);
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0].protocol, "application");
  assert.deepEqual(JSON.parse(recorded[0].message), { notification: { title: "hi" } });

  await sns().send(new SetEndpointAttributesCommand({ EndpointArn, Attributes: { Enabled: "false" } }));
  await rejectsWith(sns().send(new PublishCommand({ TargetArn: EndpointArn, Message: "x" })), "EndpointDisabledException", 400);

  for (let i = 0; i < 102; i++) await sns().send(new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: `bulk-${i}` }));
  const first = await sns().send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn }));
  assert.equal(first.Endpoints?.length, 100);
  const second = await sns().send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn, NextToken: first.NextToken }));
  assert.equal(second.Endpoints?.length, 3);
  assert.equal(second.NextToken, undefined);

  const apps = await sns().send(new ListPlatformApplicationsCommand({}));
  assert.deepEqual(
    apps.PlatformApplications?.map((a) => a.PlatformApplicationArn),
    [PlatformApplicationArn],
  );
  await sns().send(new DeleteEndpointCommand({ EndpointArn }));
  await rejectsWith(sns().send(new GetEndpointAttributesCommand({ EndpointArn })), "NotFoundException", 404);
  await sns().send(new DeletePlatformApplicationCommand({ PlatformApplicationArn }));
  await rejectsWith(sns().send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn })), "NotFoundException", 404);
  await rejectsWith(sns().send(new PublishCommand({ TargetArn: `${EndpointArn}x`, Message: "x" })), "NotFoundException", 404);
});

test("SMS: account attributes, opt-out (a STOP reply) suppresses texts until opted in", async () => {
  await sns().send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: "Transactional", MonthlySpendLimit: "5" } }));
  const all = await sns().send(new GetSMSAttributesCommand({}));
  assert.deepEqual(all.attributes, { DefaultSMSType: "Transactional", MonthlySpendLimit: "5" });
  const one = await sns().send(new GetSMSAttributesCommand({ attributes: ["DefaultSMSType"] }));
  assert.deepEqual(one.attributes, { DefaultSMSType: "Transactional" });
  await rejectsWith(sns().send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: "Loud" } })), "InvalidParameterException", 400);
  await rejectsWith(sns().send(new SetSMSAttributesCommand({ attributes: { Colour: "red" } })), "InvalidParameterException", 400);

  const phone = "+15550100123";
  assert.equal((await sns().send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }))).isOptedOut, false);
  const stop = await rawRequest(server.endpoint, "POST", `/_overcast/sns/opt-out?phoneNumber=${encodeURIComponent(phone)}`);
  assert.equal(stop.status, 200);
  assert.equal((await sns().send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }))).isOptedOut, true);
  assert.deepEqual((await sns().send(new ListPhoneNumbersOptedOutCommand({}))).phoneNumbers, [phone]);
  await sns().send(new PublishCommand({ PhoneNumber: phone, Message: "suppressed" }));
  assert.equal((await deliveries(phone)).length, 0);
  await sns().send(new OptInPhoneNumberCommand({ phoneNumber: phone }));
  await sns().send(new PublishCommand({ PhoneNumber: phone, Message: "delivered" }));
  assert.deepEqual(
    (await deliveries(phone)).map((d) => d.message),
    ["delivered"],
  );
  await rejectsWith(sns().send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: "555" })), "InvalidParameterException", 400);
});

test("SMS sandbox numbers are verified with the one-time password texted to them", async () => {
  assert.equal((await sns().send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox, false);
  const phone = "+15550100999";
  await sns().send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: phone, LanguageCode: "en-US" }));
  const listed = await sns().send(new ListSMSSandboxPhoneNumbersCommand({}));
  assert.deepEqual(listed.PhoneNumbers, [{ PhoneNumber: phone, Status: "Pending" }]);
  const text = (await deliveries(phone)).at(-1)?.message ?? "";
  const code = /(\d{6})/.exec(text)?.[1];
  assert.ok(code, text);
  const wrong = code === "000000" ? "111111" : "000000";
  await rejectsWith(
    sns().send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: phone, OneTimePassword: wrong })),
    "VerificationException",
    400,
  );
  await sns().send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: phone, OneTimePassword: code }));
  assert.equal((await sns().send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers?.[0].Status, "Verified");
  await sns().send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: phone }));
  await rejectsWith(sns().send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: phone })), "ResourceNotFoundException", 404);
  assert.deepEqual((await sns().send(new ListOriginationNumbersCommand({}))).PhoneNumbers, []);
  await rejectsWith(sns().send(new ListOriginationNumbersCommand({ MaxResults: 31 })), "InvalidParameterException", 400);
});
