import type { ListTagsRequest, ListTagsResponse, TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-lambda";
import type { RequestContext } from "../types.js";
import { InvalidParameterValueException } from "./errors.js";
import { type FunctionRecord, functions } from "./functions.js";
import { parseFunctionName, requireFunction } from "./names.js";

const MAX_TAGS = 50;

/** Tags belong to the function itself: qualified ARNs (versions, aliases) are refused as Lambda does. */
function taggedFunction(ctx: RequestContext, resource: string): FunctionRecord {
  const { name, qualifier } = parseFunctionName(resource);
  if (qualifier !== undefined)
    throw new InvalidParameterValueException("Tags on function aliases and versions are not supported. Please specify a function ARN.");
  return requireFunction(ctx, name);
}

export function tagResource(input: TagResourceRequest, ctx: RequestContext): void {
  const record = taggedFunction(ctx, input.Resource as string);
  const tags = { ...record.tags, ...(input.Tags ?? {}) };
  if (Object.keys(tags).length > MAX_TAGS) throw new InvalidParameterValueException(`Number of tags exceeds resource tag limit.`);
  functions(ctx).set(record.latest.FunctionName as string, { ...record, tags });
}

export function untagResource(input: UntagResourceRequest, ctx: RequestContext): void {
  const record = taggedFunction(ctx, input.Resource as string);
  const tags = { ...record.tags };
  for (const key of input.TagKeys ?? []) delete tags[key];
  functions(ctx).set(record.latest.FunctionName as string, { ...record, tags });
}

export function listTags(input: ListTagsRequest, ctx: RequestContext): ListTagsResponse {
  return { Tags: { ...taggedFunction(ctx, input.Resource as string).tags } };
}
