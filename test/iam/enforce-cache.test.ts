import { test } from "node:test";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserPolicyCommand,
  IAMClient,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { CreateQueueCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";

// Enforcement remembers allowed decisions and resolved keys between requests: each change must still count at once.
const server = useServer({ enforceIam: true });
const ACCOUNT = "000000000000";
const OTHER = "111111111111";
const policy = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

async function userClient(name: string, document?: string, account = ACCOUNT): Promise<{ sqs: SQSClient; accessKeyId: string }> {
  const iam = new IAMClient({ ...server.clientConfig(), credentials: { accessKeyId: account, secretAccessKey: "test" } });
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (document) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: document }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  const credentials = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
  return { sqs: new SQSClient({ ...server.clientConfig(), credentials }), accessKeyId: credentials.accessKeyId };
}

test("a removed identity policy or a deactivated key denies the very next request after allowed ones", async () => {
  const root = new SQSClient(server.clientConfig());
  const { QueueUrl } = await root.send(new CreateQueueCommand({ QueueName: "cache-identity" }));
  const allow = policy({ Effect: "Allow", Action: "sqs:SendMessage", Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:cache-identity` });
  const { sqs, accessKeyId } = await userClient("cache-alice", allow);
  for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "ok" }));
  const iam = new IAMClient(server.clientConfig());
  await iam.send(new DeleteUserPolicyCommand({ UserName: "cache-alice", PolicyName: "p" }));
  await rejectsWith(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "no" })), "AccessDenied", 403);
  await iam.send(new PutUserPolicyCommand({ UserName: "cache-alice", PolicyName: "p", PolicyDocument: allow }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "ok again" }));
  await iam.send(new UpdateAccessKeyCommand({ UserName: "cache-alice", AccessKeyId: accessKeyId, Status: "Inactive" }));
  await rejectsWith(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "no" })), "UnrecognizedClientException", 400);
});

test("a changed resource policy counts at once for callers it allowed before", async () => {
  const root = new SQSClient(server.clientConfig());
  const { QueueUrl } = await root.send(new CreateQueueCommand({ QueueName: "cache-resource" }));
  const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:cache-resource`;
  // A user of another account: allowed by its own policy, and by the queue's while that grants it.
  const { sqs: stranger } = await userClient(
    "cache-carol",
    policy({ Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn }),
    OTHER,
  );
  const grant = (Effect: string) =>
    policy({ Effect, Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: "sqs:SendMessage", Resource: queueArn });
  await root.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: grant("Allow") } }));
  for (let i = 0; i < 3; i++) await stranger.send(new SendMessageCommand({ QueueUrl, MessageBody: "ok" }));
  await root.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: grant("Deny") } }));
  await rejectsWith(stranger.send(new SendMessageCommand({ QueueUrl, MessageBody: "no" })), "AccessDenied", 403);
  await root.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: "" } }));
  await rejectsWith(stranger.send(new SendMessageCommand({ QueueUrl, MessageBody: "no" })), "AccessDenied", 403);
});

test("conditions are evaluated on every request, not remembered", async () => {
  const root = new SQSClient(server.clientConfig());
  const { QueueUrl } = await root.send(new CreateQueueCommand({ QueueName: "cache-conditions" }));
  const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:cache-conditions`;
  // Allowed only until a moment a few seconds ahead.
  const until = new Date(Date.now() + 3_000).toISOString();
  const { sqs } = await userClient(
    "cache-bob",
    policy({ Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn, Condition: { DateLessThan: { "aws:CurrentTime": until } } }),
  );
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "in time" }));
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  await rejectsWith(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "too late" })), "AccessDenied", 403);
});
