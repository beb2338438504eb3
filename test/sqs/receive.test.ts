import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startOvercast } from "../../src/index.js";
import { credentials, useServer } from "../helpers.js";
import { createQueue, sleep, sqsClient } from "./support.js";

const server = useServer();

test("a long poll returns as soon as a message is sent", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "long-poll");
  const started = Date.now();
  const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await sleep(300);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake up" }));
  const { Messages } = await polling;
  assert.equal(Messages?.[0].Body, "wake up");
  assert.ok(Date.now() - started < 5_000, "returned long before the 20 s wait ended");
});

test("a long poll without messages waits WaitTimeSeconds (queue default too) and returns nothing", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "long-poll-empty", { ReceiveMessageWaitTimeSeconds: "1" });
  const started = Date.now();
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  const waited = Date.now() - started;
  assert.equal(Messages, undefined);
  assert.ok(waited >= 950 && waited < 5_000, `waited ${waited} ms`);
});

test("a long poll wakes when a delayed or invisible message becomes visible", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "long-poll-delay");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "soon", DelaySeconds: 1 }));
  const started = Date.now();
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, VisibilityTimeout: 1 }));
  assert.equal(Messages?.[0].Body, "soon");
  const waited = Date.now() - started;
  assert.ok(waited >= 900 && waited < 5_000, `waited ${waited} ms`);
  const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
  assert.equal(again.Messages?.[0].MessageId, Messages?.[0].MessageId, "redelivered after its visibility timeout");
  assert.equal(Date.now() - started < 8_000, true);
});

test("deleting a queue ends its long polls", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "long-poll-deleted");
  const started = Date.now();
  const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await sleep(300);
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  const { Messages } = await polling;
  assert.equal(Messages, undefined);
  assert.ok(Date.now() - started < 5_000);
});

test("many parallel consumers: every message is delivered exactly once", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "concurrent", { VisibilityTimeout: "120" });
  const total = 300;
  const deliveries = new Map<string, number>();
  let done = false;
  const consumer = async () => {
    const client = new SQSClient(server.clientConfig());
    while (!done) {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const message of Messages) {
        deliveries.set(message.Body as string, (deliveries.get(message.Body as string) ?? 0) + 1);
        await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      if ([...deliveries.keys()].length === total) done = true;
    }
  };
  const consumers = Array.from({ length: 12 }, consumer);
  for (let i = 0; i < total; i += 10) {
    const Entries = Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `message-${i + j}` }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
  }
  const deadline = setTimeout(() => {
    done = true;
  }, 30_000);
  await Promise.all(consumers);
  clearTimeout(deadline);
  assert.equal(deliveries.size, total, "every message delivered");
  assert.deepEqual(
    [...deliveries.values()].filter((n) => n !== 1),
    [],
    "no message delivered twice",
  );
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0");
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, "0");
});

test("messages and their receive state survive a restart on a data dir", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "overcast-sqs-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = (endpoint: string) => ({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  let inFlightId: string | undefined;
  let QueueUrl: string;
  try {
    const sqs = new SQSClient(config(first.endpoint));
    QueueUrl = await createQueue(sqs, "durable");
    await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: "first", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "second" }));
    inFlightId = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 300 }))).Messages?.[0].MessageId;
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const sqs = new SQSClient(config(second.endpoint));
  const url = QueueUrl.replace(first.endpoint, second.endpoint);
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  assert.deepEqual(attrs.Attributes, { ApproximateNumberOfMessages: "1", ApproximateNumberOfMessagesNotVisible: "1" });
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["All"], MaxNumberOfMessages: 10 }),
  );
  assert.equal(Messages?.length, 1);
  assert.notEqual(Messages?.[0].MessageId, inFlightId);
  assert.equal(Messages?.[0].Body, "second");
});
