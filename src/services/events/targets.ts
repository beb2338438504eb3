import type {
  ListRuleNamesByTargetRequest,
  ListRuleNamesByTargetResponse,
  ListTargetsByRuleRequest,
  ListTargetsByRuleResponse,
  PutTargetsRequest,
  PutTargetsResponse,
  RemoveTargetsRequest,
  RemoveTargetsResponse,
  Target,
} from "@aws-sdk/client-eventbridge";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import {
  BUS_NAME_OR_ARN,
  checkCount,
  checkMember,
  checkRange,
  LIMIT_MESSAGE,
  LimitExceeded,
  NEXT_TOKEN,
  RULE_NAME,
  TARGET_ARN,
  TARGET_ID,
  throwIssues,
  ValidationException,
} from "./errors.js";
import { validateTransformer } from "./input.js";
import { page, refuseManaged, requireBus, requireRule, ruleKey, rulesIn } from "./model.js";
import { rulesOf } from "./rules.js";

const MAX_TARGETS_PER_RULE = 5;

export function putTargets(input: PutTargetsRequest, ctx: RequestContext): PutTargetsResponse {
  const issues: ValidationIssue[] = [];
  checkMember("rule", input.Rule, RULE_NAME, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  checkCount("targets", input.Targets, 1, 100, issues);
  for (const [i, target] of (input.Targets ?? []).entries()) checkTarget(`targets.${i + 1}.member`, target, issues);
  throwIssues(issues);
  const rule = requireRule(ctx, input.Rule as string, input.EventBusName);
  refuseManaged(rule);
  const targets = input.Targets as Target[];
  for (const target of targets) validateTarget(target);
  // A later entry with the same Id replaces an earlier one, as a second PutTargets call would.
  const byId = new Map(rule.targets.map((t) => [t.Id as string, t]));
  for (const target of targets) byId.set(target.Id as string, target);
  if (byId.size > MAX_TARGETS_PER_RULE) throw new LimitExceeded(LIMIT_MESSAGE);
  rulesIn(ctx.store).set(ruleKey(rule.bus, rule.name), { ...rule, targets: [...byId.values()] });
  return { FailedEntryCount: 0, FailedEntries: [] };
}

function checkTarget(path: string, target: Target, issues: ValidationIssue[]): void {
  checkMember(`${path}.id`, target.Id, TARGET_ID, issues);
  checkMember(`${path}.arn`, target.Arn, TARGET_ARN, issues);
  checkMember(`${path}.roleArn`, target.RoleArn, { min: 1, max: 1600 }, issues);
  checkMember(`${path}.input`, target.Input, { max: 8192 }, issues);
  checkMember(`${path}.inputPath`, target.InputPath, { max: 256 }, issues);
  checkMember(`${path}.inputTransformer.inputTemplate`, target.InputTransformer?.InputTemplate, { min: 1, max: 8192 }, issues);
  checkRange(`${path}.retryPolicy.maximumRetryAttempts`, target.RetryPolicy?.MaximumRetryAttempts, 0, 185, issues);
  checkRange(`${path}.retryPolicy.maximumEventAgeInSeconds`, target.RetryPolicy?.MaximumEventAgeInSeconds, 60, 86400, issues);
  checkMember(`${path}.deadLetterConfig.arn`, target.DeadLetterConfig?.Arn, { min: 1, max: 1600 }, issues);
}

/** The rules AWS applies to a target beyond member constraints; any failure fails the whole request. */
function validateTarget(target: Target): void {
  const id = target.Id as string;
  const arn = target.Arn as string;
  if (!/^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+/.test(arn)) throw new ValidationException(`Parameter ${arn} is not valid.`);
  const inputs = [target.Input, target.InputPath, target.InputTransformer].filter((v) => v !== undefined).length;
  if (inputs > 1) throw new ValidationException(`Only one of Input, InputPath, or InputTransformer must be provided for target ${id}.`);
  if (target.Input !== undefined && !isJson(target.Input))
    throw new ValidationException(`Input for target ${id} is not a valid JSON text.`);
  if (target.InputPath !== undefined && !/^\$(\.[^.]+|\[\d+\])*$/.test(target.InputPath)) {
    throw new ValidationException(`InputPath for target ${id} is invalid.`);
  }
  if (target.InputTransformer) validateTransformer(id, target.InputTransformer);
  if (arn.split(":")[2] === "sqs" && arn.endsWith(".fifo") && !target.SqsParameters?.MessageGroupId) {
    throw new ValidationException(`Parameter(s) SqsParameters must be specified for target: ${id}.`);
  }
  if (!target.RoleArn && needsRole(arn)) throw new ValidationException(`Parameter(s) RoleArn must be specified for target: ${id}.`);
  const dlq = target.DeadLetterConfig?.Arn;
  if (dlq !== undefined && !/^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]+$/.test(dlq)) {
    throw new ValidationException("Parameter DeadLetterConfig.Arn is not valid.");
  }
}

/** Targets EventBridge reaches with a role it assumes rather than through the target's resource policy. */
function needsRole(arn: string): boolean {
  const [, , service, , , resource] = arn.split(":");
  return service === "kinesis" || (service === "events" && resource.startsWith("api-destination/"));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function removeTargets(input: RemoveTargetsRequest, ctx: RequestContext): RemoveTargetsResponse {
  const issues: ValidationIssue[] = [];
  checkMember("rule", input.Rule, RULE_NAME, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  checkCount("ids", input.Ids, 1, 100, issues);
  for (const [i, id] of (input.Ids ?? []).entries()) checkMember(`ids.${i + 1}.member`, id, TARGET_ID, issues);
  throwIssues(issues);
  const rule = requireRule(ctx, input.Rule as string, input.EventBusName);
  refuseManaged(rule, input.Force);
  const removed = new Set(input.Ids);
  rulesIn(ctx.store).set(ruleKey(rule.bus, rule.name), { ...rule, targets: rule.targets.filter((t) => !removed.has(t.Id as string)) });
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export function listTargetsByRule(input: ListTargetsByRuleRequest, ctx: RequestContext): ListTargetsByRuleResponse {
  const issues: ValidationIssue[] = [];
  checkMember("rule", input.Rule, RULE_NAME, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  checkMember("nextToken", input.NextToken, NEXT_TOKEN, issues);
  checkRange("limit", input.Limit, 1, 100, issues);
  throwIssues(issues);
  const rule = requireRule(ctx, input.Rule as string, input.EventBusName);
  const ordered = [...rule.targets].sort((a, b) => ((a.Id as string) < (b.Id as string) ? -1 : 1));
  const { items, nextToken } = page(
    ordered.map((t): [string, Target] => [t.Id as string, t]),
    input.NextToken,
    input.Limit,
  );
  return { Targets: items, NextToken: nextToken };
}

export function listRuleNamesByTarget(input: ListRuleNamesByTargetRequest, ctx: RequestContext): ListRuleNamesByTargetResponse {
  const issues: ValidationIssue[] = [];
  checkMember("targetArn", input.TargetArn, TARGET_ARN, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  checkMember("nextToken", input.NextToken, NEXT_TOKEN, issues);
  checkRange("limit", input.Limit, 1, 100, issues);
  throwIssues(issues);
  const bus = requireBus(ctx, input.EventBusName);
  const names = rulesOf(ctx, bus.name)
    .filter((rule) => rule.targets.some((t) => t.Arn === input.TargetArn))
    .map((rule): [string, string] => [rule.name, rule.name]);
  const { items, nextToken } = page(names, input.NextToken, input.Limit);
  return { RuleNames: items, NextToken: nextToken };
}
