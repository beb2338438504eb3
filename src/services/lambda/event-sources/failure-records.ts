import { randomUUID } from "node:crypto";
import type { JsonObject } from "../../../internal/event-pattern.js";
import type { ServiceRuntime } from "../../types.js";
import { deliver } from "../destinations.js";
import type { PollerHandle, StoredMapping } from "./state.js";
import type { EventRecord, StreamSource } from "./stream-sources.js";

/** Why Lambda skipped a stream batch: the retries ran out, or its records outlived MaximumRecordAgeInSeconds. */
export type DiscardCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

/** The outcome of the last invocation of a batch, as its failure record reports it. */
export interface InvocationOutcome {
  executedVersion?: string;
  functionError?: boolean;
}

/** A run of skipped records of one shard. */
export interface Discard {
  records: EventRecord[];
  condition: DiscardCondition;
  invokeCount: number;
  /** Absent when the records were skipped before any invocation (they were already too old). */
  last?: InvocationOutcome;
  /** The event the function got (or would have got) for the records: only an S3 destination keeps it. */
  payload: JsonObject;
}

interface ShardOf {
  source: StreamSource;
  arn: string;
  shardId: string;
}

const S3_BUCKET_ARN = /^arn:aws[a-zA-Z-]*:s3:::[^/]+$/;

/**
 * Sends the OnFailure record of skipped records: where they are in the shard (SQS, SNS), and with an S3
 * destination also the whole invocation payload, as one object per discarded batch.
 */
export async function reportDiscard(
  runtime: ServiceRuntime,
  handle: PollerHandle,
  shard: ShardOf,
  mapping: StoredMapping,
  discard: Discard,
): Promise<void> {
  const destination = mapping.DestinationConfig?.OnFailure?.Destination;
  if (!destination) return;
  const timestamp = new Date(runtime.now()).toISOString();
  const record: JsonObject = {
    requestContext: {
      requestId: randomUUID(),
      functionArn: mapping.FunctionArn as string,
      condition: discard.condition,
      approximateInvokeCount: discard.invokeCount,
    },
    ...(discard.last ? { responseContext: responseContext(discard.last) } : {}),
    version: "1.0",
    timestamp,
    [shard.source.batchInfoKey]: batchInfo(shard, discard.records),
  };
  const toBucket = S3_BUCKET_ARN.test(destination);
  if (toBucket) record.payload = discard.payload;
  await deliver(runtime, destination, JSON.stringify(record), {
    sourceArn: mapping.EventSourceMappingArn as string,
    bucketObject: toBucket
      ? { key: failureObjectKey(handle.uuid, shard.shardId, timestamp), account: handle.account, region: handle.region }
      : undefined,
  });
}

function responseContext(last: InvocationOutcome): JsonObject {
  return {
    statusCode: 200,
    executedVersion: last.executedVersion ?? "$LATEST",
    ...(last.functionError ? { functionError: "Unhandled" } : {}),
  };
}

function batchInfo(shard: ShardOf, records: EventRecord[]): JsonObject {
  const first = records[0];
  const last = records[records.length - 1];
  return {
    shardId: shard.shardId,
    startSequenceNumber: first.sequenceNumber,
    endSequenceNumber: last.sequenceNumber,
    approximateArrivalOfFirstRecord: shard.source.arrivalText(first.arrival),
    approximateArrivalOfLastRecord: shard.source.arrivalText(last.arrival),
    batchSize: records.length,
    streamArn: shard.arn,
  };
}

/** `aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`, in UTC, as Lambda names them. */
export function failureObjectKey(uuid: string, shardId: string, isoTimestamp: string): string {
  const [year, month, day] = isoTimestamp.slice(0, 10).split("-");
  const time = isoTimestamp.slice(0, 19).replaceAll(":", ".");
  return `aws/lambda/${uuid}/${shardId}/${year}/${month}/${day}/${time}-${randomUUID()}`;
}
