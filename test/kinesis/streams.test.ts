import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListShardsCommand,
  type ListShardsCommandOutput,
  ListStreamsCommand,
  PutRecordCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  UpdateStreamModeCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const kinesis = (region?: string) => new KinesisClient(server.clientConfig(region));
const ACCOUNT = "000000000000";
const arnOf = (name: string, region = "us-east-1") => `arn:aws:kinesis:${region}:${ACCOUNT}:stream/${name}`;

test("CreateStream makes an ACTIVE provisioned stream that DescribeStream reports with AWS's fields", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 2 }));
  await waitUntilStreamExists({ client: kinesis(), maxWaitTime: 20, minDelay: 1 }, { StreamName: "orders" });
  const { StreamDescription: d } = await kinesis().send(new DescribeStreamCommand({ StreamName: "orders" }));
  assert.equal(d?.StreamName, "orders");
  assert.equal(d?.StreamARN, arnOf("orders"));
  assert.equal(d?.StreamStatus, "ACTIVE");
  assert.deepEqual(d?.StreamModeDetails, { StreamMode: "PROVISIONED" });
  assert.equal(d?.RetentionPeriodHours, 24);
  assert.equal(d?.HasMoreShards, false);
  assert.equal(d?.EncryptionType, "NONE");
  assert.deepEqual(d?.EnhancedMonitoring, [{ ShardLevelMetrics: [] }]);
  assert.ok(d?.StreamCreationTimestamp instanceof Date);
  assert.deepEqual(
    d?.Shards?.map((s) => [s.ShardId, s.HashKeyRange?.StartingHashKey, s.HashKeyRange?.EndingHashKey]),
    [
      ["shardId-000000000000", "0", "170141183460469231731687303715884105727"],
      ["shardId-000000000001", "170141183460469231731687303715884105728", "340282366920938463463374607431768211455"],
    ],
  );
  for (const shard of d?.Shards ?? []) {
    assert.match(shard.SequenceNumberRange?.StartingSequenceNumber as string, /^\d{56}$/);
    assert.equal(shard.SequenceNumberRange?.EndingSequenceNumber, undefined);
  }
});

test("CreateStream: duplicates, bad names and bad shard counts are AWS's errors", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "dup", ShardCount: 1 }));
  const dup = await rejectsWith(
    kinesis().send(new CreateStreamCommand({ StreamName: "dup", ShardCount: 1 })),
    "ResourceInUseException",
    400,
  );
  assert.equal(dup.message, `Stream dup under account ${ACCOUNT} already exists.`);
  const bad = await rejectsWith(
    kinesis().send(new CreateStreamCommand({ StreamName: "bad/name", ShardCount: 1 })),
    "ValidationException",
    400,
  );
  assert.equal(
    bad.message,
    "1 validation error detected: Value 'bad/name' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
  );
  await rejectsWith(kinesis().send(new CreateStreamCommand({ StreamName: "x".repeat(129), ShardCount: 1 })), "ValidationException", 400);
  await rejectsWith(kinesis().send(new CreateStreamCommand({ StreamName: "zero", ShardCount: 0 })), "ValidationException", 400);
  await rejectsWith(
    kinesis().send(new CreateStreamCommand({ StreamName: "mode", StreamModeDetails: { StreamMode: "SOMETIMES" as "ON_DEMAND" } })),
    "ValidationException",
    400,
  );
  const limit = await rejectsWith(
    kinesis().send(new CreateStreamCommand({ StreamName: "huge", ShardCount: 501 })),
    "LimitExceededException",
    400,
  );
  assert.match(limit.message, /shard limit for the account 000000000000 in us-east-1.*Limit: 500/);
});

test("an on-demand stream starts with 4 shards and counts against the on-demand quota", async () => {
  const client = kinesis("eu-central-1");
  await client.send(new CreateStreamCommand({ StreamName: "od", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
  const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: "od" }));
  assert.equal(summary.StreamDescriptionSummary?.OpenShardCount, 4);
  assert.deepEqual(summary.StreamDescriptionSummary?.StreamModeDetails, { StreamMode: "ON_DEMAND" });
  assert.equal(summary.StreamDescriptionSummary?.ConsumerCount, 0);
  // No shard count and no mode: on-demand.
  await client.send(new CreateStreamCommand({ StreamName: "od-default" }));
  const again = await client.send(new DescribeStreamSummaryCommand({ StreamName: "od-default" }));
  assert.deepEqual(again.StreamDescriptionSummary?.StreamModeDetails, { StreamMode: "ON_DEMAND" });
  await client.send(new CreateStreamCommand({ StreamName: "prov", ShardCount: 3 }));
  const limits = await client.send(new DescribeLimitsCommand({}));
  assert.equal(limits.ShardLimit, 200);
  assert.equal(limits.OpenShardCount, 3);
  assert.equal(limits.OnDemandStreamCount, 2);
  assert.equal(limits.OnDemandStreamCountLimit, 50);
  await client.send(
    new UpdateStreamModeCommand({ StreamARN: arnOf("prov", "eu-central-1"), StreamModeDetails: { StreamMode: "ON_DEMAND" } }),
  );
  const after = await client.send(new DescribeLimitsCommand({}));
  assert.equal(after.OpenShardCount, 0);
  assert.equal(after.OnDemandStreamCount, 3);
  await rejectsWith(
    client.send(new UpdateStreamModeCommand({ StreamARN: arnOf("prov", "eu-central-1"), StreamModeDetails: { StreamMode: "ON_DEMAND" } })),
    "InvalidArgumentException",
    400,
  );
});

test("DescribeStream pages its shards with Limit and ExclusiveStartShardId", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "many", ShardCount: 5 }));
  const first = await kinesis().send(new DescribeStreamCommand({ StreamName: "many", Limit: 2 }));
  assert.deepEqual(
    first.StreamDescription?.Shards?.map((s) => s.ShardId),
    ["shardId-000000000000", "shardId-000000000001"],
  );
  assert.equal(first.StreamDescription?.HasMoreShards, true);
  const rest = await kinesis().send(new DescribeStreamCommand({ StreamName: "many", ExclusiveStartShardId: "shardId-000000000001" }));
  assert.equal(rest.StreamDescription?.Shards?.length, 3);
  assert.equal(rest.StreamDescription?.HasMoreShards, false);
});

test("ListShards pages with MaxResults and NextToken; NextToken excludes StreamName", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "list-shards", ShardCount: 5 }));
  const first = await kinesis().send(new ListShardsCommand({ StreamName: "list-shards", MaxResults: 2 }));
  assert.equal(first.Shards?.length, 2);
  assert.ok(first.NextToken);
  const ids: (string | undefined)[] = first.Shards?.map((s) => s.ShardId) ?? [];
  let token: string | undefined = first.NextToken;
  while (token) {
    const page: ListShardsCommandOutput = await kinesis().send(new ListShardsCommand({ NextToken: token, MaxResults: 2 }));
    ids.push(...(page.Shards ?? []).map((s) => s.ShardId));
    token = page.NextToken;
  }
  assert.deepEqual(
    ids,
    [0, 1, 2, 3, 4].map((i) => `shardId-00000000000${i}`),
  );
  await rejectsWith(
    kinesis().send(new ListShardsCommand({ StreamName: "list-shards", NextToken: first.NextToken })),
    "InvalidArgumentException",
    400,
  );
  await rejectsWith(kinesis().send(new ListShardsCommand({ NextToken: "garbage" })), "InvalidArgumentException", 400);
  const after = await kinesis().send(new ListShardsCommand({ StreamName: "list-shards", ExclusiveStartShardId: "shardId-000000000003" }));
  assert.deepEqual(
    after.Shards?.map((s) => s.ShardId),
    ["shardId-000000000004"],
  );
  const filtered = await kinesis().send(
    new ListShardsCommand({ StreamARN: arnOf("list-shards"), ShardFilter: { Type: "AFTER_SHARD_ID", ShardId: "shardId-000000000002" } }),
  );
  assert.equal(filtered.Shards?.length, 2);
  await rejectsWith(kinesis().send(new ListShardsCommand({ StreamName: "missing" })), "ResourceNotFoundException", 400);
});

test("ListStreams returns names and summaries, paging with Limit, ExclusiveStartStreamName and NextToken", async () => {
  const client = kinesis("ap-southeast-2");
  for (const name of ["s-c", "s-a", "s-b"]) await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  const first = await client.send(new ListStreamsCommand({ Limit: 2 }));
  assert.deepEqual(first.StreamNames, ["s-a", "s-b"]);
  assert.equal(first.HasMoreStreams, true);
  assert.equal(first.StreamSummaries?.[0].StreamARN, arnOf("s-a", "ap-southeast-2"));
  assert.equal(first.StreamSummaries?.[0].StreamStatus, "ACTIVE");
  const next = await client.send(new ListStreamsCommand({ NextToken: first.NextToken }));
  assert.deepEqual(next.StreamNames, ["s-c"]);
  assert.equal(next.HasMoreStreams, false);
  assert.equal(next.NextToken, undefined);
  const after = await client.send(new ListStreamsCommand({ ExclusiveStartStreamName: "s-a" }));
  assert.deepEqual(after.StreamNames, ["s-b", "s-c"]);
});

test("DeleteStream removes the stream and its records; other operations then report it missing", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "gone", ShardCount: 1 }));
  await kinesis().send(new PutRecordCommand({ StreamName: "gone", PartitionKey: "k", Data: Buffer.from("x") }));
  await kinesis().send(new DeleteStreamCommand({ StreamARN: arnOf("gone") }));
  const err = await rejectsWith(kinesis().send(new DescribeStreamCommand({ StreamName: "gone" })), "ResourceNotFoundException", 400);
  assert.equal(err.message, `Stream gone under account ${ACCOUNT} not found.`);
  await rejectsWith(kinesis().send(new DeleteStreamCommand({ StreamName: "gone" })), "ResourceNotFoundException", 400);
  await rejectsWith(kinesis().send(new DescribeStreamCommand({})), "InvalidArgumentException", 400);
});

test("retention: 24 to 8760 hours, increase only up and decrease only down", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "retained", ShardCount: 1 }));
  await kinesis().send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "retained", RetentionPeriodHours: 48 }));
  const described = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: "retained" }));
  assert.equal(described.StreamDescriptionSummary?.RetentionPeriodHours, 48);
  const shorter = await rejectsWith(
    kinesis().send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "retained", RetentionPeriodHours: 30 })),
    "InvalidArgumentException",
    400,
  );
  assert.match(shorter.message, /can not be shorter than existing retention period \(48 hours\)/);
  const tooLong = await rejectsWith(
    kinesis().send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "retained", RetentionPeriodHours: 8761 })),
    "InvalidArgumentException",
    400,
  );
  assert.equal(tooLong.message, "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.");
  await rejectsWith(
    kinesis().send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "retained", RetentionPeriodHours: 72 })),
    "InvalidArgumentException",
    400,
  );
  const tooShort = await rejectsWith(
    kinesis().send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "retained", RetentionPeriodHours: 23 })),
    "InvalidArgumentException",
    400,
  );
  assert.equal(tooShort.message, "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.");
  // The same value again is accepted.
  await kinesis().send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "retained", RetentionPeriodHours: 48 }));
  await kinesis().send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "retained", RetentionPeriodHours: 24 }));
  const back = await kinesis().send(new DescribeStreamCommand({ StreamName: "retained" }));
  assert.equal(back.StreamDescription?.RetentionPeriodHours, 24);
});

test("server-side encryption is reported by the stream and by records put while it is on", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "secret", ShardCount: 1 }));
  await kinesis().send(new StartStreamEncryptionCommand({ StreamName: "secret", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }));
  const on = await kinesis().send(new DescribeStreamCommand({ StreamName: "secret" }));
  assert.equal(on.StreamDescription?.EncryptionType, "KMS");
  assert.equal(on.StreamDescription?.KeyId, "alias/aws/kinesis");
  const put = await kinesis().send(new PutRecordCommand({ StreamName: "secret", PartitionKey: "k", Data: Buffer.from("x") }));
  assert.equal(put.EncryptionType, "KMS");
  await kinesis().send(new StopStreamEncryptionCommand({ StreamName: "secret", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }));
  const off = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: "secret" }));
  assert.equal(off.StreamDescriptionSummary?.EncryptionType, "NONE");
  assert.equal(off.StreamDescriptionSummary?.KeyId, undefined);
  const plain = await kinesis().send(new PutRecordCommand({ StreamName: "secret", PartitionKey: "k", Data: Buffer.from("y") }));
  assert.equal(plain.EncryptionType, undefined);
  await rejectsWith(
    kinesis().send(new StartStreamEncryptionCommand({ StreamName: "secret", EncryptionType: "NONE", KeyId: "alias/aws/kinesis" })),
    "InvalidArgumentException",
    400,
  );
});

test("enhanced monitoring reports the metrics before and after each change", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "watched", ShardCount: 1 }));
  const enabled = await kinesis().send(
    new EnableEnhancedMonitoringCommand({ StreamName: "watched", ShardLevelMetrics: ["IncomingBytes", "OutgoingRecords"] }),
  );
  assert.deepEqual(enabled.CurrentShardLevelMetrics, []);
  assert.deepEqual(enabled.DesiredShardLevelMetrics, ["IncomingBytes", "OutgoingRecords"]);
  assert.equal(enabled.StreamARN, arnOf("watched"));
  const all = await kinesis().send(new EnableEnhancedMonitoringCommand({ StreamName: "watched", ShardLevelMetrics: ["ALL"] }));
  assert.equal(all.DesiredShardLevelMetrics?.length, 7);
  const disabled = await kinesis().send(
    new DisableEnhancedMonitoringCommand({ StreamName: "watched", ShardLevelMetrics: ["IncomingBytes"] }),
  );
  assert.equal(disabled.CurrentShardLevelMetrics?.length, 7);
  assert.equal(disabled.DesiredShardLevelMetrics?.length, 6);
  assert.ok(!disabled.DesiredShardLevelMetrics?.includes("IncomingBytes"));
  const d = await kinesis().send(new DescribeStreamCommand({ StreamName: "watched" }));
  assert.equal(d.StreamDescription?.EnhancedMonitoring?.[0].ShardLevelMetrics?.length, 6);
  await rejectsWith(
    kinesis().send(new EnableEnhancedMonitoringCommand({ StreamName: "watched", ShardLevelMetrics: ["Nope" as "ALL"] })),
    "ValidationException",
    400,
  );
});
