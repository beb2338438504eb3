import type { JsonObject } from "../../../internal/event-pattern.js";
import type { CallOptions, ServiceRuntime } from "../../types.js";
import { kinesisFilterView } from "./filters.js";

/** A shard as the poller sees it: its parents are read to their end before it starts. */
export interface ShardInfo {
  shardId: string;
  parents: string[];
}

/** Where a shard reader starts: after its checkpoint, or at a starting position (timestamps in epoch seconds). */
export type StartPosition =
  | { type: "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string }
  | { type: "TRIM_HORIZON" | "LATEST" }
  | { type: "AT_TIMESTAMP"; timestamp: number };

/** What an event record carries besides the stream's own data. */
export interface RecordContext {
  streamArn: string;
  shardId: string;
  region: string;
  /** The function's execution role (Kinesis events name it). */
  role?: string;
}

/** A record as the function receives it, with what the poller needs to know of it. */
export interface EventRecord {
  event: JsonObject;
  sequenceNumber: string;
  /** When the record reached the stream, in epoch seconds (MaximumRecordAgeInSeconds). */
  arrival: number;
  /** Records with the same key stay in order when ParallelizationFactor spreads a shard's batches. */
  partitionKey: string;
  /** The record as FilterCriteria patterns see it. */
  filterView(): JsonObject;
}

/** A kind of stream Lambda polls: the shared poller reads it through its service's GetShardIterator/GetRecords. */
export interface StreamSource {
  service: string;
  /** The stream a mapping's event source ARN reads (a Kinesis consumer reads its stream). */
  streamArn(eventSourceArn: string): string;
  listShards(runtime: ServiceRuntime, streamArn: string, call: CallOptions): Promise<ShardInfo[]>;
  iteratorInput(streamArn: string, shardId: string, position: StartPosition): Record<string, unknown>;
  /** Where LATEST starts for a poller started at `startedAt` (ms). */
  latest(startedAt: number): StartPosition;
  eventRecord(raw: unknown, context: RecordContext): EventRecord;
  /** The OnFailure record's member describing the skipped batch, and how it writes arrival times. */
  batchInfoKey: string;
  arrivalText(seconds: number): string;
}

const isoSeconds = (seconds: number) => new Date(seconds * 1000).toISOString();

interface DynamoDbShard {
  ShardId?: string;
  ParentShardId?: string;
}

const dynamodbStreams: StreamSource = {
  service: "dynamodbstreams",
  streamArn: (arn) => arn,
  async listShards(runtime, streamArn, call) {
    const shards: ShardInfo[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription: described } = await runtime.services.call<{
        StreamDescription?: { Shards?: DynamoDbShard[]; LastEvaluatedShardId?: string };
      }>("dynamodbstreams", "DescribeStream", { StreamArn: streamArn, ExclusiveStartShardId: start }, call);
      for (const shard of described?.Shards ?? [])
        shards.push({ shardId: shard.ShardId as string, parents: shard.ParentShardId ? [shard.ParentShardId] : [] });
      start = described?.LastEvaluatedShardId;
    } while (start);
    return shards;
  },
  iteratorInput(streamArn, shardId, position) {
    const sequence = position.type === "AFTER_SEQUENCE_NUMBER" ? { SequenceNumber: position.sequenceNumber } : {};
    return { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: position.type, ...sequence };
  },
  latest: () => ({ type: "LATEST" }),
  eventRecord(raw, context) {
    const event = dynamodbEvent(raw, context.streamArn);
    const change = event.dynamodb as JsonObject;
    return {
      event,
      sequenceNumber: change.SequenceNumber as string,
      arrival: (change.ApproximateCreationDateTime as number | undefined) ?? 0,
      partitionKey: JSON.stringify(change.Keys ?? null),
      filterView: () => event,
    };
  },
  batchInfoKey: "DDBStreamBatchInfo",
  // DynamoDB's creation times are whole seconds.
  arrivalText: (seconds) => isoSeconds(seconds).replace(".000Z", "Z"),
};

/** A stream record as Lambda's event carries it: JSON types (epoch seconds, base64 binaries) plus its source ARN. */
function dynamodbEvent(record: unknown, arn: string): JsonObject {
  const json = toJson(record) as JsonObject;
  // The Streams API names these Type/PrincipalId; Lambda's event uses type/principalId (TTL deletions).
  const identity = json.userIdentity as { Type?: string; PrincipalId?: string } | undefined;
  if (identity) json.userIdentity = { type: identity.Type ?? null, principalId: identity.PrincipalId ?? null };
  return { ...json, eventSourceARN: arn };
}

function toJson(value: unknown): unknown {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

interface KinesisShard {
  ShardId?: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
}

interface KinesisRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp?: Date;
  Data: Uint8Array;
  PartitionKey: string;
}

const kinesis: StreamSource = {
  service: "kinesis",
  streamArn: (arn) => arn.split("/consumer/")[0],
  async listShards(runtime, streamArn, call) {
    const shards: ShardInfo[] = [];
    let token: string | undefined;
    do {
      // ListShards takes either the stream or a continuation token, never both.
      const input = token ? { NextToken: token } : { StreamARN: streamArn };
      const listed = await runtime.services.call<{ Shards?: KinesisShard[]; NextToken?: string }>("kinesis", "ListShards", input, call);
      for (const shard of listed.Shards ?? []) {
        const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => !!id);
        shards.push({ shardId: shard.ShardId as string, parents });
      }
      token = listed.NextToken;
    } while (token);
    return shards;
  },
  iteratorInput(streamArn, shardId, position) {
    const start =
      position.type === "AFTER_SEQUENCE_NUMBER"
        ? { StartingSequenceNumber: position.sequenceNumber }
        : position.type === "AT_TIMESTAMP"
          ? { Timestamp: new Date(position.timestamp * 1000) }
          : {};
    return { StreamARN: streamArn, ShardId: shardId, ShardIteratorType: position.type, ...start };
  },
  // The poller starts when CreateEventSourceMapping (or enabling) returns, but its first GetShardIterator comes
  // later: reading from that moment keeps the records put right after the call, which LATEST could miss.
  latest: (startedAt) => ({ type: "AT_TIMESTAMP", timestamp: startedAt / 1000 }),
  eventRecord(raw, context) {
    const record = raw as KinesisRecord;
    const arrival = (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000;
    const payload: JsonObject = {
      kinesisSchemaVersion: "1.0",
      partitionKey: record.PartitionKey,
      sequenceNumber: record.SequenceNumber,
      data: Buffer.from(record.Data).toString("base64"),
      approximateArrivalTimestamp: arrival,
    };
    const event: JsonObject = {
      kinesis: payload,
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${context.shardId}:${record.SequenceNumber}`,
      eventName: "aws:kinesis:record",
      ...(context.role ? { invokeIdentityArn: context.role } : {}),
      awsRegion: context.region,
      eventSourceARN: context.streamArn,
    };
    return {
      event,
      sequenceNumber: record.SequenceNumber,
      arrival,
      partitionKey: record.PartitionKey,
      filterView: () => kinesisFilterView(payload, record.Data),
    };
  },
  batchInfoKey: "KinesisBatchInfo",
  arrivalText: isoSeconds,
};

/** The source behind a (validated) stream event source ARN. */
export function streamSourceFor(arn: string): StreamSource {
  return arn.split(":")[2] === "kinesis" ? kinesis : dynamodbStreams;
}
