import assert from "node:assert/strict";
import { createVerify, X509Certificate } from "node:crypto";
import { test } from "node:test";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sns = () => new SNSClient(server.clientConfig());
const sqs = () => new SQSClient(server.clientConfig());

async function queue(QueueName: string, Attributes?: Record<string, string>) {
  const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName, Attributes }));
  const arn = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn as string;
  return { url: QueueUrl as string, arn };
}
const topic = async (Name: string, Attributes?: Record<string, string>) =>
  (await sns().send(new CreateTopicCommand({ Name, Attributes }))).TopicArn as string;

/** Everything currently in the queue (several receives; each message once). */
async function drain(url: string, expected: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let i = 0; i < 10 && messages.length < expected; i++) {
    const { Messages } = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
        VisibilityTimeout: 60,
      }),
    );
    messages.push(...(Messages ?? []));
  }
  const { Messages: extra } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  messages.push(...(extra ?? []));
  return messages;
}

/** Standard SNS signature verification, as the AWS SDKs' message validators do it. */
async function verifySignature(envelope: Record<string, string>): Promise<boolean> {
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

test("one publish reaches every subscribed queue exactly once, in the SNS envelope, signed", async () => {
  const TopicArn = await topic("fan");
  const queues = [await queue("fan-a"), await queue("fan-b")];
  for (const q of queues) await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn }));
  const published = await sns().send(
    new PublishCommand({
      TopicArn,
      Message: "hello",
      Subject: "Greeting",
      MessageAttributes: { color: { DataType: "String", StringValue: "red" } },
    }),
  );
  assert.match(published.MessageId ?? "", /^[0-9a-f-]{36}$/);
  for (const q of queues) {
    const messages = await drain(q.url, 1);
    assert.equal(messages.length, 1);
    const envelope = JSON.parse(messages[0].Body ?? "{}");
    assert.deepEqual(Object.keys(envelope), [
      "Type",
      "MessageId",
      "TopicArn",
      "Subject",
      "Message",
      "Timestamp",
      "SignatureVersion",
      "Signature",
      "SigningCertURL",
      "UnsubscribeURL",
      "MessageAttributes",
    ]);
    assert.equal(envelope.Type, "Notification");
    assert.equal(envelope.MessageId, published.MessageId);
    assert.equal(envelope.TopicArn, TopicArn);
    assert.equal(envelope.Subject, "Greeting");
    assert.equal(envelope.Message, "hello");
    assert.match(envelope.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(envelope.SignatureVersion, "1");
    assert.deepEqual(envelope.MessageAttributes, { color: { Type: "String", Value: "red" } });
    assert.match(envelope.UnsubscribeURL, /Action=Unsubscribe&SubscriptionArn=/);
    assert.ok(await verifySignature(envelope), "signature verifies against the served certificate");
  }
});

test("raw delivery sends the bare message with its attributes", async () => {
  const TopicArn = await topic("raw");
  const q = await queue("raw-q");
  const { SubscriptionArn } = await sns().send(
    new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }),
  );
  assert.ok(SubscriptionArn);
  await sns().send(
    new PublishCommand({
      TopicArn,
      Message: "just this",
      MessageAttributes: {
        n: { DataType: "Number", StringValue: "42" },
        b: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
      },
    }),
  );
  const [message] = await drain(q.url, 1);
  assert.equal(message.Body, "just this");
  assert.deepEqual(message.MessageAttributes?.n, { DataType: "Number", StringValue: "42" });
  assert.deepEqual([...(message.MessageAttributes?.b.BinaryValue ?? [])], [1, 2, 3]);
});

test("filter policies pick the subscriptions a message reaches", async () => {
  const TopicArn = await topic("filtered");
  const red = await queue("only-red");
  const body = await queue("paid-orders");
  await sns().send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: red.arn,
      Attributes: { FilterPolicy: JSON.stringify({ color: ["red"] }) },
    }),
  );
  await sns().send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: body.arn,
      Attributes: { FilterPolicyScope: "MessageBody", FilterPolicy: JSON.stringify({ status: ["paid"] }), RawMessageDelivery: "true" },
    }),
  );
  await sns().send(
    new PublishCommand({
      TopicArn,
      Message: '{"status":"open"}',
      MessageAttributes: { color: { DataType: "String", StringValue: "blue" } },
    }),
  );
  await sns().send(
    new PublishCommand({
      TopicArn,
      Message: '{"status":"paid"}',
      MessageAttributes: { color: { DataType: "String", StringValue: "red" } },
    }),
  );
  const reds = await drain(red.url, 1);
  assert.equal(reds.length, 1);
  assert.equal(JSON.parse(reds[0].Body ?? "{}").Message, '{"status":"paid"}');
  const paid = await drain(body.url, 1);
  assert.deepEqual(
    paid.map((m) => m.Body),
    ['{"status":"paid"}'],
  );
});

test("MessageStructure json sends each protocol its own message", async () => {
  const TopicArn = await topic("structured");
  const q = await queue("structured-q");
  await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn }));
  await sns().send(
    new PublishCommand({ TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "fallback", sqs: "for queues" }) }),
  );
  const [message] = await drain(q.url, 1);
  assert.equal(JSON.parse(message.Body ?? "{}").Message, "for queues");
  const noDefault = await rejectsWith(
    sns().send(new PublishCommand({ TopicArn, MessageStructure: "json", Message: '{"sqs":"x"}' })),
    "InvalidParameterException",
    400,
  );
  assert.equal(noDefault.message, "Invalid parameter: Message Structure - No default entry in JSON message body");
  await rejectsWith(
    sns().send(new PublishCommand({ TopicArn, MessageStructure: "json", Message: "not json" })),
    "InvalidParameterException",
    400,
  );
});

test("a FIFO topic keeps order into a FIFO queue and deduplicates", async () => {
  const TopicArn = await topic("ordered.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
  const q = await queue("ordered.fifo", { FifoQueue: "true" });
  await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
  const sequence: string[] = [];
  for (const Message of ["one", "two", "three"]) {
    const { SequenceNumber } = await sns().send(new PublishCommand({ TopicArn, Message, MessageGroupId: "g" }));
    sequence.push(SequenceNumber as string);
  }
  assert.ok(sequence.every((s) => /^\d{20}$/.test(s)));
  assert.ok(BigInt(sequence[0]) < BigInt(sequence[1]) && BigInt(sequence[1]) < BigInt(sequence[2]));
  const duplicate = await sns().send(new PublishCommand({ TopicArn, Message: "two", MessageGroupId: "g" }));
  assert.equal(duplicate.SequenceNumber, sequence[1]);
  const explicit = await sns().send(new PublishCommand({ TopicArn, Message: "four", MessageGroupId: "g", MessageDeduplicationId: "d4" }));
  const repeated = await sns().send(
    new PublishCommand({ TopicArn, Message: "other text", MessageGroupId: "g", MessageDeduplicationId: "d4" }),
  );
  assert.equal(repeated.MessageId, explicit.MessageId);
  const received: string[] = [];
  for (let i = 0; i < 10 && received.length < 4; i++) {
    const { Messages } = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30 }),
    );
    for (const m of Messages ?? []) {
      received.push(m.Body as string);
      await sqs().send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  assert.deepEqual(received, ["one", "two", "three", "four"]);

  const noGroup = await rejectsWith(sns().send(new PublishCommand({ TopicArn, Message: "x" })), "InvalidParameterException", 400);
  assert.equal(noGroup.message, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  const plain = await topic("ordered-nodedup.fifo", { FifoTopic: "true" });
  await rejectsWith(
    sns().send(new PublishCommand({ TopicArn: plain, Message: "x", MessageGroupId: "g" })),
    "InvalidParameterException",
    400,
  );
});

test("Publish validates targets, subjects, sizes and attributes", async () => {
  const TopicArn = await topic("strict");
  const cases: [Record<string, unknown>, string][] = [
    [{ Message: "x" }, "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"],
    [{ TopicArn, Message: "" }, "Invalid parameter: Empty message"],
    [{ TopicArn, Message: "x", Subject: "" }, "Invalid parameter: Subject"],
    [{ TopicArn, Message: "x", Subject: "line\nbreak" }, "Invalid parameter: Subject"],
    [{ TopicArn, Message: "x", Subject: "s".repeat(101) }, "Invalid parameter: Subject"],
    [{ TopicArn, Message: "x".repeat(262_145) }, "Invalid parameter: Message too long"],
    [{ TopicArn, Message: "x", MessageStructure: "xml" }, "Invalid parameter: MessageStructure"],
    [
      { TopicArn, Message: "x", MessageAttributes: { a: { DataType: "Text", StringValue: "v" } } },
      "Invalid parameter: The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
    ],
    [
      { TopicArn, Message: "x", MessageAttributes: { a: { DataType: "String", StringValue: "" } } },
      "Invalid parameter: The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'.",
    ],
    [
      { TopicArn, Message: "x", MessageAttributes: { a: { DataType: "Number", StringValue: "abc" } } },
      "Invalid parameter: Could not cast message attribute 'a' value to number.",
    ],
    [
      { TopicArn, Message: "x", MessageDeduplicationId: "d" },
      "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
    ],
  ];
  for (const [input, message] of cases) {
    const err = await rejectsWith(sns().send(new PublishCommand(input as never)), "InvalidParameterException", 400);
    assert.equal(err.message, message);
  }
  await rejectsWith(sns().send(new PublishCommand({ TopicArn: `${TopicArn}-gone`, Message: "x" })), "NotFoundException", 404);
  const ok = await sns().send(new PublishCommand({ TargetArn: TopicArn, Message: "x".repeat(262_144) }));
  assert.ok(ok.MessageId);
});

test("PublishBatch publishes entries and reports bad ones", async () => {
  const TopicArn = await topic("batched");
  const q = await queue("batched-q");
  await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
  const result = await sns().send(
    new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        { Id: "a", Message: "first" },
        { Id: "b", Message: "" },
        { Id: "c", Message: "third" },
      ],
    }),
  );
  assert.deepEqual(
    result.Successful?.map((s) => s.Id),
    ["a", "c"],
  );
  assert.deepEqual(result.Failed, [{ Id: "b", Code: "InvalidParameter", Message: "Invalid parameter: Empty message", SenderFault: true }]);
  const bodies = (await drain(q.url, 2)).map((m) => m.Body).sort();
  assert.deepEqual(bodies, ["first", "third"]);

  const batch = (entries: { Id: string; Message: string }[]) =>
    sns().send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries }));
  await rejectsWith(batch([]), "EmptyBatchRequestException", 400);
  await rejectsWith(
    batch(Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, Message: "x" }))),
    "TooManyEntriesInBatchRequestException",
    400,
  );
  await rejectsWith(
    batch([
      { Id: "same", Message: "x" },
      { Id: "same", Message: "y" },
    ]),
    "BatchEntryIdsNotDistinctException",
    400,
  );
  await rejectsWith(batch([{ Id: "bad id!", Message: "x" }]), "InvalidBatchEntryIdException", 400);
  await rejectsWith(
    batch([
      { Id: "a", Message: "x".repeat(200_000) },
      { Id: "b", Message: "y".repeat(100_000) },
    ]),
    "BatchRequestTooLongException",
    400,
  );
});

test("a failed SQS delivery goes to the subscription's dead-letter queue", async () => {
  const TopicArn = await topic("redriven");
  const dlq = await queue("sns-dlq");
  const { SubscriptionArn } = await sns().send(
    new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:never-created" }),
  );
  await sns().send(
    new SetSubscriptionAttributesCommand({
      SubscriptionArn,
      AttributeName: "RedrivePolicy",
      AttributeValue: JSON.stringify({ deadLetterTargetArn: dlq.arn }),
    }),
  );
  await sns().send(new PublishCommand({ TopicArn, Message: "lost?" }));
  const [message] = await drain(dlq.url, 1);
  assert.equal(JSON.parse(message.Body ?? "{}").Message, "lost?");
});

test("SMS publishes are recorded for inspection", async () => {
  const { MessageId } = await sns().send(new PublishCommand({ PhoneNumber: "+15555550123", Message: "your code is 1234" }));
  const res = await fetch(`${server.endpoint}/_overcast/sns/deliveries?protocol=sms&endpoint=${encodeURIComponent("+15555550123")}`);
  const { deliveries } = (await res.json()) as { deliveries: { messageId: string; message: string }[] };
  assert.deepEqual(
    deliveries.map((d) => [d.messageId, d.message]),
    [[MessageId, "your code is 1234"]],
  );
  await rejectsWith(sns().send(new PublishCommand({ PhoneNumber: "12", Message: "x" })), "InvalidParameterException", 400);
});

test("email and email-json notifications are recorded once the subscription is confirmed", async () => {
  const TopicArn = await topic("mailed");
  for (const [Protocol, Endpoint] of [
    ["email", "plain@example.com"],
    ["email-json", "json@example.com"],
  ]) {
    await sns().send(new SubscribeCommand({ TopicArn, Protocol, Endpoint }));
  }
  const inbox = async (endpoint: string) => {
    const res = await fetch(`${server.endpoint}/_overcast/sns/deliveries?endpoint=${encodeURIComponent(endpoint)}`);
    return ((await res.json()) as { deliveries: { message: string; subject?: string; protocol: string }[] }).deliveries;
  };
  await sns().send(new PublishCommand({ TopicArn, Message: "before confirmation", Subject: "Early" }));
  for (const endpoint of ["plain@example.com", "json@example.com"]) {
    let mails = await inbox(endpoint);
    for (let i = 0; i < 50 && mails.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      mails = await inbox(endpoint);
    }
    assert.equal(mails.length, 1, "only the confirmation request while pending");
    await sns().send(new ConfirmSubscriptionCommand({ TopicArn, Token: JSON.parse(mails[0].message).Token }));
  }
  await sns().send(new PublishCommand({ TopicArn, Message: "after confirmation", Subject: "Late" }));
  const plain = await inbox("plain@example.com");
  assert.deepEqual([plain[1].message, plain[1].subject], ["after confirmation", "Late"]);
  const json = await inbox("json@example.com");
  const envelope = JSON.parse(json[1].message);
  assert.equal(envelope.Type, "Notification");
  assert.equal(envelope.Message, "after confirmation");
  const cleared = await fetch(`${server.endpoint}/_overcast/sns/deliveries?endpoint=${encodeURIComponent("plain@example.com")}`, {
    method: "DELETE",
  });
  assert.deepEqual(await cleared.json(), { deleted: 2 });
  assert.deepEqual(await inbox("plain@example.com"), []);
  assert.equal((await inbox("json@example.com")).length, 2);
});

test("PublishBatch on a FIFO topic checks each entry's group and returns sequence numbers", async () => {
  const TopicArn = await topic("batched.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
  const result = await sns().send(
    new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        { Id: "a", Message: "one", MessageGroupId: "g" },
        { Id: "b", Message: "two" },
        { Id: "c", Message: "one", MessageGroupId: "g" },
      ],
    }),
  );
  assert.deepEqual(
    result.Successful?.map((s) => s.Id),
    ["a", "c"],
  );
  assert.match(result.Successful?.[0].SequenceNumber ?? "", /^\d{20}$/);
  assert.equal(result.Successful?.[1].MessageId, result.Successful?.[0].MessageId, "the same content is a duplicate");
  assert.deepEqual(result.Failed?.[0], {
    Id: "b",
    Code: "InvalidParameter",
    Message: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
    SenderFault: true,
  });
});
