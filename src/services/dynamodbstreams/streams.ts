import type {
  DescribeStreamInput,
  DescribeStreamOutput,
  KeySchemaElement,
  ListStreamsInput,
  ListStreamsOutput,
  Shard,
  StreamViewType,
} from "@aws-sdk/client-dynamodb-streams";
import { ConstraintChecker } from "../dynamodb/errors.js";
import { tables } from "../dynamodb/storage.js";
import { type StreamMeta, sequenceNumber, streamStatus, streamsOf } from "../dynamodb/streams.js";
import type { RequestContext } from "../types.js";
import { ResourceNotFoundException, dynamodbStore, liveStream, streamFor } from "./state.js";

const MAX_LIMIT = 100;

export const checkStreamArn = (checker: ConstraintChecker, path: string, arn: string | undefined) => checker.length(path, arn, 37, 1024);

export function listStreams(input: ListStreamsInput, ctx: RequestContext): ListStreamsOutput {
  const checker = new ConstraintChecker().range("limit", input.Limit, 1, MAX_LIMIT);
  if (input.TableName !== undefined) checker.tableName("tableName", input.TableName);
  checkStreamArn(checker, "exclusiveStartStreamArn", input.ExclusiveStartStreamArn).throwIfAny();
  const limit = input.Limit ?? MAX_LIMIT;
  const matching = [...streamsOf(dynamodbStore(ctx)).values()]
    .filter((s) => input.TableName === undefined || s.tableName === input.TableName)
    .map((s) => liveStream(ctx, s.arn))
    .filter((s) => s !== undefined);
  if (input.TableName !== undefined && !matching.length && !tables(dynamodbStore(ctx)).has(input.TableName)) {
    throw new ResourceNotFoundException(`Requested resource not found: Table: ${input.TableName} not found`);
  }
  const start = input.ExclusiveStartStreamArn;
  const page = matching.filter((s) => start === undefined || s.arn > start);
  const streams = page.slice(0, limit).map((s) => ({ StreamArn: s.arn, TableName: s.tableName, StreamLabel: s.label }));
  return {
    Streams: streams,
    ...(page.length > limit ? { LastEvaluatedStreamArn: streams[streams.length - 1].StreamArn } : {}),
  };
}

export function describeStream(input: DescribeStreamInput, ctx: RequestContext): DescribeStreamOutput {
  const checker = new ConstraintChecker().range("limit", input.Limit, 1, MAX_LIMIT);
  checkStreamArn(checker, "streamArn", input.StreamArn)
    .length("exclusiveStartShardId", input.ExclusiveStartShardId, 28, 65)
    .length("shardFilter.shardId", input.ShardFilter?.ShardId, 28, 65)
    .throwIfAny();
  const stream = streamFor(ctx, input.StreamArn);
  // One shard that never splits: no shard is a child of another.
  const after = input.ExclusiveStartShardId;
  const shards = input.ShardFilter ? [] : [shardOf(stream)].filter((s) => after === undefined || (s.ShardId as string) > after);
  return {
    StreamDescription: {
      StreamArn: stream.arn,
      StreamLabel: stream.label,
      StreamStatus: streamStatus(stream),
      StreamViewType: stream.viewType as StreamViewType,
      CreationRequestDateTime: new Date(stream.createdAt),
      TableName: stream.tableName,
      KeySchema: stream.keySchema as KeySchemaElement[],
      Shards: shards,
    },
  };
}

/** A disabled stream's shard is closed: its range ends at the last record. */
function shardOf(stream: StreamMeta): Shard {
  return {
    ShardId: stream.shardId,
    SequenceNumberRange: {
      StartingSequenceNumber: sequenceNumber(stream, 0),
      ...(stream.disabledAt !== undefined ? { EndingSequenceNumber: sequenceNumber(stream, stream.last) } : {}),
    },
  };
}
