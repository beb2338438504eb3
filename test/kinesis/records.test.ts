import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type Shard,
  UpdateMaxRecordSizeCommand,
} from "@aws-sdk/client-kinesis";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const kinesis = () => new KinesisClient(server.clientConfig());
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString("utf8");

async function createStream(name: string, shards = 1) {
  await kinesis().send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  const { Shards } = await kinesis().send(new ListShardsCommand({ StreamName: name }));
  return Shards as Shard[];
}

async function iterator(stream: string, shardId: string, type: string, extra: Record<string, unknown> = {}) {
  const out = await kinesis().send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type as "LATEST", ...extra }),
  );
  return out.ShardIterator as string;
}

async function readAll(stream: string, shardId: string, type = "TRIM_HORIZON", extra: Record<string, unknown> = {}) {
  const out = await kinesis().send(new GetRecordsCommand({ ShardIterator: await iterator(stream, shardId, type, extra) }));
  return out.Records ?? [];
}

/** The shard whose range holds MD5(partition key), computed independently of the server. */
function shardForKey(shards: Shard[], key: string): string {
  const hash = BigInt(`0x${createHash("md5").update(key).digest("hex")}`);
  const shard = shards.find(
    (s) => BigInt(s.HashKeyRange?.StartingHashKey as string) <= hash && hash <= BigInt(s.HashKeyRange?.EndingHashKey as string),
  );
  return shard?.ShardId as string;
}

test("records are routed by the MD5 of their partition key and read back in order per shard", async () => {
  const shards = await createStream("routing", 3);
  assert.equal(shards.length, 3);
  assert.equal(shards[0].HashKeyRange?.StartingHashKey, "0");
  assert.equal(shards[2].HashKeyRange?.EndingHashKey, ((1n << 128n) - 1n).toString());
  const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
  const put: { key: string; shard: string; sequence: string }[] = [];
  for (const key of keys) {
    const out = await kinesis().send(new PutRecordCommand({ StreamName: "routing", PartitionKey: key, Data: Buffer.from(`data-${key}`) }));
    assert.equal(out.ShardId, shardForKey(shards, key));
    assert.match(out.SequenceNumber as string, /^\d{56}$/);
    assert.equal(out.EncryptionType, undefined);
    put.push({ key, shard: out.ShardId as string, sequence: out.SequenceNumber as string });
  }
  for (const shard of shards) {
    const expected = put.filter((p) => p.shard === shard.ShardId);
    const records = await readAll("routing", shard.ShardId as string);
    assert.deepEqual(
      records.map((r) => [r.PartitionKey, text(r.Data), r.SequenceNumber]),
      expected.map((p) => [p.key, `data-${p.key}`, p.sequence]),
    );
    // Sequence numbers grow within a shard, compared as numbers.
    for (let i = 1; i < records.length; i++)
      assert.ok(BigInt(records[i].SequenceNumber as string) > BigInt(records[i - 1].SequenceNumber as string));
    for (const r of records) assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
  }
});

test("ExplicitHashKey overrides the partition key's hash", async () => {
  const shards = await createStream("explicit", 2);
  const out = await kinesis().send(
    new PutRecordCommand({
      StreamName: "explicit",
      PartitionKey: "a",
      ExplicitHashKey: shards[1].HashKeyRange?.StartingHashKey,
      Data: Buffer.from("x"),
    }),
  );
  assert.equal(out.ShardId, shards[1].ShardId);
  const low = await kinesis().send(
    new PutRecordCommand({ StreamName: "explicit", PartitionKey: "a", ExplicitHashKey: "0", Data: Buffer.from("y") }),
  );
  assert.equal(low.ShardId, shards[0].ShardId);
  const err = await rejectsWith(
    kinesis().send(
      new PutRecordCommand({ StreamName: "explicit", PartitionKey: "a", ExplicitHashKey: (1n << 128n).toString(), Data: Buffer.from("z") }),
    ),
    "InvalidArgumentException",
    400,
  );
  assert.match(err.message, /ExplicitHashKey must be in the range/);
  await rejectsWith(
    kinesis().send(new PutRecordCommand({ StreamName: "explicit", PartitionKey: "a", ExplicitHashKey: "01", Data: Buffer.from("z") })),
    "ValidationException",
    400,
  );
});

test("PutRecords returns one result per record, in request order, and the records are readable", async () => {
  const shards = await createStream("batch", 2);
  const entries = Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `pk${i}`, Data: Buffer.from(`v${i}`) }));
  const out = await kinesis().send(new PutRecordsCommand({ StreamName: "batch", Records: entries }));
  assert.equal(out.FailedRecordCount, 0);
  assert.equal(out.Records?.length, 20);
  out.Records?.forEach((r, i) => {
    assert.equal(r.ShardId, shardForKey(shards, `pk${i}`));
    assert.equal(r.ErrorCode, undefined);
  });
  let total = 0;
  for (const shard of shards) total += (await readAll("batch", shard.ShardId as string)).length;
  assert.equal(total, 20);
});

test("PutRecords limits: 1 to 500 records, partition keys of 1 to 256 characters", async () => {
  await createStream("limits");
  const many = Array.from({ length: 501 }, () => ({ PartitionKey: "k", Data: Buffer.from("x") }));
  const err = await rejectsWith(kinesis().send(new PutRecordsCommand({ StreamName: "limits", Records: many })), "ValidationException", 400);
  assert.match(err.message, /at 'records' failed to satisfy constraint: Member must have length less than or equal to 500/);
  await rejectsWith(kinesis().send(new PutRecordsCommand({ StreamName: "limits", Records: [] })), "ValidationException", 400);
  const longKey = await rejectsWith(
    kinesis().send(new PutRecordsCommand({ StreamName: "limits", Records: [{ PartitionKey: "k".repeat(257), Data: Buffer.from("x") }] })),
    "ValidationException",
    400,
  );
  assert.match(longKey.message, /records.1.member.partitionKey/);
  // 256 characters outside the BMP are still 256 characters.
  const emoji = "😀".repeat(256);
  await kinesis().send(new PutRecordCommand({ StreamName: "limits", PartitionKey: emoji, Data: Buffer.from("ok") }));
  await rejectsWith(
    kinesis().send(new PutRecordCommand({ StreamName: "limits", PartitionKey: "", Data: Buffer.from("x") })),
    "ValidationException",
    400,
  );
});

test("a record of data plus partition key over 1 MiB is rejected; exactly 1 MiB is accepted", async () => {
  await createStream("sizes");
  const key = "k";
  await kinesis().send(new PutRecordCommand({ StreamName: "sizes", PartitionKey: key, Data: Buffer.alloc(1024 * 1024 - 1) }));
  await rejectsWith(
    kinesis().send(new PutRecordCommand({ StreamName: "sizes", PartitionKey: key, Data: Buffer.alloc(1024 * 1024) })),
    "ValidationException",
    400,
  );
  const six = Array.from({ length: 6 }, () => ({ PartitionKey: key, Data: Buffer.alloc(1000 * 1000) }));
  await rejectsWith(kinesis().send(new PutRecordsCommand({ StreamName: "sizes", Records: six })), "InvalidArgumentException", 400);
});

test("every iterator type positions where AWS documents", async () => {
  const [shard] = await createStream("positions");
  const shardId = shard.ShardId as string;
  const sequences: string[] = [];
  for (const n of [1, 2, 3]) {
    const out = await kinesis().send(new PutRecordCommand({ StreamName: "positions", PartitionKey: "p", Data: Buffer.from(`r${n}`) }));
    sequences.push(out.SequenceNumber as string);
  }
  const data = (records: { Data?: Uint8Array }[]) => records.map((r) => text(r.Data));
  assert.deepEqual(data(await readAll("positions", shardId, "TRIM_HORIZON")), ["r1", "r2", "r3"]);
  assert.deepEqual(data(await readAll("positions", shardId, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: sequences[1] })), ["r2", "r3"]);
  assert.deepEqual(data(await readAll("positions", shardId, "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: sequences[1] })), ["r3"]);
  assert.deepEqual(
    data(
      await readAll("positions", shardId, "AT_SEQUENCE_NUMBER", {
        StartingSequenceNumber: shard.SequenceNumberRange?.StartingSequenceNumber,
      }),
    ),
    ["r1", "r2", "r3"],
  );
  const latest = await iterator("positions", shardId, "LATEST");
  assert.deepEqual((await kinesis().send(new GetRecordsCommand({ ShardIterator: latest }))).Records, []);
  await kinesis().send(new PutRecordCommand({ StreamName: "positions", PartitionKey: "p", Data: Buffer.from("r4") }));
  assert.deepEqual(data((await kinesis().send(new GetRecordsCommand({ ShardIterator: latest }))).Records ?? []), ["r4"]);
  assert.deepEqual(data(await readAll("positions", shardId, "AT_TIMESTAMP", { Timestamp: new Date(Date.now() - 60_000) })), [
    "r1",
    "r2",
    "r3",
    "r4",
  ]);
  await new Promise((r) => setTimeout(r, 20));
  const afterAll = new Date();
  await new Promise((r) => setTimeout(r, 20));
  await kinesis().send(new PutRecordCommand({ StreamName: "positions", PartitionKey: "p", Data: Buffer.from("r5") }));
  assert.deepEqual(data(await readAll("positions", shardId, "AT_TIMESTAMP", { Timestamp: afterAll })), ["r5"]);
});

test("GetRecords pages with Limit, follows NextShardIterator, and reports MillisBehindLatest", async () => {
  const [shard] = await createStream("paging");
  await kinesis().send(
    new PutRecordsCommand({
      StreamName: "paging",
      Records: Array.from({ length: 5 }, (_, i) => ({ PartitionKey: "k", Data: Buffer.from(String(i)) })),
    }),
  );
  let it = await iterator("paging", shard.ShardId as string, "TRIM_HORIZON");
  const seen: string[] = [];
  const first = await kinesis().send(new GetRecordsCommand({ ShardIterator: it, Limit: 2 }));
  assert.equal(first.Records?.length, 2);
  assert.equal(typeof first.MillisBehindLatest, "number");
  seen.push(...(first.Records ?? []).map((r) => text(r.Data)));
  it = first.NextShardIterator as string;
  for (let i = 0; i < 3; i++) {
    const out = await kinesis().send(new GetRecordsCommand({ ShardIterator: it, Limit: 2 }));
    seen.push(...(out.Records ?? []).map((r) => text(r.Data)));
    assert.ok(out.NextShardIterator, "an open shard always gives a next iterator");
    it = out.NextShardIterator as string;
  }
  assert.deepEqual(seen, ["0", "1", "2", "3", "4"]);
  const tip = await kinesis().send(new GetRecordsCommand({ ShardIterator: it }));
  assert.deepEqual(tip.Records, []);
  assert.equal(tip.MillisBehindLatest, 0);
  await rejectsWith(kinesis().send(new GetRecordsCommand({ ShardIterator: it, Limit: 10001 })), "ValidationException", 400);
  await rejectsWith(kinesis().send(new GetRecordsCommand({ ShardIterator: it, Limit: 0 })), "ValidationException", 400);
});

test("GetShardIterator errors: unknown shard, missing or foreign sequence numbers, future timestamps", async () => {
  const shards = await createStream("iter-errors", 2);
  const [a, b] = shards.map((s) => s.ShardId as string);
  const notFound = await rejectsWith(
    kinesis().send(
      new GetShardIteratorCommand({ StreamName: "iter-errors", ShardId: "shardId-000000000009", ShardIteratorType: "LATEST" }),
    ),
    "ResourceNotFoundException",
    400,
  );
  assert.equal(notFound.message, "Shard shardId-000000000009 in stream iter-errors under account 000000000000 does not exist");
  await rejectsWith(
    kinesis().send(new GetShardIteratorCommand({ StreamName: "iter-errors", ShardId: a, ShardIteratorType: "AT_SEQUENCE_NUMBER" })),
    "InvalidArgumentException",
    400,
  );
  const put = await kinesis().send(
    new PutRecordCommand({ StreamName: "iter-errors", PartitionKey: "x", ExplicitHashKey: "0", Data: Buffer.from("1") }),
  );
  assert.equal(put.ShardId, a);
  const foreign = await rejectsWith(
    kinesis().send(
      new GetShardIteratorCommand({
        StreamName: "iter-errors",
        ShardId: b,
        ShardIteratorType: "AT_SEQUENCE_NUMBER",
        StartingSequenceNumber: put.SequenceNumber,
      }),
    ),
    "InvalidArgumentException",
    400,
  );
  assert.equal(foreign.message, `Invalid StartingSequenceNumber. It encodes ${a}, while it was used in a call to a shard with ${b}`);
  await rejectsWith(
    kinesis().send(
      new GetShardIteratorCommand({
        StreamName: "iter-errors",
        ShardId: a,
        ShardIteratorType: "TRIM_HORIZON",
        StartingSequenceNumber: "1",
      }),
    ),
    "InvalidArgumentException",
    400,
  );
  await rejectsWith(
    kinesis().send(new GetShardIteratorCommand({ StreamName: "iter-errors", ShardId: a, ShardIteratorType: "AT_TIMESTAMP" })),
    "InvalidArgumentException",
    400,
  );
  await rejectsWith(
    kinesis().send(
      new GetShardIteratorCommand({
        StreamName: "iter-errors",
        ShardId: a,
        ShardIteratorType: "AT_TIMESTAMP",
        Timestamp: new Date(Date.now() + 3600_000),
      }),
    ),
    "InvalidArgumentException",
    400,
  );
  await rejectsWith(
    kinesis().send(new GetShardIteratorCommand({ StreamName: "iter-errors", ShardId: a, ShardIteratorType: "BOGUS" as "LATEST" })),
    "ValidationException",
    400,
  );
  const missing = await rejectsWith(
    kinesis().send(new GetShardIteratorCommand({ StreamName: "nope", ShardId: a, ShardIteratorType: "LATEST" })),
    "ResourceNotFoundException",
    400,
  );
  assert.equal(missing.message, "Stream nope under account 000000000000 not found.");
});

test("GetRecords rejects garbage iterators and iterators of a deleted stream", async () => {
  await rejectsWith(kinesis().send(new GetRecordsCommand({ ShardIterator: "not-an-iterator" })), "InvalidArgumentException", 400);
  const [shard] = await createStream("short-lived");
  const it = await iterator("short-lived", shard.ShardId as string, "TRIM_HORIZON");
  const { DeleteStreamCommand } = await import("@aws-sdk/client-kinesis");
  await kinesis().send(new DeleteStreamCommand({ StreamName: "short-lived" }));
  await rejectsWith(kinesis().send(new GetRecordsCommand({ ShardIterator: it })), "ResourceNotFoundException", 400);
  await createStream("short-lived");
  await rejectsWith(kinesis().send(new GetRecordsCommand({ ShardIterator: it })), "ResourceNotFoundException", 400);
});

test("StreamARN works in place of StreamName for the data plane", async () => {
  await createStream("by-arn");
  const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/by-arn";
  const described = await kinesis().send(new DescribeStreamCommand({ StreamARN: arn }));
  assert.equal(described.StreamDescription?.StreamARN, arn);
  const put = await kinesis().send(new PutRecordCommand({ StreamARN: arn, PartitionKey: "k", Data: Buffer.from("hello") }));
  const it = await kinesis().send(new GetShardIteratorCommand({ StreamARN: arn, ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
  const out = await kinesis().send(new GetRecordsCommand({ StreamARN: arn, ShardIterator: it.ShardIterator }));
  assert.deepEqual(
    out.Records?.map((r) => text(r.Data)),
    ["hello"],
  );
  await rejectsWith(
    kinesis().send(
      new PutRecordCommand({ StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/other", PartitionKey: "k", Data: Buffer.from("x") }),
    ),
    "ResourceNotFoundException",
    400,
  );
  await rejectsWith(
    kinesis().send(new PutRecordCommand({ StreamARN: "not-an-arn", PartitionKey: "k", Data: Buffer.from("x") })),
    "ValidationException",
    400,
  );
});

test("SequenceNumberForOrdering: a put's sequence number exceeds the one given, even on another shard", async () => {
  const shards = await createStream("ordering", 2);
  const first = await kinesis().send(
    new PutRecordCommand({
      StreamName: "ordering",
      PartitionKey: "a",
      ExplicitHashKey: shards[1].HashKeyRange?.StartingHashKey,
      Data: Buffer.from("1"),
    }),
  );
  const second = await kinesis().send(
    new PutRecordCommand({
      StreamName: "ordering",
      PartitionKey: "a",
      ExplicitHashKey: "0",
      SequenceNumberForOrdering: first.SequenceNumber,
      Data: Buffer.from("2"),
    }),
  );
  assert.notEqual(second.ShardId, first.ShardId);
  assert.ok(BigInt(second.SequenceNumber as string) > BigInt(first.SequenceNumber as string));
  await rejectsWith(
    kinesis().send(
      new PutRecordCommand({ StreamName: "ordering", PartitionKey: "a", SequenceNumberForOrdering: "abc", Data: Buffer.from("3") }),
    ),
    "ValidationException",
    400,
  );
});

test("DryRun checks a put without writing it", async () => {
  const [shard] = await createStream("dry");
  await rejectsWith(
    kinesis().send(new PutRecordCommand({ StreamName: "dry", PartitionKey: "k", Data: Buffer.from("x"), DryRun: true })),
    "DryRunOperationException",
    400,
  );
  assert.deepEqual(await readAll("dry", shard.ShardId as string), []);
});

test("UpdateMaxRecordSize raises the record size limit of a stream", async () => {
  const [shard] = await createStream("big-records");
  const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/big-records";
  const big = Buffer.alloc(1536 * 1024, 7);
  await rejectsWith(
    kinesis().send(new PutRecordCommand({ StreamName: "big-records", PartitionKey: "k", Data: big })),
    "ValidationException",
    400,
  );
  await kinesis().send(new UpdateMaxRecordSizeCommand({ StreamARN: arn, MaxRecordSizeInKiB: 2048 }));
  const summary = await kinesis().send(new DescribeStreamSummaryCommand({ StreamARN: arn }));
  assert.equal(summary.StreamDescriptionSummary?.MaxRecordSizeInKiB, 2048);
  await kinesis().send(new PutRecordCommand({ StreamName: "big-records", PartitionKey: "k", Data: big }));
  const [record] = await readAll("big-records", shard.ShardId as string);
  assert.ok(Buffer.from(record.Data ?? []).equals(big));
  await rejectsWith(
    kinesis().send(new UpdateMaxRecordSizeCommand({ StreamARN: arn, MaxRecordSizeInKiB: 512 })),
    "ValidationException",
    400,
  );
});
