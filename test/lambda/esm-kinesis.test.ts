import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SplitShardCommand,
} from "@aws-sdk/client-kinesis";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, eventually, receiveMessages, SEND_TO_SEEN_QUEUE } from "./queue-support.js";
import { createFunction, ROLE } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const sqs = () => new SQSClient(server.clientConfig());
const kinesis = () => new KinesisClient(server.clientConfig());

/**
 * Forwards each event to the queue in SEEN_URL (query API: functions have no SDK). Records whose data says
 * "fail" fail the invocation; in MODE=partial, records saying "bad" are reported as batch item failures; in
 * MODE=window it counts the records of its tumbling window in the state.
 */
const RECORDER = {
  "index.js": `
${SEND_TO_SEEN_QUEUE}
exports.handler = async (event) => {
  await send(JSON.stringify({ ...event, invokedAt: Date.now() }));
  const texts = event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8"));
  if (process.env.MODE === "window") return { state: { count: (event.state.count || 0) + event.Records.length } };
  if (process.env.MODE === "partial")
    return { batchItemFailures: event.Records.filter((r, i) => texts[i].includes("bad")).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
  if (texts.some((t) => t.includes("fail"))) throw new Error("cannot handle");
  return {};
};`,
};

interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: string;
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp: number;
  };
  eventSource: string;
  eventVersion: string;
  eventID: string;
  eventName: string;
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

async function stream(name: string, shards = 1): Promise<string> {
  await kinesis().send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  return eventually(async () => {
    const { StreamDescriptionSummary: summary } = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return summary?.StreamStatus === "ACTIVE" ? (summary.StreamARN as string) : undefined;
  });
}

async function put(name: string, texts: string[], partitionKey = "key") {
  const sequenceNumbers: string[] = [];
  for (const text of texts) {
    const { SequenceNumber } = await kinesis().send(
      new PutRecordCommand({ StreamName: name, PartitionKey: partitionKey, Data: Buffer.from(text) }),
    );
    sequenceNumbers.push(SequenceNumber as string);
  }
  return sequenceNumbers;
}

async function recorder(name: string, mode = "throw") {
  const seen = await createQueue(sqs(), `${name}-seen`);
  await createFunction(lambda(), name, RECORDER, { Environment: { Variables: { SEEN_URL: seen.url, MODE: mode } } });
  return seen;
}

/** The events the function got (each its list of records), ordered by their first sequence number. */
async function seenEvents(url: string, count: number, timeoutMs?: number): Promise<KinesisEventRecord[][]> {
  const messages = await receiveMessages(sqs(), url, count, timeoutMs);
  const events = messages.map((m) => JSON.parse(m.Body as string).Records as KinesisEventRecord[]);
  return events.sort((a, b) => compareSequence(a[0].kinesis.sequenceNumber, b[0].kinesis.sequenceNumber));
}

const compareSequence = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
const texts = (records: KinesisEventRecord[]) => records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8"));

test("Kinesis stream → function: AWS's event records, batch size, order, mapping settings", async () => {
  const arn = await stream("clicks");
  const seen = await recorder("clicks-fn");
  const sequenceNumbers = await put("clicks", ["c1", "c2", "c3", "c4", "c5"]);
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({ FunctionName: "clicks-fn", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 2 }),
  );
  assert.equal(created.State, "Creating");
  assert.equal(created.EventSourceArn, arn);
  assert.equal(created.StartingPosition, "TRIM_HORIZON");
  assert.equal(created.BatchSize, 2);
  assert.equal(created.MaximumBatchingWindowInSeconds, 0);
  assert.equal(created.ParallelizationFactor, 1);
  assert.equal(created.MaximumRetryAttempts, -1);
  assert.equal(created.MaximumRecordAgeInSeconds, -1);
  assert.equal(created.BisectBatchOnFunctionError, false);
  assert.equal(created.TumblingWindowInSeconds, 0);
  assert.deepEqual(created.DestinationConfig, { OnFailure: {} });
  assert.deepEqual(created.FunctionResponseTypes, []);
  assert.equal(created.LastProcessingResult, "No records processed");

  const events = await seenEvents(seen.url, 3);
  assert.deepEqual(
    events.map((records) => records.length),
    [2, 2, 1],
  );
  assert.deepEqual(events.flatMap(texts), ["c1", "c2", "c3", "c4", "c5"]);
  const [record] = events[0];
  const { ShardId } = (await kinesis().send(new ListShardsCommand({ StreamName: "clicks" }))).Shards?.[0] ?? {};
  assert.deepEqual(Object.keys(record), [
    "kinesis",
    "eventSource",
    "eventVersion",
    "eventID",
    "eventName",
    "invokeIdentityArn",
    "awsRegion",
    "eventSourceARN",
  ]);
  assert.deepEqual(Object.keys(record.kinesis), [
    "kinesisSchemaVersion",
    "partitionKey",
    "sequenceNumber",
    "data",
    "approximateArrivalTimestamp",
  ]);
  assert.equal(record.kinesis.kinesisSchemaVersion, "1.0");
  assert.equal(record.kinesis.partitionKey, "key");
  assert.equal(record.kinesis.sequenceNumber, sequenceNumbers[0]);
  assert.equal(record.kinesis.data, Buffer.from("c1").toString("base64"));
  assert.equal(typeof record.kinesis.approximateArrivalTimestamp, "number");
  assert.ok(Math.abs(record.kinesis.approximateArrivalTimestamp - Date.now() / 1000) < 120);
  assert.equal(record.eventSource, "aws:kinesis");
  assert.equal(record.eventVersion, "1.0");
  assert.equal(record.eventID, `${ShardId}:${sequenceNumbers[0]}`);
  assert.equal(record.eventName, "aws:kinesis:record");
  assert.equal(record.invokeIdentityArn, ROLE);
  assert.equal(record.awsRegion, "us-east-1");
  assert.equal(record.eventSourceARN, arn);

  const settled = await eventually(async () => {
    const got = await lambda().send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    return got.LastProcessingResult === "OK" ? got : undefined;
  });
  assert.equal(settled.State, "Enabled");
  const listed = await lambda().send(new ListEventSourceMappingsCommand({ EventSourceArn: arn }));
  assert.deepEqual(
    listed.EventSourceMappings?.map((m) => m.UUID),
    [created.UUID],
  );
  const deleted = await lambda().send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
  assert.equal(deleted.State, "Deleting");
  await rejectsWith(lambda().send(new GetEventSourceMappingCommand({ UUID: created.UUID })), "ResourceNotFoundException", 404);
});

test("a failing Kinesis batch is retried, then reported to the OnFailure queue with its KinesisBatchInfo and skipped", async () => {
  const arn = await stream("payments");
  const seen = await recorder("payments-fn");
  const failures = await createQueue(sqs(), "payments-failures");
  const [failing] = await put("payments", ["please fail"]);
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "payments-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    }),
  );
  const [failure] = await receiveMessages(sqs(), failures.url);
  const report = JSON.parse(failure.Body as string);
  assert.deepEqual(Object.keys(report), ["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo"]);
  assert.equal(report.version, "1.0");
  assert.match(report.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(report.requestContext.condition, "RetryAttemptsExhausted");
  assert.equal(report.requestContext.approximateInvokeCount, 2);
  assert.equal(report.requestContext.functionArn, "arn:aws:lambda:us-east-1:000000000000:function:payments-fn");
  assert.deepEqual(report.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
  const { ShardId } = (await kinesis().send(new ListShardsCommand({ StreamName: "payments" }))).Shards?.[0] ?? {};
  const info = report.KinesisBatchInfo;
  assert.deepEqual(Object.keys(info), [
    "shardId",
    "startSequenceNumber",
    "endSequenceNumber",
    "approximateArrivalOfFirstRecord",
    "approximateArrivalOfLastRecord",
    "batchSize",
    "streamArn",
  ]);
  assert.equal(info.shardId, ShardId);
  assert.equal(info.startSequenceNumber, failing);
  assert.equal(info.endSequenceNumber, failing);
  assert.match(info.approximateArrivalOfFirstRecord, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(info.approximateArrivalOfLastRecord, info.approximateArrivalOfFirstRecord);
  assert.equal(info.batchSize, 1);
  assert.equal(info.streamArn, arn);
  assert.equal((await seenEvents(seen.url, 2)).length, 2);

  // Skipped: the next record is processed.
  await put("payments", ["fine"]);
  const [next] = await seenEvents(seen.url, 1);
  assert.deepEqual(texts(next), ["fine"]);
});

test("ReportBatchItemFailures: the batch resumes from the lowest reported sequence number", async () => {
  const arn = await stream("orders");
  const seen = await recorder("orders-fn", "partial");
  const failures = await createQueue(sqs(), "orders-failures");
  const sequenceNumbers = await put("orders", ["first", "bad one", "third", "bad two"]);
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "orders-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 10,
      MaximumRetryAttempts: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    }),
  );
  const [failure] = await receiveMessages(sqs(), failures.url);
  const info = JSON.parse(failure.Body as string).KinesisBatchInfo;
  assert.equal(info.startSequenceNumber, sequenceNumbers[1]);
  assert.equal(info.endSequenceNumber, sequenceNumbers[3]);
  assert.equal(info.batchSize, 3);
  const events = await seenEvents(seen.url, 2);
  assert.deepEqual(events.map(texts), [
    ["first", "bad one", "third", "bad two"],
    ["bad one", "third", "bad two"],
  ]);
});

test("FilterCriteria match the decoded JSON data of Kinesis records", async () => {
  const arn = await stream("trades");
  const seen = await recorder("trades-fn");
  await put("trades", [JSON.stringify({ order: { type: "sell" } }), "not json", JSON.stringify({ order: { type: "buy", n: 1 } })]);
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "trades-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { order: { type: ["buy"] } } }) }] },
    }),
  );
  const [first] = await seenEvents(seen.url, 1);
  assert.deepEqual(texts(first), [JSON.stringify({ order: { type: "buy", n: 1 } })]);
  await put("trades", [JSON.stringify({ order: { type: "sell" } }), JSON.stringify({ order: { type: "buy", n: 2 } })]);
  const [second] = await seenEvents(seen.url, 1);
  assert.deepEqual(texts(second), [JSON.stringify({ order: { type: "buy", n: 2 } })]);
});

test("a disabled mapping stops delivery; enabling it again resumes after the last processed record", async () => {
  const arn = await stream("audit");
  const seen = await recorder("audit-fn");
  const { UUID } = await lambda().send(
    new CreateEventSourceMappingCommand({ FunctionName: "audit-fn", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON" }),
  );
  await put("audit", ["a1"]);
  assert.deepEqual((await seenEvents(seen.url, 1)).map(texts), [["a1"]]);
  // Lambda reports OK once a1 is checkpointed: disabling then cannot make it be read again.
  await eventually(async () => {
    const { LastProcessingResult } = await lambda().send(new GetEventSourceMappingCommand({ UUID }));
    return LastProcessingResult === "OK" ? true : undefined;
  });

  const disabling = await lambda().send(new UpdateEventSourceMappingCommand({ UUID, Enabled: false }));
  assert.equal(disabling.State, "Disabling");
  assert.equal((await lambda().send(new GetEventSourceMappingCommand({ UUID }))).State, "Disabled");
  await put("audit", ["a2", "a3"]);
  assert.deepEqual(await seenEvents(seen.url, 1, 3_000), []);

  const enabling = await lambda().send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }));
  assert.equal(enabling.State, "Enabling");
  assert.deepEqual((await seenEvents(seen.url, 1)).map(texts), [["a2", "a3"]]);
});

async function waitActive(name: string) {
  await eventually(async () => {
    const { StreamDescriptionSummary: summary } = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return summary?.StreamStatus === "ACTIVE" ? true : undefined;
  });
}

/** Each event the function got with when it got it, in invocation order. */
async function invocations(url: string, count: number) {
  const messages = await receiveMessages(sqs(), url, count);
  return messages
    .map((m) => JSON.parse(m.Body as string) as { Records: KinesisEventRecord[]; invokedAt: number })
    .sort((a, b) => a.invokedAt - b.invokedAt);
}

test("resharding: a parent shard is read to its end (retries included) before its children", async () => {
  const arn = await stream("metrics");
  const seen = await recorder("metrics-fn");
  await put("metrics", ["before", "please fail"]);
  const [parent] = (await kinesis().send(new ListShardsCommand({ StreamName: "metrics" }))).Shards ?? [];
  const middle = (BigInt(parent.HashKeyRange?.EndingHashKey as string) / 2n).toString();
  await kinesis().send(new SplitShardCommand({ StreamName: "metrics", ShardToSplit: parent.ShardId, NewStartingHashKey: middle }));
  await waitActive("metrics");
  await put("metrics", ["after-split"]);
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "metrics-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 2,
    }),
  );
  // The parent's failing batch is tried three times before the child's record goes out.
  const first = await invocations(seen.url, 4);
  assert.deepEqual(
    first.map((e) => texts(e.Records)),
    [["before", "please fail"], ["before", "please fail"], ["before", "please fail"], ["after-split"]],
  );
  assert.equal(first[0].Records[0].eventID.split(":")[0], parent.ShardId);
  const child = first[3].Records[0].eventID.split(":")[0];
  assert.notEqual(child, parent.ShardId);

  // A merge while the mapping runs: the merged shard is found and read from its start once both parents end.
  const children = ((await kinesis().send(new ListShardsCommand({ StreamName: "metrics" }))).Shards ?? []).filter((s) =>
    [s.ParentShardId, s.AdjacentParentShardId].includes(parent.ShardId),
  );
  assert.equal(children.length, 2);
  await kinesis().send(
    new MergeShardsCommand({ StreamName: "metrics", ShardToMerge: children[0].ShardId, AdjacentShardToMerge: children[1].ShardId }),
  );
  await waitActive("metrics");
  await put("metrics", ["after-merge"]);
  const [merged] = await invocations(seen.url, 1);
  assert.deepEqual(texts(merged.Records), ["after-merge"]);
  assert.ok(!children.some((c) => c.ShardId === merged.Records[0].eventID.split(":")[0]));
});

test("LATEST delivers the records put after CreateEventSourceMapping returns, not those before", async () => {
  const arn = await stream("latest");
  const seen = await recorder("latest-fn");
  await put("latest", ["before"]);
  await lambda().send(new CreateEventSourceMappingCommand({ FunctionName: "latest-fn", EventSourceArn: arn, StartingPosition: "LATEST" }));
  await put("latest", ["after"]);
  assert.deepEqual((await seenEvents(seen.url, 1)).map(texts), [["after"]]);
  assert.deepEqual(await seenEvents(seen.url, 1, 1_500), []);
});

test("AT_TIMESTAMP starts at the first record at or after StartingPositionTimestamp", async () => {
  const arn = await stream("history");
  const seen = await recorder("history-fn");
  await put("history", ["old"]);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const since = new Date();
  await put("history", ["new-1", "new-2"]);
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "history-fn",
      EventSourceArn: arn,
      StartingPosition: "AT_TIMESTAMP",
      StartingPositionTimestamp: since,
    }),
  );
  assert.equal(created.StartingPosition, "AT_TIMESTAMP");
  assert.equal(created.StartingPositionTimestamp?.getTime(), since.getTime());
  assert.deepEqual((await seenEvents(seen.url, 1)).map(texts), [["new-1", "new-2"]]);
});

test("ParallelizationFactor keeps each partition key's records in order", async () => {
  const arn = await stream("events");
  const seen = await recorder("events-fn");
  const entries = Array.from({ length: 12 }, (_, i) => ({ PartitionKey: `user-${i % 3}`, Data: Buffer.from(`user-${i % 3}:${i}`) }));
  await kinesis().send(new PutRecordsCommand({ StreamName: "events", Records: entries }));
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "events-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      ParallelizationFactor: 3,
    }),
  );
  assert.equal(created.ParallelizationFactor, 3);
  const received: KinesisEventRecord[][] = [];
  const deadline = Date.now() + 20_000;
  while (received.flat().length < 12 && Date.now() < deadline) received.push(...(await seenEvents(seen.url, 1, 2_000)));
  const byKey = new Map<string, number[]>();
  for (const text of received.flatMap(texts)) {
    const [key, index] = text.split(":");
    byKey.set(key, [...(byKey.get(key) ?? []), Number(index)]);
  }
  for (const indexes of byKey.values())
    assert.deepEqual(
      indexes,
      [...indexes].sort((a, b) => a - b),
    );
  assert.equal([...byKey.values()].flat().length, 12);
});

test("MaximumBatchingWindowInSeconds gathers the records that arrive within the window into one batch", async () => {
  const arn = await stream("gather");
  const seen = await recorder("gather-fn");
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "gather-fn",
      EventSourceArn: arn,
      StartingPosition: "LATEST",
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 3,
    }),
  );
  for (const text of ["g1", "g2", "g3"]) {
    await put("gather", [text]);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.deepEqual((await seenEvents(seen.url, 1)).map(texts), [["g1", "g2", "g3"]]);
});

test("a stream consumer ARN (enhanced fan-out) is an event source for its stream's records", async () => {
  const arn = await stream("fanout");
  const seen = await recorder("fanout-fn");
  const { Consumer } = await kinesis().send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "lambda" }));
  const consumerArn = Consumer?.ConsumerARN as string;
  await put("fanout", ["f1"]);
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({ FunctionName: "fanout-fn", EventSourceArn: consumerArn, StartingPosition: "TRIM_HORIZON" }),
  );
  assert.equal(created.EventSourceArn, consumerArn);
  const [[record]] = await seenEvents(seen.url, 1);
  assert.deepEqual(texts([record]), ["f1"]);
  assert.equal(record.eventSourceARN, arn);
  const missing = `${arn}/consumer/nobody:1700000000`;
  const err = await rejectsWith(
    lambda().send(new CreateEventSourceMappingCommand({ FunctionName: "fanout-fn", EventSourceArn: missing, StartingPosition: "LATEST" })),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(err.message, `Stream not found: ${missing}`);
});

test("Kinesis mappings validate their settings like Lambda", async () => {
  const arn = await stream("checks");
  await createFunction(lambda(), "checks-fn", { "index.js": "exports.handler = async () => ({});" });
  const create = (extra: Record<string, unknown>) =>
    lambda().send(
      new CreateEventSourceMappingCommand({ FunctionName: "checks-fn", EventSourceArn: arn, StartingPosition: "LATEST", ...extra }),
    );
  const position = await rejectsWith(create({ StartingPosition: undefined }), "InvalidParameterValueException", 400);
  assert.match(position.message, /startingPosition/);
  const timestamp = await rejectsWith(create({ StartingPosition: "AT_TIMESTAMP" }), "InvalidParameterValueException", 400);
  assert.equal(timestamp.message, "Need to specify a timestamp");
  await rejectsWith(create({ BatchSize: 10_001 }), "ValidationException", 400);
  await rejectsWith(create({ ParallelizationFactor: 11 }), "ValidationException", 400);
  await rejectsWith(create({ MaximumRetryAttempts: -2 }), "ValidationException", 400);
  await rejectsWith(create({ MaximumRecordAgeInSeconds: 604_801 }), "ValidationException", 400);
  const age = await rejectsWith(create({ MaximumRecordAgeInSeconds: 30 }), "InvalidParameterValueException", 400);
  assert.equal(age.message, "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.");
  const scaling = await rejectsWith(create({ ScalingConfig: { MaximumConcurrency: 2 } }), "InvalidParameterValueException", 400);
  assert.equal(scaling.message, "Unsupported ScalingConfig parameter for given event source mapping type.");
  const destination = await rejectsWith(
    create({ DestinationConfig: { OnFailure: { Destination: "arn:aws:dynamodb:us-east-1:000000000000:table/failures" } } }),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(destination.message, "The destination ARN arn:aws:dynamodb:us-east-1:000000000000:table/failures is invalid.");
  const missing = arn.replace("checks", "nothing");
  const notFound = await rejectsWith(create({ EventSourceArn: missing }), "InvalidParameterValueException", 400);
  assert.equal(notFound.message, `Stream not found: ${missing}`);

  const { UUID } = await create({});
  const conflict = await rejectsWith(create({}), "ResourceConflictException", 409);
  assert.match(conflict.message, new RegExp(`UUID ${UUID}$`));
  await rejectsWith(lambda().send(new UpdateEventSourceMappingCommand({ UUID, BatchSize: 0 })), "ValidationException", 400);
  const updated = await lambda().send(new UpdateEventSourceMappingCommand({ UUID, BatchSize: 500, MaximumRetryAttempts: 3 }));
  assert.equal(updated.State, "Updating");
  assert.equal(updated.BatchSize, 500);
  assert.equal(updated.MaximumRetryAttempts, 3);
});

interface WindowEvent {
  Records: KinesisEventRecord[];
  window: { start: string; end: string };
  state: { count?: number };
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

test("TumblingWindowInSeconds: state flows through a window's invocations and a final invocation closes it", async () => {
  const arn = await stream("sensors");
  const seen = await createQueue(sqs(), "sensors-fn-seen");
  await createFunction(lambda(), "sensors-fn", RECORDER, { Environment: { Variables: { SEEN_URL: seen.url, MODE: "window" } } });
  await put("sensors", ["s1", "s2", "s3"]);
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "sensors-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 1,
      TumblingWindowInSeconds: 2,
    }),
  );
  assert.equal(created.TumblingWindowInSeconds, 2);
  const events: WindowEvent[] = [];
  const finalCount = () => events.filter((e) => e.isFinalInvokeForWindow).reduce((sum, e) => sum + (e.state.count ?? 0), 0);
  const deadline = Date.now() + 20_000;
  while (finalCount() < 3 && Date.now() < deadline) {
    const messages = await receiveMessages(sqs(), seen.url, 1, 2_000);
    events.push(...messages.map((m) => JSON.parse(m.Body as string) as WindowEvent));
  }
  assert.equal(finalCount(), 3);
  const { ShardId } = (await kinesis().send(new ListShardsCommand({ StreamName: "sensors" }))).Shards?.[0] ?? {};
  const windows = new Map<string, WindowEvent[]>();
  for (const event of events) windows.set(event.window.start, [...(windows.get(event.window.start) ?? []), event]);
  for (const [start, invocations] of windows) {
    const final = invocations.filter((e) => e.isFinalInvokeForWindow);
    const partial = invocations.filter((e) => !e.isFinalInvokeForWindow);
    assert.equal(final.length, 1);
    assert.deepEqual(final[0].Records, []);
    assert.equal(final[0].state.count, partial.length);
    // Each invocation sees the state the previous one returned: counts 0, 1, 2… before its record.
    assert.deepEqual(
      partial.map((e) => e.state.count ?? 0).sort((a, b) => a - b),
      partial.map((_, i) => i),
    );
    for (const event of invocations) {
      assert.match(start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(Date.parse(event.window.end) - Date.parse(start), 2_000);
      assert.equal(event.shardId, ShardId);
      assert.equal(event.eventSourceARN, arn);
      assert.equal(event.isWindowTerminatedEarly, false);
      for (const record of event.Records) {
        const arrival = record.kinesis.approximateArrivalTimestamp * 1000;
        assert.ok(arrival >= Date.parse(start) && arrival < Date.parse(event.window.end));
      }
    }
  }
});
