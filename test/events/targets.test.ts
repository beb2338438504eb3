import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { CreateLogGroupCommand, CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, type Target } from "@aws-sdk/client-eventbridge";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { createFunction } from "../lambda/support.js";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, receiveAll, sqsClient } from "./helpers.js";

const server = useServer();
const events = () => new EventBridgeClient(server.clientConfig());
const sqs = () => sqsClient(server.clientConfig());
const ACCOUNT = "000000000000";

async function rule(name: string, source: string, targets: Target[]) {
  await events().send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: [source] }) }));
  await events().send(new PutTargetsCommand({ Rule: name, Targets: targets }));
}

async function put(source: string, detail: object): Promise<string> {
  const out = await events().send(
    new PutEventsCommand({ Entries: [{ Source: source, DetailType: "Test", Detail: JSON.stringify(detail) }] }),
  );
  assert.equal(out.FailedEntryCount, 0);
  return out.Entries?.[0].EventId as string;
}

test("SNS topic targets publish the event as the message", async () => {
  const sns = new SNSClient(server.clientConfig());
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "events-topic" }));
  const queue = await createQueue(sqs(), "from-topic");
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queue.arn, Attributes: { RawMessageDelivery: "true" } }));
  await rule("to-topic", "sns.test", [{ Id: "topic", Arn: TopicArn }]);
  const id = await put("sns.test", { a: 1 });
  const [message] = await receiveAll(sqs(), queue.url, 1);
  const event = JSON.parse(message.Body as string);
  assert.equal(event.id, id);
  assert.equal(event.source, "sns.test");
  assert.deepEqual(event.detail, { a: 1 });
});

const invocations: unknown[] = [];
const sink = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    invocations.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    res.end();
  });
});
after(() => sink.close());

test("Lambda function targets are invoked asynchronously with the event", async () => {
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
  const fn = await createFunction(new LambdaClient(server.clientConfig()), "events-handler", {
    "index.js": `exports.handler = async (event) => { await fetch(${JSON.stringify(sinkUrl)}, { method: "POST", body: JSON.stringify(event) }); return "ok"; };`,
  });
  await rule("to-lambda", "lambda.test", [{ Id: "fn", Arn: fn.FunctionArn }]);
  const id = await put("lambda.test", { b: 2 });
  const deadline = Date.now() + 60_000;
  while (invocations.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(invocations.length, 1, "the function ran once");
  const event = invocations[0] as Record<string, unknown>;
  assert.equal(event.id, id);
  assert.equal(event["detail-type"], "Test");
  assert.equal(event.account, ACCOUNT);
  assert.deepEqual(event.detail, { b: 2 });
});

test("CloudWatch Logs targets write each event to a stream named after its id", async () => {
  const logs = new CloudWatchLogsClient(server.clientConfig());
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/events/test" }));
  await rule("to-logs", "logs.test", [{ Id: "logs", Arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/events/test` }]);
  const id = await put("logs.test", { c: 3 });
  let messages: string[] = [];
  for (let i = 0; i < 50 && !messages.length; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: "/aws/events/test", logStreamName: id })).catch(() => undefined);
    messages = (out?.events ?? []).map((e) => e.message as string);
  }
  assert.equal(messages.length, 1);
  assert.deepEqual(JSON.parse(messages[0]).detail, { c: 3 });
});

test("an undeliverable event goes to the target's dead-letter queue with the reason", async () => {
  const dlq = await createQueue(sqs(), "events-dlq");
  const missing = `arn:aws:sqs:us-east-1:${ACCOUNT}:no-such-queue`;
  await rule("to-nowhere", "dlq.test", [{ Id: "gone", Arn: missing, DeadLetterConfig: { Arn: dlq.arn } }]);
  const id = await put("dlq.test", { d: 4 });
  const [message] = await receiveAll(sqs(), dlq.url, 1);
  assert.equal(JSON.parse(message.Body as string).id, id);
  const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
  assert.equal(attributes.RULE_ARN, `arn:aws:events:us-east-1:${ACCOUNT}:rule/to-nowhere`);
  assert.equal(attributes.TARGET_ARN, missing);
  assert.ok(attributes.ERROR_CODE);
  assert.ok(attributes.ERROR_MESSAGE);
  assert.equal(attributes.RETRY_ATTEMPTS, "0");
});

test("Kinesis stream targets put the event as a record keyed by the PartitionKeyPath value", async () => {
  const kinesis = new KinesisClient(server.clientConfig());
  await kinesis.send(new CreateStreamCommand({ StreamName: "events-stream", ShardCount: 1 }));
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "events-stream" }));
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: "events-stream" }));
  const noRole = await rejectsWith(
    events().send(new PutTargetsCommand({ Rule: "to-logs", Targets: [{ Id: "s", Arn: StreamDescriptionSummary?.StreamARN }] })),
    "ValidationException",
    400,
  );
  assert.equal(noRole.message, "Parameter(s) RoleArn must be specified for target: s.");
  await rule("to-stream", "kinesis.test", [
    {
      Id: "s",
      Arn: StreamDescriptionSummary?.StreamARN,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/eb-kinesis`,
      KinesisParameters: { PartitionKeyPath: "$.detail.customer" },
    },
  ]);
  const id = await put("kinesis.test", { customer: "c-42" });
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: "events-stream", ShardId: Shards?.[0].ShardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  let records: { Data?: Uint8Array; PartitionKey?: string }[] = [];
  for (let i = 0; i < 50 && !records.length; i++) {
    await new Promise((r) => setTimeout(r, 200));
    records = (await kinesis.send(new GetRecordsCommand({ ShardIterator }))).Records ?? [];
  }
  assert.equal(records.length, 1);
  assert.equal(records[0].PartitionKey, "c-42");
  assert.equal(JSON.parse(Buffer.from(records[0].Data ?? []).toString("utf8")).id, id);
});
