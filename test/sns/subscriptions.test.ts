import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sns = (region = "us-east-1") => new SNSClient(server.clientConfig(region));
const QUEUE = "arn:aws:sqs:us-east-1:000000000000:some-queue";
const topic = async (Name: string, Attributes?: Record<string, string>) =>
  (await sns().send(new CreateTopicCommand({ Name, Attributes }))).TopicArn as string;

interface Recorded {
  protocol: string;
  endpoint: string;
  message: string;
  subject?: string;
}
async function deliveries(query = ""): Promise<Recorded[]> {
  const res = await fetch(`${server.endpoint}/_overcast/sns/deliveries${query}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { deliveries: Recorded[] }).deliveries;
}

test("an SQS subscription is confirmed at once and shows in listings and counters", async () => {
  const TopicArn = await topic("fanout");
  const { SubscriptionArn } = await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: QUEUE }));
  assert.match(SubscriptionArn ?? "", new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
  const again = await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: QUEUE }));
  assert.equal(again.SubscriptionArn, SubscriptionArn);
  const { Attributes } = await sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
  assert.equal(Attributes?.Protocol, "sqs");
  assert.equal(Attributes?.Endpoint, QUEUE);
  assert.equal(Attributes?.TopicArn, TopicArn);
  assert.equal(Attributes?.PendingConfirmation, "false");
  assert.equal(Attributes?.RawMessageDelivery, "false");
  const byTopic = await sns().send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.deepEqual(byTopic.Subscriptions, [{ SubscriptionArn, Owner: "000000000000", Protocol: "sqs", Endpoint: QUEUE, TopicArn }]);
  const counters = (await sns().send(new GetTopicAttributesCommand({ TopicArn }))).Attributes;
  assert.equal(counters?.SubscriptionsConfirmed, "1");
});

test("Subscribe validates protocols and endpoints", async () => {
  const TopicArn = await topic("validating");
  const proto = await rejectsWith(
    sns().send(new SubscribeCommand({ TopicArn, Protocol: "carrier-pigeon", Endpoint: "x" })),
    "InvalidParameterException",
    400,
  );
  assert.equal(proto.message, "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
  const sqs = await rejectsWith(
    sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: "my-queue" })),
    "InvalidParameterException",
    400,
  );
  assert.equal(sqs.message, "Invalid parameter: SQS endpoint ARN");
  await rejectsWith(sns().send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: "fn" })), "InvalidParameterException", 400);
  await rejectsWith(
    sns().send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: "https://example.com" })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(
    sns().send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "nobody" })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(sns().send(new SubscribeCommand({ TopicArn, Protocol: "sms", Endpoint: "call me" })), "InvalidParameterException", 400);
  await rejectsWith(
    sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: QUEUE, Attributes: { FilterPolicy: "{bad" } })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(
    sns().send(new SubscribeCommand({ TopicArn: `${TopicArn}-missing`, Protocol: "sqs", Endpoint: QUEUE })),
    "NotFoundException",
    404,
  );
  const fifo = await topic("validating.fifo", { FifoTopic: "true" });
  const email = await rejectsWith(
    sns().send(new SubscribeCommand({ TopicArn: fifo, Protocol: "email", Endpoint: "a@example.com" })),
    "InvalidParameterException",
    400,
  );
  assert.equal(email.message, "Invalid parameter: Invalid protocol type: email");
  const fifoQueue = await rejectsWith(
    sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: `${QUEUE}.fifo` })),
    "InvalidParameterException",
    400,
  );
  assert.equal(
    fifoQueue.message,
    "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
  );
  // A standard queue may subscribe to a FIFO topic (allowed since 2023).
  await sns().send(new SubscribeCommand({ TopicArn: fifo, Protocol: "sqs", Endpoint: QUEUE }));
});

test("lambda, sms and application subscriptions are confirmed at once", async () => {
  const TopicArn = await topic("instant");
  for (const [Protocol, Endpoint] of [
    ["lambda", "arn:aws:lambda:us-east-1:000000000000:function:handler"],
    ["sms", "+15555550100"],
    ["application", "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1234"],
  ]) {
    const { SubscriptionArn } = await sns().send(new SubscribeCommand({ TopicArn, Protocol, Endpoint }));
    assert.ok(SubscriptionArn?.startsWith(`${TopicArn}:`), Protocol);
  }
});

test("an email subscription stays pending until confirmed with the mailed token", async () => {
  const TopicArn = await topic("mailing");
  const pending = await sns().send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "ops@example.com" }));
  assert.equal(pending.SubscriptionArn, "pending confirmation");
  const withArn = await sns().send(
    new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "ops@example.com", ReturnSubscriptionArn: true }),
  );
  assert.ok(withArn.SubscriptionArn?.startsWith(`${TopicArn}:`));
  const listed = await sns().send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.equal(listed.Subscriptions?.[0].SubscriptionArn, "PendingConfirmation");
  assert.equal((await sns().send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.SubscriptionsPending, "1");

  let mails: Recorded[] = [];
  for (let i = 0; i < 50 && mails.length === 0; i++) {
    mails = await deliveries("?endpoint=ops@example.com");
    if (!mails.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(mails.length, 1);
  const confirmation = JSON.parse(mails[0].message);
  assert.equal(confirmation.Type, "SubscriptionConfirmation");
  assert.equal(confirmation.TopicArn, TopicArn);
  assert.match(confirmation.SubscribeURL, /Action=ConfirmSubscription/);

  await rejectsWith(sns().send(new ConfirmSubscriptionCommand({ TopicArn, Token: "wrong" })), "InvalidParameterException", 400);
  const confirmed = await sns().send(new ConfirmSubscriptionCommand({ TopicArn, Token: confirmation.Token }));
  assert.equal(confirmed.SubscriptionArn, withArn.SubscriptionArn);
  const attrs = (await sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn: confirmed.SubscriptionArn }))).Attributes;
  assert.equal(attrs?.PendingConfirmation, "false");
});

test("Unsubscribe removes the subscription and counts it as deleted", async () => {
  const TopicArn = await topic("leaving");
  const { SubscriptionArn } = await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: QUEUE }));
  await sns().send(new UnsubscribeCommand({ SubscriptionArn }));
  await rejectsWith(sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn })), "NotFoundException", 404);
  await rejectsWith(sns().send(new UnsubscribeCommand({ SubscriptionArn })), "NotFoundException", 404);
  await rejectsWith(sns().send(new UnsubscribeCommand({ SubscriptionArn: "garbage" })), "InvalidParameterException", 400);
  const attrs = (await sns().send(new GetTopicAttributesCommand({ TopicArn }))).Attributes;
  assert.equal(attrs?.SubscriptionsDeleted, "1");
  assert.equal(attrs?.SubscriptionsConfirmed, "0");
});

test("SetSubscriptionAttributes stores and validates attributes", async () => {
  const TopicArn = await topic("tuned");
  const { SubscriptionArn } = await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: QUEUE }));
  const set = (AttributeName: string, AttributeValue: string) =>
    sns().send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName, AttributeValue }));
  await set("RawMessageDelivery", "true");
  await set("FilterPolicy", JSON.stringify({ color: ["red"] }));
  await set("RedrivePolicy", JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq" }));
  const { Attributes } = await sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
  assert.equal(Attributes?.RawMessageDelivery, "true");
  assert.equal(Attributes?.FilterPolicy, '{"color":["red"]}');
  assert.equal(Attributes?.FilterPolicyScope, "MessageAttributes");
  assert.match(Attributes?.RedrivePolicy ?? "", /dlq/);

  await rejectsWith(set("RawMessageDelivery", "yes"), "InvalidParameterException", 400);
  await rejectsWith(set("FilterPolicyScope", "Everything"), "InvalidParameterException", 400);
  await rejectsWith(set("RedrivePolicy", JSON.stringify({ deadLetterTargetArn: "nope" })), "InvalidParameterException", 400);
  await rejectsWith(set("Colour", "x"), "InvalidParameterException", 400);
  // A nested policy needs MessageBody scope.
  await rejectsWith(set("FilterPolicy", JSON.stringify({ order: { status: ["paid"] } })), "InvalidParameterException", 400);
  await set("FilterPolicyScope", "MessageBody");
  await set("FilterPolicy", JSON.stringify({ order: { status: ["paid"] } }));

  const lambda = await sns().send(
    new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: "arn:aws:lambda:us-east-1:000000000000:function:f" }),
  );
  const raw = await rejectsWith(
    sns().send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: lambda.SubscriptionArn,
        AttributeName: "RawMessageDelivery",
        AttributeValue: "true",
      }),
    ),
    "InvalidParameterException",
    400,
  );
  assert.match(raw.message, /Delivery protocol \[lambda\] does not support raw message delivery/);
});

test("ListSubscriptions and ListSubscriptionsByTopic page by 100", async () => {
  const client = sns("eu-west-3");
  const { TopicArn } = await client.send(new CreateTopicCommand({ Name: "crowded" }));
  for (let i = 0; i < 120; i++)
    await client.send(new SubscribeCommand({ TopicArn, Protocol: "sms", Endpoint: `+1555000${String(i).padStart(4, "0")}` }));
  const first = await client.send(new ListSubscriptionsCommand({}));
  assert.equal(first.Subscriptions?.length, 100);
  const second = await client.send(new ListSubscriptionsCommand({ NextToken: first.NextToken }));
  assert.equal(second.Subscriptions?.length, 20);
  assert.equal(second.NextToken, undefined);
  const all = new Set([...(first.Subscriptions ?? []), ...(second.Subscriptions ?? [])].map((s) => s.Endpoint));
  assert.equal(all.size, 120);
  const byTopic = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.equal(byTopic.Subscriptions?.length, 100);
  const rest = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken: byTopic.NextToken }));
  assert.equal(rest.Subscriptions?.length, 20);
});
