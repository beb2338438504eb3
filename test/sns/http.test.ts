import assert from "node:assert/strict";
import { createVerify, X509Certificate } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SetTopicAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { useServer } from "../helpers.js";

const server = useServer();
const sns = () => new SNSClient(server.clientConfig());

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A subscriber endpoint: records every POST; answers with the statuses queued for its path (200 after). */
const endpoint = {
  received: [] as Received[],
  statuses: new Map<string, number[]>(),
  server: undefined as http.Server | undefined,
  url: "",
};

before(async () => {
  const listener = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      endpoint.received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = endpoint.statuses.get(req.url ?? "")?.shift() ?? 200;
      res.end();
    });
  });
  endpoint.server = listener;
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});
after(() => endpoint.server?.close());

async function waitFor(path: string, count: number, timeoutMs = 15_000): Promise<Received[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = endpoint.received.filter((r) => r.path === path);
    if (got.length >= count || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function verifies(envelope: Record<string, string>): Promise<boolean> {
  const fields =
    envelope.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  const text = fields
    .filter((f) => envelope[f] !== undefined)
    .map((f) => `${f}\n${envelope[f]}\n`)
    .join("");
  const pem = await (await fetch(envelope.SigningCertURL)).text();
  const verifier = createVerify(envelope.SignatureVersion === "2" ? "RSA-SHA256" : "RSA-SHA1");
  verifier.update(text);
  return verifier.verify(new X509Certificate(pem).publicKey, envelope.Signature, "base64");
}

async function confirmedSubscription(path: string, attributes?: Record<string, string>, topicAttributes?: Record<string, string>) {
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: `http${path.replace(/\W/g, "-")}`, Attributes: topicAttributes }));
  const sub = await sns().send(
    new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `${endpoint.url}${path}`, Attributes: attributes }),
  );
  assert.equal(sub.SubscriptionArn, "pending confirmation");
  const [confirmation] = await waitFor(path, 1);
  assert.ok(confirmation, "the endpoint got a SubscriptionConfirmation");
  const envelope = JSON.parse(confirmation.body);
  const { SubscriptionArn } = await sns().send(new ConfirmSubscriptionCommand({ TopicArn, Token: envelope.Token }));
  return { TopicArn: TopicArn as string, SubscriptionArn: SubscriptionArn as string, confirmation, envelope };
}

test("an http subscription gets a signed SubscriptionConfirmation and is pending until confirmed", async () => {
  const { TopicArn, SubscriptionArn, confirmation, envelope } = await confirmedSubscription("/confirm");
  assert.equal(confirmation.headers["x-amz-sns-message-type"], "SubscriptionConfirmation");
  assert.equal(confirmation.headers["x-amz-sns-topic-arn"], TopicArn);
  assert.equal(confirmation.headers["x-amz-sns-message-id"], envelope.MessageId);
  assert.equal(confirmation.headers["content-type"], "text/plain; charset=UTF-8");
  assert.equal(confirmation.headers["user-agent"], "Amazon Simple Notification Service Agent");
  assert.equal(envelope.Type, "SubscriptionConfirmation");
  assert.match(envelope.SubscribeURL, /Action=ConfirmSubscription&TopicArn=.+&Token=/);
  assert.ok(await verifies(envelope));
  const attrs = (await sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes;
  assert.equal(attrs?.PendingConfirmation, "false");
});

test("notifications are POSTed with SNS headers and verify with signature versions 1 and 2", async () => {
  const { TopicArn, SubscriptionArn } = await confirmedSubscription("/notify");
  const { MessageId } = await sns().send(new PublishCommand({ TopicArn, Message: "ping", Subject: "S" }));
  const [, first] = await waitFor("/notify", 2);
  assert.ok(first, "the notification arrived");
  assert.equal(first.headers["x-amz-sns-message-type"], "Notification");
  assert.equal(first.headers["x-amz-sns-subscription-arn"], SubscriptionArn);
  const envelope = JSON.parse(first.body);
  assert.equal(envelope.MessageId, MessageId);
  assert.equal(envelope.Message, "ping");
  assert.equal(envelope.SignatureVersion, "1");
  assert.ok(await verifies(envelope));
  envelope.Message = "tampered";
  assert.equal(await verifies(envelope), false);

  await sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "SignatureVersion", AttributeValue: "2" }));
  await sns().send(new PublishCommand({ TopicArn, Message: "pong" }));
  const [, , second] = await waitFor("/notify", 3);
  const v2 = JSON.parse(second.body);
  assert.equal(v2.SignatureVersion, "2");
  assert.ok(await verifies(v2));
});

test("raw http delivery posts the bare message", async () => {
  const { TopicArn } = await confirmedSubscription("/raw", { RawMessageDelivery: "true" });
  await sns().send(new PublishCommand({ TopicArn, Message: "bare body" }));
  const [, raw] = await waitFor("/raw", 2);
  assert.equal(raw.body, "bare body");
  assert.equal(raw.headers["x-amz-sns-rawdelivery"], "true");
});

test("failed http deliveries are retried on the delivery policy's schedule", async () => {
  const policy = JSON.stringify({ healthyRetryPolicy: { numRetries: 2, minDelayTarget: 1, maxDelayTarget: 1 } });
  const { TopicArn, SubscriptionArn } = await confirmedSubscription("/flaky", { DeliveryPolicy: policy });
  endpoint.statuses.set("/flaky", [500, 503]);
  const started = Date.now();
  await sns().send(new PublishCommand({ TopicArn, Message: "eventually" }));
  const attempts = await waitFor("/flaky", 4);
  assert.equal(attempts.length, 4, "confirmation + first attempt + two retries");
  assert.ok(Date.now() - started >= 1900, "retries wait the policy's delay");
  assert.ok(attempts.slice(1).every((a) => JSON.parse(a.body).Message === "eventually"));
  const { Attributes } = await sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
  assert.deepEqual(JSON.parse(Attributes?.EffectiveDeliveryPolicy ?? "{}").healthyRetryPolicy, {
    minDelayTarget: 1,
    maxDelayTarget: 1,
    numRetries: 2,
    numMaxDelayRetries: 0,
    numNoDelayRetries: 0,
    numMinDelayRetries: 0,
    backoffFunction: "linear",
  });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(endpoint.received.filter((r) => r.path === "/flaky").length, 4, "no retry after success");
});

test("Unsubscribe sends an UnsubscribeConfirmation", async () => {
  const { SubscriptionArn } = await confirmedSubscription("/bye");
  await sns().send(new UnsubscribeCommand({ SubscriptionArn }));
  const [, goodbye] = await waitFor("/bye", 2);
  assert.equal(goodbye.headers["x-amz-sns-message-type"], "UnsubscribeConfirmation");
  const envelope = JSON.parse(goodbye.body);
  assert.equal(envelope.Type, "UnsubscribeConfirmation");
  assert.ok(await verifies(envelope));
});

test("an http delivery that fails for good goes to the subscription's dead-letter queue", async () => {
  const sqs = new SQSClient(server.clientConfig());
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "http-dlq" }));
  const policy = JSON.stringify({ healthyRetryPolicy: { numRetries: 1, minDelayTarget: 1, maxDelayTarget: 1 } });
  const { TopicArn } = await confirmedSubscription("/gone", {
    DeliveryPolicy: policy,
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:http-dlq" }),
  });
  endpoint.statuses.set("/gone", [500, 500]);
  await sns().send(new PublishCommand({ TopicArn, Message: "undeliverable" }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
  assert.equal(Messages?.length, 1);
  assert.equal(JSON.parse(Messages?.[0].Body ?? "{}").Message, "undeliverable");
  assert.equal((await waitFor("/gone", 3)).length, 3, "confirmation, first attempt, one retry");
});

test("opening the SubscribeURL (a plain unsigned GET, as a browser or curl does) confirms the subscription", async () => {
  const path = "/confirm-by-url";
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: "http-confirm-by-url" }));
  await sns().send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `${endpoint.url}${path}` }));
  const [confirmation] = await waitFor(path, 1);
  const { SubscribeURL } = JSON.parse(confirmation.body) as { SubscribeURL: string };
  const res = await fetch(SubscribeURL);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(text, /<ConfirmSubscriptionResponse[\s\S]*<SubscriptionArn>arn:aws:sns:/);
  const listed = await sns().send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.notEqual(listed.Subscriptions?.[0]?.SubscriptionArn, "PendingConfirmation");
});
