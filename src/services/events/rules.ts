import type {
  DeleteRuleRequest,
  DescribeRuleRequest,
  DescribeRuleResponse,
  DisableRuleRequest,
  EnableRuleRequest,
  ListRulesRequest,
  ListRulesResponse,
  PutRuleRequest,
  PutRuleResponse,
  Rule,
  TestEventPatternRequest,
  TestEventPatternResponse,
} from "@aws-sdk/client-eventbridge";
import { isObject, type Json, type JsonObject, matchesPattern, PatternError, parsePattern } from "../../internal/event-pattern.js";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import {
  BUS_NAME_OR_ARN,
  checkMember,
  checkRange,
  InvalidEventPattern,
  LIMIT_MESSAGE,
  LimitExceeded,
  NEXT_TOKEN,
  RULE_NAME,
  throwIssues,
  ValidationException,
} from "./errors.js";
import { DEFAULT_BUS, page, refuseManaged, requireBus, requireRule, type RuleRecord, ruleArn, ruleKey, rulesIn } from "./model.js";
import { nextFireTime, parseSchedule, type Schedule } from "./schedule.js";
import { tagMap, validateTags } from "./tags.js";

const MAX_RULES_PER_BUS = 300;
const EVENT_PATTERN = { max: 4096 };
/** The envelope fields TestEventPattern insists on (its reference also names `resources`, which AWS does not require). */
const REQUIRED_EVENT_FIELDS = ["id", "account", "source", "time", "region", "detail-type"];

/** Parses an EventPattern member into the matcher's form, or throws AWS's InvalidEventPatternException. */
export function eventPattern(text: string): JsonObject {
  try {
    const pattern = parsePattern(text);
    rejectEmptyObjects(pattern);
    return pattern;
  } catch (err) {
    if (err instanceof PatternError) throw new InvalidEventPattern(`Event pattern is not valid. Reason: ${err.message}`);
    throw err;
  }
}

function rejectEmptyObjects(pattern: JsonObject): void {
  for (const value of Object.values(pattern)) {
    if (!isObject(value)) continue;
    if (Object.keys(value).length === 0) throw new PatternError("Empty objects are not allowed");
    rejectEmptyObjects(value);
  }
}

export function scheduleOf(expression: string): Schedule {
  const schedule = parseSchedule(expression);
  if (!schedule) throw new ValidationException("Parameter ScheduleExpression is not valid.");
  return schedule;
}

export function putRule(input: PutRuleRequest, ctx: RequestContext): PutRuleResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, RULE_NAME, issues);
  checkMember("scheduleExpression", input.ScheduleExpression, { max: 256 }, issues);
  checkMember("eventPattern", input.EventPattern, EVENT_PATTERN, issues);
  checkMember("description", input.Description, { max: 512 }, issues);
  checkMember("roleArn", input.RoleArn, { min: 1, max: 1600 }, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  throwIssues(issues);
  validateTags(input.Tags);
  const bus = requireBus(ctx, input.EventBusName);
  if (input.EventPattern === undefined && input.ScheduleExpression === undefined) {
    throw new ValidationException("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  if (input.EventPattern !== undefined) eventPattern(input.EventPattern);
  if (input.ScheduleExpression !== undefined) {
    if (bus.name !== DEFAULT_BUS) throw new ValidationException("ScheduleExpression is supported only on the default event bus.");
    scheduleOf(input.ScheduleExpression);
  }
  const name = input.Name as string;
  const rules = rulesIn(ctx.store);
  const existing = rules.get(ruleKey(bus.name, name));
  refuseManaged(existing);
  if (!existing && rulesOf(ctx, bus.name).length >= MAX_RULES_PER_BUS) throw new LimitExceeded(LIMIT_MESSAGE);
  const now = ctx.runtime.now();
  // PutRule replaces the rule's definition; its targets and (on update) its tags stay.
  const rule: RuleRecord = {
    name,
    bus: bus.name,
    eventPattern: input.EventPattern,
    scheduleExpression: input.ScheduleExpression,
    state: input.State ?? "ENABLED",
    description: input.Description,
    roleArn: input.RoleArn,
    createdBy: existing?.createdBy ?? ctx.account,
    createdAt: existing?.scheduleExpression === input.ScheduleExpression ? (existing?.createdAt ?? now) : now,
    tags: existing?.tags ?? tagMap(input.Tags),
    targets: existing?.targets ?? [],
  };
  rules.set(ruleKey(bus.name, name), withNextFire(rule, now));
  return { RuleArn: ruleArn(ctx, bus.name, name) };
}

/** Enabled scheduled rules know when they fire next (rates count periods from the rule's creation). */
export function withNextFire(rule: RuleRecord, now: number): RuleRecord {
  const schedule = rule.state !== "DISABLED" && rule.scheduleExpression ? parseSchedule(rule.scheduleExpression) : undefined;
  return { ...rule, nextFire: schedule ? nextFireTime(schedule, now, rule.createdAt) : undefined };
}

export function describeRule(input: DescribeRuleRequest, ctx: RequestContext): DescribeRuleResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, RULE_NAME, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  throwIssues(issues);
  const rule = requireRule(ctx, input.Name as string, input.EventBusName);
  return { ...ruleSummary(ctx, rule), CreatedBy: rule.createdBy };
}

export function ruleSummary(ctx: RequestContext, rule: RuleRecord): Rule {
  return {
    Name: rule.name,
    Arn: ruleArn(ctx, rule.bus, rule.name),
    EventPattern: rule.eventPattern,
    ScheduleExpression: rule.scheduleExpression,
    State: rule.state,
    Description: rule.description,
    RoleArn: rule.roleArn,
    EventBusName: rule.bus,
    ManagedBy: rule.managedBy,
  };
}

/** Deleting a rule that does not exist succeeds; one with targets must lose them first. */
export function deleteRule(input: DeleteRuleRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, RULE_NAME, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  throwIssues(issues);
  const bus = requireBus(ctx, input.EventBusName);
  const key = ruleKey(bus.name, input.Name as string);
  const rule = rulesIn(ctx.store).get(key);
  if (!rule) return;
  refuseManaged(rule, input.Force);
  if (rule.targets.length) throw new ValidationException("Rule can't be deleted since it has targets.");
  rulesIn(ctx.store).delete(key);
}

export function enableRule(input: EnableRuleRequest, ctx: RequestContext): void {
  setState(input, ctx, "ENABLED");
}

export function disableRule(input: DisableRuleRequest, ctx: RequestContext): void {
  setState(input, ctx, "DISABLED");
}

function setState(input: EnableRuleRequest, ctx: RequestContext, state: RuleRecord["state"]): void {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, RULE_NAME, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  throwIssues(issues);
  const rule = requireRule(ctx, input.Name as string, input.EventBusName);
  refuseManaged(rule);
  if (rule.state === state) return;
  rulesIn(ctx.store).set(ruleKey(rule.bus, rule.name), withNextFire({ ...rule, state }, ctx.runtime.now()));
}

export function rulesOf(ctx: Pick<RequestContext, "store">, bus: string): RuleRecord[] {
  const rules: RuleRecord[] = [];
  for (const [key, rule] of rulesIn(ctx.store).entriesFrom(`${bus}|`)) {
    if (!key.startsWith(`${bus}|`)) break;
    rules.push(rule);
  }
  return rules;
}

export function listRules(input: ListRulesRequest, ctx: RequestContext): ListRulesResponse {
  const issues: ValidationIssue[] = [];
  checkMember("namePrefix", input.NamePrefix, RULE_NAME, issues);
  checkMember("eventBusName", input.EventBusName, BUS_NAME_OR_ARN, issues);
  checkMember("nextToken", input.NextToken, NEXT_TOKEN, issues);
  checkRange("limit", input.Limit, 1, 100, issues);
  throwIssues(issues);
  const bus = requireBus(ctx, input.EventBusName);
  const prefix = input.NamePrefix ?? "";
  const matching = rulesOf(ctx, bus.name)
    .filter((rule) => rule.name.startsWith(prefix))
    .map((rule): [string, Rule] => [rule.name, ruleSummary(ctx, rule)]);
  const { items, nextToken } = page(matching, input.NextToken, input.Limit);
  return { Rules: items, NextToken: nextToken };
}

export function testEventPattern(input: TestEventPatternRequest, _ctx: RequestContext): TestEventPatternResponse {
  const issues: ValidationIssue[] = [];
  checkMember("eventPattern", input.EventPattern, EVENT_PATTERN, issues);
  throwIssues(issues);
  const pattern = eventPattern(input.EventPattern as string);
  let event: Json;
  try {
    event = JSON.parse(input.Event as string) as Json;
  } catch {
    throw new ValidationException("Parameter Event is not valid.");
  }
  const valid = isObject(event) && REQUIRED_EVENT_FIELDS.every((field) => field in event) && !Number.isNaN(Date.parse(String(event.time)));
  if (!valid) {
    throw new ValidationException("Parameter Event is not valid.");
  }
  return { Result: matchesPattern(pattern, event) };
}
