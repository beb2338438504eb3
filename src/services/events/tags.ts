import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
} from "@aws-sdk/client-eventbridge";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { busNotFound, checkCount, checkMember, LIMIT_MESSAGE, LimitExceeded, ruleNotFound, throwIssues } from "./errors.js";
import { busesIn, DEFAULT_BUS, findBus, ruleKey, rulesIn } from "./model.js";

const MAX_TAGS = 50;
const RESOURCE_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):(rule|event-bus)\/(.+)$/;

export function tagMap(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key as string, t.Value ?? ""]));
}

export function validateTags(tags: Tag[] | undefined): void {
  const issues: ValidationIssue[] = [];
  (tags ?? []).forEach((tag, i) => {
    checkMember(`tags.${i + 1}.member.key`, tag.Key, { min: 1, max: 128 }, issues);
    checkMember(`tags.${i + 1}.member.value`, tag.Value, { min: 0, max: 256 }, issues);
  });
  throwIssues(issues);
  if (Object.keys(tagMap(tags)).length > MAX_TAGS) throw new LimitExceeded(LIMIT_MESSAGE);
}

/** A rule or bus of the caller's account and region, read and written through the same accessor. */
function taggable(ctx: RequestContext, arn: string) {
  const m = RESOURCE_ARN.exec(arn);
  const local = m && m[1] === ctx.region && m[2] === ctx.account;
  if (m?.[3] === "event-bus") {
    const bus = local ? findBus(ctx.store, m[4], ctx.runtime.now()) : undefined;
    if (!bus) throw busNotFound(m[4]);
    return { tags: bus.tags, save: (tags: Record<string, string>) => busesIn(ctx.store).set(bus.name, { ...bus, tags }) };
  }
  const [busName, name] = m?.[4].includes("/") ? splitOnce(m[4]) : [DEFAULT_BUS, m?.[4] ?? arn];
  const key = ruleKey(busName, name);
  const rule = local ? rulesIn(ctx.store).get(key) : undefined;
  if (!rule) throw ruleNotFound(name, busName);
  return { tags: rule.tags, save: (tags: Record<string, string>) => rulesIn(ctx.store).set(key, { ...rule, tags }) };
}

function splitOnce(path: string): [string, string] {
  const at = path.lastIndexOf("/");
  return [path.slice(0, at), path.slice(at + 1)];
}

const ARN = { min: 1, max: 1600 };

export function tagResource(input: TagResourceRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkMember("resourceARN", input.ResourceARN, ARN, issues);
  throwIssues(issues);
  validateTags(input.Tags);
  const resource = taggable(ctx, input.ResourceARN as string);
  const tags = { ...resource.tags, ...tagMap(input.Tags) };
  if (Object.keys(tags).length > MAX_TAGS) throw new LimitExceeded(LIMIT_MESSAGE);
  resource.save(tags);
}

export function untagResource(input: UntagResourceRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkMember("resourceARN", input.ResourceARN, ARN, issues);
  checkCount("tagKeys", input.TagKeys, 0, MAX_TAGS, issues);
  throwIssues(issues);
  const resource = taggable(ctx, input.ResourceARN as string);
  const tags = { ...resource.tags };
  for (const key of input.TagKeys ?? []) delete tags[key];
  resource.save(tags);
}

export function listTagsForResource(input: ListTagsForResourceRequest, ctx: RequestContext): ListTagsForResourceResponse {
  const issues: ValidationIssue[] = [];
  checkMember("resourceARN", input.ResourceARN, ARN, issues);
  throwIssues(issues);
  const { tags } = taggable(ctx, input.ResourceARN as string);
  return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
}
