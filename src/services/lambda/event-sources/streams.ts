import type { ScopeStore } from "../../../state/store.js";
import type { CallOptions, ServiceRuntime } from "../../types.js";
import { serviceContext } from "../async-invoke.js";
import { nameAndQualifier, resolveFunction } from "../names.js";
import { currentMapping, type PollerHandle, pause, recordResult, type StoredMapping } from "./state.js";
import { closeWindow, processBatch, type Shard } from "./stream-delivery.js";
import { type EventRecord, type ShardInfo, type StartPosition, type StreamSource, streamSourceFor } from "./stream-sources.js";
import type { TumblingWindow } from "./windows.js";

/** Lambda polls each shard about four times a second; an idle shard costs one GetRecords per interval. */
const POLL_INTERVAL_MS = 250;
const SHARD_DISCOVERY_MS = 10_000;
const PROBLEM_BACKOFF_MS = 2_000;
const MAX_GET_RECORDS = 1000;
/** The checkpoint of a closed shard read to its end (its children may start). */
const SHARD_END = "SHARD_END";

/** One mapping's view of its stream: the shards it knows, and which it has started and finished reading. */
interface StreamPoll {
  runtime: ServiceRuntime;
  handle: PollerHandle;
  source: StreamSource;
  arn: string;
  call: CallOptions;
  known: Map<string, ShardInfo>;
  /** When the poller started (ms): where LATEST reads from. */
  startedAt: number;
  /** Shards of the first listing start at the mapping's StartingPosition; later ones (children) from their start. */
  initial?: Set<string>;
  started: Set<string>;
  finished: Set<string>;
}

/** Last processed sequence number per mapping and shard, so a restarted server resumes where it stopped. */
const checkpointCollection = (store: ScopeStore) => store.collection<string>("event-source-checkpoints");
const checkpoints = (runtime: ServiceRuntime, handle: PollerHandle) =>
  checkpointCollection(runtime.storeFor(handle.account, handle.region));

const checkpointKey = (handle: PollerHandle, shardId: string) => `${handle.uuid}/${shardId}`;

/** The open tumbling window (with its state) of each mapping and shard, as of its checkpoint. */
const windowCollection = (store: ScopeStore) => store.collection<TumblingWindow>("event-source-windows");

/** Drops a deleted mapping's checkpoints and windows. */
export function forgetCheckpoints(store: ScopeStore, uuid: string): void {
  for (const collection of [checkpointCollection(store), windowCollection(store)])
    for (const key of [...collection.keys()]) if (key.startsWith(`${uuid}/`)) collection.delete(key);
}

/**
 * Records a shard's progress: its checkpoint and its open window, written together so that after a restart
 * the records after the checkpoint are delivered again with the window's state as it was then.
 */
function saveProgress(runtime: ServiceRuntime, handle: PollerHandle, shard: Shard, checkpoint?: string): void {
  const store = runtime.storeFor(handle.account, handle.region);
  const key = checkpointKey(handle, shard.shardId);
  runtime.state.transaction(() => {
    if (checkpoint) checkpointCollection(store).set(key, checkpoint);
    if (shard.window) windowCollection(store).set(key, { ...shard.window });
    else windowCollection(store).delete(key);
  });
}

function savedWindow(runtime: ServiceRuntime, handle: PollerHandle, shardId: string): TumblingWindow | undefined {
  const window = windowCollection(runtime.storeFor(handle.account, handle.region)).get(checkpointKey(handle, shardId));
  return window ? { ...window } : undefined;
}

/** Starts reading every shard of the mapping's stream (DynamoDB Streams or Kinesis), discovering new shards as they appear. */
export function pollStream(runtime: ServiceRuntime, handle: PollerHandle): void {
  const mapping = currentMapping(runtime, handle);
  if (!mapping) return;
  const source = streamSourceFor(mapping.EventSourceArn as string);
  const arn = source.streamArn(mapping.EventSourceArn as string);
  const [, , , region, account] = arn.split(":");
  const call: CallOptions = { account, region, asService: "lambda", sourceArn: mapping.FunctionArn };
  const poll: StreamPoll = {
    runtime,
    handle,
    source,
    arn,
    call,
    known: new Map(),
    startedAt: runtime.now(),
    started: new Set(),
    finished: new Set(),
  };
  discoverShards(poll).catch((err) => console.error("[overcast] stream event source poller failed:", err));
}

async function discoverShards(poll: StreamPoll): Promise<void> {
  while (currentMapping(poll.runtime, poll.handle)) {
    await refreshShards(poll);
    await pause(poll.runtime, SHARD_DISCOVERY_MS);
  }
}

/** Lists the stream's shards and starts those whose parents are done (or gone). */
async function refreshShards(poll: StreamPoll): Promise<void> {
  let listed: ShardInfo[];
  try {
    listed = await poll.source.listShards(poll.runtime, poll.arn, poll.call);
  } catch {
    recordResult(poll.runtime, poll.handle, "PROBLEM: Stream not found or not readable.");
    return;
  }
  for (const shard of listed) poll.known.set(shard.shardId, shard);
  poll.initial ??= new Set(listed.map((s) => s.shardId));
  for (const shard of listed) {
    if (poll.started.has(shard.shardId) || !currentMapping(poll.runtime, poll.handle)) continue;
    if (checkpoints(poll.runtime, poll.handle).get(checkpointKey(poll.handle, shard.shardId)) === SHARD_END) {
      poll.started.add(shard.shardId);
      poll.finished.add(shard.shardId);
    }
  }
  startReadyShards(poll);
}

/** A parent is read to its end before its children, so records of one key stay in order across resharding. */
function startReadyShards(poll: StreamPoll): void {
  // A window saved before TumblingWindowInSeconds was turned off is not resumed.
  const windowed = (currentMapping(poll.runtime, poll.handle)?.TumblingWindowInSeconds ?? 0) > 0;
  for (const shard of poll.known.values()) {
    if (poll.started.has(shard.shardId)) continue;
    if (!shard.parents.every((parent) => poll.finished.has(parent) || !poll.known.has(parent))) continue;
    poll.started.add(shard.shardId);
    const reading: Shard = {
      source: poll.source,
      arn: poll.arn,
      shardId: shard.shardId,
      parents: shard.parents,
      call: poll.call,
      window: windowed ? savedWindow(poll.runtime, poll.handle, shard.shardId) : undefined,
    };
    readShard(poll, reading).catch((err) => console.error("[overcast] shard reader failed:", err));
  }
}

/** Reads one shard in order: a batch is retried (or sent to the failure destination) before the next is read. */
async function readShard(poll: StreamPoll, shard: Shard): Promise<void> {
  const { runtime, handle } = poll;
  let iterator: string | undefined;
  for (let mapping = currentMapping(runtime, handle); mapping; mapping = currentMapping(runtime, handle)) {
    try {
      iterator ??= await shardIterator(poll, shard, mapping);
      const { records, next } = await collectBatch(runtime, handle, shard, mapping, iterator);
      iterator = next;
      if (records.length && currentMapping(runtime, handle)) {
        await processBatch(runtime, handle, shard, mapping, records);
        if (!handle.active()) return; // stopped mid-batch: the unprocessed records are read again when it resumes
        saveProgress(runtime, handle, shard, records[records.length - 1].sequenceNumber);
      }
      if (!next) {
        await closeWindow(runtime, handle, shard, mapping);
        return finishShard(poll, shard);
      }
      if (!records.length) {
        if (shard.window && runtime.now() / 1000 >= shard.window.end) {
          await closeWindow(runtime, handle, shard, mapping);
          if (handle.active()) saveProgress(runtime, handle, shard);
        }
        await pause(runtime, POLL_INTERVAL_MS);
      }
    } catch {
      iterator = undefined; // expired or trimmed: start again from the checkpoint
      await pause(runtime, PROBLEM_BACKOFF_MS);
    }
  }
}

/** A closed shard read to its end: its children may start now rather than at the next discovery. */
async function finishShard(poll: StreamPoll, shard: Shard): Promise<void> {
  if (!currentMapping(poll.runtime, poll.handle)) return;
  saveProgress(poll.runtime, poll.handle, shard, SHARD_END);
  poll.finished.add(shard.shardId);
  await refreshShards(poll);
}

async function shardIterator(poll: StreamPoll, shard: Shard, mapping: StoredMapping): Promise<string> {
  const checkpoint = checkpoints(poll.runtime, poll.handle).get(checkpointKey(poll.handle, shard.shardId));
  const { ShardIterator } = await poll.runtime.services.call<{ ShardIterator: string }>(
    shard.source.service,
    "GetShardIterator",
    shard.source.iteratorInput(shard.arn, shard.shardId, startPosition(poll, shard, mapping, checkpoint)),
    shard.call,
  );
  return ShardIterator;
}

/**
 * After its checkpoint; otherwise the mapping's StartingPosition for the shards it found at first, and the
 * start of any shard that appeared later or whose parent it read (all of a child's records are new to it).
 */
function startPosition(poll: StreamPoll, shard: Shard, mapping: StoredMapping, checkpoint: string | undefined): StartPosition {
  if (checkpoint) return { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: checkpoint };
  const parentRead = shard.parents.some((parent) => checkpoints(poll.runtime, poll.handle).has(checkpointKey(poll.handle, parent)));
  if (!poll.initial?.has(shard.shardId) || parentRead) return { type: "TRIM_HORIZON" };
  if (mapping.StartingPosition === "AT_TIMESTAMP") return { type: "AT_TIMESTAMP", timestamp: mapping.StartingPositionTimestamp ?? 0 };
  return mapping.StartingPosition === "TRIM_HORIZON" ? { type: "TRIM_HORIZON" } : poll.source.latest(poll.startedAt);
}

/** Up to BatchSize records: one read, or with a batching window, what arrives within it. */
async function collectBatch(runtime: ServiceRuntime, handle: PollerHandle, shard: Shard, mapping: StoredMapping, iterator: string) {
  const batchSize = mapping.BatchSize ?? 100;
  const deadline = runtime.now() + (mapping.MaximumBatchingWindowInSeconds ?? 0) * 1000;
  const [, , , region] = shard.arn.split(":");
  const context = { streamArn: shard.arn, shardId: shard.shardId, region, role: functionRole(runtime, handle, mapping) };
  const records: EventRecord[] = [];
  let next: string | undefined = iterator;
  while (next && records.length < batchSize) {
    const read: { Records?: unknown[]; NextShardIterator?: string } = await runtime.services.call(
      shard.source.service,
      "GetRecords",
      { ShardIterator: next, Limit: Math.min(MAX_GET_RECORDS, batchSize - records.length) },
      shard.call,
    );
    records.push(...(read.Records ?? []).map((r) => shard.source.eventRecord(r, context)));
    next = read.NextShardIterator;
    if (runtime.now() >= deadline || (read.Records ?? []).length === 0) {
      if (!records.length || runtime.now() >= deadline) break;
      await pause(runtime, POLL_INTERVAL_MS);
    }
  }
  return { records, next };
}

/** The execution role the function runs with, which Kinesis events name as invokeIdentityArn. */
function functionRole(runtime: ServiceRuntime, handle: PollerHandle, mapping: StoredMapping): string | undefined {
  try {
    const { name, qualifier } = nameAndQualifier(mapping.FunctionArn as string, undefined);
    return resolveFunction(serviceContext(runtime, handle.account, handle.region), name, qualifier).config.Role;
  } catch {
    return undefined; // the function is gone: the invocation reports it
  }
}
