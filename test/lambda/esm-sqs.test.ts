import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, eventually, queueDepth, receiveMessages, SEND_TO_SEEN_QUEUE } from "./queue-support.js";
import { createFunction } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const sqs = () => new SQSClient(server.clientConfig());
const FN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/**
 * Records each event it gets by sending it on to a "seen" queue named in its environment, through the
 * SDK-less query API (functions have no SDK): fails records whose body says so.
 */
const RECORDER = {
  "index.js": `
${SEND_TO_SEEN_QUEUE}
exports.handler = async (event) => {
  await send(JSON.stringify(event));
  const failed = event.Records.filter((r) => r.body.includes("fail"));
  if (process.env.MODE === "partial") return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
  if (failed.length) throw new Error("batch failed");
  return {};
};`,
};

async function recorder(name: string, mode: string) {
  const seen = await createQueue(sqs(), `${name}-seen`);
  await createFunction(lambda(), name, RECORDER, { Environment: { Variables: { SEEN_URL: seen.url, MODE: mode } } });
  return seen;
}

/** The events the function got, each as its list of records. */
async function seenEvents(url: string, count: number) {
  const messages = await receiveMessages(sqs(), url, count);
  return messages.map((m) => JSON.parse(m.Body as string).Records as Record<string, unknown>[]);
}

test("CreateEventSourceMapping for SQS: defaults, states, Get/List/Update/Delete", async () => {
  const queue = await createQueue(sqs(), "api-queue");
  await createFunction(lambda(), "api-fn", { "index.js": "exports.handler = async () => ({});" });
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({ FunctionName: "api-fn", EventSourceArn: queue.arn, Enabled: false }),
  );
  assert.match(created.UUID as string, /^[0-9a-f-]{36}$/);
  assert.equal(created.State, "Creating");
  assert.equal(created.StateTransitionReason, "USER_INITIATED");
  assert.equal(created.BatchSize, 10);
  assert.equal(created.MaximumBatchingWindowInSeconds, 0);
  assert.equal(created.FunctionArn, FN("api-fn"));
  assert.equal(created.EventSourceArn, queue.arn);
  assert.deepEqual(created.FunctionResponseTypes, []);
  assert.equal(created.EventSourceMappingArn, `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${created.UUID}`);
  assert.ok(created.LastModified instanceof Date);
  assert.equal(created.StartingPosition, undefined);

  const got = await lambda().send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
  assert.equal(got.State, "Disabled");
  const enabling = await lambda().send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: true, BatchSize: 5 }));
  assert.equal(enabling.State, "Enabling");
  assert.equal(enabling.BatchSize, 5);
  assert.equal((await lambda().send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State, "Enabled");
  const updating = await lambda().send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, MaximumBatchingWindowInSeconds: 2 }));
  assert.equal(updating.State, "Updating");
  assert.equal(updating.BatchSize, 5);

  const conflict = await rejectsWith(
    lambda().send(new CreateEventSourceMappingCommand({ FunctionName: "api-fn", EventSourceArn: queue.arn })),
    "ResourceConflictException",
    409,
  );
  assert.match(conflict.message, new RegExp(`Please update or delete the existing mapping with UUID ${created.UUID}$`));
  const listed = await lambda().send(new ListEventSourceMappingsCommand({ FunctionName: "api-fn" }));
  assert.deepEqual(
    listed.EventSourceMappings?.map((m) => m.UUID),
    [created.UUID],
  );
  assert.equal(
    (await lambda().send(new ListEventSourceMappingsCommand({ EventSourceArn: `${queue.arn}-other` }))).EventSourceMappings?.length,
    0,
  );
  const deleted = await lambda().send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
  assert.equal(deleted.State, "Deleting");
  const gone = await rejectsWith(lambda().send(new GetEventSourceMappingCommand({ UUID: created.UUID })), "ResourceNotFoundException", 404);
  assert.equal(gone.message, "The resource you requested does not exist.");
});

test("CreateEventSourceMapping validates like Lambda", async () => {
  const queue = await createQueue(sqs(), "validation-queue");
  const create = (extra: Record<string, unknown>) =>
    lambda().send(new CreateEventSourceMappingCommand({ FunctionName: "api-fn", EventSourceArn: queue.arn, ...extra }));
  const window = await rejectsWith(create({ BatchSize: 11 }), "InvalidParameterValueException", 400);
  assert.equal(window.message, "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
  await rejectsWith(create({ BatchSize: 10_001, MaximumBatchingWindowInSeconds: 1 }), "ValidationException", 400);
  await rejectsWith(create({ StartingPosition: "LATEST" }), "InvalidParameterValueException", 400);
  await rejectsWith(create({ ScalingConfig: { MaximumConcurrency: 1 } }), "ValidationException", 400);
  const filter = await rejectsWith(
    create({ FilterCriteria: { Filters: [{ Pattern: "{not json" }] } }),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(filter.message, "Invalid filter pattern definition.");
  await rejectsWith(create({ FunctionName: "missing-fn" }), "ResourceNotFoundException", 404);
  const noQueue = await rejectsWith(
    create({ EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:no-such-queue" }),
    "InvalidParameterValueException",
    400,
  );
  assert.match(noQueue.message, /AWS\.SimpleQueueService\.NonExistentQueue/);
  const kinesis = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
  const stream = await rejectsWith(create({ EventSourceArn: kinesis, StartingPosition: "LATEST" }), "InvalidParameterValueException", 400);
  assert.equal(stream.message, `Stream not found: ${kinesis}`);
  await createFunction(lambda(), "slow-fn", { "index.js": "exports.handler = async () => ({});" }, { Timeout: 60 });
  const visibility = await rejectsWith(create({ FunctionName: "slow-fn" }), "InvalidParameterValueException", 400);
  assert.equal(visibility.message, "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds");
});

test("SQS → function: AWS's event, messages deleted on success, partial batch failures stay and are redriven", async () => {
  const dlq = await createQueue(sqs(), "orders-dlq");
  const queue = await createQueue(sqs(), "orders", {
    VisibilityTimeout: "3",
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
  });
  const seen = await recorder("orders-fn", "partial");
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queue.url,
      MessageBody: "hello",
      MessageAttributes: {
        kind: { DataType: "String", StringValue: "greeting" },
        blob: { DataType: "Binary", BinaryValue: Buffer.from("hi") },
      },
    }),
  );
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "orders-fn",
      EventSourceArn: queue.arn,
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    }),
  );
  const [[record]] = await seenEvents(seen.url, 1);
  assert.deepEqual(Object.keys(record), [
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "md5OfMessageAttributes",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
  ]);
  assert.equal(record.body, "hello");
  assert.equal(record.eventSource, "aws:sqs");
  assert.equal(record.eventSourceARN, queue.arn);
  assert.equal(record.awsRegion, "us-east-1");
  assert.equal(record.md5OfBody, "5d41402abc4b2a76b9719d911017c592");
  const attributes = record.attributes as Record<string, string>;
  assert.equal(attributes.ApproximateReceiveCount, "1");
  assert.match(attributes.SentTimestamp, /^\d{13}$/);
  assert.match(attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
  assert.ok(attributes.SenderId);
  assert.deepEqual(record.messageAttributes, {
    kind: { stringValue: "greeting", stringListValues: [], binaryListValues: [], dataType: "String" },
    blob: { binaryValue: Buffer.from("hi").toString("base64"), stringListValues: [], binaryListValues: [], dataType: "Binary" },
  });
  await eventually(async () => ((await queueDepth(sqs(), queue.url)).inFlight === 0 ? true : undefined));
  assert.deepEqual(await queueDepth(sqs(), queue.url), { visible: 0, inFlight: 0 });

  await sqs().send(
    new SendMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: [
        { Id: "a", MessageBody: "ok-1" },
        { Id: "b", MessageBody: "please fail" },
        { Id: "c", MessageBody: "ok-2" },
      ],
    }),
  );
  // The failed message comes back after its visibility timeout, then goes to the DLQ after its second receive.
  const [dead] = await receiveMessages(sqs(), dlq.url, 1, 25_000);
  assert.equal(dead.Body, "please fail");
  const bodies = (await seenEvents(seen.url, 2)).flat().map((r) => r.body);
  assert.ok(bodies.includes("ok-1") && bodies.includes("ok-2"));
  assert.deepEqual(await queueDepth(sqs(), queue.url), { visible: 0, inFlight: 0 });
});

test("a failed batch leaves every message in the queue; filtered-out messages are deleted without invoking", async () => {
  const queue = await createQueue(sqs(), "filtered", { VisibilityTimeout: "30" });
  const seen = await recorder("filtered-fn", "all-or-nothing");
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "filtered-fn",
      EventSourceArn: queue.arn,
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ body: { kind: ["order"], total: [{ numeric: [">", 100] }] } }) },
          { Pattern: JSON.stringify({ body: [{ prefix: "fail" }] }) },
        ],
      },
    }),
  );
  await sqs().send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify({ kind: "order", total: 50 }) }));
  await sqs().send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "not json at all" }));
  await sqs().send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify({ kind: "order", total: 150 }) }));
  const [[record]] = await seenEvents(seen.url, 1);
  assert.deepEqual(JSON.parse(record.body as string), { kind: "order", total: 150 });
  await eventually(async () => {
    const depth = await queueDepth(sqs(), queue.url);
    return depth.visible === 0 && depth.inFlight === 0 ? true : undefined;
  });
  await sqs().send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "fail this one" }));
  const [[failed]] = await seenEvents(seen.url, 1);
  assert.equal(failed.body, "fail this one");
  // Not deleted: it waits out its 30 s visibility timeout in flight.
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await queueDepth(sqs(), queue.url), { visible: 0, inFlight: 1 });
});

test("a disabled mapping stops polling and a re-enabled one resumes", async () => {
  const queue = await createQueue(sqs(), "toggle");
  const seen = await recorder("toggle-fn", "all-or-nothing");
  const { UUID } = await lambda().send(new CreateEventSourceMappingCommand({ FunctionName: "toggle-fn", EventSourceArn: queue.arn }));
  const disabling = await lambda().send(new UpdateEventSourceMappingCommand({ UUID, Enabled: false }));
  assert.equal(disabling.State, "Disabling");
  await sqs().send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "while disabled" }));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await queueDepth(sqs(), queue.url)).visible, 1);
  await lambda().send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }));
  const [[record]] = await seenEvents(seen.url, 1);
  assert.equal(record.body, "while disabled");
});

test("FIFO queues are processed in message-group order, with ScalingConfig's concurrency", async () => {
  const queue = await createQueue(sqs(), "steps.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
  const seen = await recorder("steps-fn", "all-or-nothing");
  const entries = ["a", "b"].flatMap((group) =>
    [1, 2, 3].map((n) => ({ Id: `${group}${n}`, MessageBody: `${group}${n}`, MessageGroupId: group })),
  );
  await sqs().send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "steps-fn",
      EventSourceArn: queue.arn,
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
    }),
  );
  assert.deepEqual(created.ScalingConfig, { MaximumConcurrency: 2 });
  const records = (await seenEvents(seen.url, 6)).flat();
  assert.equal(records.length, 6);
  for (const group of ["a", "b"]) {
    const bodies = records.filter((r) => (r.attributes as Record<string, string>).MessageGroupId === group).map((r) => r.body);
    assert.deepEqual(bodies, [`${group}1`, `${group}2`, `${group}3`]);
  }
  assert.match((records[0].attributes as Record<string, string>).SequenceNumber, /^\d+$/);
  await rejectsWith(
    lambda().send(
      new CreateEventSourceMappingCommand({
        FunctionName: "api-fn",
        EventSourceArn: queue.arn,
        BatchSize: 20,
        MaximumBatchingWindowInSeconds: 1,
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
});
