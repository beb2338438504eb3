import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { useServer } from "../helpers.js";
import { createFunction } from "../lambda/support.js";

const server = useServer();
const events: unknown[] = [];
const sink = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    events.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    res.end();
  });
});
after(() => sink.close());

test("a lambda subscription is invoked with the SNS event", async () => {
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
  const lambda = new LambdaClient(server.clientConfig());
  const fn = await createFunction(lambda, "sns-handler", {
    "index.js": `exports.handler = async (event) => { await fetch(${JSON.stringify(sinkUrl)}, { method: "POST", body: JSON.stringify(event) }); return "ok"; };`,
  });
  const sns = new SNSClient(server.clientConfig());
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "to-lambda" }));
  const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fn.FunctionArn }));
  const { MessageId } = await sns.send(
    new PublishCommand({
      TopicArn,
      Message: "invoke me",
      Subject: "Hi",
      MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
    }),
  );
  const deadline = Date.now() + 30_000;
  while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(events.length, 1, "the function ran once");
  const [record] = (events[0] as { Records: Record<string, unknown>[] }).Records;
  assert.equal(record.EventSource, "aws:sns");
  assert.equal(record.EventVersion, "1.0");
  assert.equal(record.EventSubscriptionArn, SubscriptionArn);
  const message = record.Sns as Record<string, unknown>;
  assert.equal(message.Type, "Notification");
  assert.equal(message.MessageId, MessageId);
  assert.equal(message.TopicArn, TopicArn);
  assert.equal(message.Subject, "Hi");
  assert.equal(message.Message, "invoke me");
  assert.deepEqual(message.MessageAttributes, { k: { Type: "String", Value: "v" } });
  assert.match(String(message.SigningCertUrl), /SimpleNotificationService-/);
  assert.match(String(message.UnsubscribeUrl), /Action=Unsubscribe/);
});
