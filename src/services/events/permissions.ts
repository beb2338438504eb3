import type { PutPermissionRequest, RemovePermissionRequest } from "@aws-sdk/client-eventbridge";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import {
  BUS_NAME,
  checkMember,
  PolicyLengthExceeded,
  ResourceAlreadyExists,
  ResourceNotFound,
  throwIssues,
  ValidationException,
} from "./errors.js";
import { type BusRecord, busArn, busesIn, requireBus } from "./model.js";

const MAX_POLICY_LENGTH = 10_240;
const STATEMENT_ID = { min: 1, max: 64, pattern: "[a-zA-Z0-9-_]+" };

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: "*" | { AWS?: string | string[] };
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

/** PutPermission: a whole policy, or one statement letting an account (or everyone) put events on the bus. */
export function putPermission(input: PutPermissionRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkMember("eventBusName", input.EventBusName, BUS_NAME, issues);
  checkMember("action", input.Action, { min: 1, max: 64 }, issues);
  checkMember("principal", input.Principal, { min: 1, max: 12, pattern: "(\\d{12}|\\*)" }, issues);
  checkMember("statementId", input.StatementId, STATEMENT_ID, issues);
  throwIssues(issues);
  const bus = requireBus(ctx, input.EventBusName);
  if (input.Policy !== undefined) {
    savePolicy(ctx, bus, parsePolicy(input.Policy));
    return;
  }
  if (!input.Action || !input.Principal || !input.StatementId) {
    throw new ValidationException("Parameter(s) Action, Principal and StatementId must be specified if Policy is not specified.");
  }
  if (input.Action !== "events:PutEvents") throw new ValidationException("Provided value in parameter 'action' is not supported.");
  const policy = bus.policy ? parsePolicy(bus.policy) : { Version: "2012-10-17", Statement: [] };
  if (policy.Statement.some((s) => s.Sid === input.StatementId)) {
    throw new ResourceAlreadyExists("Statement with the provided id already exists.");
  }
  const statement: Statement = {
    Sid: input.StatementId,
    Effect: "Allow",
    Principal: input.Principal === "*" ? "*" : { AWS: `arn:aws:iam::${input.Principal}:root` },
    Action: input.Action,
    Resource: busArn(ctx, bus.name),
  };
  if (input.Condition) {
    statement.Condition = { [input.Condition.Type as string]: { [input.Condition.Key as string]: input.Condition.Value as string } };
  }
  policy.Statement.push(statement);
  savePolicy(ctx, bus, policy);
}

export function removePermission(input: RemovePermissionRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkMember("eventBusName", input.EventBusName, BUS_NAME, issues);
  checkMember("statementId", input.StatementId, STATEMENT_ID, issues);
  throwIssues(issues);
  const bus = requireBus(ctx, input.EventBusName);
  if (!bus.policy) throw new ResourceNotFound("EventBus does not have a policy.");
  if (input.RemoveAllPermissions) {
    busesIn(ctx.store).set(bus.name, { ...bus, policy: undefined, modifiedAt: ctx.runtime.now() });
    return;
  }
  if (!input.StatementId) throw new ValidationException("Parameter StatementId must be specified if RemoveAllPermissions is not true.");
  const policy = parsePolicy(bus.policy);
  const remaining = policy.Statement.filter((s) => s.Sid !== input.StatementId);
  if (remaining.length === policy.Statement.length) throw new ResourceNotFound("Statement with the provided id does not exist.");
  const updated = remaining.length ? JSON.stringify({ ...policy, Statement: remaining }) : undefined;
  busesIn(ctx.store).set(bus.name, { ...bus, policy: updated, modifiedAt: ctx.runtime.now() });
}

function parsePolicy(text: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationException("Parameter Policy is not valid.");
  }
  const doc = parsed as { Statement?: unknown };
  if (typeof parsed !== "object" || parsed === null || doc.Statement === undefined) {
    throw new ValidationException("Parameter Policy is not valid.");
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return { ...(parsed as PolicyDocument), Statement: statements as Statement[] };
}

function savePolicy(ctx: RequestContext, bus: BusRecord, policy: PolicyDocument): void {
  const text = JSON.stringify(policy);
  if (text.length > MAX_POLICY_LENGTH) throw new PolicyLengthExceeded("Policy length exceeds the maximum allowed.");
  busesIn(ctx.store).set(bus.name, { ...bus, policy: text, modifiedAt: ctx.runtime.now() });
}

/**
 * Whether a bus's policy lets another account put events on it: an Allow statement for events:PutEvents
 * (or events:*) whose principal is everyone or that account. Conditions (aws:PrincipalOrgID) cannot be
 * satisfied by a local account and make their statement not apply.
 */
export function allowsPutEvents(policy: string | undefined, account: string): boolean {
  if (!policy) return false;
  let doc: PolicyDocument;
  try {
    doc = parsePolicy(policy);
  } catch {
    return false;
  }
  return doc.Statement.some((s) => {
    const actions = [s.Action ?? []].flat();
    if (s.Effect !== "Allow" || s.Condition || !actions.some((a) => a === "events:PutEvents" || a === "events:*")) return false;
    if (s.Principal === "*") return true;
    const principals = [s.Principal?.AWS ?? []].flat();
    return principals.some((p) => p === "*" || p === account || p === `arn:aws:iam::${account}:root`);
  });
}
