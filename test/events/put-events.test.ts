import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, receiveAll, sqsClient } from "./helpers.js";

const server = useServer();
const events = (accessKeyId = "test") =>
  new EventBridgeClient({ ...server.clientConfig(), credentials: { accessKeyId, secretAccessKey: "x" } });
const sqs = () => sqsClient(server.clientConfig());
const ACCOUNT = "000000000000";

/** A rule matching `source` on `bus` whose one target is a fresh queue; returns the queue. */
async function ruleToQueue(name: string, pattern: object, target: Partial<Target> = {}, bus?: string) {
  const queue = await createQueue(sqs(), name);
  await events().send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern), EventBusName: bus }));
  await events().send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: "q", Arn: queue.arn, ...target }] }));
  return queue;
}

test("PutEvents delivers AWS's event envelope to a matching rule's SQS target", async () => {
  const queue = await ruleToQueue("envelope", { source: ["my.app"], detail: { kind: ["order"] } });
  const time = new Date("2024-05-06T07:08:09.123Z");
  const entry: PutEventsRequestEntry = {
    Source: "my.app",
    DetailType: "Order Placed",
    Detail: JSON.stringify({ kind: "order", n: 1 }),
    Resources: ["arn:aws:s3:::bucket"],
    Time: time,
  };
  const out = await events().send(new PutEventsCommand({ Entries: [entry, { ...entry, Detail: '{"kind":"other"}' }] }));
  assert.equal(out.FailedEntryCount, 0);
  assert.equal(out.Entries?.length, 2);
  const [first] = out.Entries ?? [];
  assert.match(first.EventId ?? "", /^[0-9a-f-]{36}$/);
  const messages = await receiveAll(sqs(), queue.url, 1);
  assert.equal(messages.length, 1, "only the matching event is delivered");
  const body = messages[0].Body as string;
  assert.deepEqual(JSON.parse(body), {
    version: "0",
    id: first.EventId,
    "detail-type": "Order Placed",
    source: "my.app",
    account: ACCOUNT,
    time: "2024-05-06T07:08:09Z",
    region: "us-east-1",
    resources: ["arn:aws:s3:::bucket"],
    detail: { kind: "order", n: 1 },
  });
  // AWS's key order, as clients that read the raw body see it.
  assert.deepEqual(Object.keys(JSON.parse(body)), [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
  ]);
});

test("events without Time are stamped with the current time, to the second", async () => {
  const queue = await ruleToQueue("now", { source: ["clock"] });
  const before = Math.floor(Date.now() / 1000) * 1000;
  await events().send(new PutEventsCommand({ Entries: [{ Source: "clock", DetailType: "t", Detail: "{}" }] }));
  const [message] = await receiveAll(sqs(), queue.url, 1);
  const event = JSON.parse(message.Body as string);
  assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Date.parse(event.time) >= before && Date.parse(event.time) <= Date.now());
  assert.deepEqual(event.resources, []);
});

test("invalid entries fail alone, with AWS's codes and messages", async () => {
  const queue = await ruleToQueue("partial", { source: ["ok"] });
  const out = await events().send(
    new PutEventsCommand({
      Entries: [
        { DetailType: "t", Detail: "{}" },
        { Source: "ok", Detail: "{}" },
        { Source: "ok", DetailType: "t" },
        { Source: "ok", DetailType: "t", Detail: "[1,2]" },
        { Source: "ok", DetailType: "t", Detail: "{broken" },
        { Source: "aws.s3", DetailType: "t", Detail: "{}" },
        { Source: "ok", DetailType: "t", Detail: '{"fine":true}' },
      ],
    }),
  );
  assert.equal(out.FailedEntryCount, 6);
  const entries = out.Entries ?? [];
  assert.deepEqual(entries.slice(0, 6), [
    { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument." },
    { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument." },
    { ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument." },
    { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
    { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
    { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." },
  ]);
  assert.ok(entries[6].EventId);
  const messages = await receiveAll(sqs(), queue.url, 1);
  assert.equal(messages.length, 1);
  assert.deepEqual(JSON.parse(messages[0].Body as string).detail, { fine: true });
});

test("PutEvents limits: 1 to 10 entries, 256 KiB in all", async () => {
  const entry = { Source: "s", DetailType: "t", Detail: "{}" };
  const many = await rejectsWith(events().send(new PutEventsCommand({ Entries: Array(11).fill(entry) })), "ValidationException", 400);
  assert.match(many.message, /at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10/);
  await rejectsWith(events().send(new PutEventsCommand({ Entries: [] })), "ValidationException", 400);
  // Source + DetailType + Detail bytes: 2 × (1 + 1 + 131,071) is just over 256 KiB; exactly 256 KiB fits.
  const big = JSON.stringify({ p: "x".repeat(131_072 - 9) });
  const huge = await rejectsWith(
    events().send(
      new PutEventsCommand({
        Entries: [
          { ...entry, Detail: big },
          { ...entry, Detail: big },
        ],
      }),
    ),
    "ValidationException",
    400,
  );
  assert.equal(huge.message, "Total size of the entries in the request is over the limit.");
  const fits = JSON.stringify({ p: "x".repeat(131_072 - 10) });
  const ok = await events().send(
    new PutEventsCommand({
      Entries: [
        { ...entry, Detail: fits },
        { ...entry, Detail: fits },
      ],
    }),
  );
  assert.equal(ok.FailedEntryCount, 0);
});

test("disabled rules and other buses do not receive events; custom buses route by name or ARN", async () => {
  await events().send(new CreateEventBusCommand({ Name: "custom" }));
  const onCustom = await ruleToQueue("on-custom", { source: ["routing"] }, {}, "custom");
  const onDefault = await ruleToQueue("on-default", { source: ["routing"] });
  const disabled = await ruleToQueue("disabled", { source: ["routing"] });
  await events().send(new PutRuleCommand({ Name: "disabled", EventPattern: JSON.stringify({ source: ["routing"] }), State: "DISABLED" }));
  const entry = { Source: "routing", DetailType: "t", Detail: "{}" };
  await events().send(
    new PutEventsCommand({
      Entries: [
        { ...entry, EventBusName: "custom", Detail: '{"n":1}' },
        { ...entry, EventBusName: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/custom`, Detail: '{"n":2}' },
        { ...entry, Detail: '{"n":3}' },
        { ...entry, EventBusName: "does-not-exist", Detail: '{"n":4}' },
      ],
    }),
  );
  const custom = await receiveAll(sqs(), onCustom.url, 2);
  assert.deepEqual(custom.map((m) => JSON.parse(m.Body as string).detail.n).sort(), [1, 2]);
  const def = await receiveAll(sqs(), onDefault.url, 1);
  assert.deepEqual(
    def.map((m) => JSON.parse(m.Body as string).detail.n),
    [3],
  );
  assert.equal((await receiveAll(sqs(), disabled.url, 0)).length, 0);
});

test("Input, InputPath and InputTransformer shape what targets receive", async () => {
  const pattern = { source: ["shape"] };
  const constant = await ruleToQueue("constant", pattern, { Input: '{"fixed":true}' });
  const path = await ruleToQueue("path", pattern, { InputPath: "$.detail.order" });
  const text = await ruleToQueue("text", pattern, {
    InputTransformer: { InputPathsMap: { id: "$.detail.order.id", state: "$.detail.state" }, InputTemplate: '"order <id> is <state>"' },
  });
  const json = await ruleToQueue("json", pattern, {
    InputTransformer: {
      InputPathsMap: { id: "$.detail.order.id", order: "$.detail.order", first: "$.detail.items[0]", missing: "$.detail.nope" },
      InputTemplate:
        '{"orderId": <id>, "label": "order <id> \\"<id>\\"", "order": <order>, "first": <first>, "missing": <missing>, "rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>}',
    },
  });
  const detail = { order: { id: "o-1", total: 5 }, state: "PAID", items: ["x", "y"] };
  await events().send(new PutEventsCommand({ Entries: [{ Source: "shape", DetailType: "t", Detail: JSON.stringify(detail) }] }));
  assert.equal((await receiveAll(sqs(), constant.url, 1))[0].Body, '{"fixed":true}');
  assert.deepEqual(JSON.parse((await receiveAll(sqs(), path.url, 1))[0].Body as string), { id: "o-1", total: 5 });
  assert.equal((await receiveAll(sqs(), text.url, 1))[0].Body, '"order o-1 is PAID"');
  const transformed = JSON.parse((await receiveAll(sqs(), json.url, 1))[0].Body as string);
  assert.deepEqual(transformed, {
    orderId: "o-1",
    label: 'order o-1 "o-1"',
    order: { id: "o-1", total: 5 },
    first: "x",
    missing: null,
    rule: "json",
    arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/json`,
  });
});

test("FIFO queue targets get the target's message group and the event id as deduplication id", async () => {
  const queue = await ruleToQueue("fifo.fifo", { source: ["fifo"] }, { SqsParameters: { MessageGroupId: "g1" } });
  const out = await events().send(new PutEventsCommand({ Entries: [{ Source: "fifo", DetailType: "t", Detail: "{}" }] }));
  let messages: Awaited<ReturnType<typeof receiveAll>> = [];
  for (let i = 0; i < 20 && !messages.length; i++) {
    const r = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["All"] }),
    );
    messages = r.Messages ?? [];
  }
  assert.equal(messages.length, 1);
  assert.equal(messages[0].Attributes?.MessageGroupId, "g1");
  assert.equal(messages[0].Attributes?.MessageDeduplicationId, out.Entries?.[0].EventId);
});

test("a rule can forward to another bus, also in another account when its policy allows", async () => {
  const OTHER = "111122223333";
  const otherEvents = events(OTHER);
  const otherSqs = sqsClient({ ...server.clientConfig(), credentials: { accessKeyId: OTHER, secretAccessKey: "x" } });
  await otherEvents.send(new CreateEventBusCommand({ Name: "inbox" }));
  const landing = await createQueue(otherSqs, "landing");
  await otherEvents.send(new PutRuleCommand({ Name: "land", EventBusName: "inbox", EventPattern: JSON.stringify({ source: ["fwd"] }) }));
  await otherEvents.send(new PutTargetsCommand({ Rule: "land", EventBusName: "inbox", Targets: [{ Id: "q", Arn: landing.arn }] }));
  const inboxArn = `arn:aws:events:us-east-1:${OTHER}:event-bus/inbox`;
  await events().send(new PutRuleCommand({ Name: "forward", EventPattern: JSON.stringify({ source: ["fwd"] }) }));
  await events().send(new PutTargetsCommand({ Rule: "forward", Targets: [{ Id: "bus", Arn: inboxArn }] }));

  // Without a policy on the receiving bus, the event is not accepted there.
  await events().send(new PutEventsCommand({ Entries: [{ Source: "fwd", DetailType: "t", Detail: '{"n":1}' }] }));
  assert.equal((await receiveAll(otherSqs, landing.url, 0)).length, 0);

  await otherEvents.send(
    new PutPermissionCommand({ EventBusName: "inbox", Action: "events:PutEvents", Principal: ACCOUNT, StatementId: "from-main" }),
  );
  const out = await events().send(new PutEventsCommand({ Entries: [{ Source: "fwd", DetailType: "t", Detail: '{"n":2}' }] }));
  const [message] = await receiveAll(otherSqs, landing.url, 1);
  const event = JSON.parse(message.Body as string);
  assert.equal(event.id, out.Entries?.[0].EventId);
  assert.equal(event.account, ACCOUNT, "the event keeps its sender's account");
  assert.deepEqual(event.detail, { n: 2 });
});
