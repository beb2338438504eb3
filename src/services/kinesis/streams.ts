import type {
  CreateStreamInput,
  DeleteStreamInput,
  DescribeStreamInput,
  DescribeStreamOutput,
  DescribeStreamSummaryInput,
  DescribeStreamSummaryOutput,
  ListStreamsInput,
  ListStreamsOutput,
  Shard,
  StreamSummary,
} from "@aws-sdk/client-kinesis";
import type { RequestContext } from "../types.js";
import { Constraints, InvalidArgumentException, LimitExceededException, ResourceInUseException } from "./errors.js";
import { decodeToken, encodeToken } from "./paging.js";
import {
  type ShardMeta,
  type StreamMeta,
  addShards,
  dropStreamRecords,
  evenRanges,
  newUid,
  openShards,
  saveStream,
  streamArn,
  streamNamed,
  streams,
  visibleShards,
} from "./state.js";
import { checkTags } from "./tags.js";

const DEFAULT_RETENTION_HOURS = 24;
const ON_DEMAND_SHARDS = 4;
export const ON_DEMAND_STREAM_LIMIT = 50;

/** The default shard quota: 500 in the three largest regions, 200 elsewhere. */
export const shardLimit = (region: string) => (["us-east-1", "us-west-2", "eu-west-1"].includes(region) ? 500 : 200);

export function createStream(input: CreateStreamInput, ctx: RequestContext): void {
  new Constraints()
    .streamName("streamName", input.StreamName)
    .range("shardCount", input.ShardCount, 1)
    .range("maxRecordSizeInKiB", input.MaxRecordSizeInKiB, 1024, 10240)
    .range("warmThroughputMiBps", input.WarmThroughputMiBps, 0)
    .throwIfAny();
  checkTags(input.Tags);
  const name = input.StreamName as string;
  // Without a shard count or a mode, AWS creates an on-demand stream.
  const mode = input.StreamModeDetails?.StreamMode ?? (input.ShardCount === undefined ? "ON_DEMAND" : "PROVISIONED");
  if (mode === "PROVISIONED" && input.ShardCount === undefined) {
    throw new InvalidArgumentException("ShardCount is required for streams in PROVISIONED mode.");
  }
  if (mode === "ON_DEMAND" && input.ShardCount !== undefined) {
    throw new InvalidArgumentException("ShardCount is not supported for streams in ON_DEMAND mode.");
  }
  if (streams(ctx.store).has(name)) throw new ResourceInUseException(`Stream ${name} under account ${ctx.account} already exists.`);
  const shardCount = mode === "ON_DEMAND" ? ON_DEMAND_SHARDS : (input.ShardCount as number);
  if (mode === "ON_DEMAND") checkOnDemandLimit(ctx);
  else checkShardLimit(ctx, shardCount);
  const now = ctx.runtime.now();
  const stream: StreamMeta = {
    name,
    arn: streamArn(ctx, name),
    uid: newUid(),
    createdAt: now,
    mode,
    retentionHours: DEFAULT_RETENTION_HOURS,
    maxRecordSizeKiB: input.MaxRecordSizeInKiB ?? 1024,
    shards: [],
    counter: 0,
    lastMs: now,
    monitoring: [],
    tags: { ...input.Tags },
    consumers: [],
  };
  addShards(
    stream,
    now,
    evenRanges(shardCount).map((r) => ({ ...r, parents: [] })),
  );
  saveStream(ctx, stream);
}

/** Provisioned streams' open shards count against the account's regional shard quota. */
export function provisionedShardCount(ctx: RequestContext): number {
  let count = 0;
  for (const stream of streams(ctx.store).values()) if (stream.mode === "PROVISIONED") count += openShards(stream).length;
  return count;
}

export function checkShardLimit(ctx: RequestContext, additional: number): void {
  const current = provisionedShardCount(ctx);
  const limit = shardLimit(ctx.region);
  if (current + additional <= limit) return;
  throw new LimitExceededException(
    `This request would exceed the shard limit for the account ${ctx.account} in ${ctx.region}. ` +
      `Current shard count for the account: ${current}. Limit: ${limit}. ` +
      `Number of additional shards that would have resulted from this request: ${additional}. ` +
      "Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
  );
}

export const onDemandStreamCount = (ctx: RequestContext) => [...streams(ctx.store).values()].filter((s) => s.mode === "ON_DEMAND").length;

export function checkOnDemandLimit(ctx: RequestContext): void {
  if (onDemandStreamCount(ctx) < ON_DEMAND_STREAM_LIMIT) return;
  throw new LimitExceededException(
    `This request would exceed the on-demand stream count limit of ${ON_DEMAND_STREAM_LIMIT} for the account ${ctx.account} in ${ctx.region}.`,
  );
}

export function deleteStream(input: DeleteStreamInput, ctx: RequestContext): void {
  new Constraints().stream(input).throwIfAny();
  const stream = streamNamed(ctx, input);
  if (stream.consumers.length && !input.EnforceConsumerDeletion) {
    throw new ResourceInUseException(
      `Stream ${stream.name} under account ${ctx.account} has registered consumers. Use EnforceConsumerDeletion to delete it with them.`,
    );
  }
  dropStreamRecords(ctx.store, stream);
  streams(ctx.store).delete(stream.name);
}

export function describeStream(input: DescribeStreamInput, ctx: RequestContext): DescribeStreamOutput {
  new Constraints()
    .stream(input)
    .range("limit", input.Limit, 1, 10000)
    .shardId("exclusiveStartShardId", input.ExclusiveStartShardId)
    .throwIfAny();
  const stream = streamNamed(ctx, input);
  const limit = input.Limit ?? 100;
  const after = input.ExclusiveStartShardId;
  const shards = visibleShards(stream, ctx.runtime.now()).filter((s) => after === undefined || s.id > after);
  return {
    StreamDescription: {
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: "ACTIVE",
      StreamModeDetails: { StreamMode: stream.mode },
      Shards: shards.slice(0, limit).map(shardToWire),
      HasMoreShards: shards.length > limit,
      RetentionPeriodHours: stream.retentionHours,
      StreamCreationTimestamp: new Date(stream.createdAt),
      EnhancedMonitoring: [{ ShardLevelMetrics: stream.monitoring as never }],
      EncryptionType: stream.encryption ? "KMS" : "NONE",
      ...(stream.encryption ? { KeyId: stream.encryption.keyId } : {}),
    },
  };
}

export function describeStreamSummary(input: DescribeStreamSummaryInput, ctx: RequestContext): DescribeStreamSummaryOutput {
  new Constraints().stream(input).throwIfAny();
  const stream = streamNamed(ctx, input);
  return {
    StreamDescriptionSummary: {
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: "ACTIVE",
      StreamModeDetails: { StreamMode: stream.mode },
      RetentionPeriodHours: stream.retentionHours,
      StreamCreationTimestamp: new Date(stream.createdAt),
      EnhancedMonitoring: [{ ShardLevelMetrics: stream.monitoring as never }],
      EncryptionType: stream.encryption ? "KMS" : "NONE",
      ...(stream.encryption ? { KeyId: stream.encryption.keyId } : {}),
      OpenShardCount: openShards(stream).length,
      ConsumerCount: stream.consumers.length,
      MaxRecordSizeInKiB: stream.maxRecordSizeKiB,
    },
  };
}

export function shardToWire(shard: ShardMeta): Shard {
  return {
    ShardId: shard.id,
    ...(shard.parents[0] !== undefined ? { ParentShardId: shard.parents[0] } : {}),
    ...(shard.parents[1] !== undefined ? { AdjacentParentShardId: shard.parents[1] } : {}),
    HashKeyRange: { StartingHashKey: shard.startHash, EndingHashKey: shard.endHash },
    SequenceNumberRange: {
      StartingSequenceNumber: shard.startSequence,
      ...(shard.endSequence !== undefined ? { EndingSequenceNumber: shard.endSequence } : {}),
    },
  };
}

export function listStreams(input: ListStreamsInput, ctx: RequestContext): ListStreamsOutput {
  new Constraints()
    .range("limit", input.Limit, 1, 10000)
    .streamName("exclusiveStartStreamName", input.ExclusiveStartStreamName)
    .length("nextToken", input.NextToken, 1, 1048576)
    .throwIfAny();
  const after = input.NextToken !== undefined ? decodeToken(input.NextToken, ctx).after : input.ExclusiveStartStreamName;
  const limit = input.Limit ?? 100;
  const page: StreamMeta[] = [];
  let more = false;
  for (const [name, stream] of streams(ctx.store).entriesFrom(after)) {
    if (name === after) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(stream);
  }
  const last = page[page.length - 1];
  return {
    StreamNames: page.map((s) => s.name),
    HasMoreStreams: more,
    StreamSummaries: page.map(streamSummary),
    ...(more ? { NextToken: encodeToken(ctx, { after: last.name }) } : {}),
  };
}

function streamSummary(stream: StreamMeta): StreamSummary {
  return {
    StreamName: stream.name,
    StreamARN: stream.arn,
    StreamStatus: "ACTIVE",
    StreamModeDetails: { StreamMode: stream.mode },
    StreamCreationTimestamp: new Date(stream.createdAt),
  };
}
