import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  SplitShardCommand,
} from "@aws-sdk/client-kinesis";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const kinesis = () => new KinesisClient(server.clientConfig());
const HOUR = 3600_000;
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString("utf8");

/** Runs `fn` with the process clock moved forward (the server runs in this process). */
async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() + ms;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

const trimHorizon = async (stream: string, shardId = "shardId-000000000000") =>
  (await kinesis().send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" })))
    .ShardIterator;

test("shard iterators expire after 5 minutes", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "expiring", ShardCount: 1 }));
  const iterator = await trimHorizon("expiring");
  await later(4 * 60_000, () => kinesis().send(new GetRecordsCommand({ ShardIterator: iterator })));
  const err = await later(5 * 60_000 + 1000, () =>
    rejectsWith(kinesis().send(new GetRecordsCommand({ ShardIterator: iterator })), "ExpiredIteratorException", 400),
  );
  assert.match(
    err.message,
    /^Iterator expired\. The iterator was created at time \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} while right now it is .* which is further in the future than the tolerated delay of 300000 milliseconds\.$/,
  );
});

test("records older than the retention period are trimmed; a longer retention keeps them", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "short", ShardCount: 1 }));
  await kinesis().send(new CreateStreamCommand({ StreamName: "long", ShardCount: 1 }));
  await kinesis().send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "long", RetentionPeriodHours: 48 }));
  for (const stream of ["short", "long"])
    await kinesis().send(new PutRecordCommand({ StreamName: stream, PartitionKey: "k", Data: Buffer.from("old") }));
  const readAt = (stream: string, ms: number) =>
    later(ms, async () => {
      const out = await kinesis().send(new GetRecordsCommand({ ShardIterator: await trimHorizon(stream) }));
      return out.Records?.map((r) => text(r.Data));
    });
  assert.deepEqual(await readAt("short", 23 * HOUR), ["old"]);
  assert.deepEqual(await readAt("short", 25 * HOUR), []);
  assert.deepEqual(await readAt("long", 25 * HOUR), ["old"]);
  assert.deepEqual(await readAt("long", 49 * HOUR), []);
});

test("closed shards are listed until the retention period has passed, then vanish", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "resharded", ShardCount: 1 }));
  await kinesis().send(
    new SplitShardCommand({ StreamName: "resharded", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }),
  );
  const listed = async (ms: number) =>
    later(ms, async () => (await kinesis().send(new ListShardsCommand({ StreamName: "resharded" }))).Shards?.map((s) => s.ShardId));
  assert.deepEqual(await listed(0), ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
  assert.deepEqual(await listed(25 * HOUR), ["shardId-000000000001", "shardId-000000000002"]);
  const described = await later(25 * HOUR, () => kinesis().send(new DescribeStreamCommand({ StreamName: "resharded" })));
  assert.equal(described.StreamDescription?.Shards?.length, 2);
  // AT_TRIM_HORIZON: the shards open at the trim horizon (the stream's creation, while it is younger than that).
  const atHorizon = await kinesis().send(new ListShardsCommand({ StreamName: "resharded", ShardFilter: { Type: "AT_TRIM_HORIZON" } }));
  assert.deepEqual(
    atHorizon.Shards?.map((s) => s.ShardId),
    ["shardId-000000000000"],
  );
});

test("ListShards tokens expire after 300 seconds", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "tokens", ShardCount: 3 }));
  const first = await kinesis().send(new ListShardsCommand({ StreamName: "tokens", MaxResults: 1 }));
  await later(301_000, () =>
    rejectsWith(kinesis().send(new ListShardsCommand({ NextToken: first.NextToken })), "ExpiredNextTokenException", 400),
  );
  const next = await kinesis().send(new ListShardsCommand({ NextToken: first.NextToken }));
  assert.deepEqual(
    next.Shards?.map((s) => s.ShardId),
    ["shardId-000000000001", "shardId-000000000002"],
  );
});
