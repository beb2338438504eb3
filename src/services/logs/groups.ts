import type {
  CreateLogGroupRequest,
  DeleteLogGroupRequest,
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  LogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import { errorClass, ValidationFailure, type ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { deleteStreamData, groupStreams } from "./streams.js";

export const ResourceAlreadyExistsException = errorClass("ResourceAlreadyExistsException");
export const ResourceNotFoundException = errorClass("ResourceNotFoundException");
export const InvalidParameterException = errorClass("InvalidParameterException");

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;

export interface LogGroupRecord {
  name: string;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  tags: Record<string, string>;
}

export function groups(ctx: RequestContext) {
  return ctx.store.collection<LogGroupRecord>("groups", { sorted: true });
}

function checkGroupName(name: string | undefined, path: string, issues: ValidationIssue[]) {
  if (name === undefined) return;
  if (name.length < 1 || name.length > 512) {
    issues.push({ path, value: name, constraint: "Member must have length less than or equal to 512", kind: "length" });
  } else if (!GROUP_NAME.test(name)) {
    issues.push({
      path,
      value: name,
      constraint: "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
      kind: "pattern",
    });
  }
}

export function createLogGroup(input: CreateLogGroupRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkGroupName(input.logGroupName, "logGroupName", issues);
  if (issues.length) throw new ValidationFailure(issues);
  const name = input.logGroupName as string;
  if (groups(ctx).has(name)) throw new ResourceAlreadyExistsException("The specified log group already exists");
  groups(ctx).set(name, {
    name,
    creationTime: ctx.runtime.now(),
    kmsKeyId: input.kmsKeyId,
    logGroupClass: input.logGroupClass ?? "STANDARD",
    tags: { ...(input.tags ?? {}) },
  });
}

export function deleteLogGroup(input: DeleteLogGroupRequest, ctx: RequestContext): void {
  const group = requireGroup(ctx, input.logGroupName);
  for (const stream of [...groupStreams(ctx, group.name)]) deleteStreamData(ctx, stream);
  groups(ctx).delete(group.name);
}

/** A group by name or by ARN (the `logGroupIdentifier` form, with or without a trailing `:*`). */
export function requireGroup(ctx: RequestContext, nameOrArn: string | undefined): LogGroupRecord {
  if (nameOrArn === undefined) throw new InvalidParameterException("Should provide either name or identifier for log group.");
  const name = nameOrArn.startsWith("arn:") ? nameFromArn(nameOrArn) : nameOrArn;
  const group = name === undefined ? undefined : groups(ctx).get(name);
  if (!group) throw new ResourceNotFoundException("The specified log group does not exist.");
  return group;
}

function nameFromArn(arn: string): string | undefined {
  return /^arn:[^:]+:logs:[^:]*:\d*:log-group:([^:]+)(:\*)?$/.exec(arn)?.[1];
}

export function groupArn(ctx: RequestContext, name: string): string {
  return `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${name}`;
}

export function describeLogGroups(input: DescribeLogGroupsRequest, ctx: RequestContext): DescribeLogGroupsResponse {
  const issues: ValidationIssue[] = [];
  checkGroupName(input.logGroupNamePrefix, "logGroupNamePrefix", issues);
  const limit = input.limit ?? 50;
  if (limit < 1 || limit > 50) {
    issues.push({
      path: "limit",
      value: limit,
      constraint: `Member must have value ${limit < 1 ? "greater than or equal to 1" : "less than or equal to 50"}`,
      kind: "range",
    });
  }
  if (issues.length) throw new ValidationFailure(issues);
  if (input.logGroupNamePrefix && input.logGroupNamePattern) {
    throw new InvalidParameterException("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  }
  const prefix = input.logGroupNamePrefix ?? "";
  const pattern = input.logGroupNamePattern?.toLowerCase();
  const after = input.nextToken ? Buffer.from(input.nextToken, "base64url").toString("utf8") : undefined;
  const page: LogGroup[] = [];
  let nextToken: string | undefined;
  for (const [name, group] of groups(ctx).entriesFrom(after ?? prefix)) {
    if (!name.startsWith(prefix)) break;
    if (name === after || (pattern && !name.toLowerCase().includes(pattern))) continue;
    if (page.length === limit) {
      nextToken = Buffer.from(page[page.length - 1].logGroupName as string).toString("base64url");
      break;
    }
    page.push(describe(group, ctx));
  }
  return { logGroups: page, nextToken };
}

function describe(group: LogGroupRecord, ctx: RequestContext): LogGroup {
  const arn = groupArn(ctx, group.name);
  return {
    logGroupName: group.name,
    creationTime: group.creationTime,
    retentionInDays: group.retentionInDays,
    metricFilterCount: 0,
    arn: `${arn}:*`,
    logGroupArn: arn,
    storedBytes: 0,
    kmsKeyId: group.kmsKeyId,
    logGroupClass: group.logGroupClass as LogGroup["logGroupClass"],
  };
}
