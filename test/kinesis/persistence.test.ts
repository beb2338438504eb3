import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordCommand,
  SplitShardCommand,
} from "@aws-sdk/client-kinesis";
import { credentials } from "../helpers.js";
import { type Overcast, startOvercast } from "../../src/index.js";
import { tempDir } from "../state/fixtures.js";

const client = (cloud: Overcast) => new KinesisClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

test("streams, shards, records and sequence numbers survive a restart on the same data dir", async (t) => {
  const dataDir = tempDir(t);
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  let firstSequence: string;
  try {
    const kinesis = client(first);
    await kinesis.send(new CreateStreamCommand({ StreamName: "durable", ShardCount: 1 }));
    firstSequence = (await kinesis.send(new PutRecordCommand({ StreamName: "durable", PartitionKey: "k", Data: Buffer.from("before") })))
      .SequenceNumber as string;
    await kinesis.send(
      new SplitShardCommand({ StreamName: "durable", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }),
    );
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const kinesis = client(second);
  const it = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: "durable", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
  );
  const read = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  assert.deepEqual(
    read.Records?.map((r) => [Buffer.from(r.Data ?? []).toString(), r.SequenceNumber]),
    [["before", firstSequence]],
  );
  assert.equal(read.ChildShards?.length, 2);
  const next = await kinesis.send(
    new PutRecordCommand({ StreamName: "durable", PartitionKey: "k", ExplicitHashKey: "0", Data: Buffer.from("after") }),
  );
  assert.equal(next.ShardId, "shardId-000000000001");
  assert.ok(BigInt(next.SequenceNumber as string) > BigInt(firstSequence));
});
