import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateAliasCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, receiveMessages } from "./queue-support.js";
import { createFunction } from "./support.js";

const server = useServer({ lambdaAsyncRetryDelayMs: 100 });
const lambda = () => new LambdaClient(server.clientConfig());
const sqs = () => new SQSClient(server.clientConfig());
const events = () => new EventBridgeClient(server.clientConfig());

const ACCOUNT = "000000000000";
const DEFAULT_BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
const FUNCTION_ARN = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

/** Fails when the event says so; otherwise answers with the event's n doubled. */
const HANDLER = {
  "index.js": `exports.handler = async (event) => {
    if (event.fail) throw new Error("boom " + event.n);
    return { doubled: event.n * 2 };
  };`,
};

const invokeAsync = (FunctionName: string, event: unknown, Qualifier?: string) =>
  lambda().send(new InvokeCommand({ FunctionName, Qualifier, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }));

/** A queue receiving what a rule on `bus` matches, in the account the clients' credentials name. */
async function ruleToQueue(
  name: string,
  pattern: object,
  bus?: string,
  clients = { sqs: sqs(), events: events() },
): Promise<{ url: string; arn: string }> {
  const queue = await createQueue(clients.sqs, name);
  await clients.events.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
  await clients.events.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: "queue", Arn: queue.arn }] }));
  return queue;
}

interface InvocationEvent {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    version: string;
    timestamp: string;
    requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
    requestPayload: unknown;
    responseContext: { statusCode: number; executedVersion: string; functionError?: string };
    responsePayload: unknown;
  };
}

async function receiveEvents(url: string, count = 1, timeoutMs = 20_000): Promise<InvocationEvent[]> {
  return (await receiveMessages(sqs(), url, count, timeoutMs)).map((m) => JSON.parse(m.Body as string) as InvocationEvent);
}

test("an event bus is a valid OnSuccess and OnFailure destination", async () => {
  await createFunction(lambda(), "eb-config", HANDLER);
  const bus = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`;
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "eb-config",
      DestinationConfig: { OnSuccess: { Destination: DEFAULT_BUS }, OnFailure: { Destination: bus } },
    }),
  );
  const config = await lambda().send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "eb-config" }));
  assert.deepEqual(config.DestinationConfig, { OnSuccess: { Destination: DEFAULT_BUS }, OnFailure: { Destination: bus } });
  // Only buses: other EventBridge resources are not destinations.
  const rule = `arn:aws:events:us-east-1:${ACCOUNT}:rule/r`;
  const invalid = await rejectsWith(
    lambda().send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "eb-config", DestinationConfig: { OnSuccess: { Destination: rule } } }),
    ),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(invalid.message, `The destination ARN ${rule} is invalid.`);
});

test("a successful Event invocation puts AWS's invocation result event on the OnSuccess bus", async () => {
  const queue = await ruleToQueue("lambda-results", { source: ["lambda"] });
  await createFunction(lambda(), "eb-ok", HANDLER);
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: "eb-ok", DestinationConfig: { OnSuccess: { Destination: DEFAULT_BUS } } }),
  );
  const res = await invokeAsync("eb-ok", { n: 21 });
  assert.equal(res.StatusCode, 202);
  const [event] = await receiveEvents(queue.url);
  assert.ok(event, "no event arrived");
  assert.match(event.id, /^[0-9a-f-]{36}$/);
  assert.match(event.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.match(event.detail.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.deepEqual(event, {
    version: "0",
    id: event.id,
    "detail-type": "Lambda Function Invocation Result - Success",
    source: "lambda",
    account: ACCOUNT,
    time: event.time,
    region: "us-east-1",
    resources: [DEFAULT_BUS, `${FUNCTION_ARN("eb-ok")}:$LATEST`],
    detail: {
      version: "1.0",
      timestamp: event.detail.timestamp,
      requestContext: {
        requestId: res.$metadata.requestId as string,
        functionArn: `${FUNCTION_ARN("eb-ok")}:$LATEST`,
        condition: "Success",
        approximateInvokeCount: 1,
      },
      requestPayload: { n: 21 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
      responsePayload: { doubled: 42 },
    },
  });
});

test("a failed Event invocation goes to the OnFailure bus, a custom one, as the Failure detail type", async () => {
  await events().send(new CreateEventBusCommand({ Name: "failures" }));
  const bus = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/failures`;
  const queue = await ruleToQueue(
    "lambda-failures",
    { source: ["lambda"], "detail-type": ["Lambda Function Invocation Result - Failure"] },
    "failures",
  );
  await createFunction(lambda(), "eb-bad", HANDLER);
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "eb-bad",
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnSuccess: { Destination: bus }, OnFailure: { Destination: bus } },
    }),
  );
  const res = await invokeAsync("eb-bad", { n: 3, fail: true });
  const [event] = await receiveEvents(queue.url);
  assert.ok(event, "no event arrived");
  assert.equal(event["detail-type"], "Lambda Function Invocation Result - Failure");
  assert.deepEqual(event.resources, [bus, `${FUNCTION_ARN("eb-bad")}:$LATEST`]);
  assert.deepEqual(event.detail.requestContext, {
    requestId: res.$metadata.requestId as string,
    functionArn: `${FUNCTION_ARN("eb-bad")}:$LATEST`,
    condition: "RetriesExhausted",
    approximateInvokeCount: 2,
  });
  assert.deepEqual(event.detail.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
  assert.equal((event.detail.responsePayload as { errorMessage: string }).errorMessage, "boom 3");

  // A success on the same function matches no rule of the failures bus: only the Failure rule is there.
  await invokeAsync("eb-bad", { n: 4 });
  assert.equal((await receiveEvents(queue.url, 1, 3000)).length, 0);
});

test("invocations through an alias record the version that ran", async () => {
  const queue = await ruleToQueue("lambda-alias-results", {
    source: ["lambda"],
    detail: { requestContext: { functionArn: [{ prefix: FUNCTION_ARN("eb-alias") }] } },
  });
  await createFunction(lambda(), "eb-alias", HANDLER);
  const { Version } = await lambda().send(new PublishVersionCommand({ FunctionName: "eb-alias" }));
  await lambda().send(new CreateAliasCommand({ FunctionName: "eb-alias", Name: "live", FunctionVersion: Version }));
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "eb-alias",
      Qualifier: "live",
      DestinationConfig: { OnSuccess: { Destination: DEFAULT_BUS } },
    }),
  );
  await invokeAsync("eb-alias", { n: 5 }, "live");
  const [event] = await receiveEvents(queue.url);
  assert.ok(event, "no event arrived");
  assert.equal(event.detail.responseContext.executedVersion, Version);
  assert.deepEqual(event.resources, [DEFAULT_BUS, event.detail.requestContext.functionArn]);
  assert.deepEqual(event.detail.responsePayload, { doubled: 10 });
});

test("a bus of another account receives the record once its policy lets the function's account put events", async () => {
  const other = { ...server.clientConfig(), credentials: { accessKeyId: "111111111111", secretAccessKey: "test" } };
  const clients = { sqs: new SQSClient(other), events: new EventBridgeClient(other) };
  const queue = await ruleToQueue("shared-results", { source: ["lambda"] }, undefined, clients);
  const bus = "arn:aws:events:us-east-1:111111111111:event-bus/default";
  await createFunction(lambda(), "eb-cross", HANDLER);
  await lambda().send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: "eb-cross", DestinationConfig: { OnSuccess: { Destination: bus } } }),
  );
  // Without a policy the other account's bus refuses the event.
  await invokeAsync("eb-cross", { n: 1 });
  assert.equal((await receiveMessages(clients.sqs, queue.url, 1, 3000)).length, 0);

  await clients.events.send(new PutPermissionCommand({ Action: "events:PutEvents", Principal: ACCOUNT, StatementId: "lambda-results" }));
  await invokeAsync("eb-cross", { n: 2 });
  const [message] = await receiveMessages(clients.sqs, queue.url, 1, 20_000);
  assert.ok(message, "no event arrived");
  const event = JSON.parse(message.Body as string) as InvocationEvent;
  // The event names the account that sent it.
  assert.equal(event.account, ACCOUNT);
  assert.deepEqual(event.resources, [bus, `${FUNCTION_ARN("eb-cross")}:$LATEST`]);
  assert.deepEqual(event.detail.requestPayload, { n: 2 });
});
