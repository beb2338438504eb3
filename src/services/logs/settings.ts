import type {
  DeleteRetentionPolicyRequest,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTagsLogGroupRequest,
  ListTagsLogGroupResponse,
  PutRetentionPolicyRequest,
  TagLogGroupRequest,
  TagResourceRequest,
  UntagLogGroupRequest,
  UntagResourceRequest,
} from "@aws-sdk/client-cloudwatch-logs";
import { ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidParameterException, type LogGroupRecord, ResourceNotFoundException, groups, requireGroup } from "./groups.js";

/** The only retention periods CloudWatch Logs accepts, in days. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const MAX_TAGS = 50;

export function putRetentionPolicy(input: PutRetentionPolicyRequest, ctx: RequestContext): void {
  const days = input.retentionInDays as number;
  if (!RETENTION_DAYS.includes(days)) {
    throw new ValidationFailure([
      {
        path: "retentionInDays",
        value: days,
        constraint: `Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
        kind: "enum",
      },
    ]);
  }
  const group = requireGroup(ctx, input.logGroupName);
  save(ctx, { ...group, retentionInDays: days });
}

export function deleteRetentionPolicy(input: DeleteRetentionPolicyRequest, ctx: RequestContext): void {
  const { retentionInDays: _dropped, ...group } = requireGroup(ctx, input.logGroupName);
  save(ctx, group);
}

export function tagLogGroup(input: TagLogGroupRequest, ctx: RequestContext): void {
  addTags(ctx, requireGroup(ctx, input.logGroupName), input.tags ?? {});
}

export function untagLogGroup(input: UntagLogGroupRequest, ctx: RequestContext): void {
  removeTags(ctx, requireGroup(ctx, input.logGroupName), input.tags ?? []);
}

export function listTagsLogGroup(input: ListTagsLogGroupRequest, ctx: RequestContext): ListTagsLogGroupResponse {
  return { tags: { ...requireGroup(ctx, input.logGroupName).tags } };
}

export function tagResource(input: TagResourceRequest, ctx: RequestContext): void {
  addTags(ctx, groupByResourceArn(ctx, input.resourceArn as string), input.tags ?? {});
}

export function untagResource(input: UntagResourceRequest, ctx: RequestContext): void {
  removeTags(ctx, groupByResourceArn(ctx, input.resourceArn as string), input.tagKeys ?? []);
}

export function listTagsForResource(input: ListTagsForResourceRequest, ctx: RequestContext): ListTagsForResourceResponse {
  return { tags: { ...groupByResourceArn(ctx, input.resourceArn as string).tags } };
}

/** The tagging API names groups by ARN; only log groups are taggable resources here. */
function groupByResourceArn(ctx: RequestContext, arn: string): LogGroupRecord {
  const match = /^arn:[^:]+:logs:([^:]*):(\d*):log-group:([^:*]+)$/.exec(arn);
  if (!match) throw new InvalidParameterException(`Invalid ARN: ${arn}`);
  const group = match[1] === ctx.region && match[2] === ctx.account ? groups(ctx).get(match[3]) : undefined;
  if (!group) throw new ResourceNotFoundException("The specified log group does not exist.");
  return group;
}

function addTags(ctx: RequestContext, group: LogGroupRecord, tags: Record<string, string>): void {
  const merged = { ...group.tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS) throw new InvalidParameterException(`A resource can have no more than ${MAX_TAGS} tags.`);
  save(ctx, { ...group, tags: merged });
}

function removeTags(ctx: RequestContext, group: LogGroupRecord, keys: string[]): void {
  const remaining = { ...group.tags };
  for (const key of keys) delete remaining[key];
  save(ctx, { ...group, tags: remaining });
}

function save(ctx: RequestContext, group: LogGroupRecord): void {
  groups(ctx).set(group.name, group);
}
