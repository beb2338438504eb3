import type { MergeShardsInput, SplitShardInput, UpdateShardCountInput, UpdateShardCountOutput } from "@aws-sdk/client-kinesis";
import type { RequestContext } from "../types.js";
import { Constraints, HASH_KEY, InvalidArgumentException } from "./errors.js";
import {
  type ShardMeta,
  type StreamMeta,
  addShards,
  closeShard,
  evenRanges,
  openShards,
  saveStream,
  shardNamed,
  streamNamed,
} from "./state.js";
import { checkShardLimit } from "./streams.js";

/**
 * Resharding closes shards and opens children that take over their hash key ranges. A closed shard keeps its
 * records (readable until they expire) and ends with an EndingSequenceNumber below every child's first one.
 */
export function splitShard(input: SplitShardInput, ctx: RequestContext): void {
  new Constraints()
    .stream(input)
    .shardId("shardToSplit", input.ShardToSplit)
    .pattern("newStartingHashKey", input.NewStartingHashKey, HASH_KEY)
    .throwIfAny();
  const stream = streamNamed(ctx, input);
  const parent = openShardNamed(ctx, stream, input.ShardToSplit as string);
  const key = BigInt(input.NewStartingHashKey as string);
  const start = BigInt(parent.startHash);
  const end = BigInt(parent.endHash);
  if (key <= start || key > end) {
    throw new InvalidArgumentException(
      `NewStartingHashKey ${key} used in SplitShard() on shard ${parent.id} in stream ${stream.name} under account ${ctx.account} ` +
        `is not both greater than the shard's StartingHashKey ${start} and less than or equal to the shard's EndingHashKey ${end}.`,
    );
  }
  if (stream.mode === "PROVISIONED") checkShardLimit(ctx, 1);
  const now = ctx.runtime.now();
  closeShard(stream, parent, now);
  addShards(stream, now, [
    { start, end: key - 1n, parents: [parent.id] },
    { start: key, end, parents: [parent.id] },
  ]);
  saveStream(ctx, stream);
}

export function mergeShards(input: MergeShardsInput, ctx: RequestContext): void {
  new Constraints()
    .stream(input)
    .shardId("shardToMerge", input.ShardToMerge)
    .shardId("adjacentShardToMerge", input.AdjacentShardToMerge)
    .throwIfAny();
  const stream = streamNamed(ctx, input);
  const first = openShardNamed(ctx, stream, input.ShardToMerge as string);
  const second = openShardNamed(ctx, stream, input.AdjacentShardToMerge as string);
  const [low, high] = BigInt(first.startHash) < BigInt(second.startHash) ? [first, second] : [second, first];
  if (BigInt(low.endHash) + 1n !== BigInt(high.startHash)) {
    throw new InvalidArgumentException(
      `Shards ${first.id} and ${second.id} in stream ${stream.name} under account ${ctx.account} are not an adjacent pair of shards eligible for merging`,
    );
  }
  const now = ctx.runtime.now();
  closeShard(stream, first, now);
  closeShard(stream, second, now);
  addShards(stream, now, [{ start: BigInt(low.startHash), end: BigInt(high.endHash), parents: [first.id, second.id] }]);
  saveStream(ctx, stream);
}

/** UNIFORM_SCALING: the open shards are replaced by `target` even slices of the key space, at most doubling or halving. */
export function updateShardCount(input: UpdateShardCountInput, ctx: RequestContext): UpdateShardCountOutput {
  new Constraints().stream(input).range("targetShardCount", input.TargetShardCount, 1).throwIfAny();
  const stream = streamNamed(ctx, input);
  if (stream.mode === "ON_DEMAND") {
    throw new InvalidArgumentException(
      `UpdateShardCount is only supported for streams in PROVISIONED mode; stream ${stream.name} is ON_DEMAND.`,
    );
  }
  const current = openShards(stream).sort((a, b) => compareHash(a.startHash, b.startHash));
  const target = input.TargetShardCount as number;
  checkScaling(stream, current.length, target);
  checkShardLimit(ctx, target - current.length);
  const output = { StreamName: stream.name, StreamARN: stream.arn, CurrentShardCount: current.length, TargetShardCount: target };
  if (target === current.length && isUniform(current)) return output;
  const now = ctx.runtime.now();
  for (const shard of current) closeShard(stream, shard, now);
  const ranges = evenRanges(target).map((range) => ({
    ...range,
    parents: current.filter((s) => BigInt(s.startHash) <= range.end && range.start <= BigInt(s.endHash)).map((s) => s.id),
  }));
  addShards(stream, now, ranges);
  saveStream(ctx, stream);
  return output;
}

function checkScaling(stream: StreamMeta, current: number, target: number): void {
  if (target > current * 2) {
    throw new InvalidArgumentException(
      `UpdateShardCount cannot scale stream ${stream.name} from ${current} to ${target} shards: the target shard count cannot exceed double the current shard count (${current * 2}).`,
    );
  }
  if (target * 2 < current) {
    throw new InvalidArgumentException(
      `UpdateShardCount cannot scale stream ${stream.name} from ${current} to ${target} shards: the target shard count cannot be less than half the current shard count (${Math.ceil(current / 2)}).`,
    );
  }
}

const compareHash = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

function isUniform(shards: ShardMeta[]): boolean {
  const even = evenRanges(shards.length);
  return shards.every((s, i) => BigInt(s.startHash) === even[i].start && BigInt(s.endHash) === even[i].end);
}

function openShardNamed(ctx: RequestContext, stream: StreamMeta, shardId: string): ShardMeta {
  const shard = shardNamed(ctx, stream, shardId);
  if (shard.endSequence !== undefined) {
    throw new InvalidArgumentException(
      `Shard ${shard.id} in stream ${stream.name} under account ${ctx.account} has already been merged or split, and thus is not eligible for merging or splitting.`,
    );
  }
  return shard;
}
