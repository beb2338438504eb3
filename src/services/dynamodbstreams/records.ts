import type {
  GetRecordsInput,
  GetRecordsOutput,
  GetShardIteratorInput,
  GetShardIteratorOutput,
  _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { ConstraintChecker, ValidationException } from "../dynamodb/errors.js";
import { type StreamMeta, sequenceIndex, sequenceNumber, streamRecordToWire, streamRecordsOf, trimStream } from "../dynamodb/streams.js";
import type { RequestContext } from "../types.js";
import { ExpiredIteratorException, ResourceNotFoundException, TrimmedDataAccessException, dynamodbStore, streamFor } from "./state.js";
import { checkStreamArn } from "./streams.js";

const ITERATOR_TTL_MS = 15 * 60 * 1000;
const MAX_RECORDS = 1000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Where an iterator reads: records n ≥ from; a TRIM_HORIZON iterator follows the trim point instead of failing. */
interface IteratorState {
  arn: string;
  shard: string;
  from: number;
  horizon: boolean;
  /** When the iterator was handed out: it is valid for 15 minutes. */
  at: number;
}

/** AWS's iterators are `<stream arn>|1|<opaque>`; ours carry the state in the opaque part. */
function encodeIterator(state: IteratorState): string {
  const { arn, ...rest } = state;
  return `${arn}|1|${Buffer.from(JSON.stringify(rest)).toString("base64")}`;
}

function decodeIterator(text: string): IteratorState {
  const at = text.lastIndexOf("|1|");
  try {
    const state = { arn: text.slice(0, at), ...JSON.parse(Buffer.from(text.slice(at + 3), "base64").toString("utf8")) };
    const valid =
      at > 0 &&
      typeof state.shard === "string" &&
      Number.isSafeInteger(state.from) &&
      typeof state.horizon === "boolean" &&
      Number.isFinite(state.at);
    if (valid) return state as IteratorState;
  } catch {
    // Falls through to the error below.
  }
  throw new ValidationException("Invalid ShardIterator");
}

function shardOf(ctx: RequestContext, arn: string | undefined, shardId: string | undefined): StreamMeta {
  const stream = trimStream(dynamodbStore(ctx), streamFor(ctx, arn), ctx.runtime.now());
  if (shardId !== stream.shardId) {
    throw new ResourceNotFoundException(`Requested resource not found: Shard: ${shardId} in Stream: ${arn} not found`);
  }
  return stream;
}

const trimmedError = () => new TrimmedDataAccessException("The data you are trying to access has been trimmed.");

export function getShardIterator(input: GetShardIteratorInput, ctx: RequestContext): GetShardIteratorOutput {
  checkStreamArn(new ConstraintChecker(), "streamArn", input.StreamArn)
    .length("shardId", input.ShardId, 28, 65)
    .length("sequenceNumber", input.SequenceNumber, 21, 40)
    .throwIfAny();
  const stream = shardOf(ctx, input.StreamArn, input.ShardId);
  const type = input.ShardIteratorType as string;
  const bySequence = type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER";
  if (bySequence && input.SequenceNumber === undefined)
    throw new ValidationException(`SequenceNumber is required for ShardIteratorType ${type}`);
  if (!bySequence && input.SequenceNumber !== undefined) {
    throw new ValidationException(`SequenceNumber must not be specified for ShardIteratorType ${type}`);
  }
  const state = { arn: stream.arn, shard: stream.shardId, horizon: type === "TRIM_HORIZON", at: ctx.runtime.now() };
  if (type === "TRIM_HORIZON") return { ShardIterator: encodeIterator({ ...state, from: stream.trimmed + 1 }) };
  if (type === "LATEST") return { ShardIterator: encodeIterator({ ...state, from: stream.last + 1 }) };
  const n = sequenceIndex(stream, input.SequenceNumber as string);
  if (n === undefined) {
    throw new ValidationException(`Invalid SequenceNumber: ${input.SequenceNumber} is not a sequence number of shard ${stream.shardId}`);
  }
  // The shard's StartingSequenceNumber (n = 0) precedes its first record.
  const from = type === "AT_SEQUENCE_NUMBER" ? Math.max(n, 1) : n + 1;
  if (from <= stream.trimmed) throw trimmedError();
  return { ShardIterator: encodeIterator({ ...state, from }) };
}

export function getRecords(input: GetRecordsInput, ctx: RequestContext): GetRecordsOutput {
  new ConstraintChecker().range("limit", input.Limit, 1, MAX_RECORDS).length("shardIterator", input.ShardIterator, 1, 2048).throwIfAny();
  const iterator = decodeIterator(input.ShardIterator as string);
  const now = ctx.runtime.now();
  if (now - iterator.at >= ITERATOR_TTL_MS) {
    throw new ExpiredIteratorException(
      `Iterator expired. The iterator was created at time ${new Date(iterator.at).toUTCString()} while right now it is ${new Date(now).toUTCString()}. The iterator is valid for 15 minutes.`,
    );
  }
  const stream = shardOf(ctx, iterator.arn, iterator.shard);
  if (!iterator.horizon && iterator.from <= stream.trimmed) throw trimmedError();
  const from = Math.max(iterator.from, stream.trimmed + 1);
  const { records, next } = readRecords(ctx, stream, from, input.Limit ?? MAX_RECORDS);
  // A disabled stream's shard is closed: once it is read to its end there is no next iterator.
  const closed = stream.disabledAt !== undefined && next > stream.last;
  const nextState = { ...iterator, from: next, horizon: iterator.horizon && next === from, at: now };
  return { Records: records, ...(closed ? {} : { NextShardIterator: encodeIterator(nextState) }) };
}

/** Up to `limit` records from n = from, within GetRecords' 1 MB; `next` is the n after the last one read. */
function readRecords(ctx: RequestContext, stream: StreamMeta, from: number, limit: number) {
  const records: StreamRecord[] = [];
  let next = from;
  let bytes = 0;
  for (const [sequence, record] of streamRecordsOf(dynamodbStore(ctx), stream).entriesFrom(sequenceNumber(stream, from))) {
    if (records.length === limit || (records.length && bytes + record.size > MAX_RESPONSE_BYTES)) break;
    bytes += record.size;
    records.push(streamRecordToWire(stream, sequence, record));
    next = (sequenceIndex(stream, sequence) as number) + 1;
  }
  return { records, next };
}
