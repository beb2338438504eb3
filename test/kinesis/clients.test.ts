import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { useServer } from "../helpers.js";

const run = promisify(execFile);
const server = useServer();

const clientEnv = () => ({
  ...process.env,
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_ENDPOINT_URL: server.endpoint,
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
});

async function aws(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run("aws", ["kinesis", ...args, "--endpoint-url", server.endpoint, "--output", "json"], { env: clientEnv() });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

test("boto3: create a stream, wait for it, put records, read them back, and see AWS's errors", async () => {
  const { stdout } = await run(
    "python3",
    [
      "-c",
      `
import json, boto3, botocore
k = boto3.client("kinesis")
k.create_stream(StreamName="boto", ShardCount=2)
k.get_waiter("stream_exists").wait(StreamName="boto", WaiterConfig={"Delay": 1, "MaxAttempts": 10})
shards = k.list_shards(StreamName="boto")["Shards"]
put = k.put_records(StreamName="boto", Records=[{"Data": b"r%d" % i, "PartitionKey": "pk%d" % i} for i in range(10)])
one = k.put_record(StreamName="boto", Data=b"single", PartitionKey="pk0")
read = []
for s in shards:
    it = k.get_shard_iterator(StreamName="boto", ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    read += [r["Data"].decode() for r in k.get_records(ShardIterator=it)["Records"]]
out = {"shards": len(shards), "failed": put["FailedRecordCount"], "results": len(put["Records"]), "read": sorted(read),
       "single_shard": one["ShardId"] == put["Records"][0]["ShardId"]}
try:
    k.describe_stream(StreamName="missing")
except botocore.exceptions.ClientError as e:
    out["error"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
print(json.dumps(out))
`,
    ],
    { env: clientEnv() },
  );
  assert.deepEqual(JSON.parse(stdout), {
    shards: 2,
    failed: 0,
    results: 10,
    read: [...Array.from({ length: 10 }, (_, i) => `r${i}`), "single"].sort(),
    single_shard: true,
    error: ["ResourceNotFoundException", "Stream missing under account 000000000000 not found."],
  });
});

test("AWS CLI v1: create-stream, put-record with raw text data, get-shard-iterator, get-records", async () => {
  await aws(["create-stream", "--stream-name", "cli", "--shard-count", "1"]);
  const described = (await aws(["describe-stream-summary", "--stream-name", "cli"])) as {
    StreamDescriptionSummary: { StreamStatus: string; OpenShardCount: number };
  };
  assert.equal(described.StreamDescriptionSummary.StreamStatus, "ACTIVE");
  assert.equal(described.StreamDescriptionSummary.OpenShardCount, 1);
  const put = (await aws([
    "put-record",
    "--stream-name",
    "cli",
    "--partition-key",
    "p",
    "--data",
    // CLI v1 sends blob arguments as raw bytes (it has no --cli-binary-format).
    "hello from the cli",
  ])) as { ShardId: string; SequenceNumber: string };
  assert.equal(put.ShardId, "shardId-000000000000");
  const { ShardIterator } = (await aws([
    "get-shard-iterator",
    "--stream-name",
    "cli",
    "--shard-id",
    put.ShardId,
    "--shard-iterator-type",
    "AT_SEQUENCE_NUMBER",
    "--starting-sequence-number",
    put.SequenceNumber,
  ])) as { ShardIterator: string };
  const got = (await aws(["get-records", "--shard-iterator", ShardIterator])) as {
    Records: { Data: string; PartitionKey: string; SequenceNumber: string }[];
    NextShardIterator: string;
  };
  assert.equal(got.Records.length, 1);
  assert.equal(Buffer.from(got.Records[0].Data, "base64").toString(), "hello from the cli");
  assert.equal(got.Records[0].PartitionKey, "p");
  assert.equal(got.Records[0].SequenceNumber, put.SequenceNumber);
  assert.ok(got.NextShardIterator);
  await assert.rejects(aws(["describe-stream", "--stream-name", "nope"]), /ResourceNotFoundException/);
});
