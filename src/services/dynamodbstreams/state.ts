import { errorClass } from "../../protocol/errors.js";
import type { ScopeStore } from "../../state/store.js";
import { type StreamMeta, streamGone, streamRecordsOf, streamsOf } from "../dynamodb/streams.js";
import type { RequestContext } from "../types.js";

export const ResourceNotFoundException = errorClass("ResourceNotFoundException", 400);
export const ExpiredIteratorException = errorClass("ExpiredIteratorException", 400);
export const TrimmedDataAccessException = errorClass("TrimmedDataAccessException", 400);

/**
 * DynamoDB Streams is the second API of DynamoDB: the stream records are written by the table's writes into
 * DynamoDB's own store (one atomic write with the item), so this API reads that store rather than a copy.
 */
export const dynamodbStore = (ctx: RequestContext): { store: ScopeStore } => ({
  store: ctx.runtime.state.scope({ service: "dynamodb", account: ctx.account, region: ctx.region }),
});

/** Streams disabled more than 24 hours ago are gone: their records are dropped when next met. */
export function liveStream(ctx: RequestContext, arn: string | undefined): StreamMeta | undefined {
  const holder = dynamodbStore(ctx);
  const stream = arn === undefined ? undefined : streamsOf(holder).get(arn);
  if (!stream || !streamGone(stream, ctx.runtime.now())) return stream;
  streamRecordsOf(holder, stream).clear();
  streamsOf(holder).delete(stream.arn);
  return undefined;
}

export function streamFor(ctx: RequestContext, arn: string | undefined): StreamMeta {
  const stream = liveStream(ctx, arn);
  if (!stream) throw new ResourceNotFoundException(`Requested resource not found: Stream: ${arn} not found`);
  return stream;
}
