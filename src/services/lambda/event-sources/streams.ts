import { createHash, randomUUID } from "node:crypto";
import type { JsonObject } from "../../../internal/event-pattern.js";
import type { CallOptions, ServiceRuntime } from "../../types.js";
import { deliver } from "../destinations.js";
import { invokeFunction } from "../invoke.js";
import { parseFilters, passesFilters } from "./filters.js";
import { currentMapping, type PollerHandle, pause, recordResult, type StoredMapping } from "./state.js";

/** Lambda polls each shard about four times a second; an idle shard costs one GetRecords per interval. */
const POLL_INTERVAL_MS = 250;
const SHARD_DISCOVERY_MS = 10_000;
const PROBLEM_BACKOFF_MS = 2_000;
const RETRY_DELAY_MS = 200;
const MAX_GET_RECORDS = 1000;

type StreamRecord = JsonObject & { dynamodb: JsonObject & { SequenceNumber: string; ApproximateCreationDateTime?: number } };

interface Shard {
  arn: string;
  shardId: string;
  call: CallOptions;
}

/** Last processed sequence number per shard, so a restarted server resumes where it stopped. */
const checkpoints = (runtime: ServiceRuntime, handle: PollerHandle) =>
  runtime.storeFor(handle.account, handle.region).collection<string>("event-source-checkpoints");

/** Starts reading every shard of the mapping's stream, discovering new shards as they appear. */
export function pollStream(runtime: ServiceRuntime, handle: PollerHandle): void {
  discoverShards(runtime, handle, new Set()).catch((err) => console.error("[overcast] stream event source poller failed:", err));
}

async function discoverShards(runtime: ServiceRuntime, handle: PollerHandle, started: Set<string>): Promise<void> {
  for (let mapping = currentMapping(runtime, handle); mapping; mapping = currentMapping(runtime, handle)) {
    const arn = mapping.EventSourceArn as string;
    const [, , , region, account] = arn.split(":");
    const call: CallOptions = { account, region, asService: "lambda", sourceArn: mapping.FunctionArn };
    try {
      const described = await runtime.services.call<{ StreamDescription?: { Shards?: { ShardId?: string }[] } }>(
        "dynamodbstreams",
        "DescribeStream",
        { StreamArn: arn },
        call,
      );
      for (const { ShardId } of described.StreamDescription?.Shards ?? []) {
        if (!ShardId || started.has(ShardId)) continue;
        started.add(ShardId);
        readShard(runtime, handle, { arn, shardId: ShardId, call }).catch((err) => console.error("[overcast] shard reader failed:", err));
      }
    } catch {
      recordResult(runtime, handle, "PROBLEM: Stream not found or not readable.");
    }
    await pause(runtime, SHARD_DISCOVERY_MS);
  }
}

/** Reads one shard in order: a batch is retried (or sent to the failure destination) before the next is read. */
async function readShard(runtime: ServiceRuntime, handle: PollerHandle, shard: Shard): Promise<void> {
  let iterator: string | undefined;
  for (let mapping = currentMapping(runtime, handle); mapping; mapping = currentMapping(runtime, handle)) {
    try {
      iterator ??= await shardIterator(runtime, handle, shard, mapping);
      const { records, next } = await collectBatch(runtime, shard, mapping, iterator);
      iterator = next;
      if (records.length && currentMapping(runtime, handle)) {
        await processBatch(runtime, handle, shard, mapping, records);
        checkpoints(runtime, handle).set(`${handle.uuid}/${shard.shardId}`, records[records.length - 1].dynamodb.SequenceNumber);
      }
      if (!next) return; // the shard is closed and fully read
      if (!records.length) await pause(runtime, POLL_INTERVAL_MS);
    } catch {
      iterator = undefined; // expired or trimmed: start again from the checkpoint
      await pause(runtime, PROBLEM_BACKOFF_MS);
    }
  }
}

async function shardIterator(runtime: ServiceRuntime, handle: PollerHandle, shard: Shard, mapping: StoredMapping): Promise<string> {
  const checkpoint = checkpoints(runtime, handle).get(`${handle.uuid}/${shard.shardId}`);
  const position = checkpoint
    ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: checkpoint }
    : { ShardIteratorType: mapping.StartingPosition ?? "LATEST" };
  const { ShardIterator } = await runtime.services.call<{ ShardIterator: string }>(
    "dynamodbstreams",
    "GetShardIterator",
    { StreamArn: shard.arn, ShardId: shard.shardId, ...position },
    shard.call,
  );
  return ShardIterator;
}

/** Up to BatchSize records: one read, or with a batching window, what arrives within it. */
async function collectBatch(runtime: ServiceRuntime, shard: Shard, mapping: StoredMapping, iterator: string) {
  const batchSize = mapping.BatchSize ?? 100;
  const deadline = runtime.now() + (mapping.MaximumBatchingWindowInSeconds ?? 0) * 1000;
  const records: StreamRecord[] = [];
  let next: string | undefined = iterator;
  while (next && records.length < batchSize) {
    const read: { Records?: unknown[]; NextShardIterator?: string } = await runtime.services.call(
      "dynamodbstreams",
      "GetRecords",
      { ShardIterator: next, Limit: Math.min(MAX_GET_RECORDS, batchSize - records.length) },
      shard.call,
    );
    records.push(...(read.Records ?? []).map((r) => lambdaRecord(r, shard.arn)));
    next = read.NextShardIterator;
    if (runtime.now() >= deadline || (read.Records ?? []).length === 0) {
      if (!records.length || runtime.now() >= deadline) break;
      await pause(runtime, POLL_INTERVAL_MS);
    }
  }
  return { records, next };
}

/** Filters the batch, then runs each partition (ParallelizationFactor) concurrently, in order within each. */
async function processBatch(runtime: ServiceRuntime, handle: PollerHandle, shard: Shard, mapping: StoredMapping, records: StreamRecord[]) {
  const patterns = parseFilters(mapping.FilterCriteria);
  const kept = records.filter((r) => passesFilters(patterns, r));
  const partitions = new Map<number, StreamRecord[]>();
  const factor = mapping.ParallelizationFactor ?? 1;
  for (const record of kept) {
    const key =
      createHash("md5")
        .update(JSON.stringify(record.dynamodb.Keys ?? null))
        .digest()
        .readUInt32BE(0) % factor;
    partitions.set(key, [...(partitions.get(key) ?? []), record]);
  }
  await Promise.all([...partitions.values()].map((batch) => deliverBatch(runtime, handle, shard, mapping, batch)));
}

/**
 * Invokes the function until the batch succeeds, retries run out or its records are too old; then the
 * failed records are reported to the OnFailure destination and skipped. Bisection halves a failing batch.
 */
async function deliverBatch(runtime: ServiceRuntime, handle: PollerHandle, shard: Shard, mapping: StoredMapping, batch: StreamRecord[]) {
  let pending = [batch];
  let retries = 0;
  while (pending.length && handle.active()) {
    const current = pending[0];
    const result = await invokeBatch(runtime, handle, mapping, current);
    if (result.ok) {
      recordResult(runtime, handle, "OK");
      pending = pending.slice(1);
      retries = 0;
      continue;
    }
    recordResult(runtime, handle, "PROBLEM: Function call failed");
    const remaining = result.failedFrom !== undefined ? current.slice(result.failedFrom) : current;
    const maxRetries = mapping.MaximumRetryAttempts ?? -1;
    const maxAge = mapping.MaximumRecordAgeInSeconds ?? -1;
    const oldest = remaining[0].dynamodb.ApproximateCreationDateTime;
    const expired = maxAge !== -1 && oldest !== undefined && runtime.now() / 1000 - oldest > maxAge;
    if (expired || (maxRetries !== -1 && retries >= maxRetries)) {
      await reportFailure(
        runtime,
        shard,
        mapping,
        remaining,
        retries + 1,
        expired ? "RecordAgeExceeded" : "RetryAttemptsExhausted",
        result,
      );
      pending = pending.slice(1);
      retries = 0;
      continue;
    }
    retries += 1;
    pending =
      mapping.BisectBatchOnFunctionError && remaining.length > 1
        ? [remaining.slice(0, remaining.length >> 1), remaining.slice(remaining.length >> 1), ...pending.slice(1)]
        : [remaining, ...pending.slice(1)];
    await pause(runtime, RETRY_DELAY_MS);
  }
}

interface BatchResult {
  ok: boolean;
  /** With ReportBatchItemFailures: the index of the first record reported failed (the batch resumes there). */
  failedFrom?: number;
  executedVersion?: string;
  functionError?: boolean;
}

async function invokeBatch(
  runtime: ServiceRuntime,
  handle: PollerHandle,
  mapping: StoredMapping,
  batch: StreamRecord[],
): Promise<BatchResult> {
  let outcome: Awaited<ReturnType<typeof invokeFunction>>;
  try {
    outcome = await invokeFunction(runtime, {
      account: handle.account,
      region: handle.region,
      functionName: mapping.FunctionArn as string,
      payload: Buffer.from(JSON.stringify({ Records: batch })),
    });
  } catch {
    return { ok: false };
  }
  const base = { executedVersion: outcome.executedVersion, functionError: outcome.failed };
  if (outcome.failed) return { ok: false, ...base };
  if (!mapping.FunctionResponseTypes?.includes("ReportBatchItemFailures")) return { ok: true, ...base };
  const failedFrom = firstReportedFailure(outcome.payload, batch);
  return failedFrom === undefined ? { ok: true, ...base } : { ok: false, failedFrom, ...base };
}

/** The lowest reported sequence number's index; an unknown or malformed identifier fails the whole batch (index 0). */
function firstReportedFailure(payload: Buffer, batch: StreamRecord[]): number | undefined {
  let items: unknown;
  try {
    items = payload.length
      ? (JSON.parse(payload.toString("utf8")) as { batchItemFailures?: unknown } | null)?.batchItemFailures
      : undefined;
  } catch {
    return 0;
  }
  if (items === undefined || items === null || (Array.isArray(items) && items.length === 0)) return undefined;
  if (!Array.isArray(items)) return 0;
  const indexes = items.map((item) =>
    batch.findIndex((r) => r.dynamodb.SequenceNumber === (item as { itemIdentifier?: unknown })?.itemIdentifier),
  );
  return indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
}

/** The OnFailure record of a stream batch: where the skipped records are, not the records themselves. */
async function reportFailure(
  runtime: ServiceRuntime,
  shard: Shard,
  mapping: StoredMapping,
  records: StreamRecord[],
  invokeCount: number,
  condition: string,
  result: BatchResult,
): Promise<void> {
  const destination = mapping.DestinationConfig?.OnFailure?.Destination;
  if (!destination) return;
  const arrival = (r: StreamRecord) => new Date((r.dynamodb.ApproximateCreationDateTime ?? 0) * 1000).toISOString().replace(".000Z", "Z");
  const record = {
    requestContext: { requestId: randomUUID(), functionArn: mapping.FunctionArn, condition, approximateInvokeCount: invokeCount },
    responseContext: {
      statusCode: 200,
      executedVersion: result.executedVersion ?? "$LATEST",
      ...(result.functionError ? { functionError: "Unhandled" } : {}),
    },
    version: "1.0",
    timestamp: new Date(runtime.now()).toISOString(),
    DDBStreamBatchInfo: {
      shardId: shard.shardId,
      startSequenceNumber: records[0].dynamodb.SequenceNumber,
      endSequenceNumber: records[records.length - 1].dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival(records[0]),
      approximateArrivalOfLastRecord: arrival(records[records.length - 1]),
      batchSize: records.length,
      streamArn: shard.arn,
    },
  };
  await deliver(runtime, destination, JSON.stringify(record), { sourceArn: mapping.EventSourceMappingArn as string });
}

/** A stream record as Lambda's event carries it: JSON types (epoch seconds, base64 binaries) plus its source ARN. */
function lambdaRecord(record: unknown, arn: string): StreamRecord {
  const json = toJson(record) as JsonObject;
  // The Streams API names these Type/PrincipalId; Lambda's event uses type/principalId (TTL deletions).
  const identity = json.userIdentity as { Type?: string; PrincipalId?: string } | undefined;
  if (identity) json.userIdentity = { type: identity.Type ?? null, principalId: identity.PrincipalId ?? null };
  return { ...json, eventSourceARN: arn } as unknown as StreamRecord;
}

function toJson(value: unknown): unknown {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}
