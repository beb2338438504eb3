import type { ListShardsInput, ListShardsOutput, ShardFilter } from "@aws-sdk/client-kinesis";
import type { RequestContext } from "../types.js";
import { Constraints, InvalidArgumentException } from "./errors.js";
import { decodeToken, encodeToken, type PageToken } from "./paging.js";
import { type ShardMeta, type StreamMeta, retentionMs, streamNamed, visibleShards } from "./state.js";
import { shardToWire } from "./streams.js";

export function listShards(input: ListShardsInput, ctx: RequestContext): ListShardsOutput {
  new Constraints()
    .stream(input)
    .length("nextToken", input.NextToken, 1, 1048576)
    .shardId("exclusiveStartShardId", input.ExclusiveStartShardId)
    .range("maxResults", input.MaxResults, 1, 10000)
    .shardId("shardFilter.shardId", input.ShardFilter?.ShardId)
    .throwIfAny();
  if (input.NextToken !== undefined && (input.StreamName !== undefined || input.StreamARN !== undefined)) {
    throw new InvalidArgumentException("NextToken and StreamName cannot be provided together.");
  }
  if (input.NextToken !== undefined && input.ExclusiveStartShardId !== undefined) {
    throw new InvalidArgumentException("NextToken and ExclusiveStartShardId cannot be provided together.");
  }
  const token = input.NextToken === undefined ? undefined : decodeToken(input.NextToken, ctx, true);
  const stream = streamNamed(ctx, token ? { StreamName: token.of } : input);
  const filter = token ? token.filter : filterOf(input.ShardFilter);
  const after = token?.after ?? input.ExclusiveStartShardId ?? (filter?.type === "AFTER_SHARD_ID" ? filter.shardId : undefined);
  const limit = input.MaxResults ?? 1000;
  const shards = matchingShards(stream, filter, ctx.runtime.now()).filter((s) => after === undefined || s.id > after);
  const page = shards.slice(0, limit);
  const more = shards.length > limit;
  const next: PageToken = { after: page[page.length - 1]?.id ?? "", of: stream.name, ...(filter ? { filter } : {}) };
  return { Shards: page.map(shardToWire), ...(more ? { NextToken: encodeToken(ctx, next) } : {}) };
}

function filterOf(filter: ShardFilter | undefined): PageToken["filter"] {
  if (!filter) return undefined;
  const type = filter.Type as string;
  if (type === "AFTER_SHARD_ID" && filter.ShardId === undefined) {
    throw new InvalidArgumentException("ShardId must be specified for ShardFilter type AFTER_SHARD_ID.");
  }
  const timed = type === "AT_TIMESTAMP" || type === "FROM_TIMESTAMP";
  if (timed && filter.Timestamp === undefined) {
    throw new InvalidArgumentException(`Timestamp must be specified for ShardFilter type ${type}.`);
  }
  return { type, shardId: filter.ShardId, ...(timed ? { timestamp: (filter.Timestamp as Date).getTime() } : {}) };
}

/** The shards a ShardFilter selects, among those still listed (closed ones vanish after the retention period). */
function matchingShards(stream: StreamMeta, filter: PageToken["filter"], now: number): ShardMeta[] {
  const shards = visibleShards(stream, now);
  // The trim horizon is no earlier than the stream's creation.
  const horizon = Math.max(stream.createdAt, now - retentionMs(stream));
  const openAt = (t: number) => (s: ShardMeta) => s.createdAt <= t && (s.closedAt === undefined || s.closedAt > t);
  switch (filter?.type) {
    case "AT_LATEST":
      return shards.filter((s) => s.closedAt === undefined);
    case "AT_TRIM_HORIZON":
      return shards.filter(openAt(horizon));
    case "AT_TIMESTAMP":
      return shards.filter(openAt(Math.max(horizon, filter.timestamp as number)));
    case "FROM_TIMESTAMP": {
      const from = Math.max(horizon, filter.timestamp as number);
      return shards.filter((s) => s.closedAt === undefined || s.closedAt > from);
    }
    default:
      return shards;
  }
}
