import type {
  DescribeEndpointsResponse,
  DescribeLimitsOutput,
  DescribeTimeToLiveInput,
  DescribeTimeToLiveOutput,
  ListTagsOfResourceInput,
  ListTagsOfResourceOutput,
  TagResourceInput,
  TimeToLiveSpecification,
  UntagResourceInput,
  UpdateTimeToLiveInput,
  UpdateTimeToLiveOutput,
} from "@aws-sdk/client-dynamodb";
import type { RequestContext } from "../types.js";
import { ConstraintChecker, ValidationException } from "./errors.js";
import { tableOf } from "./items.js";
import { syncToReplicas } from "./replicas.js";
import { tableByArn, tables } from "./storage.js";

const MAX_TAGS = 50;

export function tagResource(input: TagResourceInput, ctx: RequestContext): Record<string, never> {
  const table = structuredClone(tableByArn(ctx, input.ResourceArn));
  new ConstraintChecker().length("tags", input.Tags, 0, MAX_TAGS).throwIfAny();
  for (const tag of input.Tags ?? []) table.tags[tag.Key as string] = tag.Value as string;
  if (Object.keys(table.tags).length > MAX_TAGS)
    throw new ValidationException("One or more parameter values were invalid: The number of tags exceeds the limit of 50");
  tables(ctx).set(table.name, table);
  return {};
}

export function untagResource(input: UntagResourceInput, ctx: RequestContext): Record<string, never> {
  const table = structuredClone(tableByArn(ctx, input.ResourceArn));
  for (const key of input.TagKeys ?? []) delete table.tags[key];
  tables(ctx).set(table.name, table);
  return {};
}

export function listTagsOfResource(input: ListTagsOfResourceInput, ctx: RequestContext): ListTagsOfResourceOutput {
  const table = tableByArn(ctx, input.ResourceArn);
  return { Tags: Object.entries(table.tags).map(([Key, Value]) => ({ Key, Value })) };
}

/** The default quotas of a new account. */
export function describeLimits(): DescribeLimitsOutput {
  return {
    AccountMaxReadCapacityUnits: 80000,
    AccountMaxWriteCapacityUnits: 80000,
    TableMaxReadCapacityUnits: 40000,
    TableMaxWriteCapacityUnits: 40000,
  };
}

/** Endpoint discovery points clients back at this server. */
export function describeEndpoints(_input: unknown, ctx: RequestContext): DescribeEndpointsResponse {
  return { Endpoints: [{ Address: ctx.origin.host, CachePeriodInMinutes: 1440 }] };
}

export function updateTimeToLive(input: UpdateTimeToLiveInput, ctx: RequestContext): UpdateTimeToLiveOutput {
  const table = structuredClone(tableOf(ctx, input.TableName));
  const spec: Partial<TimeToLiveSpecification> = input.TimeToLiveSpecification ?? {};
  new ConstraintChecker().length("timeToLiveSpecification.attributeName", spec.AttributeName, 1, 255).throwIfAny();
  const enabled = !!spec.Enabled;
  if (enabled && table.ttl?.enabled) throw new ValidationException("TimeToLive is already enabled");
  if (!enabled && !table.ttl?.enabled) throw new ValidationException("TimeToLive is already disabled");
  if (!enabled && table.ttl?.attribute !== spec.AttributeName) {
    throw new ValidationException(`TimeToLive is active on a different AttributeName: current AttributeName is ${table.ttl?.attribute}`);
  }
  table.ttl = { attribute: spec.AttributeName as string, enabled };
  ctx.runtime.state.transaction(() => {
    tables(ctx).set(table.name, table);
    // Global tables replicate TTL settings: every replica expires items by the same attribute.
    syncToReplicas(ctx, table, (replica) => (replica.ttl = table.ttl));
  });
  return { TimeToLiveSpecification: { Enabled: enabled, AttributeName: spec.AttributeName } };
}

export function describeTimeToLive(input: DescribeTimeToLiveInput, ctx: RequestContext): DescribeTimeToLiveOutput {
  const table = tableOf(ctx, input.TableName);
  if (!table.ttl?.enabled) return { TimeToLiveDescription: { TimeToLiveStatus: "DISABLED" } };
  return { TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: table.ttl.attribute } };
}
