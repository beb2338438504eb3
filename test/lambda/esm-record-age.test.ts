import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { expiredCount } from "../../src/services/lambda/event-sources/stream-delivery.js";
import type { EventRecord } from "../../src/services/lambda/event-sources/stream-sources.js";
import { useServer } from "../helpers.js";
import { createQueue, eventually, receiveMessages, SEND_TO_SEEN_QUEUE } from "./queue-support.js";
import { createFunction } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const sqs = () => new SQSClient(server.clientConfig());
const kinesis = () => new KinesisClient(server.clientConfig());

/** Forwards each event's decoded data to SEEN_URL; data saying "fail" fails the invocation. */
const RECORDER = {
  "index.js": `
${SEND_TO_SEEN_QUEUE}
exports.handler = async (event) => {
  const texts = event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8"));
  await send(JSON.stringify(texts));
  if (texts.some((t) => t.includes("fail"))) throw new Error("cannot handle");
  return {};
};`,
};

const record = (arrival: number) => ({ arrival }) as EventRecord;

test("expiredCount: the leading records older than the maximum age, none when it is infinite", () => {
  const batch = [record(100), record(139), record(140), record(150)];
  assert.equal(expiredCount(batch, 200, -1), 0);
  // Older than 60 s at 200: arrivals before 140; a record exactly 60 s old is kept.
  assert.equal(expiredCount(batch, 200, 60), 2);
  assert.equal(expiredCount(batch, 300, 60), 4);
  assert.equal(expiredCount(batch, 150, 60), 0);
  assert.equal(expiredCount([], 1_000, 60), 0);
});

/**
 * Moves the server's clock (it runs in this process: `runtime.now()` and Kinesis arrival times read
 * Date.now) forward by `ms`; restored when the test ends. Moved only while no wait is in flight.
 */
function advanceClock(t: TestContext, ms: number): void {
  const realNow = Date.now.bind(Date);
  t.mock.method(Date, "now", () => realNow() + ms);
}

async function stream(name: string): Promise<string> {
  await kinesis().send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  return eventually(async () => {
    const { StreamDescriptionSummary: summary } = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return summary?.StreamStatus === "ACTIVE" ? (summary.StreamARN as string) : undefined;
  });
}

async function put(name: string, texts: string[]): Promise<string[]> {
  const sequenceNumbers: string[] = [];
  for (const text of texts) {
    const { SequenceNumber } = await kinesis().send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from(text) }));
    sequenceNumbers.push(SequenceNumber as string);
  }
  return sequenceNumbers;
}

async function recorder(name: string) {
  const seen = await createQueue(sqs(), `${name}-seen`);
  await createFunction(lambda(), name, RECORDER, { Environment: { Variables: { SEEN_URL: seen.url } } });
  return seen;
}

const seenTexts = async (url: string, count: number, timeoutMs?: number) =>
  (await receiveMessages(sqs(), url, count, timeoutMs)).map((m) => JSON.parse(m.Body as string) as string[]);

test("records older than MaximumRecordAgeInSeconds are skipped before any invocation and reported as RecordAgeExceeded", async (t) => {
  const arn = await stream("backlog");
  const seen = await recorder("backlog-fn");
  const failures = await createQueue(sqs(), "backlog-failures");
  const [first, second] = await put("backlog", ["old-1", "old-2"]);
  advanceClock(t, 120_000);
  await put("backlog", ["fresh"]);
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "backlog-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      MaximumRecordAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    }),
  );
  assert.deepEqual(await seenTexts(seen.url, 1), [["fresh"]]);
  const [failure] = await receiveMessages(sqs(), failures.url);
  const report = JSON.parse(failure.Body as string);
  // Never invoked: no responseContext, and no invocation counted.
  assert.deepEqual(Object.keys(report), ["requestContext", "version", "timestamp", "KinesisBatchInfo"]);
  assert.equal(report.requestContext.condition, "RecordAgeExceeded");
  assert.equal(report.requestContext.approximateInvokeCount, 0);
  assert.equal(report.requestContext.functionArn, "arn:aws:lambda:us-east-1:000000000000:function:backlog-fn");
  assert.equal(report.KinesisBatchInfo.batchSize, 2);
  assert.equal(report.KinesisBatchInfo.startSequenceNumber, first);
  assert.equal(report.KinesisBatchInfo.endSequenceNumber, second);
  assert.equal(report.KinesisBatchInfo.streamArn, arn);
  // The old records never reached the function.
  assert.deepEqual(await seenTexts(seen.url, 1, 1_500), []);
});

test("a failing batch is retried until its records are too old, then reported with its last invocation's outcome", async (t) => {
  const arn = await stream("stuck");
  const seen = await recorder("stuck-fn");
  const failures = await createQueue(sqs(), "stuck-failures");
  const [failing] = await put("stuck", ["please fail"]);
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "stuck-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      MaximumRecordAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    }),
  );
  // Infinite retries: the batch is retried until the record outlives the maximum age.
  const attempts = await seenTexts(seen.url, 2);
  assert.ok(attempts.length >= 2);
  assert.ok(attempts.every((texts) => texts.length === 1 && texts[0] === "please fail"));
  assert.deepEqual(await receiveMessages(sqs(), failures.url, 1, 1_000), []);
  advanceClock(t, 120_000);
  const [failure] = await receiveMessages(sqs(), failures.url);
  const report = JSON.parse(failure.Body as string);
  assert.equal(report.requestContext.condition, "RecordAgeExceeded");
  assert.ok(report.requestContext.approximateInvokeCount >= 2);
  assert.deepEqual(report.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
  assert.equal(report.KinesisBatchInfo.startSequenceNumber, failing);
  assert.equal(report.KinesisBatchInfo.batchSize, 1);

  // Skipped: the shard moves on.
  await put("stuck", ["fine"]);
  const next = await eventually(async () => (await seenTexts(seen.url, 1, 2_000)).find((texts) => texts.includes("fine")));
  assert.deepEqual(next, ["fine"]);
});
