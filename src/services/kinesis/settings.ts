import type {
  DecreaseStreamRetentionPeriodInput,
  DescribeLimitsOutput,
  DisableEnhancedMonitoringInput,
  EnableEnhancedMonitoringInput,
  EnhancedMonitoringOutput,
  IncreaseStreamRetentionPeriodInput,
  MetricsName,
  StartStreamEncryptionInput,
  StopStreamEncryptionInput,
  UpdateMaxRecordSizeInput,
  UpdateStreamModeInput,
} from "@aws-sdk/client-kinesis";
import type { RequestContext } from "../types.js";
import { Constraints, InvalidArgumentException } from "./errors.js";
import { type StreamMeta, openShards, saveStream, streamNamed } from "./state.js";
import {
  ON_DEMAND_STREAM_LIMIT,
  checkOnDemandLimit,
  checkShardLimit,
  onDemandStreamCount,
  provisionedShardCount,
  shardLimit,
} from "./streams.js";

const MIN_RETENTION_HOURS = 24;
const MAX_RETENTION_HOURS = 8760;

const SHARD_LEVEL_METRICS: MetricsName[] = [
  "IncomingBytes",
  "IncomingRecords",
  "OutgoingBytes",
  "OutgoingRecords",
  "WriteProvisionedThroughputExceeded",
  "ReadProvisionedThroughputExceeded",
  "IteratorAgeMilliseconds",
];

function checkRetentionBounds(hours: number): void {
  if (hours < MIN_RETENTION_HOURS) {
    throw new InvalidArgumentException(
      `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`,
    );
  }
  if (hours > MAX_RETENTION_HOURS) {
    throw new InvalidArgumentException(
      `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too long.`,
    );
  }
}

/** Setting the current value again is accepted as a no-op, as AWS does. */
export function increaseStreamRetentionPeriod(input: IncreaseStreamRetentionPeriodInput, ctx: RequestContext): void {
  new Constraints().stream(input).throwIfAny();
  const stream = streamNamed(ctx, input);
  const hours = input.RetentionPeriodHours as number;
  checkRetentionBounds(hours);
  if (hours < stream.retentionHours) {
    throw new InvalidArgumentException(
      `Requested retention period (${hours} hours) for stream ${stream.name} can not be shorter than existing retention period (${stream.retentionHours} hours). Use DecreaseRetentionPeriod API.`,
    );
  }
  stream.retentionHours = hours;
  saveStream(ctx, stream);
}

export function decreaseStreamRetentionPeriod(input: DecreaseStreamRetentionPeriodInput, ctx: RequestContext): void {
  new Constraints().stream(input).throwIfAny();
  const stream = streamNamed(ctx, input);
  const hours = input.RetentionPeriodHours as number;
  checkRetentionBounds(hours);
  if (hours > stream.retentionHours) {
    throw new InvalidArgumentException(
      `Requested retention period (${hours} hours) for stream ${stream.name} can not be longer than existing retention period (${stream.retentionHours} hours). Use IncreaseRetentionPeriod API.`,
    );
  }
  stream.retentionHours = hours;
  saveStream(ctx, stream);
}

export function updateStreamMode(input: UpdateStreamModeInput, ctx: RequestContext): void {
  new Constraints().streamArn("streamARN", input.StreamARN).range("warmThroughputMiBps", input.WarmThroughputMiBps, 0).throwIfAny();
  const stream = streamNamed(ctx, input);
  const mode = input.StreamModeDetails?.StreamMode as StreamMeta["mode"];
  if (mode === stream.mode) throw new InvalidArgumentException(`Stream ${stream.name} is already in ${mode} mode.`);
  // The stream keeps its shards; they now count against the other mode's quota.
  if (mode === "ON_DEMAND") checkOnDemandLimit(ctx);
  else checkShardLimit(ctx, openShards(stream).length);
  stream.mode = mode;
  saveStream(ctx, stream);
}

export function updateMaxRecordSize(input: UpdateMaxRecordSizeInput, ctx: RequestContext): void {
  new Constraints().streamArn("streamARN", input.StreamARN).range("maxRecordSizeInKiB", input.MaxRecordSizeInKiB, 1024, 10240).throwIfAny();
  const stream = streamNamed(ctx, input);
  stream.maxRecordSizeKiB = input.MaxRecordSizeInKiB as number;
  saveStream(ctx, stream);
}

/** Records put from now on are encrypted (and say so); records already stored stay as they are. */
export function startStreamEncryption(input: StartStreamEncryptionInput, ctx: RequestContext): void {
  new Constraints().stream(input).length("keyId", input.KeyId, 1, 2048).throwIfAny();
  const stream = streamNamed(ctx, input);
  if (input.EncryptionType !== "KMS") throw new InvalidArgumentException("EncryptionType must be KMS to start encryption.");
  stream.encryption = { keyId: input.KeyId as string };
  saveStream(ctx, stream);
}

export function stopStreamEncryption(input: StopStreamEncryptionInput, ctx: RequestContext): void {
  new Constraints().stream(input).length("keyId", input.KeyId, 1, 2048).throwIfAny();
  const stream = streamNamed(ctx, input);
  if (input.EncryptionType !== "KMS") throw new InvalidArgumentException("EncryptionType must be KMS to stop encryption.");
  stream.encryption = undefined;
  saveStream(ctx, stream);
}

function checkMetrics(input: { ShardLevelMetrics?: string[]; StreamName?: string; StreamARN?: string }): string[] {
  new Constraints().stream(input).length("shardLevelMetrics", input.ShardLevelMetrics, 1, 7).throwIfAny();
  const metrics = input.ShardLevelMetrics as string[];
  return metrics.includes("ALL") ? SHARD_LEVEL_METRICS : metrics;
}

function monitoringChange(ctx: RequestContext, stream: StreamMeta, desired: string[]): EnhancedMonitoringOutput {
  const current = stream.monitoring;
  stream.monitoring = SHARD_LEVEL_METRICS.filter((m) => desired.includes(m));
  saveStream(ctx, stream);
  return {
    StreamName: stream.name,
    StreamARN: stream.arn,
    CurrentShardLevelMetrics: current as MetricsName[],
    DesiredShardLevelMetrics: stream.monitoring as MetricsName[],
  };
}

export function enableEnhancedMonitoring(input: EnableEnhancedMonitoringInput, ctx: RequestContext): EnhancedMonitoringOutput {
  const metrics = checkMetrics(input);
  const stream = streamNamed(ctx, input);
  return monitoringChange(ctx, stream, [...stream.monitoring, ...metrics]);
}

export function disableEnhancedMonitoring(input: DisableEnhancedMonitoringInput, ctx: RequestContext): EnhancedMonitoringOutput {
  const metrics = checkMetrics(input);
  const stream = streamNamed(ctx, input);
  return monitoringChange(
    ctx,
    stream,
    stream.monitoring.filter((m) => !metrics.includes(m)),
  );
}

export function describeLimits(_input: unknown, ctx: RequestContext): DescribeLimitsOutput {
  return {
    ShardLimit: shardLimit(ctx.region),
    OpenShardCount: provisionedShardCount(ctx),
    OnDemandStreamCount: onDemandStreamCount(ctx),
    OnDemandStreamCountLimit: ON_DEMAND_STREAM_LIMIT,
  };
}
