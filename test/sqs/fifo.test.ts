import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, sqsClient, withClockShift } from "./support.js";

const server = useServer();

test("FIFO send rules: group id required, dedup id or content-based, no per-message delay", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "rules.fifo");
  let err = await rejectsWith(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageDeduplicationId: "d" })),
    "MissingParameter",
    400,
  );
  assert.equal(err.message, "The request must contain the parameter MessageGroupId.");
  err = await rejectsWith(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g" })),
    "InvalidParameterValue",
    400,
  );
  assert.equal(err.message, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  err = await rejectsWith(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 5 })),
    "InvalidParameterValue",
    400,
  );
  assert.match(err.message, /^Value 5 for parameter DelaySeconds is invalid/);
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d" }));
  assert.match(sent.SequenceNumber ?? "", /^\d{20}$/);
});

test("deduplication: the same id within five minutes is accepted but not enqueued again", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "dedup.fifo", { ContentBasedDeduplication: "true" });
  const first = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "same", MessageGroupId: "g" }));
  const duplicate = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "same", MessageGroupId: "g" }));
  assert.equal(duplicate.MessageId, first.MessageId);
  assert.equal(duplicate.SequenceNumber, first.SequenceNumber);
  const explicit = await sqs.send(
    new SendMessageCommand({ QueueUrl, MessageBody: "same", MessageGroupId: "g", MessageDeduplicationId: "other" }),
  );
  assert.notEqual(explicit.MessageId, first.MessageId);
  assert.ok(BigInt(explicit.SequenceNumber ?? "0") > BigInt(first.SequenceNumber ?? "0"));
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.equal(Messages.length, 2);
  for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
  // Deleting does not end the window; five minutes does.
  const stillDuplicate = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "same", MessageGroupId: "g" }));
  assert.equal(stillDuplicate.MessageId, first.MessageId);
  await withClockShift(5 * 60_000 + 1000, async () => {
    const fresh = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "same", MessageGroupId: "g" }));
    assert.notEqual(fresh.MessageId, first.MessageId);
  });
});

test("deduplication per message group with DeduplicationScope messageGroup", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "scoped.fifo", { DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });
  const a = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "a", MessageDeduplicationId: "d" }));
  const b = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "b", MessageDeduplicationId: "d" }));
  const a2 = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "a", MessageDeduplicationId: "d" }));
  assert.notEqual(a.MessageId, b.MessageId);
  assert.equal(a2.MessageId, a.MessageId);
});

test("order within a group, and a group is blocked while a message of it is in flight", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "order.fifo", { ContentBasedDeduplication: "true" });
  const Entries = [
    { Id: "a1", MessageBody: "a1", MessageGroupId: "a" },
    { Id: "b1", MessageBody: "b1", MessageGroupId: "b" },
    { Id: "a2", MessageBody: "a2", MessageGroupId: "a" },
    { Id: "b2", MessageBody: "b2", MessageGroupId: "b" },
  ];
  const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
  assert.equal(sent.Successful?.length, 4);
  const first =
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["All"] }))).Messages ?? [];
  assert.deepEqual(
    first.map((m) => m.Body),
    ["a1"],
  );
  assert.equal(first[0].Attributes?.MessageGroupId, "a");
  assert.equal(first[0].Attributes?.SequenceNumber, sent.Successful?.[0].SequenceNumber);
  assert.ok(first[0].Attributes?.MessageDeduplicationId);
  // Group a is blocked until a1 is deleted or visible again: only group b comes out.
  const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
  assert.deepEqual(
    second.map((m) => m.Body),
    ["b1", "b2"],
  );
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages, undefined);
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 0 }));
  const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
  assert.deepEqual(
    third.map((m) => m.Body),
    ["a1", "a2"],
    "a1 again, in order, before a2",
  );
});

test("ReceiveRequestAttemptId returns the same messages and handles on retry", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "attempt.fifo", { ContentBasedDeduplication: "true" });
  for (const body of ["1", "2", "3"]) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageGroupId: `g${body}` }));
  const receive = (ReceiveRequestAttemptId: string) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, ReceiveRequestAttemptId }));
  const first = (await receive("attempt-1")).Messages ?? [];
  const retry = (await receive("attempt-1")).Messages ?? [];
  assert.equal(first.length, 2);
  assert.deepEqual(
    retry.map((m) => m.ReceiptHandle),
    first.map((m) => m.ReceiptHandle),
  );
  const other = (await receive("attempt-2")).Messages ?? [];
  assert.deepEqual(
    other.map((m) => m.Body),
    ["3"],
  );
});

test("FIFO rejects a receipt handle whose visibility timeout has passed", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "expired.fifo", { ContentBasedDeduplication: "true" });
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "e", MessageGroupId: "g" }));
  const [message] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 5 }))).Messages ?? [];
  await withClockShift(6_000, async () => {
    const err = await rejectsWith(
      sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle })),
      "InvalidParameterValue",
      400,
    );
    assert.match(err.message, /The receipt handle has expired\.$/);
  });
});
