import { randomBytes, randomUUID } from "node:crypto";
import type { KeySchemaElement, StreamSpecification, StreamViewType, TableDescription } from "@aws-sdk/client-dynamodb";
import type { _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import type { ScopeStore } from "../../state/store.js";
import { ValidationException, invalidParameter } from "./errors.js";
import { type TableRecord, keyOf } from "./storage.js";
import { type Item, itemSize, itemToWire } from "./values.js";

/**
 * DynamoDB Streams' data lives here, in DynamoDB's store: the table's writes append the records, and the
 * `dynamodbstreams` API (the second endpoint of the same product) reads them through these helpers.
 */

/** Records (and a disabled stream itself) are kept 24 hours. */
export const RETENTION_MS = 24 * 3600 * 1000;

/** A table's current stream, as DescribeTable reports it. */
export interface TableStream {
  enabled: boolean;
  viewType: StreamViewType;
  arn: string;
  label: string;
}

export interface StreamMeta {
  arn: string;
  label: string;
  tableName: string;
  viewType: StreamViewType;
  keySchema: KeySchemaElement[];
  createdAt: number;
  /** The one shard: AWS rolls shards every few hours, a single open shard reads the same to consumers. */
  shardId: string;
  /** Sequence number n of the shard is `base + n`: 22 digits, increasing. */
  base: string;
  /** The last record's n (0 before the first record). */
  last: number;
  /** Records with n ≤ trimmed have been removed by the 24-hour retention. */
  trimmed: number;
  disabledAt?: number;
}

export interface StoredStreamRecord {
  eventID: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  at: number;
  keys: Item;
  newImage?: Item;
  oldImage?: Item;
  size: number;
  /** Set when DynamoDB itself made the change (TTL deletes): the record's userIdentity. */
  servicePrincipal?: string;
}

type Holder = { store: ScopeStore };

/** Who makes a change: a request, or DynamoDB itself (the TTL sweep names its service principal, replication marks its writes). */
export interface ChangeContext extends Holder {
  runtime: { now(): number; storeFor(account: string, region: string): ScopeStore };
  servicePrincipal?: string;
  replicated?: boolean;
}

export const streamsOf = (ctx: Holder) => ctx.store.collection<StreamMeta>("streams", { sorted: true });

/** Keyed by sequence number: all have the same width, so key order is sequence order. */
export const streamRecordsOf = (ctx: Holder, stream: StreamMeta) =>
  ctx.store.collection<StoredStreamRecord>(`stream-records/${stream.arn}`, { sorted: true });

export const sequenceNumber = (stream: StreamMeta, n: number) => (BigInt(stream.base) + BigInt(n)).toString();

/** The n of a sequence number of this shard, or undefined when it is not one. */
export function sequenceIndex(stream: StreamMeta, sequence: string): number | undefined {
  if (!/^\d+$/.test(sequence)) return undefined;
  const n = BigInt(sequence) - BigInt(stream.base);
  return n >= 0n && n <= BigInt(stream.last) ? Number(n) : undefined;
}

export const streamStatus = (stream: StreamMeta) => (stream.disabledAt === undefined ? "ENABLED" : "DISABLED");

/** A disabled stream stays readable for 24 hours, then it is gone. */
export const streamGone = (stream: StreamMeta, now: number) => stream.disabledAt !== undefined && now - stream.disabledAt >= RETENTION_MS;

/** Validates CreateTable's StreamSpecification; the view type when it enables a stream. */
export function createStreamViewType(spec: StreamSpecification | undefined): StreamViewType | undefined {
  if (!spec) return undefined;
  if (spec.StreamEnabled && !spec.StreamViewType)
    throw invalidParameter("Table is being created with a stream enabled, UpdateViewType is required");
  if (!spec.StreamEnabled && spec.StreamViewType)
    throw invalidParameter("Table is being created with a stream disabled, UpdateViewType should not be specified");
  return spec.StreamEnabled ? spec.StreamViewType : undefined;
}

/** UpdateTable's StreamSpecification: opens a new stream or closes the current one (validating first). */
export function updateStream(ctx: ChangeContext, table: TableRecord, spec: StreamSpecification, changesIndexes: boolean): void {
  if (changesIndexes) throw invalidParameter("You cannot create or delete index while changing stream status");
  if (spec.StreamEnabled) {
    if (!spec.StreamViewType) throw invalidParameter("If stream is being enabled then UpdateViewType is required");
    if (table.stream?.enabled) throw new ValidationException(`Table already has an enabled stream: TableName: ${table.name}`);
    openStream(ctx, table, spec.StreamViewType);
    return;
  }
  if (spec.StreamViewType) throw invalidParameter("If stream is being disabled, then UpdateViewType must not be specified");
  if (table.replicas) throw invalidParameter("Disabling Stream is not allowed for a Global Table replica.");
  if (!table.stream?.enabled) throw new ValidationException(`Table has no stream to disable: TableName: ${table.name}`);
  closeStream(ctx, table);
}

/** Starts a new stream with a new label (a label is the creation time; bumped when one was just used). */
export function openStream(ctx: ChangeContext, table: TableRecord, viewType: StreamViewType): void {
  const streams = streamsOf(ctx);
  let createdAt = ctx.runtime.now();
  const labelAt = (ms: number) => new Date(ms).toISOString().slice(0, -1);
  while (streams.has(`${table.arn}/stream/${labelAt(createdAt)}`)) createdAt++;
  const label = labelAt(createdAt);
  const arn = `${table.arn}/stream/${label}`;
  streams.set(arn, {
    arn,
    label,
    tableName: table.name,
    viewType,
    keySchema: table.keySchema,
    createdAt,
    shardId: `shardId-${String(createdAt).padStart(20, "0")}-${randomBytes(4).toString("hex")}`,
    base: (BigInt(createdAt) * 10n ** 9n).toString(),
    last: 0,
    trimmed: 0,
  });
  table.stream = { enabled: true, viewType, arn, label };
}

/** Disables the table's stream (also when the table is deleted): it stays readable as DISABLED. */
export function closeStream(ctx: ChangeContext, table: TableRecord): void {
  if (!table.stream?.enabled) return;
  const stream = streamsOf(ctx).get(table.stream.arn);
  if (stream) streamsOf(ctx).set(stream.arn, { ...stream, disabledAt: ctx.runtime.now() });
  table.stream = { ...table.stream, enabled: false };
}

/** DescribeTable's stream members. */
export function streamDescription(table: TableRecord): Partial<TableDescription> {
  if (!table.stream) return {};
  return {
    StreamSpecification: table.stream.enabled ? { StreamEnabled: true, StreamViewType: table.stream.viewType } : { StreamEnabled: false },
    LatestStreamLabel: table.stream.label,
    LatestStreamArn: table.stream.arn,
  };
}

/** Appends the change's record to the table's enabled stream. */
export function appendStreamRecord(ctx: ChangeContext, table: TableRecord, oldItem: Item | undefined, newItem: Item | undefined): void {
  if (!table.stream?.enabled) return;
  const found = streamsOf(ctx).get(table.stream.arn);
  if (!found) return;
  const now = ctx.runtime.now();
  const stream = trimStream(ctx, found, now);
  const keys = keyOf(table, (newItem ?? oldItem) as Item);
  const view = stream.viewType;
  const newImage = newItem && (view === "NEW_IMAGE" || view === "NEW_AND_OLD_IMAGES") ? newItem : undefined;
  const oldImage = oldItem && (view === "OLD_IMAGE" || view === "NEW_AND_OLD_IMAGES") ? oldItem : undefined;
  const record: StoredStreamRecord = {
    eventID: randomUUID().replaceAll("-", ""),
    eventName: !oldItem ? "INSERT" : !newItem ? "REMOVE" : "MODIFY",
    at: now,
    keys,
    ...(newImage ? { newImage } : {}),
    ...(oldImage ? { oldImage } : {}),
    size: itemSize(keys) + (newImage ? itemSize(newImage) : 0) + (oldImage ? itemSize(oldImage) : 0),
    ...(ctx.servicePrincipal ? { servicePrincipal: ctx.servicePrincipal } : {}),
  };
  const n = stream.last + 1;
  streamRecordsOf(ctx, stream).set(sequenceNumber(stream, n), record);
  streamsOf(ctx).set(stream.arn, { ...stream, last: n });
}

/** Removes records past the 24-hour retention (oldest first); returns the stream as stored after. */
export function trimStream(ctx: Holder, stream: StreamMeta, now: number): StreamMeta {
  const records = streamRecordsOf(ctx, stream);
  let trimmed = stream.trimmed;
  for (const [sequence, record] of records.entriesFrom()) {
    if (now - record.at < RETENTION_MS) break;
    records.delete(sequence);
    trimmed = sequenceIndex(stream, sequence) ?? trimmed;
  }
  if (trimmed === stream.trimmed) return stream;
  const updated = { ...stream, trimmed };
  streamsOf(ctx).set(stream.arn, updated);
  return updated;
}

/** A record as GetRecords returns it. */
export function streamRecordToWire(stream: StreamMeta, sequence: string, record: StoredStreamRecord): StreamRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: stream.arn.split(":")[3],
    dynamodb: {
      // AWS rounds the creation time down to the second.
      ApproximateCreationDateTime: new Date(Math.floor(record.at / 1000) * 1000),
      Keys: itemToWire(record.keys) as never,
      ...(record.newImage ? { NewImage: itemToWire(record.newImage) as never } : {}),
      ...(record.oldImage ? { OldImage: itemToWire(record.oldImage) as never } : {}),
      SequenceNumber: sequence,
      SizeBytes: record.size,
      StreamViewType: stream.viewType,
    },
    ...(record.servicePrincipal ? { userIdentity: { Type: "Service", PrincipalId: record.servicePrincipal } } : {}),
  };
}
