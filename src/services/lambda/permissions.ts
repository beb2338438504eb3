import { randomUUID } from "node:crypto";
import type {
  AddPermissionRequest,
  AddPermissionResponse,
  GetPolicyRequest,
  GetPolicyResponse,
  RemovePermissionRequest,
} from "@aws-sdk/client-lambda";
import { errorClass, ValidationFailure, type ValidationIssue } from "../../protocol/errors.js";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { functionArn } from "./config.js";
import {
  InvalidParameterValueException,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
} from "./errors.js";
import { type FunctionRecord, functions } from "./functions.js";
import { nameAndQualifier, requireFunction, resolveFunction } from "./names.js";

const PolicyLengthExceededException = errorClass("PolicyLengthExceededException", 400);

/** One statement of a resource policy, with AWS's member order. */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Principal: "*" | { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Id: "default";
  Statement: PolicyStatement[];
}

interface StoredPolicy {
  revisionId: string;
  statements: PolicyStatement[];
}

/** Policies live in the function's record (by qualifier, "" for the unqualified function): they go with it. */
type WithPolicies = FunctionRecord & { policies?: Record<string, StoredPolicy> };

const MAX_POLICY_BYTES = 20_480;
const STATEMENT_ID = /^[a-zA-Z0-9-_.]+$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;
const ACCOUNT = /^\d{12}$/;
const PRINCIPAL_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:.+$/;

/**
 * The resource policy of a function (qualifier undefined or "") or of one version/alias, as GetPolicy
 * returns it; undefined when it has none. For authorization of invocations.
 */
export function functionPolicy(store: ScopeStore, name: string, qualifier?: string): PolicyDocument | undefined {
  const record = functions({ store } as RequestContext).get(name) as WithPolicies | undefined; // functions() reads only the store
  const stored = record?.policies?.[qualifier === "$LATEST" ? "" : (qualifier ?? "")];
  return stored?.statements.length ? document(stored.statements) : undefined;
}

function document(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Id: "default", Statement: statements };
}

/** The function and the policy key a request names, checking that the version or alias exists. */
function target(ctx: RequestContext, functionName: string, qualifierParam: string | undefined) {
  const { name, qualifier } = nameAndQualifier(functionName, qualifierParam);
  const record = requireFunction(ctx, name) as WithPolicies;
  if (qualifier) resolveFunction(ctx, name, qualifier);
  return { name, record, key: qualifier ?? "", resource: functionArn(ctx, name, qualifier) };
}

export function addPermission(input: AddPermissionRequest, ctx: RequestContext): AddPermissionResponse {
  checkAddInput(input);
  if (input.Qualifier === "$LATEST" || /:\$LATEST$/.test(input.FunctionName as string))
    throw new InvalidParameterValueException("We currently do not support adding policies for $LATEST.");
  const { name, record, key, resource } = target(ctx, input.FunctionName as string, input.Qualifier);
  const stored = record.policies?.[key];
  checkRevision(input.RevisionId, stored?.revisionId);
  const sid = input.StatementId as string;
  if (stored?.statements.some((s) => s.Sid === sid)) {
    throw new ResourceConflictException(
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      { fields: { Type: "User" } },
    );
  }
  const statement = buildStatement(input, resource);
  const statements = [...(stored?.statements ?? []), statement];
  const size = Buffer.byteLength(JSON.stringify(document(statements)), "utf8");
  if (size > MAX_POLICY_BYTES)
    throw new PolicyLengthExceededException(`The final policy size (${size}) is bigger than the limit (${MAX_POLICY_BYTES}).`, {
      fields: { Type: "User" },
    });
  savePolicies(ctx, name, record, key, statements);
  return { Statement: JSON.stringify(statement) };
}

export function removePermission(input: RemovePermissionRequest, ctx: RequestContext): void {
  const { name, record, key, resource } = target(ctx, input.FunctionName as string, input.Qualifier);
  const stored = record.policies?.[key];
  if (!stored?.statements.length) throw new ResourceNotFoundException(`No policy found for: ${resource}`, { fields: { Type: "User" } });
  checkRevision(input.RevisionId, stored.revisionId);
  const statements = stored.statements.filter((s) => s.Sid !== input.StatementId);
  if (statements.length === stored.statements.length)
    throw new ResourceNotFoundException(`Statement ${input.StatementId} is not found in resource policy.`, { fields: { Type: "User" } });
  savePolicies(ctx, name, record, key, statements);
}

export function getPolicy(input: GetPolicyRequest, ctx: RequestContext): GetPolicyResponse {
  const { record, key } = target(ctx, input.FunctionName as string, input.Qualifier);
  const stored = record.policies?.[key];
  if (!stored?.statements.length)
    throw new ResourceNotFoundException("The resource you requested does not exist.", { fields: { Type: "User" } });
  return { Policy: JSON.stringify(document(stored.statements)), RevisionId: stored.revisionId };
}

/** The record without a deleted version's resource policy. */
export function withoutPolicy(record: FunctionRecord, qualifier: string): FunctionRecord {
  const policies = (record as WithPolicies).policies;
  if (!policies?.[qualifier]) return record;
  const { [qualifier]: _removed, ...rest } = policies;
  return { ...record, policies: rest } as WithPolicies;
}

function savePolicies(ctx: RequestContext, name: string, record: WithPolicies, key: string, statements: PolicyStatement[]): void {
  const policies = { ...(record.policies ?? {}) };
  if (statements.length) policies[key] = { revisionId: randomUUID(), statements };
  else delete policies[key];
  functions(ctx).set(name, { ...record, policies } as WithPolicies);
}

function checkRevision(given: string | undefined, current: string | undefined): void {
  if (given !== undefined && given !== current) {
    throw new PreconditionFailedException(
      "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id",
      { fields: { Type: "User" } },
    );
  }
}

function checkAddInput(input: AddPermissionRequest): void {
  const issues: ValidationIssue[] = [];
  const sid = input.StatementId as string;
  if (sid.length > 100 || !STATEMENT_ID.test(sid))
    issues.push({
      path: "statementId",
      value: sid,
      constraint: "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)",
      kind: "pattern",
    });
  if (!ACTION.test(input.Action as string))
    issues.push({
      path: "action",
      value: input.Action,
      constraint: "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
      kind: "pattern",
    });
  if (input.SourceAccount !== undefined && !ACCOUNT.test(input.SourceAccount))
    issues.push({
      path: "sourceAccount",
      value: input.SourceAccount,
      constraint: "Member must satisfy regular expression pattern: \\d{12}",
      kind: "pattern",
    });
  if (issues.length) throw new ValidationFailure(issues);
}

function principalOf(principal: string): PolicyStatement["Principal"] {
  if (principal === "*") return "*";
  if (ACCOUNT.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (PRINCIPAL_ARN.test(principal)) return { AWS: principal };
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(principal)) return { Service: principal };
  throw new InvalidParameterValueException("The provided principal was invalid. Please check the principal and try again.", {
    fields: { Type: "User" },
  });
}

/** The statement Lambda writes for AddPermission: each optional member becomes one condition. */
function buildStatement(input: AddPermissionRequest, resource: string): PolicyStatement {
  const equals: Record<string, string> = {};
  if (input.SourceAccount !== undefined) equals["AWS:SourceAccount"] = input.SourceAccount;
  if (input.PrincipalOrgID !== undefined) equals["aws:PrincipalOrgID"] = input.PrincipalOrgID;
  if (input.EventSourceToken !== undefined) equals["lambda:EventSourceToken"] = input.EventSourceToken;
  if (input.FunctionUrlAuthType !== undefined) equals["lambda:FunctionUrlAuthType"] = input.FunctionUrlAuthType;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(equals).length) condition.StringEquals = equals;
  if (input.SourceArn !== undefined) condition.ArnLike = { "AWS:SourceArn": input.SourceArn };
  if (input.InvokedViaFunctionUrl) condition.Bool = { "lambda:InvokedViaFunctionUrl": "true" };
  return {
    Sid: input.StatementId as string,
    Effect: "Allow",
    Principal: principalOf(input.Principal as string),
    Action: input.Action as string,
    Resource: resource,
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}
