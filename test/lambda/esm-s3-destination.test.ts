import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
} from "@aws-sdk/client-kinesis";
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { failureObjectKey } from "../../src/services/lambda/event-sources/failure-records.js";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, eventually } from "./queue-support.js";
import { createFunction } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const sqs = () => new SQSClient(server.clientConfig());
const kinesis = () => new KinesisClient(server.clientConfig());
const dynamodb = () => new DynamoDBClient(server.clientConfig());
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });

const FAILING = { "index.js": 'exports.handler = async () => { throw new Error("cannot handle"); };' };

async function stream(name: string): Promise<string> {
  await kinesis().send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  return eventually(async () => {
    const { StreamDescriptionSummary: summary } = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return summary?.StreamStatus === "ACTIVE" ? (summary.StreamARN as string) : undefined;
  });
}

/** The failure objects a mapping wrote, once there are `count`. */
async function failureObjects(bucket: string, prefix: string, count = 1) {
  const keys = await eventually(async () => {
    const { Contents } = await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (Contents?.length ?? 0) >= count ? (Contents ?? []).map((c) => c.Key as string) : undefined;
  });
  return Promise.all(
    keys.map(async (key) => {
      const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { key, contentType: object.ContentType, record: JSON.parse(await (object.Body?.transformToString() ?? "")) };
    }),
  );
}

const KEY_PATTERN = /^aws\/lambda\/[0-9a-f-]{36}\/[^/]+\/(\d{4})\/(\d\d)\/(\d\d)\/(\d{4})-(\d\d)-(\d\d)T\d\d\.\d\d\.\d\d-[0-9a-f-]{36}$/;

test("failureObjectKey: aws/lambda/<mapping>/<shard>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>", () => {
  const key = failureObjectKey("0b7ad1a4-1f07-4d36-9d0f-3c7b2c1d2e3f", "shardId-000000000000", "2024-03-05T07:08:09.123Z");
  assert.match(key, /^aws\/lambda\/0b7ad1a4-1f07-4d36-9d0f-3c7b2c1d2e3f\/shardId-000000000000\/2024\/03\/05\/2024-03-05T07\.08\.09-/);
  assert.match(key, KEY_PATTERN);
  assert.notEqual(key, failureObjectKey("0b7ad1a4-1f07-4d36-9d0f-3c7b2c1d2e3f", "shardId-000000000000", "2024-03-05T07:08:09.123Z"));
});

test("a discarded Kinesis batch is written to the S3 destination with its failure record and whole payload", async () => {
  const arn = await stream("orders");
  await s3().send(new CreateBucketCommand({ Bucket: "orders-failures" }));
  await createFunction(lambda(), "orders-fn", FAILING);
  const { SequenceNumber } = await kinesis().send(
    new PutRecordCommand({ StreamName: "orders", PartitionKey: "p1", Data: Buffer.from("order-1") }),
  );
  const created = await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "orders-fn",
      EventSourceArn: arn,
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:s3:::orders-failures" } },
    }),
  );
  assert.deepEqual(created.DestinationConfig, { OnFailure: { Destination: "arn:aws:s3:::orders-failures" } });
  const { ShardId } = (await kinesis().send(new ListShardsCommand({ StreamName: "orders" }))).Shards?.[0] ?? {};
  const [object] = await failureObjects("orders-failures", `aws/lambda/${created.UUID}/${ShardId}/`);
  const match = KEY_PATTERN.exec(object.key);
  assert.ok(match, object.key);
  const { record } = object;
  // The path's date is the record's (UTC) date.
  assert.equal(`${match[1]}-${match[2]}-${match[3]}`, record.timestamp.slice(0, 10));
  assert.equal(`${match[4]}-${match[5]}-${match[6]}`, record.timestamp.slice(0, 10));
  assert.equal(object.contentType, "application/json");
  assert.deepEqual(Object.keys(record), ["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo", "payload"]);
  assert.equal(record.requestContext.condition, "RetryAttemptsExhausted");
  assert.equal(record.requestContext.approximateInvokeCount, 1);
  assert.equal(record.requestContext.functionArn, "arn:aws:lambda:us-east-1:000000000000:function:orders-fn");
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
  assert.equal(record.KinesisBatchInfo.startSequenceNumber, SequenceNumber);
  assert.equal(record.KinesisBatchInfo.batchSize, 1);
  // The payload is the event the function got.
  assert.equal(record.payload.Records.length, 1);
  const [event] = record.payload.Records;
  assert.equal(event.eventSource, "aws:kinesis");
  assert.equal(event.kinesis.sequenceNumber, SequenceNumber);
  assert.equal(event.kinesis.partitionKey, "p1");
  assert.equal(Buffer.from(event.kinesis.data, "base64").toString("utf8"), "order-1");
});

test("a discarded DynamoDB Streams batch is written to the S3 destination with DDBStreamBatchInfo and the payload", async () => {
  const created = await dynamodb().send(
    new CreateTableCommand({
      TableName: "accounts",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }),
  );
  const streamArn = created.TableDescription?.LatestStreamArn as string;
  await s3().send(new CreateBucketCommand({ Bucket: "accounts-failures" }));
  await createFunction(lambda(), "accounts-fn", FAILING);
  await dynamodb().send(new PutItemCommand({ TableName: "accounts", Item: { id: { S: "a1" } } }));
  const mapping = await lambda().send(
    new CreateEventSourceMappingCommand({
      FunctionName: "accounts-fn",
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:s3:::accounts-failures" } },
    }),
  );
  const [object] = await failureObjects("accounts-failures", `aws/lambda/${mapping.UUID}/`);
  assert.match(object.key, KEY_PATTERN);
  const { record } = object;
  assert.deepEqual(Object.keys(record), ["requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo", "payload"]);
  assert.equal(record.requestContext.approximateInvokeCount, 2);
  assert.equal(object.key.split("/")[3], record.DDBStreamBatchInfo.shardId);
  assert.equal(record.DDBStreamBatchInfo.streamArn, streamArn);
  const [event] = record.payload.Records;
  assert.equal(event.eventName, "INSERT");
  assert.deepEqual(event.dynamodb.NewImage, { id: { S: "a1" } });
  assert.equal(event.eventSourceARN, streamArn);
});

test("S3 failure destinations: accepted for stream mappings only, and the bucket must be an S3 bucket ARN", async () => {
  const arn = await stream("checks");
  await createFunction(lambda(), "checks-fn", { "index.js": "exports.handler = async () => ({});" });
  const { UUID } = await lambda().send(
    new CreateEventSourceMappingCommand({ FunctionName: "checks-fn", EventSourceArn: arn, StartingPosition: "LATEST" }),
  );
  const updated = await lambda().send(
    new UpdateEventSourceMappingCommand({ UUID, DestinationConfig: { OnFailure: { Destination: "arn:aws:s3:::checks-bucket" } } }),
  );
  assert.equal(updated.DestinationConfig?.OnFailure?.Destination, "arn:aws:s3:::checks-bucket");
  const read = await lambda().send(new GetEventSourceMappingCommand({ UUID }));
  assert.equal(read.DestinationConfig?.OnFailure?.Destination, "arn:aws:s3:::checks-bucket");
  // An object ARN is not a bucket.
  const objectArn = "arn:aws:s3:::checks-bucket/some/key";
  const invalid = await rejectsWith(
    lambda().send(new UpdateEventSourceMappingCommand({ UUID, DestinationConfig: { OnFailure: { Destination: objectArn } } })),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(invalid.message, `The destination ARN ${objectArn} is invalid.`);

  const queue = await createQueue(sqs(), "checks-source", { VisibilityTimeout: "60" });
  const sqsMapping = await rejectsWith(
    lambda().send(
      new CreateEventSourceMappingCommand({
        FunctionName: "checks-fn",
        EventSourceArn: queue.arn,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:s3:::checks-bucket" } },
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(sqsMapping.message, "Unsupported DestinationConfig parameter for given event source mapping type.");
});
