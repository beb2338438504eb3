import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListReplaysCommand,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  StartReplayCommand,
  UpdateArchiveCommand,
} from "@aws-sdk/client-eventbridge";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, receiveAll, sqsClient } from "./helpers.js";

const server = useServer();
const events = () => new EventBridgeClient(server.clientConfig());
const ACCOUNT = "000000000000";
const busArn = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${name}`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

test("archives keep the bus's matching events; replays send them again, marked with the replay's name", async () => {
  await events().send(new CreateEventBusCommand({ Name: "archived" }));
  const created = await events().send(
    new CreateArchiveCommand({
      ArchiveName: "orders-archive",
      EventSourceArn: busArn("archived"),
      EventPattern: JSON.stringify({ source: ["orders"] }),
      RetentionDays: 7,
    }),
  );
  assert.equal(created.ArchiveArn, `arn:aws:events:us-east-1:${ACCOUNT}:archive/orders-archive`);
  assert.equal(created.State, "ENABLED");
  const start = new Date(Date.now() - 60_000);
  await events().send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: "archived", Source: "orders", DetailType: "t", Detail: '{"n":1}' },
        { EventBusName: "archived", Source: "other", DetailType: "t", Detail: '{"n":2}' },
        { EventBusName: "archived", Source: "orders", DetailType: "t", Detail: '{"n":3}' },
      ],
    }),
  );
  const described = await until(
    () => events().send(new DescribeArchiveCommand({ ArchiveName: "orders-archive" })),
    (a) => a.EventCount === 2,
  );
  assert.equal(described.EventCount, 2);
  assert.ok((described.SizeBytes ?? 0) > 0);
  assert.equal(described.EventSourceArn, busArn("archived"));
  assert.equal(described.RetentionDays, 7);

  // A rule created afterwards sees the archived events only through a replay.
  const sqs = sqsClient(server.clientConfig());
  const queue = await createQueue(sqs, "replayed");
  const { RuleArn } = await events().send(
    new PutRuleCommand({ Name: "replay-target", EventBusName: "archived", EventPattern: JSON.stringify({ source: ["orders"] }) }),
  );
  await events().send(new PutTargetsCommand({ Rule: "replay-target", EventBusName: "archived", Targets: [{ Id: "q", Arn: queue.arn }] }));
  const replay = await events().send(
    new StartReplayCommand({
      ReplayName: "r1",
      EventSourceArn: created.ArchiveArn,
      EventStartTime: start,
      EventEndTime: new Date(),
      Destination: { Arn: busArn("archived"), FilterArns: [RuleArn as string] },
    }),
  );
  assert.equal(replay.ReplayArn, `arn:aws:events:us-east-1:${ACCOUNT}:replay/r1`);
  assert.equal(replay.State, "STARTING");
  const messages = await receiveAll(sqs, queue.url, 2);
  const replayed = messages.map((m) => JSON.parse(m.Body as string));
  assert.deepEqual(replayed.map((e) => e.detail.n).sort(), [1, 3]);
  assert.ok(replayed.every((e) => e["replay-name"] === "r1"));
  const finished = await until(
    () => events().send(new DescribeReplayCommand({ ReplayName: "r1" })),
    (r) => r.State === "COMPLETED",
  );
  assert.equal(finished.State, "COMPLETED");
  assert.ok(finished.ReplayEndTime instanceof Date);
  // Replayed events are not archived again.
  assert.equal((await events().send(new DescribeArchiveCommand({ ArchiveName: "orders-archive" }))).EventCount, 2);
  assert.deepEqual(
    (await events().send(new ListReplaysCommand({ NamePrefix: "r" }))).Replays?.map((r) => [r.ReplayName, r.State]),
    [["r1", "COMPLETED"]],
  );
  // As in AWS, the archive shows as a managed rule on its bus, which only the archive changes.
  const managed = (await events().send(new ListRulesCommand({ EventBusName: "archived" }))).Rules?.find(
    (r) => r.Name === "Events-Archive-orders-archive",
  );
  assert.equal(managed?.ManagedBy, "events.amazonaws.com");
  assert.deepEqual(JSON.parse(managed?.EventPattern as string), { source: ["orders"], "replay-name": [{ exists: false }] });
  await rejectsWith(
    events().send(new DeleteRuleCommand({ Name: "Events-Archive-orders-archive", EventBusName: "archived" })),
    "ManagedRuleException",
    400,
  );
  await rejectsWith(
    events().send(
      new PutTargetsCommand({ Rule: "Events-Archive-orders-archive", EventBusName: "archived", Targets: [{ Id: "q", Arn: queue.arn }] }),
    ),
    "ManagedRuleException",
    400,
  );
  await events().send(new RemoveTargetsCommand({ Rule: "replay-target", EventBusName: "archived", Ids: ["q"] }));
  await events().send(new DeleteRuleCommand({ Name: "replay-target", EventBusName: "archived" }));
  const busWithArchive = await rejectsWith(events().send(new DeleteEventBusCommand({ Name: "archived" })), "ValidationException", 400);
  assert.equal(busWithArchive.message, "EventBus can't be deleted since it has rules.");
  const done = await rejectsWith(events().send(new CancelReplayCommand({ ReplayName: "r1" })), "IllegalStatusException", 400);
  assert.match(done.message, /not in a valid state/);
  await rejectsWith(
    events().send(
      new StartReplayCommand({
        ReplayName: "r1",
        EventSourceArn: created.ArchiveArn,
        EventStartTime: start,
        EventEndTime: new Date(),
        Destination: { Arn: busArn("archived") },
      }),
    ),
    "ResourceAlreadyExistsException",
    400,
  );
});

test("archive management and its errors", async () => {
  const noBus = await rejectsWith(
    events().send(new CreateArchiveCommand({ ArchiveName: "a", EventSourceArn: busArn("missing") })),
    "ResourceNotFoundException",
    400,
  );
  assert.equal(noBus.message, "Event bus missing does not exist.");
  await rejectsWith(
    events().send(new CreateArchiveCommand({ ArchiveName: "a", EventSourceArn: busArn("default"), EventPattern: '{"source":"x"}' })),
    "InvalidEventPatternException",
    400,
  );
  await events().send(new CreateArchiveCommand({ ArchiveName: "a1", EventSourceArn: busArn("default") }));
  await events().send(new CreateArchiveCommand({ ArchiveName: "a2", EventSourceArn: busArn("default"), Description: "two" }));
  const dup = await rejectsWith(
    events().send(new CreateArchiveCommand({ ArchiveName: "a1", EventSourceArn: busArn("default") })),
    "ResourceAlreadyExistsException",
    400,
  );
  assert.equal(dup.message, "Archive a1 already exists.");
  await events().send(new UpdateArchiveCommand({ ArchiveName: "a1", RetentionDays: 3 }));
  const a1 = await events().send(new DescribeArchiveCommand({ ArchiveName: "a1" }));
  assert.equal(a1.RetentionDays, 3);
  const listed = await events().send(new ListArchivesCommand({ NamePrefix: "a", EventSourceArn: busArn("default") }));
  assert.deepEqual(
    listed.Archives?.map((a) => a.ArchiveName),
    ["a1", "a2"],
  );
  await events().send(new DeleteArchiveCommand({ ArchiveName: "a1" }));
  const rules = (await events().send(new ListRulesCommand({ NamePrefix: "Events-Archive-" }))).Rules?.map((r) => r.Name);
  assert.deepEqual(rules, ["Events-Archive-a2"], "the archive's managed rule goes with it");
  const gone = await rejectsWith(events().send(new DescribeArchiveCommand({ ArchiveName: "a1" })), "ResourceNotFoundException", 400);
  assert.equal(gone.message, "Archive a1 does not exist.");
  const crossBus = await rejectsWith(
    events().send(
      new StartReplayCommand({
        ReplayName: "x",
        EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/a2`,
        EventStartTime: new Date(Date.now() - 60_000),
        EventEndTime: new Date(),
        Destination: { Arn: busArn("other") },
      }),
    ),
    "ValidationException",
    400,
  );
  assert.match(crossBus.message, /Cross event bus replay is not permitted/);
  await rejectsWith(
    events().send(
      new StartReplayCommand({
        ReplayName: "x",
        EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/a2`,
        EventStartTime: new Date(),
        EventEndTime: new Date(Date.now() - 60_000),
        Destination: { Arn: busArn("default") },
      }),
    ),
    "ValidationException",
    400,
  );
  await rejectsWith(events().send(new DescribeReplayCommand({ ReplayName: "none" })), "ResourceNotFoundException", 400);
});
