import type {
  DeleteBucketPolicyRequest,
  GetBucketPolicyOutput,
  GetBucketPolicyRequest,
  GetBucketPolicyStatusOutput,
  GetBucketPolicyStatusRequest,
  PutBucketPolicyRequest,
} from "@aws-sdk/client-s3";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { effectivePublicAccessBlock } from "./bucket-config.js";
import { ownedBucket } from "./buckets.js";
import { bucketConfig, updateBucketConfig } from "./config-store.js";
import { AccessDenied } from "./errors.js";

export const MalformedPolicy = errorClass("MalformedPolicy", 400);
export const NoSuchBucketPolicy = errorClass("NoSuchBucketPolicy", 404);
export const PolicyTooLarge = errorClass("PolicyTooLarge", 400);

/** S3 measures the 20 KB limit on the document without its insignificant whitespace. */
const MAX_POLICY_BYTES = 20 * 1024;

const VERSIONS = ["2012-10-17", "2008-10-17"];
/** Condition keys that tie a statement to specific callers or networks, which makes a "*" principal non-public. */
const RESTRICTING_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:sourceip",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:principalarn",
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:userid",
  "s3:dataaccesspointarn",
  "s3:dataaccesspointaccount",
];

type Json = Record<string, unknown>;

/** The bucket's policy document as stored, for the IAM engine's resource-policy evaluation. */
export function bucketPolicy(ctx: RequestContext, bucket: string): string | undefined {
  return bucketConfig(ctx, bucket).policy;
}

export function putBucketPolicy(input: PutBucketPolicyRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const text = input.Policy ?? "";
  const statements = checkPolicy(text, bucket.name);
  if (effectivePublicAccessBlock(ctx, bucket.name).BlockPublicPolicy && statements.some(isPublicStatement)) {
    throw new AccessDenied(
      `User: ${ctx.principal.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket.name}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    );
  }
  updateBucketConfig(ctx, bucket.name, { policy: text });
}

export function getBucketPolicy(input: GetBucketPolicyRequest, ctx: RequestContext): GetBucketPolicyOutput {
  return { Policy: existingPolicy(ctx, input.Bucket as string, input.ExpectedBucketOwner) };
}

export function deleteBucketPolicy(input: DeleteBucketPolicyRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  updateBucketConfig(ctx, bucket.name, { policy: undefined });
}

export function getBucketPolicyStatus(input: GetBucketPolicyStatusRequest, ctx: RequestContext): GetBucketPolicyStatusOutput {
  const policy = existingPolicy(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const statements = asList((JSON.parse(policy) as Json).Statement) as Json[];
  return { PolicyStatus: { IsPublic: statements.some(isPublicStatement) } };
}

function existingPolicy(ctx: RequestContext, name: string, expectedOwner?: string): string {
  const bucket = ownedBucket(ctx, name, expectedOwner);
  const policy = bucketConfig(ctx, bucket.name).policy;
  if (policy === undefined) throw new NoSuchBucketPolicy("The bucket policy does not exist", { fields: { BucketName: bucket.name } });
  return policy;
}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Validates a bucket policy as S3 does, returning its statements. */
function checkPolicy(text: string, bucket: string): Json[] {
  if (!text.trimStart().startsWith("{")) throw new MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new MalformedPolicy("This policy contains invalid Json");
  }
  if (Buffer.byteLength(JSON.stringify(document)) > MAX_POLICY_BYTES)
    throw new PolicyTooLarge("Policy exceeds the maximum allowed document size.");
  const policy = document as Json;
  if (policy.Version !== undefined && !VERSIONS.includes(policy.Version as string)) {
    throw new MalformedPolicy("The policy must contain a valid version string");
  }
  if (policy.Statement === undefined) throw new MalformedPolicy("Missing required field Statement");
  const statements = asList(policy.Statement);
  if (statements.length === 0 || statements.some((s) => typeof s !== "object" || s === null || Array.isArray(s))) {
    throw new MalformedPolicy("This policy contains invalid Json");
  }
  for (const statement of statements as Json[]) checkStatement(statement, bucket);
  return statements as Json[];
}

function checkStatement(statement: Json, bucket: string): void {
  if (statement.Effect === undefined) throw new MalformedPolicy("Missing required field Effect");
  if (statement.Effect !== "Allow" && statement.Effect !== "Deny") throw new MalformedPolicy(`Invalid effect: ${String(statement.Effect)}`);
  const principal = statement.Principal ?? statement.NotPrincipal;
  if (principal === undefined) throw new MalformedPolicy("Missing required field Principal");
  if (!validPrincipal(principal)) throw new MalformedPolicy("Invalid principal in policy");
  const actions = asList(statement.Action ?? statement.NotAction);
  if (actions.length === 0) throw new MalformedPolicy("Missing required field Action");
  if (!actions.every((a) => typeof a === "string" && /^(\*|s3:[A-Za-z0-9*?]+)$/.test(a)))
    throw new MalformedPolicy("Policy has invalid action");
  const resources = asList(statement.Resource ?? statement.NotResource);
  if (resources.length === 0) throw new MalformedPolicy("Missing required field Resource");
  if (!resources.every((r) => typeof r === "string" && resourceInBucket(r, bucket)))
    throw new MalformedPolicy("Policy has invalid resource");
  if (statement.Action !== undefined && !actionsMeetResources(actions as string[], resources as string[])) {
    throw new MalformedPolicy("Action does not apply to any resource(s) in statement");
  }
}

/** `*`, or `{ "AWS" | "Service" | "Federated" | "CanonicalUser": one or many non-empty strings }`. */
function validPrincipal(principal: unknown): boolean {
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null || Array.isArray(principal)) return false;
  const entries = Object.entries(principal as Json);
  return (
    entries.length > 0 &&
    entries.every(
      ([kind, value]) =>
        ["AWS", "Service", "Federated", "CanonicalUser"].includes(kind) &&
        asList(value).length > 0 &&
        asList(value).every((v) => typeof v === "string" && (kind !== "AWS" || /^(\*|\d{12}|arn:aws[a-z-]*:[a-z0-9-]+:.*)$/.test(v))),
    )
  );
}

/** A resource must be this bucket (`arn:aws:s3:::bucket`) or objects in it (`…/key`), wildcards allowed. */
function resourceInBucket(resource: string, bucket: string): boolean {
  if (resource === "*") return true;
  const m = /^arn:aws:s3:::([^/]*)(\/.*)?$/.exec(resource);
  return m !== null && globMatches(m[1], bucket);
}

function globMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(value);
}

/** Object actions need an object resource and bucket actions a bucket resource; wildcards reach both. */
function actionsMeetResources(actions: string[], resources: string[]): boolean {
  const objectResource = resources.some((r) => r === "*" || r.includes("/") || r.endsWith("*"));
  const bucketResource = resources.some((r) => !r.includes("/"));
  return actions.some((action) => {
    const level = actionLevel(action);
    return (level !== "bucket" && objectResource) || (level !== "object" && bucketResource);
  });
}

function actionLevel(action: string): "object" | "bucket" | "any" {
  if (action.includes("*") || action.includes("?")) return "any";
  if (/Object|^s3:AbortMultipartUpload$|^s3:ListMultipartUploadParts$/.test(action)) return "object";
  return "bucket";
}

/** A statement is public when it allows anyone ("*") without a condition that pins callers down. */
export function isPublicStatement(statement: Json): boolean {
  if (statement.Effect !== "Allow") return false;
  const principal = statement.Principal;
  const anyone = principal === "*" || asList((principal as Json | undefined)?.AWS).includes("*");
  if (!anyone) return false;
  const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  for (const [operator, keys] of Object.entries(conditions)) {
    if (operator.startsWith("StringNotEquals") || operator.startsWith("ArnNotEquals") || operator === "NotIpAddress") continue;
    for (const [key, value] of Object.entries(keys ?? {})) {
      if (!RESTRICTING_KEYS.includes(key.toLowerCase())) continue;
      const values = asList(value).map(String);
      if (values.every((v) => !v.includes("*") && v !== "0.0.0.0/0" && v !== "::/0")) return false;
    }
  }
  return true;
}
