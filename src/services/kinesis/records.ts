import { createHash } from "node:crypto";
import type {
  ChildShard,
  GetRecordsInput,
  GetRecordsOutput,
  GetShardIteratorInput,
  GetShardIteratorOutput,
  PutRecordInput,
  PutRecordOutput,
  PutRecordsInput,
  PutRecordsOutput,
  PutRecordsResultEntry,
  _Record as KinesisRecord,
} from "@aws-sdk/client-kinesis";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import {
  Constraints,
  HASH_KEY,
  InvalidArgumentException,
  ResourceNotFoundException,
  SEQUENCE_NUMBER,
  ValidationException,
} from "./errors.js";
import { decodeIterator, encodeIterator, type IteratorState } from "./iterators.js";
import {
  MAX_HASH_KEY,
  type ShardMeta,
  type StreamMeta,
  nextSequence,
  saveStream,
  sequenceAt,
  shardRouter,
  shardIdOf,
  shardNamed,
  shardRecords,
  streamNamed,
  streams,
  trimShard,
} from "./state.js";

const DryRunOperationException = errorClass("DryRunOperationException", 400);

const MAX_DATA_BYTES = 10 * 1024 * 1024;
const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
const MAX_GET_RECORDS = 10000;
const MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024;

interface Entry {
  Data?: Uint8Array;
  PartitionKey?: string;
  ExplicitHashKey?: string;
}

function checkEntry(checker: Constraints, entry: Entry, prefix: string): Constraints {
  if (entry.PartitionKey === undefined) {
    checker.issues.push({ path: `${prefix}partitionKey`, value: null, constraint: "Member must not be null", kind: "required" });
  }
  return checker
    .size(`${prefix}data`, entry.Data, MAX_DATA_BYTES)
    .length(`${prefix}partitionKey`, entry.PartitionKey, 1, 256)
    .pattern(`${prefix}explicitHashKey`, entry.ExplicitHashKey, HASH_KEY);
}

function checkDryRun(dryRun: boolean | undefined): void {
  if (dryRun) throw new DryRunOperationException("Request would have succeeded, but DryRun flag is set.");
}

/** The hash key that picks the shard: the ExplicitHashKey, else the MD5 of the partition key as a 128-bit number. */
function hashKeyOf(entry: Entry): bigint {
  if (entry.ExplicitHashKey !== undefined) {
    const key = BigInt(entry.ExplicitHashKey);
    if (key > MAX_HASH_KEY) {
      throw new InvalidArgumentException(
        `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${entry.ExplicitHashKey}`,
      );
    }
    return key;
  }
  return BigInt(
    `0x${createHash("md5")
      .update(entry.PartitionKey as string, "utf8")
      .digest("hex")}`,
  );
}

function checkRecordSize(stream: StreamMeta, entry: Entry): number {
  const size = (entry.Data as Uint8Array).byteLength + Buffer.byteLength(entry.PartitionKey as string);
  const max = stream.maxRecordSizeKiB * 1024;
  if (size > max) {
    throw new ValidationException(
      `Record size ${size} bytes (data blob plus partition key) exceeds the maximum record size of ${max} bytes of stream ${stream.name}.`,
    );
  }
  return size;
}

/** Appends one record to its shard; the caller saves the stream (its sequence counter moved). */
function appendRecord(ctx: RequestContext, stream: StreamMeta, shard: ShardMeta, entry: Entry) {
  const now = ctx.runtime.now();
  trimShard(ctx.store, stream, shard, now);
  const sequence = nextSequence(stream, now, shard.index);
  shardRecords(ctx.store, stream, shard).set(sequence, {
    data: Buffer.from(entry.Data as Uint8Array).toString("base64"),
    partitionKey: entry.PartitionKey as string,
    arrival: now,
    ...(stream.encryption ? { encrypted: true } : {}),
  });
  return { ShardId: shard.id, SequenceNumber: sequence };
}

export function putRecord(input: PutRecordInput, ctx: RequestContext): PutRecordOutput {
  checkEntry(new Constraints().stream(input), input, "")
    .pattern("sequenceNumberForOrdering", input.SequenceNumberForOrdering, SEQUENCE_NUMBER)
    .throwIfAny();
  const stream = streamNamed(ctx, input);
  checkRecordSize(stream, input);
  checkDryRun(input.DryRun);
  const result = appendRecord(ctx, stream, shardRouter(stream)(hashKeyOf(input)), input);
  saveStream(ctx, stream);
  return { ...result, ...(stream.encryption ? { EncryptionType: "KMS" } : {}) };
}

export function putRecords(input: PutRecordsInput, ctx: RequestContext): PutRecordsOutput {
  const checker = new Constraints().stream(input).length("records", input.Records, 1, 500);
  for (const [i, entry] of (input.Records ?? []).entries()) checkEntry(checker, entry, `records.${i + 1}.member.`);
  checker.throwIfAny();
  const stream = streamNamed(ctx, input);
  const entries = input.Records ?? [];
  const total = entries.reduce((sum, entry) => sum + checkRecordSize(stream, entry), 0);
  if (total > MAX_PUT_RECORDS_BYTES) {
    throw new InvalidArgumentException(`Records size ${total} bytes exceeds the PutRecords limit of ${MAX_PUT_RECORDS_BYTES} bytes.`);
  }
  // Hash keys are checked before anything is written: a bad one fails the whole request.
  const shardFor = shardRouter(stream);
  const shards = entries.map((entry) => shardFor(hashKeyOf(entry)));
  checkDryRun(input.DryRun);
  const results: PutRecordsResultEntry[] = entries.map((entry, i) => appendRecord(ctx, stream, shards[i], entry));
  saveStream(ctx, stream);
  return { FailedRecordCount: 0, Records: results, ...(stream.encryption ? { EncryptionType: "KMS" } : {}) };
}

const POSITION_HELP =
  "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber.";

export function getShardIterator(input: GetShardIteratorInput, ctx: RequestContext): GetShardIteratorOutput {
  new Constraints()
    .stream(input)
    .shardId("shardId", input.ShardId)
    .pattern("startingSequenceNumber", input.StartingSequenceNumber, SEQUENCE_NUMBER)
    .throwIfAny();
  const stream = streamNamed(ctx, input);
  const shard = shardNamed(ctx, stream, input.ShardId as string);
  const now = ctx.runtime.now();
  trimShard(ctx.store, stream, shard, now);
  const position = startPosition(ctx, stream, shard, input);
  checkDryRun(input.DryRun);
  return { ShardIterator: encodeIterator({ stream: stream.name, uid: stream.uid, shard: shard.id, ...position, issuedAt: now }) };
}

function startPosition(ctx: RequestContext, stream: StreamMeta, shard: ShardMeta, input: GetShardIteratorInput) {
  const type = input.ShardIteratorType as string;
  const sequence = input.StartingSequenceNumber;
  const bySequence = type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER";
  if (bySequence && sequence === undefined) {
    throw new InvalidArgumentException(`${POSITION_HELP} Request specified ${type} and no StartingSequenceNumber.`);
  }
  if (!bySequence && sequence !== undefined) {
    throw new InvalidArgumentException(`${POSITION_HELP} Request specified ${type} and also a StartingSequenceNumber.`);
  }
  if (type === "TRIM_HORIZON") return { from: "", exclusive: false };
  if (type === "LATEST") return { from: latestSequence(ctx, stream, shard), exclusive: true };
  if (type === "AT_TIMESTAMP") return { from: timestampPosition(ctx, input.Timestamp), exclusive: false };
  checkSequenceOfShard(ctx, stream, shard, sequence as string);
  return { from: sequence as string, exclusive: type === "AFTER_SEQUENCE_NUMBER" };
}

/** The last record of the shard (or its start, or its end once closed): LATEST reads what comes after it. */
function latestSequence(ctx: RequestContext, stream: StreamMeta, shard: ShardMeta): string {
  if (shard.endSequence !== undefined) return shard.endSequence;
  for (const [sequence] of shardRecords(ctx.store, stream, shard).entriesReversed()) return sequence;
  return shard.startSequence;
}

function timestampPosition(ctx: RequestContext, timestamp: Date | undefined): string {
  if (timestamp === undefined) {
    throw new InvalidArgumentException(
      "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.",
    );
  }
  const now = ctx.runtime.now();
  if (timestamp.getTime() > now) {
    throw new InvalidArgumentException(
      `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${timestamp.getTime()}, currentTimestampInMillis: ${now}`,
    );
  }
  return sequenceAt(timestamp.getTime());
}

/** A sequence number must be one this stream could have given to this shard. */
function checkSequenceOfShard(ctx: RequestContext, stream: StreamMeta, shard: ShardMeta, sequence: string): void {
  const parsed = /^49\d{54}$/.test(sequence) ? Number(sequence.slice(36)) : undefined;
  if (parsed === undefined || BigInt(sequence.slice(16, 36)) > BigInt(stream.counter)) {
    throw new InvalidArgumentException(
      `StartingSequenceNumber ${sequence} used in GetShardIterator on shard ${shard.id} in stream ${stream.name} under account ${ctx.account} is invalid because it did not come from this stream.`,
    );
  }
  if (parsed !== shard.index) {
    throw new InvalidArgumentException(
      `Invalid StartingSequenceNumber. It encodes ${shardIdOf(parsed)}, while it was used in a call to a shard with ${shard.id}`,
    );
  }
}

export function getRecords(input: GetRecordsInput, ctx: RequestContext): GetRecordsOutput {
  new Constraints()
    .length("shardIterator", input.ShardIterator, 1, 512)
    .range("limit", input.Limit, 1, MAX_GET_RECORDS)
    .streamArn("streamARN", input.StreamARN)
    .throwIfAny();
  const iterator = decodeIterator(input.ShardIterator as string, ctx);
  const stream = streams(ctx.store).get(iterator.stream);
  const shard = stream?.uid === iterator.uid ? stream.shards.find((s) => s.id === iterator.shard) : undefined;
  if (!stream || !shard) {
    throw new ResourceNotFoundException(`Shard ${iterator.shard} in stream ${iterator.stream} under account ${ctx.account} does not exist`);
  }
  if (input.StreamARN !== undefined && input.StreamARN !== stream.arn) {
    throw new InvalidArgumentException(`StreamARN ${input.StreamARN} does not match the stream of the ShardIterator.`);
  }
  checkDryRun(input.DryRun);
  const now = ctx.runtime.now();
  trimShard(ctx.store, stream, shard, now);
  const page = readPage(ctx, stream, shard, iterator, input.Limit ?? MAX_GET_RECORDS);
  const last = page.records[page.records.length - 1];
  const next: IteratorState = last ? { ...iterator, from: last.SequenceNumber as string, exclusive: true } : iterator;
  const exhausted = shard.endSequence !== undefined && page.behind === undefined;
  return {
    Records: page.records,
    MillisBehindLatest: page.behind === undefined ? 0 : Math.max(0, now - page.behind),
    ...(exhausted ? { ChildShards: childShards(stream, shard) } : { NextShardIterator: encodeIterator({ ...next, issuedAt: now }) }),
  };
}

/**
 * Up to `limit` records within GetRecords' 10 MiB, in sequence order. `behind` is the arrival time of the
 * first record left unread, if any: how far the reader is from the tip.
 */
function readPage(ctx: RequestContext, stream: StreamMeta, shard: ShardMeta, iterator: IteratorState, limit: number) {
  const records: KinesisRecord[] = [];
  let bytes = 0;
  let behind: number | undefined;
  for (const [sequence, record] of shardRecords(ctx.store, stream, shard).entriesFrom(iterator.from)) {
    if (iterator.exclusive && sequence === iterator.from) continue;
    const size = record.data.length * 0.75 + record.partitionKey.length;
    if (records.length === limit || (records.length && bytes + size > MAX_GET_RECORDS_BYTES)) {
      behind = record.arrival;
      break;
    }
    bytes += size;
    records.push({
      SequenceNumber: sequence,
      ApproximateArrivalTimestamp: new Date(record.arrival),
      Data: Buffer.from(record.data, "base64"),
      PartitionKey: record.partitionKey,
      ...(record.encrypted ? { EncryptionType: "KMS" } : {}),
    });
  }
  return { records, behind };
}

/** The shards that took over a closed shard's range: where a reader goes on once it is read to its end. */
function childShards(stream: StreamMeta, shard: ShardMeta): ChildShard[] {
  return stream.shards
    .filter((s) => s.parents.includes(shard.id))
    .map((s) => ({ ShardId: s.id, ParentShards: s.parents, HashKeyRange: { StartingHashKey: s.startHash, EndingHashKey: s.endHash } }));
}
