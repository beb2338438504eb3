import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { SNSClient, CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, receiveMessages } from "./queue-support.js";
import { createFunction } from "./support.js";

const server = useServer({ lambdaAsyncRetryDelayMs: 100 });
const lambda = () => new LambdaClient(server.clientConfig());
const sqs = () => new SQSClient(server.clientConfig());
const ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** Fails when the event says so; otherwise answers with the event's n doubled. */
const HANDLER = {
  "index.js": `exports.handler = async (event) => {
    if (event.fail) throw new Error("boom " + event.n);
    return { doubled: event.n * 2 };
  };`,
};

const invokeAsync = (FunctionName: string, event: unknown) =>
  lambda().send(new InvokeCommand({ FunctionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }));

test("event invoke configs: put, update, get, list, delete and their errors", async () => {
  await createFunction(lambda(), "cfg", HANDLER, { Publish: true });
  const missing = await rejectsWith(
    lambda().send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "cfg" })),
    "ResourceNotFoundException",
    404,
  );
  assert.equal(missing.message, `The function ${ARN("cfg")}:$LATEST doesn't have an EventInvokeConfig`);
  await rejectsWith(
    lambda().send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "cfg", MaximumRetryAttempts: 1 })),
    "ResourceNotFoundException",
    404,
  );
  const put = await lambda().send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", MaximumRetryAttempts: 1 }));
  assert.equal(put.FunctionArn, `${ARN("cfg")}:$LATEST`);
  assert.equal(put.MaximumRetryAttempts, 1);
  assert.ok(put.LastModified instanceof Date);
  const updated = await lambda().send(
    new UpdateFunctionEventInvokeConfigCommand({
      FunctionName: "cfg",
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failures" } },
    }),
  );
  assert.equal(updated.MaximumRetryAttempts, 1);
  assert.equal(updated.MaximumEventAgeInSeconds, 120);
  assert.deepEqual(updated.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failures" } });
  const replaced = await lambda().send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", MaximumEventAgeInSeconds: 60 }));
  assert.equal(replaced.MaximumRetryAttempts, undefined);
  assert.deepEqual(replaced.DestinationConfig, { OnSuccess: {}, OnFailure: {} });
  await lambda().send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", Qualifier: "1", MaximumRetryAttempts: 0 }));
  const listed = await lambda().send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg" }));
  assert.deepEqual(listed.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn).sort(), [`${ARN("cfg")}:$LATEST`, `${ARN("cfg")}:1`]);
  const paged = await lambda().send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "cfg", MaxItems: 1 }));
  assert.equal(paged.FunctionEventInvokeConfigs?.length, 1);
  assert.ok(paged.NextMarker);
  await lambda().send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "cfg", Qualifier: "1" }));
  await rejectsWith(
    lambda().send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "cfg", Qualifier: "1" })),
    "ResourceNotFoundException",
    404,
  );
  await rejectsWith(
    lambda().send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", Qualifier: "7", MaximumRetryAttempts: 0 })),
    "ResourceNotFoundException",
    404,
  );
});

test("event invoke config validation follows AWS", async () => {
  const put = (extra: Record<string, unknown>) => lambda().send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "cfg", ...extra }));
  await rejectsWith(put({ MaximumRetryAttempts: 3 }), "ValidationException", 400);
  await rejectsWith(put({ MaximumEventAgeInSeconds: 59 }), "ValidationException", 400);
  await rejectsWith(put({ MaximumEventAgeInSeconds: 21_601 }), "ValidationException", 400);
  await rejectsWith(put({ DestinationConfig: { OnSuccess: { Destination: "not-an-arn" } } }), "ValidationException", 400);
  const rule = "arn:aws:events:us-east-1:000000000000:rule/not-a-bus";
  const invalid = await rejectsWith(
    put({ DestinationConfig: { OnSuccess: { Destination: rule } } }),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(invalid.message, `The destination ARN ${rule} is invalid.`);
  await rejectsWith(put({}), "InvalidParameterValueException", 400);
});

test("a successful Event invocation sends AWS's invocation record to the OnSuccess queue", async () => {
  const queue = await createQueue(sqs(), "successes");
  await createFunction(lambda(), "ok", HANDLER);
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: "ok", DestinationConfig: { OnSuccess: { Destination: queue.arn } } }),
  );
  const res = await invokeAsync("ok", { n: 21 });
  assert.equal(res.StatusCode, 202);
  const requestId = res.$metadata.requestId;
  const [message] = await receiveMessages(sqs(), queue.url);
  const record = JSON.parse(message.Body as string);
  assert.equal(record.version, "1.0");
  assert.match(record.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.deepEqual(record.requestContext, {
    requestId,
    functionArn: `${ARN("ok")}:$LATEST`,
    condition: "Success",
    approximateInvokeCount: 1,
  });
  assert.deepEqual(record.requestPayload, { n: 21 });
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST" });
  assert.deepEqual(record.responsePayload, { doubled: 42 });
  assert.deepEqual(Object.keys(record), ["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"]);
});

test("a failing Event invocation is retried, then recorded to OnFailure and sent to the dead-letter queue", async () => {
  const failures = await createQueue(sqs(), "failures");
  const dlq = await createQueue(sqs(), "dead-letters");
  await createFunction(lambda(), "bad", HANDLER, { DeadLetterConfig: { TargetArn: dlq.arn } });
  const config = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: "bad" }));
  assert.deepEqual(config.DeadLetterConfig, { TargetArn: dlq.arn });
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "bad",
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    }),
  );
  const res = await invokeAsync("bad", { n: 7, fail: true });
  const [message] = await receiveMessages(sqs(), failures.url);
  const record = JSON.parse(message.Body as string);
  assert.deepEqual(record.requestContext, {
    requestId: res.$metadata.requestId,
    functionArn: `${ARN("bad")}:$LATEST`,
    condition: "RetriesExhausted",
    approximateInvokeCount: 2,
  });
  assert.deepEqual(record.requestPayload, { n: 7, fail: true });
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
  assert.equal(record.responsePayload.errorMessage, "boom 7");
  assert.equal(record.responsePayload.errorType, "Error");

  const [dead] = await receiveMessages(sqs(), dlq.url);
  assert.deepEqual(JSON.parse(dead.Body as string), { n: 7, fail: true });
  assert.deepEqual(dead.MessageAttributes?.RequestID, { DataType: "String", StringValue: res.$metadata.requestId });
  assert.deepEqual(dead.MessageAttributes?.ErrorCode, { DataType: "Number", StringValue: "200" });
  assert.deepEqual(dead.MessageAttributes?.ErrorMessage, { DataType: "String", StringValue: "boom 7" });
});

test("without settings Lambda retries twice; a version's own settings and dead-letter queue apply to it", async () => {
  const dlq = await createQueue(sqs(), "dlq-default");
  const failures = await createQueue(sqs(), "failures-v1");
  await createFunction(lambda(), "retry", HANDLER, { DeadLetterConfig: { TargetArn: dlq.arn } });
  await lambda().send(new PublishVersionCommand({ FunctionName: "retry" }));
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "retry",
      Qualifier: "1",
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: failures.arn } },
    }),
  );
  await invokeAsync("retry:1", { n: 1, fail: true });
  const [versioned] = await receiveMessages(sqs(), failures.url);
  const record = JSON.parse(versioned.Body as string);
  assert.equal(record.requestContext.functionArn, `${ARN("retry")}:1`);
  assert.equal(record.requestContext.approximateInvokeCount, 1);
  assert.equal(record.responseContext.executedVersion, "1");
  await receiveMessages(sqs(), dlq.url); // version 1 has the dead-letter queue too

  const started = Date.now();
  await invokeAsync("retry", { n: 2, fail: true });
  const [dead] = await receiveMessages(sqs(), dlq.url);
  assert.deepEqual(JSON.parse(dead.Body as string), { n: 2, fail: true });
  // Two retries after 100 ms and 200 ms (lambdaAsyncRetryDelayMs: 100).
  assert.ok(Date.now() - started >= 300);
});

test("dead-letter targets must be SQS queues or SNS topics", async () => {
  await rejectsWith(
    lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: "retry", DeadLetterConfig: { TargetArn: "queue" } })),
    "InvalidParameterValueException",
    400,
  );
  await rejectsWith(
    lambda().send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "retry",
        DeadLetterConfig: { TargetArn: "arn:aws:s3:::bucket" },
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
  const cleared = await lambda().send(
    new UpdateFunctionConfigurationCommand({ FunctionName: "retry", DeadLetterConfig: { TargetArn: "" } }),
  );
  assert.equal(cleared.DeadLetterConfig, undefined);
});

test("OnSuccess can be another function (invoked asynchronously with the record) or an SNS topic", async () => {
  const topicQueue = await createQueue(sqs(), "topic-copy");
  const sns = new SNSClient(server.clientConfig());
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "results" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: topicQueue.arn, Attributes: { RawMessageDelivery: "true" } }));
  await createFunction(lambda(), "first", HANDLER);
  await createFunction(lambda(), "second", {
    "index.js": "exports.handler = async (event) => ({ seen: event.requestContext.condition });",
  });
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: "first", DestinationConfig: { OnSuccess: { Destination: ARN("second") } } }),
  );
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: "second", DestinationConfig: { OnSuccess: { Destination: TopicArn } } }),
  );
  await invokeAsync("first", { n: 5 });
  const [message] = await receiveMessages(sqs(), topicQueue.url);
  const record = JSON.parse(message.Body as string);
  assert.equal(record.requestContext.functionArn, `${ARN("second")}:$LATEST`);
  assert.equal(record.requestPayload.requestContext.functionArn, `${ARN("first")}:$LATEST`);
  assert.deepEqual(record.requestPayload.responsePayload, { doubled: 10 });
  assert.deepEqual(record.responsePayload, { seen: "Success" });
});
