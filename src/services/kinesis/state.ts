import { randomBytes } from "node:crypto";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { InvalidArgumentException, ResourceNotFoundException, streamNotFound } from "./errors.js";

/** 2^128: partition keys hash into [0, 2^128 − 1]. */
export const HASH_SPACE = 1n << 128n;
export const MAX_HASH_KEY = HASH_SPACE - 1n;

export interface ShardMeta {
  id: string;
  index: number;
  /** Decimal HashKeyRange bounds (inclusive). */
  startHash: string;
  endHash: string;
  /** Every shard whose range this one took over (one for a split, two for a merge, up to three for UpdateShardCount). */
  parents: string[];
  startSequence: string;
  createdAt: number;
  /** Set once the shard is closed by resharding. */
  endSequence?: string;
  closedAt?: number;
}

export interface ConsumerMeta {
  name: string;
  arn: string;
  createdAt: number;
  tags: Record<string, string>;
  policy?: string;
}

export interface StreamMeta {
  name: string;
  arn: string;
  /** Unique per incarnation: a stream deleted and created again gets new record collections and iterators fail. */
  uid: string;
  createdAt: number;
  mode: "PROVISIONED" | "ON_DEMAND";
  retentionHours: number;
  maxRecordSizeKiB: number;
  shards: ShardMeta[];
  /** Sequence numbers are built from (time, counter): both only grow, so per-shard order is arrival order. */
  counter: number;
  lastMs: number;
  encryption?: { keyId: string };
  monitoring: string[];
  tags: Record<string, string>;
  consumers: ConsumerMeta[];
  policy?: string;
}

/** A stored data record; the key of its collection is its sequence number. */
export interface StoredRecord {
  /** Base64 data. */
  data: string;
  partitionKey: string;
  arrival: number;
  encrypted?: boolean;
}

export const streams = (store: ScopeStore) => store.collection<StreamMeta>("streams", { sorted: true });

/** One sorted collection per shard: sequence numbers have a fixed width, so key order is sequence order. */
export const shardRecords = (store: ScopeStore, stream: StreamMeta, shard: ShardMeta) =>
  store.collection<StoredRecord>(`records/${stream.uid}/${shard.id}`, { sorted: true });

export const streamArn = (ctx: Pick<RequestContext, "region" | "account">, name: string) =>
  `arn:aws:kinesis:${ctx.region}:${ctx.account}:stream/${name}`;

export const newUid = () => randomBytes(10).toString("hex");

/** The stream a request names by StreamName and/or StreamARN (the ARN must be of this account and region). */
export function streamNamed(ctx: RequestContext, input: { StreamName?: string; StreamARN?: string }): StreamMeta {
  const name = streamNameOf(ctx, input);
  const stream = streams(ctx.store).get(name);
  if (!stream) throw streamNotFound(name, ctx.account);
  return stream;
}

export function streamNameOf(ctx: RequestContext, input: { StreamName?: string; StreamARN?: string }): string {
  if (input.StreamARN === undefined) {
    if (input.StreamName === undefined) throw new InvalidArgumentException("Either StreamName or StreamARN must be provided.");
    return input.StreamName;
  }
  const name = input.StreamARN.slice(input.StreamARN.indexOf(":stream/") + ":stream/".length);
  if (input.StreamName !== undefined && input.StreamName !== name) {
    throw new InvalidArgumentException(`StreamARN ${input.StreamARN} does not match StreamName ${input.StreamName}.`);
  }
  if (input.StreamARN !== streamArn(ctx, name)) throw streamNotFound(name, ctx.account);
  return name;
}

export const saveStream = (ctx: RequestContext, stream: StreamMeta) => streams(ctx.store).set(stream.name, stream);

export const openShards = (stream: StreamMeta) => stream.shards.filter((s) => s.endSequence === undefined);

/** Closed shards outlive their closing by the retention period, then vanish from listings. */
export const visibleShards = (stream: StreamMeta, now: number) =>
  stream.shards.filter((s) => s.closedAt === undefined || s.closedAt > now - retentionMs(stream));

export const retentionMs = (stream: StreamMeta) => stream.retentionHours * 3600_000;

export const shardIdOf = (index: number) => `shardId-${String(index).padStart(12, "0")}`;

/**
 * 56 digits like AWS's: "49", the arrival time in ms (14), a stream-wide counter (20), the shard index (20).
 * Fixed width keeps string order = numeric order; the time part lets AT_TIMESTAMP seek; the shard index lets
 * a sequence number say which shard it belongs to.
 */
export function sequenceNumber(ms: number, counter: number, shardIndex: number): string {
  return `49${String(ms).padStart(14, "0")}${String(counter).padStart(20, "0")}${String(shardIndex).padStart(20, "0")}`;
}

/** The smallest sequence number a record arriving at `ms` could have: where AT_TIMESTAMP starts reading. */
export const sequenceAt = (ms: number) => `49${String(Math.max(0, Math.floor(ms))).padStart(14, "0")}`;

/**
 * Takes the next (time, counter) pair of the stream; the caller saves the stream. The counter is stream-wide, so
 * every sequence number handed out is greater than all earlier ones: SequenceNumberForOrdering's guarantee holds
 * for any sequence number this stream gave, across shards and resharding.
 */
export function nextSequence(stream: StreamMeta, now: number, shardIndex: number): string {
  stream.lastMs = Math.max(stream.lastMs, now);
  stream.counter += 1;
  return sequenceNumber(stream.lastMs, stream.counter, shardIndex);
}

/** New shards for the given ranges, numbered from the stream's next index. */
export function addShards(stream: StreamMeta, now: number, ranges: { start: bigint; end: bigint; parents: string[] }[]): ShardMeta[] {
  const created = ranges.map((range, i) => {
    const index = stream.shards.length + i;
    return {
      id: shardIdOf(index),
      index,
      startHash: range.start.toString(),
      endHash: range.end.toString(),
      parents: range.parents,
      startSequence: nextSequence(stream, now, index),
      createdAt: now,
    };
  });
  stream.shards.push(...created);
  return created;
}

/** `count` even slices of [start, end], as AWS cuts a new stream's hash key space. */
export function evenRanges(count: number, start = 0n, end = MAX_HASH_KEY): { start: bigint; end: bigint }[] {
  const width = end - start + 1n;
  const n = BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    start: start + (width * BigInt(i)) / n,
    end: start + (width * BigInt(i + 1)) / n - 1n,
  }));
}

export function closeShard(stream: StreamMeta, shard: ShardMeta, now: number): void {
  shard.endSequence = nextSequence(stream, now, shard.index);
  shard.closedAt = now;
}

export function shardNamed(ctx: RequestContext, stream: StreamMeta, shardId: string): ShardMeta {
  const shard = stream.shards.find((s) => s.id === shardId);
  if (!shard) {
    throw new ResourceNotFoundException(`Shard ${shardId} in stream ${stream.name} under account ${ctx.account} does not exist`);
  }
  return shard;
}

/**
 * Finds the open shard whose range holds a hash key, by binary search over the open shards' start keys (they
 * tile the key space). Built once per request: a PutRecords of 500 records on hundreds of shards stays cheap.
 */
export function shardRouter(stream: StreamMeta): (hash: bigint) => ShardMeta {
  const open = openShards(stream)
    .map((shard) => ({ shard, start: BigInt(shard.startHash) }))
    .sort((a, b) => (a.start < b.start ? -1 : 1));
  return (hash) => {
    let low = 0;
    let high = open.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (open[mid].start <= hash) low = mid;
      else high = mid - 1;
    }
    return open[low].shard;
  };
}

/** Drops the shard's records older than the retention period; they are the oldest, so it stops at the first kept. */
export function trimShard(store: ScopeStore, stream: StreamMeta, shard: ShardMeta, now: number): void {
  const records = shardRecords(store, stream, shard);
  const horizon = now - retentionMs(stream);
  const expired: string[] = [];
  for (const [sequence, record] of records.entriesFrom()) {
    if (record.arrival >= horizon) break;
    expired.push(sequence);
  }
  for (const sequence of expired) records.delete(sequence);
}

export function dropStreamRecords(store: ScopeStore, stream: StreamMeta): void {
  for (const shard of stream.shards) shardRecords(store, stream, shard).clear();
}
