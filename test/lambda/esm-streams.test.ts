import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, eventually, receiveMessages, SEND_TO_SEEN_QUEUE } from "./queue-support.js";
import { createFunction } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const sqs = () => new SQSClient(server.clientConfig());
const dynamodb = () => new DynamoDBClient(server.clientConfig());

/** Forwards each event to the queue in SEEN_URL (query API, no SDK in the function); fails on items marked so. */
const RECORDER = {
  "index.js": `
${SEND_TO_SEEN_QUEUE}
exports.handler = async (event) => {
  await send(JSON.stringify(event));
  if (event.Records.some((r) => r.dynamodb.NewImage && r.dynamodb.NewImage.fail)) throw new Error("cannot handle");
  return {};
};`,
};

async function table(name: string) {
  const res = await dynamodb().send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  return res.TableDescription?.LatestStreamArn as string;
}

test("DynamoDB stream → function: AWS's event records in order, filters, stream settings", async () => {
  const streamArn = await table("users");
  const seen = await createQueue(sqs(), "users-seen");
  await createFunction(lambda(), "users-fn", RECORDER, { Environment: { Variables: { SEEN_URL: seen.url } } });
  await dynamodb().send(
    new PutItemCommand({ TableName: "users", Item: { id: { S: "u1" }, name: { S: "Ann" }, avatar: { B: Buffer.from("png") } } }),
  );
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "users-fn",
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 10,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ["INSERT", "REMOVE"] }) }] },
    }),
  );
  assert.equal(created.State, "Creating");
  assert.equal(created.StartingPosition, "TRIM_HORIZON");
  assert.equal(created.LastProcessingResult, "No records processed");
  assert.equal(created.ParallelizationFactor, 1);
  assert.equal(created.MaximumRetryAttempts, -1);
  assert.equal(created.MaximumRecordAgeInSeconds, -1);
  assert.equal(created.BisectBatchOnFunctionError, false);
  assert.deepEqual(created.DestinationConfig, { OnFailure: {} });

  const [first] = await receiveMessages(sqs(), seen.url);
  const [record] = JSON.parse(first.Body as string).Records;
  assert.equal(record.eventName, "INSERT");
  assert.equal(record.eventSource, "aws:dynamodb");
  assert.equal(record.eventSourceARN, streamArn);
  assert.equal(record.awsRegion, "us-east-1");
  assert.equal(record.eventVersion, "1.1");
  assert.deepEqual(record.dynamodb.Keys, { id: { S: "u1" } });
  assert.deepEqual(record.dynamodb.NewImage, { id: { S: "u1" }, name: { S: "Ann" }, avatar: { B: Buffer.from("png").toString("base64") } });
  assert.equal(typeof record.dynamodb.ApproximateCreationDateTime, "number");
  assert.equal(record.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
  assert.match(record.dynamodb.SequenceNumber, /^\d+$/);

  // MODIFY events are filtered out; the REMOVE that follows still arrives.
  await dynamodb().send(new PutItemCommand({ TableName: "users", Item: { id: { S: "u1" }, name: { S: "Bob" } } }));
  await dynamodb().send(new DeleteItemCommand({ TableName: "users", Key: { id: { S: "u1" } } }));
  const [second] = await receiveMessages(sqs(), seen.url);
  const records = JSON.parse(second.Body as string).Records;
  assert.deepEqual(
    records.map((r: { eventName: string }) => r.eventName),
    ["REMOVE"],
  );
  assert.deepEqual(records[0].dynamodb.OldImage, { id: { S: "u1" }, name: { S: "Bob" } });
  const mapping = await eventually(async () => {
    const got = await lambda().send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    return got.LastProcessingResult === "OK" ? got : undefined;
  });
  assert.equal(mapping.State, "Enabled");
});

test("a failing stream batch is retried, then reported to the OnFailure queue and skipped", async () => {
  const streamArn = await table("orders");
  const seen = await createQueue(sqs(), "orders-seen");
  const failures = await createQueue(sqs(), "orders-failures");
  await createFunction(lambda(), "orders-fn", RECORDER, { Environment: { Variables: { SEEN_URL: seen.url } } });
  await dynamodb().send(new PutItemCommand({ TableName: "orders", Item: { id: { S: "o1" }, fail: { BOOL: true } } }));
  const { UUID } = await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "orders-fn",
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    }),
  );
  const [failure] = await receiveMessages(sqs(), failures.url);
  const report = JSON.parse(failure.Body as string);
  assert.equal(report.version, "1.0");
  assert.deepEqual(report.requestContext.condition, "RetryAttemptsExhausted");
  assert.equal(report.requestContext.approximateInvokeCount, 2);
  assert.equal(report.requestContext.functionArn, "arn:aws:lambda:us-east-1:000000000000:function:orders-fn");
  assert.deepEqual(report.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
  assert.equal(report.DDBStreamBatchInfo.batchSize, 1);
  assert.equal(report.DDBStreamBatchInfo.streamArn, streamArn);
  assert.equal(report.DDBStreamBatchInfo.startSequenceNumber, report.DDBStreamBatchInfo.endSequenceNumber);
  const attempts = await receiveMessages(sqs(), seen.url, 2);
  assert.equal(attempts.length, 2);

  // Skipped: the next record is processed.
  await dynamodb().send(new PutItemCommand({ TableName: "orders", Item: { id: { S: "o2" } } }));
  const [next] = await receiveMessages(sqs(), seen.url);
  assert.deepEqual(JSON.parse(next.Body as string).Records[0].dynamodb.Keys, { id: { S: "o2" } });
  const got = await lambda().send(new GetEventSourceMappingCommand({ UUID }));
  assert.ok(got.LastProcessingResult === "OK" || got.LastProcessingResult === "PROBLEM: Function call failed");
});

test("stream mappings need a starting position and an existing stream", async () => {
  const streamArn = await table("misc");
  await createFunction(lambda(), "misc-fn", { "index.js": "exports.handler = async () => ({});" });
  await rejectsWith(
    lambda().send(new CreateEventSourceMappingCommand({ FunctionName: "misc-fn", EventSourceArn: streamArn })),
    "InvalidParameterValueException",
    400,
  );
  const missing = `${streamArn.split("/stream/")[0].replace("misc", "nothing")}/stream/2024-01-01T00:00:00.000`;
  const err = await rejectsWith(
    lambda().send(new CreateEventSourceMappingCommand({ FunctionName: "misc-fn", EventSourceArn: missing, StartingPosition: "LATEST" })),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(err.message, `Stream not found: ${missing}`);
  await rejectsWith(
    lambda().send(
      new CreateEventSourceMappingCommand({
        FunctionName: "misc-fn",
        EventSourceArn: streamArn,
        StartingPosition: "LATEST",
        ScalingConfig: { MaximumConcurrency: 2 },
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
});

test("BisectBatchOnFunctionError splits a failing batch until the bad record is isolated and reported", async () => {
  const streamArn = await table("payments");
  const seen = await createQueue(sqs(), "payments-seen");
  const failures = await createQueue(sqs(), "payments-failures");
  await createFunction(lambda(), "payments-fn", RECORDER, { Environment: { Variables: { SEEN_URL: seen.url } } });
  await dynamodb().send(new PutItemCommand({ TableName: "payments", Item: { id: { S: "p1" } } }));
  await dynamodb().send(new PutItemCommand({ TableName: "payments", Item: { id: { S: "p2" }, fail: { BOOL: true } } }));
  await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "payments-fn",
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    }),
  );
  const [failure] = await receiveMessages(sqs(), failures.url);
  const info = JSON.parse(failure.Body as string).DDBStreamBatchInfo;
  assert.equal(info.batchSize, 1);
  const batches = (await receiveMessages(sqs(), seen.url, 3)).map((m) =>
    JSON.parse(m.Body as string).Records.map((r: { dynamodb: { Keys: { id: { S: string } }; SequenceNumber: string } }) => r.dynamodb),
  );
  assert.deepEqual(
    batches.slice(0, 3).map((b) => b.map((d: { Keys: { id: { S: string } } }) => d.Keys.id.S)),
    [["p1", "p2"], ["p1"], ["p2"]],
  );
  assert.equal(info.startSequenceNumber, batches[2][0].SequenceNumber);
});
