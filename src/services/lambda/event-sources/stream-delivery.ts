import { createHash } from "node:crypto";
import type { JsonObject } from "../../../internal/event-pattern.js";
import type { CallOptions, ServiceRuntime } from "../../types.js";
import { invokeFunction } from "../invoke.js";
import { type DiscardCondition, reportDiscard } from "./failure-records.js";
import { parseFilters, passesFilters } from "./filters.js";
import { type PollerHandle, pause, recordResult, type StoredMapping } from "./state.js";
import type { EventRecord, StreamSource } from "./stream-sources.js";
import { returnedState, runsByWindow, type TumblingWindow, windowEvent, windowOf } from "./windows.js";

const RETRY_DELAY_MS = 200;

/** One shard as its reader delivers it. */
export interface Shard {
  source: StreamSource;
  arn: string;
  shardId: string;
  parents: string[];
  call: CallOptions;
  /** The open tumbling window of this shard's reader, if the mapping has TumblingWindowInSeconds. */
  window?: TumblingWindow;
}

/** Filters the batch, then runs each partition (ParallelizationFactor) concurrently, in order within each. */
export async function processBatch(
  runtime: ServiceRuntime,
  handle: PollerHandle,
  shard: Shard,
  mapping: StoredMapping,
  records: EventRecord[],
) {
  const patterns = parseFilters(mapping.FilterCriteria);
  const kept = patterns.length ? records.filter((r) => passesFilters(patterns, r.filterView())) : records;
  const windowSeconds = mapping.TumblingWindowInSeconds ?? 0;
  if (windowSeconds > 0) return processWindowed(runtime, handle, shard, mapping, kept, windowSeconds);
  shard.window = undefined; // windows were turned off: the open one is dropped with the next checkpoint
  const partitions = new Map<number, EventRecord[]>();
  const factor = mapping.ParallelizationFactor ?? 1;
  for (const record of kept) {
    const key = factor === 1 ? 0 : createHash("md5").update(record.partitionKey).digest().readUInt32BE(0) % factor;
    partitions.set(key, [...(partitions.get(key) ?? []), record]);
  }
  await Promise.all([...partitions.values()].map((batch) => deliverBatch(runtime, handle, shard, mapping, batch)));
}

/** Each run of records of one window goes to the function with the window's state; a new window closes the last. */
async function processWindowed(
  runtime: ServiceRuntime,
  handle: PollerHandle,
  shard: Shard,
  mapping: StoredMapping,
  records: EventRecord[],
  seconds: number,
): Promise<void> {
  for (const run of runsByWindow(records, seconds)) {
    const window = windowOf(run[0].arrival, seconds);
    if (shard.window && shard.window.start !== window.start) await closeWindow(runtime, handle, shard, mapping);
    shard.window ??= window;
    await deliverBatch(runtime, handle, shard, mapping, run);
  }
}

/** The final invocation of a window (no records, isFinalInvokeForWindow): retried until it succeeds, as Lambda pauses the shard. */
export async function closeWindow(runtime: ServiceRuntime, handle: PollerHandle, shard: Shard, mapping: StoredMapping): Promise<void> {
  const window = shard.window;
  if (!window) return;
  while (handle.active()) {
    const outcome = await invokeWith(runtime, handle, mapping, windowEvent([], window, shard.shardId, shard.arn, true)).catch(
      () => undefined,
    );
    if (outcome && !outcome.failed) break;
    recordResult(runtime, handle, "PROBLEM: Function call failed");
    await pause(runtime, RETRY_DELAY_MS);
  }
  shard.window = undefined;
}

function invokeWith(runtime: ServiceRuntime, handle: PollerHandle, mapping: StoredMapping, event: JsonObject) {
  return invokeFunction(runtime, {
    account: handle.account,
    region: handle.region,
    functionName: mapping.FunctionArn as string,
    payload: Buffer.from(JSON.stringify(event)),
  });
}

/**
 * Invokes the function until the batch succeeds, retries run out or its records are too old; then the
 * failed records are reported to the OnFailure destination and skipped. Bisection halves a failing batch.
 */
async function deliverBatch(runtime: ServiceRuntime, handle: PollerHandle, shard: Shard, mapping: StoredMapping, batch: EventRecord[]) {
  let pending = [batch];
  let attempts = 0;
  let last: BatchResult | undefined;
  const skip = async (records: EventRecord[], condition: DiscardCondition) => {
    const discard = { records, condition, invokeCount: attempts, last, payload: batchEvent(shard, records) };
    await reportDiscard(runtime, handle, shard, mapping, discard);
  };
  while (pending.length && handle.active()) {
    const current = pending[0];
    // Checked before each invocation: records that waited too long (behind a failing batch, or in a backlog) are skipped unsent.
    const expired = expiredCount(current, runtime.now() / 1000, mapping.MaximumRecordAgeInSeconds ?? -1);
    if (expired) {
      await skip(current.slice(0, expired), "RecordAgeExceeded");
      pending = expired < current.length ? [current.slice(expired), ...pending.slice(1)] : pending.slice(1);
      if (expired === current.length) [attempts, last] = [0, undefined];
      continue;
    }
    const result = await invokeBatch(runtime, handle, shard, mapping, current);
    attempts += 1;
    if (result.ok) {
      recordResult(runtime, handle, "OK");
      pending = pending.slice(1);
      [attempts, last] = [0, undefined];
      continue;
    }
    recordResult(runtime, handle, "PROBLEM: Function call failed");
    last = result;
    const remaining = result.failedFrom !== undefined ? current.slice(result.failedFrom) : current;
    const maxRetries = mapping.MaximumRetryAttempts ?? -1;
    if (maxRetries !== -1 && attempts > maxRetries) {
      await skip(remaining, "RetryAttemptsExhausted");
      pending = pending.slice(1);
      [attempts, last] = [0, undefined];
      continue;
    }
    pending =
      mapping.BisectBatchOnFunctionError && remaining.length > 1
        ? [remaining.slice(0, remaining.length >> 1), remaining.slice(remaining.length >> 1), ...pending.slice(1)]
        : [remaining, ...pending.slice(1)];
    await pause(runtime, RETRY_DELAY_MS);
  }
}

/**
 * How many of the batch's first records are older than MaximumRecordAgeInSeconds (-1: none ever are). Records
 * are in arrival order, so the expired ones lead the batch.
 */
export function expiredCount(records: EventRecord[], nowSeconds: number, maxAgeSeconds: number): number {
  if (maxAgeSeconds === -1) return 0;
  const firstFresh = records.findIndex((record) => nowSeconds - record.arrival <= maxAgeSeconds);
  return firstFresh === -1 ? records.length : firstFresh;
}

/** The event of one invocation: the records, with the window's state when the mapping has tumbling windows. */
function batchEvent(shard: Shard, batch: EventRecord[]): JsonObject {
  const window = shard.window;
  return window ? windowEvent(batch, window, shard.shardId, shard.arn, false) : { Records: batch.map((r) => r.event) };
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
  shard: Shard,
  mapping: StoredMapping,
  batch: EventRecord[],
): Promise<BatchResult> {
  const window = shard.window;
  const event = batchEvent(shard, batch);
  let outcome: Awaited<ReturnType<typeof invokeFunction>>;
  try {
    outcome = await invokeWith(runtime, handle, mapping, event);
  } catch {
    return { ok: false };
  }
  const base = { executedVersion: outcome.executedVersion, functionError: outcome.failed };
  if (outcome.failed) return { ok: false, ...base };
  if (window) {
    const state = returnedState(parseResponse(outcome.payload));
    if (state === undefined) return { ok: false, ...base };
    window.state = state;
  }
  if (!mapping.FunctionResponseTypes?.includes("ReportBatchItemFailures")) return { ok: true, ...base };
  const failedFrom = firstReportedFailure(outcome.payload, batch);
  return failedFrom === undefined ? { ok: true, ...base } : { ok: false, failedFrom, ...base };
}

function parseResponse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The lowest reported sequence number's index; an unknown or malformed identifier fails the whole batch (index 0). */
function firstReportedFailure(payload: Buffer, batch: EventRecord[]): number | undefined {
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
  const indexes = items.map((item) => batch.findIndex((r) => r.sequenceNumber === (item as { itemIdentifier?: unknown })?.itemIdentifier));
  return indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
}
