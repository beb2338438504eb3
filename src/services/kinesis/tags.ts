import type {
  AddTagsToStreamInput,
  ListTagsForResourceInput,
  ListTagsForResourceOutput,
  ListTagsForStreamInput,
  ListTagsForStreamOutput,
  RemoveTagsFromStreamInput,
  TagResourceInput,
  UntagResourceInput,
} from "@aws-sdk/client-kinesis";
import type { RequestContext } from "../types.js";
import { CONSUMER_ARN, Constraints, InvalidArgumentException, RESOURCE_ARN, ResourceNotFoundException } from "./errors.js";
import { type ConsumerMeta, type StreamMeta, saveStream, streamNamed } from "./state.js";

const MAX_TAGS = 50;

export function checkTags(tags: Record<string, string> | undefined, path = "tags"): void {
  const checker = new Constraints();
  if (tags !== undefined && !Object.keys(tags).length) checker.length(path, [], 1);
  checker.length(path, Object.keys(tags ?? {}), 0, 200);
  for (const [key, value] of Object.entries(tags ?? {})) {
    checker.length(`${path}.${key}.member.key`, key, 1, 128).length(`${path}.${key}.member.value`, value, 0, 256);
  }
  checker.throwIfAny();
  if (Object.keys(tags ?? {}).length > MAX_TAGS) throw tooManyTags();
}

const tooManyTags = () => new InvalidArgumentException(`A resource cannot have more than ${MAX_TAGS} tags.`);

/** A stream or one of its consumers, named by ARN (TagResource, resource policies). */
export interface KinesisResource {
  stream: StreamMeta;
  consumer?: ConsumerMeta;
}

export function resourceNamed(ctx: RequestContext, arn: string): KinesisResource {
  const consumerAt = arn.indexOf("/consumer/");
  const streamArn = consumerAt < 0 ? arn : arn.slice(0, consumerAt);
  if (!/:stream\/[a-zA-Z0-9_.-]+$/.test(streamArn)) throw new InvalidArgumentException(`Invalid ResourceARN: ${arn}`);
  const stream = streamNamed(ctx, { StreamARN: streamArn });
  if (consumerAt < 0) return { stream };
  const consumer = stream.consumers.find((c) => c.arn === arn);
  if (!consumer) throw new ResourceNotFoundException(`Consumer ${arn} under account ${ctx.account} not found.`);
  return { stream, consumer };
}

export const checkResourceArn = (checker: Constraints, arn: string | undefined) =>
  checker.length("resourceARN", arn, 1, 2048).pattern("resourceARN", arn, arn?.includes("/consumer/") ? CONSUMER_ARN : RESOURCE_ARN);

function addTags(ctx: RequestContext, { stream, consumer }: KinesisResource, tags: Record<string, string>): void {
  const target = consumer ?? stream;
  const merged = { ...target.tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS) throw tooManyTags();
  target.tags = merged;
  saveStream(ctx, stream);
}

function removeTags(ctx: RequestContext, { stream, consumer }: KinesisResource, keys: string[]): void {
  const target = consumer ?? stream;
  for (const key of keys) delete target.tags[key];
  saveStream(ctx, stream);
}

const checkTagKeys = (keys: string[] | undefined) => {
  const checker = new Constraints().length("tagKeys", keys, 1, 50);
  for (const [i, key] of (keys ?? []).entries()) checker.length(`tagKeys.${i + 1}.member`, key, 1, 128);
  checker.throwIfAny();
};

export function addTagsToStream(input: AddTagsToStreamInput, ctx: RequestContext): void {
  new Constraints().stream(input).throwIfAny();
  checkTags(input.Tags);
  addTags(ctx, { stream: streamNamed(ctx, input) }, input.Tags as Record<string, string>);
}

export function removeTagsFromStream(input: RemoveTagsFromStreamInput, ctx: RequestContext): void {
  new Constraints().stream(input).throwIfAny();
  checkTagKeys(input.TagKeys);
  removeTags(ctx, { stream: streamNamed(ctx, input) }, input.TagKeys as string[]);
}

export function listTagsForStream(input: ListTagsForStreamInput, ctx: RequestContext): ListTagsForStreamOutput {
  new Constraints()
    .stream(input)
    .length("exclusiveStartTagKey", input.ExclusiveStartTagKey, 1, 128)
    .range("limit", input.Limit, 1, 50)
    .throwIfAny();
  const stream = streamNamed(ctx, input);
  const limit = input.Limit ?? 50;
  const after = input.ExclusiveStartTagKey;
  const keys = Object.keys(stream.tags)
    .sort()
    .filter((k) => after === undefined || k > after);
  return {
    Tags: keys.slice(0, limit).map((Key) => ({ Key, Value: stream.tags[Key] })),
    HasMoreTags: keys.length > limit,
  };
}

export function tagResource(input: TagResourceInput, ctx: RequestContext): void {
  checkResourceArn(new Constraints(), input.ResourceARN).throwIfAny();
  checkTags(input.Tags);
  addTags(ctx, resourceNamed(ctx, input.ResourceARN as string), input.Tags as Record<string, string>);
}

export function untagResource(input: UntagResourceInput, ctx: RequestContext): void {
  checkResourceArn(new Constraints(), input.ResourceARN).throwIfAny();
  checkTagKeys(input.TagKeys);
  removeTags(ctx, resourceNamed(ctx, input.ResourceARN as string), input.TagKeys as string[]);
}

export function listTagsForResource(input: ListTagsForResourceInput, ctx: RequestContext): ListTagsForResourceOutput {
  checkResourceArn(new Constraints(), input.ResourceARN).throwIfAny();
  const { stream, consumer } = resourceNamed(ctx, input.ResourceARN as string);
  const tags = (consumer ?? stream).tags;
  return {
    Tags: Object.keys(tags)
      .sort()
      .map((Key) => ({ Key, Value: tags[Key] })),
  };
}
