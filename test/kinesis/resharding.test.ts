import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  type Shard,
  SplitShardCommand,
  UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const kinesis = () => new KinesisClient(server.clientConfig());
const HALF = (1n << 127n).toString();
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString("utf8");

async function shardsOf(stream: string): Promise<Shard[]> {
  return (await kinesis().send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
}

async function put(stream: string, hashKey: string, data: string) {
  return kinesis().send(new PutRecordCommand({ StreamName: stream, PartitionKey: "k", ExplicitHashKey: hashKey, Data: Buffer.from(data) }));
}

test("SplitShard closes the parent, keeps its records, and hands readers on to the children", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "split", ShardCount: 1 }));
  const before = await put("split", "5", "old");
  const iterator = await kinesis().send(
    new GetShardIteratorCommand({ StreamName: "split", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
  );
  await kinesis().send(new SplitShardCommand({ StreamName: "split", ShardToSplit: "shardId-000000000000", NewStartingHashKey: HALF }));
  const [parent, low, high] = await shardsOf("split");
  assert.equal(parent.ShardId, "shardId-000000000000");
  assert.match(parent.SequenceNumberRange?.EndingSequenceNumber as string, /^\d{56}$/);
  assert.ok(BigInt(parent.SequenceNumberRange?.EndingSequenceNumber as string) >= BigInt(before.SequenceNumber as string));
  assert.deepEqual(
    [low.ShardId, low.ParentShardId, low.HashKeyRange?.StartingHashKey, low.HashKeyRange?.EndingHashKey],
    ["shardId-000000000001", "shardId-000000000000", "0", (1n << 127n) - 1n + ""],
  );
  assert.deepEqual(
    [high.ShardId, high.ParentShardId, high.HashKeyRange?.StartingHashKey],
    ["shardId-000000000002", "shardId-000000000000", HALF],
  );
  assert.ok(
    BigInt(low.SequenceNumberRange?.StartingSequenceNumber as string) > BigInt(parent.SequenceNumberRange?.EndingSequenceNumber as string),
  );
  // New records go to the children.
  const after = await put("split", "5", "new");
  assert.equal(after.ShardId, low.ShardId);
  // The parent reads to its end: its records, then no next iterator, and the children to go on with.
  const read = await kinesis().send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
  assert.deepEqual(
    read.Records?.map((r) => text(r.Data)),
    ["old"],
  );
  assert.equal(read.NextShardIterator, undefined);
  assert.deepEqual(
    read.ChildShards?.map((c) => [c.ShardId, c.ParentShards]),
    [
      ["shardId-000000000001", ["shardId-000000000000"]],
      ["shardId-000000000002", ["shardId-000000000000"]],
    ],
  );
  // AT_LATEST lists only the open shards.
  const open = await kinesis().send(new ListShardsCommand({ StreamName: "split", ShardFilter: { Type: "AT_LATEST" } }));
  assert.deepEqual(
    open.Shards?.map((s) => s.ShardId),
    ["shardId-000000000001", "shardId-000000000002"],
  );
  const err = await rejectsWith(
    kinesis().send(new SplitShardCommand({ StreamName: "split", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "10" })),
    "InvalidArgumentException",
    400,
  );
  assert.match(err.message, /has already been merged or split/);
  await rejectsWith(
    kinesis().send(new SplitShardCommand({ StreamName: "split", ShardToSplit: "shardId-000000000001", NewStartingHashKey: "0" })),
    "InvalidArgumentException",
    400,
  );
  await rejectsWith(
    kinesis().send(new SplitShardCommand({ StreamName: "split", ShardToSplit: "shardId-000000000009", NewStartingHashKey: "10" })),
    "ResourceNotFoundException",
    400,
  );
});

test("MergeShards joins two adjacent open shards into one child of both", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "merge", ShardCount: 3 }));
  await put("merge", "0", "first");
  const err = await rejectsWith(
    kinesis().send(
      new MergeShardsCommand({ StreamName: "merge", ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000002" }),
    ),
    "InvalidArgumentException",
    400,
  );
  assert.match(err.message, /not an adjacent pair/);
  await kinesis().send(
    new MergeShardsCommand({ StreamName: "merge", ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000000" }),
  );
  const shards = await shardsOf("merge");
  const child = shards.find((s) => s.ShardId === "shardId-000000000003") as Shard;
  assert.equal(child.ParentShardId, "shardId-000000000001");
  assert.equal(child.AdjacentParentShardId, "shardId-000000000000");
  assert.equal(child.HashKeyRange?.StartingHashKey, "0");
  assert.equal(child.HashKeyRange?.EndingHashKey, shards[1].HashKeyRange?.EndingHashKey);
  const moved = await put("merge", "0", "second");
  assert.equal(moved.ShardId, "shardId-000000000003");
  // The closed shard still serves the record it had.
  const it = await kinesis().send(
    new GetShardIteratorCommand({ StreamName: "merge", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
  );
  const read = await kinesis().send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  assert.deepEqual(
    read.Records?.map((r) => text(r.Data)),
    ["first"],
  );
  assert.deepEqual(read.ChildShards?.[0].ParentShards, ["shardId-000000000001", "shardId-000000000000"]);
});

test("UpdateShardCount rescales uniformly, at most doubling or halving, with parents recorded", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "scale", ShardCount: 2 }));
  const out = await kinesis().send(
    new UpdateShardCountCommand({ StreamName: "scale", TargetShardCount: 4, ScalingType: "UNIFORM_SCALING" }),
  );
  assert.deepEqual([out.StreamName, out.CurrentShardCount, out.TargetShardCount], ["scale", 2, 4]);
  const { StreamDescription } = await kinesis().send(new DescribeStreamCommand({ StreamName: "scale" }));
  const open = StreamDescription?.Shards?.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber) ?? [];
  assert.equal(open.length, 4);
  assert.equal(StreamDescription?.Shards?.length, 6);
  assert.equal(open[0].HashKeyRange?.StartingHashKey, "0");
  assert.equal(open[3].HashKeyRange?.EndingHashKey, ((1n << 128n) - 1n).toString());
  assert.deepEqual(
    open.map((s) => s.ParentShardId),
    ["shardId-000000000000", "shardId-000000000000", "shardId-000000000001", "shardId-000000000001"],
  );
  const tooMany = await rejectsWith(
    kinesis().send(new UpdateShardCountCommand({ StreamName: "scale", TargetShardCount: 9, ScalingType: "UNIFORM_SCALING" })),
    "InvalidArgumentException",
    400,
  );
  assert.match(tooMany.message, /double/);
  await rejectsWith(
    kinesis().send(new UpdateShardCountCommand({ StreamName: "scale", TargetShardCount: 1, ScalingType: "UNIFORM_SCALING" })),
    "InvalidArgumentException",
    400,
  );
  await kinesis().send(new UpdateShardCountCommand({ StreamName: "scale", TargetShardCount: 3, ScalingType: "UNIFORM_SCALING" }));
  const latest = await kinesis().send(new ListShardsCommand({ StreamName: "scale", ShardFilter: { Type: "AT_LATEST" } }));
  assert.equal(latest.Shards?.length, 3);
  // A middle third overlaps two of the four quarters.
  assert.equal(latest.Shards?.[1].ParentShardId, "shardId-000000000003");
  assert.equal(latest.Shards?.[1].AdjacentParentShardId, "shardId-000000000004");
  await rejectsWith(
    kinesis().send(new UpdateShardCountCommand({ StreamName: "scale", TargetShardCount: 3, ScalingType: "OTHER" as "UNIFORM_SCALING" })),
    "ValidationException",
    400,
  );
  await kinesis().send(new CreateStreamCommand({ StreamName: "scale-od", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
  await rejectsWith(
    kinesis().send(new UpdateShardCountCommand({ StreamName: "scale-od", TargetShardCount: 5, ScalingType: "UNIFORM_SCALING" })),
    "InvalidArgumentException",
    400,
  );
});
