import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, expectedAttributesMd5, md5, sleep, sqsClient, withClockShift } from "./support.js";

const server = useServer();

test("SendMessage returns AWS's digests of body, attributes and system attributes", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "digests");
  const MessageAttributes = {
    colour: { DataType: "String", StringValue: "blue" },
    count: { DataType: "Number.int", StringValue: "42" },
    blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
  };
  const MessageSystemAttributes = { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793" } };
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "héllo", MessageAttributes, MessageSystemAttributes }));
  assert.equal(sent.MD5OfMessageBody, md5("héllo"));
  assert.equal(sent.MD5OfMessageAttributes, expectedAttributesMd5(MessageAttributes));
  assert.equal(sent.MD5OfMessageSystemAttributes, expectedAttributesMd5(MessageSystemAttributes));
  assert.match(sent.MessageId ?? "", /^[0-9a-f-]{36}$/);
  assert.equal(sent.SequenceNumber, undefined);

  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }),
  );
  assert.equal(Messages?.length, 1);
  const [message] = Messages ?? [];
  assert.equal(message.Body, "héllo");
  assert.equal(message.MessageId, sent.MessageId);
  assert.equal(message.MD5OfBody, md5("héllo"));
  assert.equal(message.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual(Buffer.from(message.MessageAttributes?.blob.BinaryValue ?? []), Buffer.from([0, 1, 2, 255]));
  assert.equal(message.MessageAttributes?.count.StringValue, "42");
  assert.equal(message.Attributes?.ApproximateReceiveCount, "1");
  assert.equal(message.Attributes?.SenderId, "000000000000");
  assert.equal(message.Attributes?.AWSTraceHeader, "Root=1-5759e988-bd862e3fe1be46a994272793");
  assert.ok(Math.abs(Number(message.Attributes?.SentTimestamp) - Date.now()) < 60_000);
  assert.equal(message.Attributes?.ApproximateFirstReceiveTimestamp !== undefined, true);
});

test("ReceiveMessage selects attributes by name, by prefix and not at all", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "selection", { VisibilityTimeout: "0" });
  const MessageAttributes = {
    "order.id": { DataType: "String", StringValue: "o-1" },
    "order.total": { DataType: "Number", StringValue: "9.5" },
    other: { DataType: "String", StringValue: "x" },
  };
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m", MessageAttributes }));
  const receive = async (names?: string[], system?: string[]) =>
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: names, MessageSystemAttributeNames: system as never })))
      .Messages?.[0];
  const none = await receive();
  assert.equal(none?.MessageAttributes, undefined);
  assert.equal(none?.MD5OfMessageAttributes, undefined);
  assert.equal(none?.Attributes, undefined);
  const prefixed = await receive(["order.*"], ["SentTimestamp"]);
  assert.deepEqual(Object.keys(prefixed?.MessageAttributes ?? {}).sort(), ["order.id", "order.total"]);
  assert.equal(
    prefixed?.MD5OfMessageAttributes,
    expectedAttributesMd5({ "order.id": MessageAttributes["order.id"], "order.total": MessageAttributes["order.total"] }),
  );
  assert.deepEqual(Object.keys(prefixed?.Attributes ?? {}), ["SentTimestamp"]);
  const exact = await receive(["other"]);
  assert.deepEqual(Object.keys(exact?.MessageAttributes ?? {}), ["other"]);
  const all = await receive([".*"], ["ApproximateReceiveCount"]);
  assert.equal(Object.keys(all?.MessageAttributes ?? {}).length, 3);
  assert.equal(all?.Attributes?.ApproximateReceiveCount, "4");
});

test("message attribute and body validation", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "validation", { MaximumMessageSize: "1024" });
  const send = (input: Record<string, unknown>) => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", ...input }));
  let err = await rejectsWith(send({ MessageBody: "a".repeat(1025) }), "InvalidParameterValue", 400);
  assert.equal(err.message, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");
  await send({ MessageBody: "a".repeat(1024) });
  err = await rejectsWith(send({ MessageBody: "bad\u0000" }), "InvalidMessageContents", 400);
  assert.match(err.message, /Invalid binary character '#x0'/);
  await rejectsWith(send({ MessageBody: "" }), "MissingParameter", 400);
  err = await rejectsWith(send({ MessageAttributes: { a: { DataType: "Integer", StringValue: "1" } } }), "InvalidParameterValue", 400);
  assert.match(err.message, /supported type prefixes: Binary, Number, String/);
  await rejectsWith(send({ MessageAttributes: { a: { DataType: "Number", StringValue: "one" } } }), "InvalidParameterValue", 400);
  await rejectsWith(send({ MessageAttributes: { a: { DataType: "String", StringValue: "" } } }), "InvalidParameterValue", 400);
  await rejectsWith(send({ MessageAttributes: { "AWS.x": { DataType: "String", StringValue: "v" } } }), "InvalidParameterValue", 400);
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]));
  err = await rejectsWith(send({ MessageAttributes: eleven }), "InvalidParameterValue", 400);
  assert.equal(err.message, "Number of message attributes [11] exceeds the allowed maximum [10].");
  err = await rejectsWith(send({ DelaySeconds: 901 }), "InvalidParameterValue", 400);
  assert.match(err.message, /DelaySeconds/);
  await rejectsWith(send({ MessageDeduplicationId: "d" }), "InvalidParameterValue", 400);
});

test("the default maximum message size is 1 MiB", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "big");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "b".repeat(1_048_576) }));
  await rejectsWith(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "b".repeat(1_048_577) })), "InvalidParameterValue", 400);
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(Messages?.[0].Body?.length, 1_048_576);
});

test("SendMessageBatch: per-entry results, entry id rules, 10 entries, total size", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "batch");
  const result = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "ok-1", MessageBody: "one" },
        { Id: "bad", MessageBody: "two", MessageAttributes: { n: { DataType: "Number", StringValue: "x" } } },
        { Id: "ok_2", MessageBody: "three", DelaySeconds: 0 },
      ],
    }),
  );
  assert.deepEqual(
    result.Successful?.map((e) => e.Id),
    ["ok-1", "ok_2"],
  );
  assert.equal(result.Successful?.[0].MD5OfMessageBody, md5("one"));
  assert.equal(result.Failed?.length, 1);
  assert.equal(result.Failed?.[0].Id, "bad");
  assert.equal(result.Failed?.[0].SenderFault, true);
  assert.equal(result.Failed?.[0].Code, "InvalidParameterValue");

  let err = await rejectsWith(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })), "EmptyBatchRequest", 400);
  assert.equal(err.message, "There should be at least one SendMessageBatchRequestEntry in the request.");
  const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" }));
  err = await rejectsWith(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: eleven })), "TooManyEntriesInBatchRequest", 400);
  assert.equal(err.message, "Maximum number of entries per request are 10. You have sent 11.");
  err = await rejectsWith(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "x" },
          { Id: "a", MessageBody: "y" },
        ],
      }),
    ),
    "BatchEntryIdsNotDistinct",
    400,
  );
  assert.equal(err.message, "Id a repeated.");
  await rejectsWith(
    sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a.b", MessageBody: "x" }] })),
    "InvalidBatchEntryId",
    400,
  );
  const large = Array.from({ length: 3 }, (_, i) => ({ Id: `l${i}`, MessageBody: "z".repeat(400_000) }));
  err = await rejectsWith(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: large })), "BatchRequestTooLong", 400);
  assert.equal(err.message, "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.");
});

test("DelaySeconds hides a message until the delay has passed", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "delayed");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "later", DelaySeconds: 1 }));
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessages"] }),
  );
  assert.deepEqual(attrs.Attributes, { ApproximateNumberOfMessagesDelayed: "1", ApproximateNumberOfMessages: "0" });
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  await sleep(1100);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0].Body, "later");
});

test("receipt handles: a new one per receive, stale ones do not delete, invalid ones are rejected", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "handles");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "h" }));
  const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }))).Messages?.[0];
  const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }))).Messages?.[0];
  assert.ok(first?.ReceiptHandle && second?.ReceiptHandle);
  assert.notEqual(first.ReceiptHandle, second.ReceiptHandle);
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle }));
  const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 30 }))).Messages?.[0];
  assert.equal(third?.MessageId, first.MessageId, "a stale handle leaves the message in the queue");
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: third?.ReceiptHandle }));
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: third?.ReceiptHandle })); // deleting twice is fine
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0");
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, "0");
  const err = await rejectsWith(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "garbage" })), "ReceiptHandleIsInvalid", 404);
  assert.equal(err.message, 'The input receipt handle "garbage" is not a valid receipt handle.');
});

test("ChangeMessageVisibility: hides, reveals, 12-hour limit, superseded and deleted handles", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "visibility");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "v" }));
  const message = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0];
  const ReceiptHandle = message?.ReceiptHandle as string;
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  let err = await rejectsWith(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 43_201 })),
    "InvalidParameterValue",
    400,
  );
  assert.match(err.message, /VisibilityTimeout/);
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 43_200 }));
  // Ten hours later, only two more hours are allowed in total.
  await withClockShift(10 * 3600_000, async () => {
    err = await rejectsWith(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 7300 })),
      "InvalidParameterValue",
      400,
    );
    assert.equal(
      err.message,
      `Value 7300 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]`,
    );
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 7100 }));
  });
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 0 }));
  // Its visibility timeout is over: changing it again is accepted and leaves the message visible.
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 600 }));
  const again = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }))).Messages?.[0];
  assert.equal(again?.MessageId, message?.MessageId);
  // Received again since: the first handle is superseded.
  err = await rejectsWith(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 10 })),
    "InvalidParameterValue",
    400,
  );
  assert.equal(
    err.message,
    `Value ${ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
  );
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again?.ReceiptHandle }));
  await rejectsWith(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again?.ReceiptHandle, VisibilityTimeout: 10 })),
    "InvalidParameterValue",
    400,
  );
});

test("DeleteMessageBatch and ChangeMessageVisibilityBatch report per entry", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "ack-batch");
  await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })) }));
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.equal(Messages.length, 3);
  const changed = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "a", ReceiptHandle: Messages[0].ReceiptHandle, VisibilityTimeout: 0 },
        { Id: "b", ReceiptHandle: "nonsense", VisibilityTimeout: 0 },
      ],
    }),
  );
  assert.deepEqual(changed.Successful, [{ Id: "a" }]);
  assert.equal(changed.Failed?.[0].Code, "ReceiptHandleIsInvalid");
  const deleted = await sqs.send(
    new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
  );
  assert.deepEqual(
    deleted.Successful?.map((e) => e.Id),
    ["d0", "d1", "d2"],
  );
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
  );
  assert.deepEqual(attrs.Attributes, { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  await rejectsWith(sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [] })), "EmptyBatchRequest", 400);
});

test("ReceiveMessage parameter ranges", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "ranges");
  let err = await rejectsWith(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })), "InvalidParameterValue", 400);
  assert.equal(err.message, "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
  err = await rejectsWith(sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })), "InvalidParameterValue", 400);
  assert.equal(err.message, "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
  await rejectsWith(sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: -1 })), "InvalidParameterValue", 400);
  await rejectsWith(sqs.send(new ReceiveMessageCommand({ QueueUrl: `${server.endpoint}/000000000000/nope` })), "QueueDoesNotExist", 400);
});

test("messages past the retention period are gone", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "retention", { MessageRetentionPeriod: "60" });
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "old" }));
  await withClockShift(61_000, async () => {
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  });
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0");
});
