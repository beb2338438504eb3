import { AwsError } from "../protocol/errors.js";
import { parseOperator } from "./conditions.js";

/** A policy statement, normalized: every list member is an array, every principal value a list. */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  /** "*" or e.g. { AWS: ["arn:…"], Service: ["sqs.amazonaws.com"] }. */
  Principal?: PrincipalSpec;
  NotPrincipal?: PrincipalSpec;
  /** operator → condition key → values. */
  Condition?: Record<string, Record<string, string[]>>;
}

export type PrincipalSpec = "*" | Record<string, string[]>;

export interface Policy {
  Version?: string;
  Statement: Statement[];
  /** Set when no statement reads the request context (no Condition, no policy variable): evaluation can skip building one. */
  contextFree?: boolean;
}

/** Where a document is used decides which elements it must and must not have. */
export type PolicyKind = "identity" | "trust" | "resource" | "session";

const malformed = (message: string) => new AwsError("MalformedPolicyDocumentException", message, { status: 400 });

const STATEMENT_FIELDS = new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Principal",
  "NotPrincipal",
  "Condition",
]);
const VERSIONS = new Set(["2012-10-17", "2008-10-17"]);

/**
 * Parses a policy document and checks its grammar as IAM does, throwing MalformedPolicyDocument with
 * IAM's messages. The normalized form is what the engine evaluates.
 */
export function parsePolicy(document: string, kind: PolicyKind): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(document);
  } catch {
    throw malformed("Syntax errors in policy.");
  }
  if (!isObject(raw)) throw malformed("Syntax errors in policy.");
  for (const key of Object.keys(raw)) {
    if (!["Version", "Id", "Statement"].includes(key)) throw malformed("Syntax errors in policy.");
  }
  if (raw.Version !== undefined && (typeof raw.Version !== "string" || !VERSIONS.has(raw.Version))) {
    throw malformed("The policy must contain a valid version string");
  }
  if (raw.Statement === undefined) throw malformed("Syntax errors in policy.");
  const statements = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  if (statements.length === 0 && kind !== "session") throw malformed("Syntax errors in policy.");
  const sids = new Set<string>();
  const parsed = statements.map((s) => parseStatement(s, kind));
  for (const s of parsed) {
    if (s.Sid === undefined) continue;
    if (sids.has(s.Sid)) throw malformed("Statement IDs (SID) in a single policy must be unique.");
    sids.add(s.Sid);
  }
  const contextFree = parsed.every((st) => !st.Condition && !usesVariables(st.Resource) && !usesVariables(st.NotResource));
  return { Version: raw.Version as string | undefined, Statement: parsed, contextFree };
}

function usesVariables(patterns: string[] | undefined): boolean {
  return patterns?.some((p) => p.includes("${")) ?? false;
}

function parseStatement(raw: unknown, kind: PolicyKind): Statement {
  if (!isObject(raw)) throw malformed("Syntax errors in policy.");
  for (const key of Object.keys(raw)) if (!STATEMENT_FIELDS.has(key)) throw malformed("Syntax errors in policy.");
  if (raw.Effect === undefined) throw malformed("Missing required field Effect");
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") throw malformed(`Invalid effect: ${String(raw.Effect)}`);
  if (raw.Sid !== undefined && (typeof raw.Sid !== "string" || (kind !== "resource" && !/^[A-Za-z0-9]*$/.test(raw.Sid)))) {
    throw malformed("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
  }
  const statement: Statement = { Effect: raw.Effect };
  if (raw.Sid !== undefined) statement.Sid = raw.Sid as string;
  both(raw, "Action", "NotAction");
  both(raw, "Resource", "NotResource");
  both(raw, "Principal", "NotPrincipal");
  if (raw.Action !== undefined) statement.Action = stringList(raw.Action);
  if (raw.NotAction !== undefined) statement.NotAction = stringList(raw.NotAction);
  if (!statement.Action && !statement.NotAction) throw malformed("Policy statement must contain actions.");
  for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) checkAction(action);
  if (raw.Resource !== undefined) statement.Resource = stringList(raw.Resource);
  if (raw.NotResource !== undefined) statement.NotResource = stringList(raw.NotResource);
  for (const resource of [...(statement.Resource ?? []), ...(statement.NotResource ?? [])]) checkResource(resource);
  if (raw.Principal !== undefined) statement.Principal = principalSpec(raw.Principal);
  if (raw.NotPrincipal !== undefined) statement.NotPrincipal = principalSpec(raw.NotPrincipal);
  if (raw.Condition !== undefined) statement.Condition = conditionBlock(raw.Condition);
  checkElementsFor(kind, statement);
  return statement;
}

/** Which elements each kind of policy requires or forbids. */
function checkElementsFor(kind: PolicyKind, s: Statement): void {
  const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
  const hasResource = s.Resource !== undefined || s.NotResource !== undefined;
  if (kind === "identity" || kind === "session") {
    if (hasPrincipal) throw malformed("Policy document should not specify a principal.");
    if (!hasResource) throw malformed("Policy statement must contain resources.");
  } else if (kind === "trust") {
    if (!hasPrincipal) throw malformed("Missing required field Principal");
    if (hasResource) throw malformed("Has prohibited field Resource");
    for (const action of s.Action ?? []) {
      if (!/^(sts:\*|sts:AssumeRole\w*|sts:TagSession|sts:SetSourceIdentity|sts:SetContext|\*)$/i.test(action)) {
        throw malformed("AssumeRole policy may only specify STS AssumeRole actions.");
      }
    }
  } else if (!hasPrincipal) {
    throw malformed("Missing required field Principal");
  }
}

function both(raw: Record<string, unknown>, a: string, b: string): void {
  if (raw[a] !== undefined && raw[b] !== undefined) throw malformed("Syntax errors in policy.");
}

function checkAction(action: string): void {
  if (action === "*") return;
  if (!/^[A-Za-z0-9-]+:[A-Za-z0-9*?-]*$/.test(action)) {
    throw malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  }
}

function checkResource(resource: string): void {
  if (resource === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+/.test(resource) || /^arn:\*/.test(resource)) return;
  throw malformed(`Resource ${resource} must be in ARN format or "*".`);
}

function principalSpec(raw: unknown): PrincipalSpec {
  if (raw === "*") return "*";
  if (!isObject(raw)) throw malformed("Invalid principal in policy");
  const spec: Record<string, string[]> = {};
  for (const [type, values] of Object.entries(raw)) {
    if (!["AWS", "Service", "Federated", "CanonicalUser"].includes(type)) throw malformed("Invalid principal in policy");
    spec[type] = stringList(values);
    if (type === "AWS") for (const p of spec[type]) checkAwsPrincipal(p);
  }
  return spec;
}

function checkAwsPrincipal(p: string): void {
  if (p === "*" || /^\d{12}$/.test(p) || /^arn:aws[\w-]*:(iam|sts)::\d{12}:.+$/.test(p) || /^A[A-Z]{3}[A-Z0-9]{13,}$/.test(p)) return;
  throw malformed(`Invalid principal in policy: "AWS":"${p}"`);
}

function conditionBlock(raw: unknown): Record<string, Record<string, string[]>> {
  if (!isObject(raw)) throw malformed("Syntax errors in policy.");
  const block: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries(raw)) {
    if (!isObject(keys)) throw malformed("Syntax errors in policy.");
    if (!parseOperator(operator)) throw malformed(`Invalid Condition type : ${operator}`);
    block[operator] = {};
    for (const [key, values] of Object.entries(keys)) {
      const list = Array.isArray(values) ? values : [values];
      if (list.some((v) => typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")) {
        throw malformed("Syntax errors in policy.");
      }
      if (!/^[\w./-]+:./.test(key)) throw malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
      block[operator][key] = list.map(String);
    }
  }
  return block;
}

function stringList(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.some((v) => typeof v !== "string")) throw malformed("Syntax errors in policy.");
  return list as string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** IAM counts policy size without whitespace (outside strings it does not matter, as AWS documents). */
export function policySize(document: string): number {
  return document.replace(/\s+/g, "").length;
}
