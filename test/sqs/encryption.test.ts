import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ListAliasesCommand } from "@aws-sdk/client-kms";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sqs = () => new SQSClient(server.clientConfig());
const kms = () => new KMSClient(server.clientConfig());

test("SSE-KMS queues get their data keys from KMS: sends work with a usable key and fail with SQS's KMS errors otherwise", async () => {
  const key = await kms().send(new CreateKeyCommand({}));
  const keyId = key.KeyMetadata?.KeyId as string;
  const { QueueUrl } = await sqs().send(
    new CreateQueueCommand({ QueueName: "encrypted", Attributes: { KmsMasterKeyId: keyId, KmsDataKeyReusePeriodSeconds: "60" } }),
  );
  await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: "secret payload" }));
  const got = await sqs().send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(got.Messages?.[0].Body, "secret payload");

  // A new queue on a disabled key: KMS refuses the data key, SQS reports it in its own terms.
  await kms().send(new DisableKeyCommand({ KeyId: keyId }));
  const { QueueUrl: second } = await sqs().send(
    new CreateQueueCommand({ QueueName: "encrypted-2", Attributes: { KmsMasterKeyId: keyId } }),
  );
  const disabled = await rejectsWith(sqs().send(new SendMessageCommand({ QueueUrl: second, MessageBody: "x" })), "KmsDisabled", 400);
  assert.match(disabled.message, /disabled/i);
  await rejectsWith(
    sqs().send(new SendMessageBatchCommand({ QueueUrl: second, Entries: [{ Id: "1", MessageBody: "x" }] })),
    "KmsDisabled",
    400,
  );
  await kms().send(new EnableKeyCommand({ KeyId: keyId }));
  await sqs().send(new SendMessageCommand({ QueueUrl: second, MessageBody: "x" }));

  const { QueueUrl: missing } = await sqs().send(
    new CreateQueueCommand({ QueueName: "encrypted-3", Attributes: { KmsMasterKeyId: "alias/does-not-exist" } }),
  );
  await rejectsWith(sqs().send(new SendMessageCommand({ QueueUrl: missing, MessageBody: "x" })), "KmsNotFound", 400);
});

test("the AWS managed key alias/aws/sqs is created on first use", async () => {
  const { QueueUrl } = await sqs().send(
    new CreateQueueCommand({ QueueName: "managed-key", Attributes: { KmsMasterKeyId: "alias/aws/sqs" } }),
  );
  await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: "m" }));
  const aliases = await kms().send(new ListAliasesCommand({}));
  assert.ok(aliases.Aliases?.some((a) => a.AliasName === "alias/aws/sqs"));
});

test("query protocol: the KMS error keeps SQS's query code", async () => {
  const { QueueUrl } = await sqs().send(
    new CreateQueueCommand({ QueueName: "encrypted-query", Attributes: { KmsMasterKeyId: "alias/nope" } }),
  );
  const body = new URLSearchParams({ Action: "SendMessage", QueueUrl: QueueUrl as string, MessageBody: "x", Version: "2012-11-05" });
  const res = await fetch(QueueUrl as string, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /<Code>KMS\.NotFoundException<\/Code>/);
});
