import type { RequestContext } from "../services/types.js";
import type { ConditionContext } from "./conditions.js";

/** Declarations read the decoded input loosely: every operation's input has its own SDK type. */
// biome-ignore lint/suspicious/noExplicitAny: each declaration reads its own operation's members.
export type OperationInput = Record<string, any>;

/** One more action an operation needs besides its own (CopyObject also reads its source). */
export interface ActionCheck {
  action: string;
  resources: string[];
}

/**
 * What IAM checks for one operation, from AWS's Service Authorization Reference: the action, the
 * resource ARNs it acts on and the service-specific condition keys of the request. The context handed
 * to the functions is the target service's request context (its store for the request's account and
 * region), so declarations can read resource policies and tags; they must not change state.
 */
export interface OperationAuthorization {
  /** Not an API operation: what the service's own HTTP route authorizes (function URL requests). */
  httpRoute?: true;
  /** e.g. "s3:GetObject"; not always the operation's name (ListObjectsV2 → s3:ListBucket). */
  action: string;
  /** The action for this particular request where it depends on the input (s3:GetObjectVersion for a VersionId). */
  actionFor?(input: OperationInput): string;
  /** The resources acted on; `["*"]` when absent (operations without a resource type). */
  resources?(input: OperationInput, ctx: RequestContext): string[];
  /** Service condition keys (s3:prefix, dynamodb:LeadingKeys…), lower or mixed case. */
  context?(input: OperationInput, ctx: RequestContext): ConditionContext;
  /** The resource's own policy document (queue policy, key policy…), if it has one. */
  resourcePolicy?(input: OperationInput, ctx: RequestContext): string | undefined;
  /** The account owning the resource when its ARN does not name one (S3 buckets). */
  resourceAccount?(input: OperationInput, ctx: RequestContext): string | undefined;
  /** The resource's tags, for aws:ResourceTag/<key>. */
  resourceTags?(input: OperationInput, ctx: RequestContext): Record<string, string> | undefined;
  /** Further actions the request needs, each on its own resources. */
  also?(input: OperationInput, ctx: RequestContext): ActionCheck[];
  /** KMS: the key policy itself must allow; IAM policies count only where the key policy delegates to the account. */
  resourcePolicyRequired?: boolean;
  /** "public": AWS requires no permission (sts:GetCallerIdentity); "handler": the handler evaluates the policies itself. */
  exempt?: "public" | "handler";
}

/** Operation name → its authorization, one table per service next to its operations. */
export type AuthorizationTable = Record<string, OperationAuthorization>;

/** `arn:aws:<service>:<region>:<account>:<resource>` in the request's region and account. */
export function regionalArn(ctx: Pick<RequestContext, "region" | "account">, service: string, resource: string): string {
  return `arn:aws:${service}:${ctx.region}:${ctx.account}:${resource}`;
}

/** The tags a request sets, for aws:RequestTag/<key> and aws:TagKeys, whatever shape the service uses. */
export function requestTags(input: OperationInput): Record<string, string> | undefined {
  const raw = input.Tags ?? input.tags ?? input.TagList;
  if (!raw || typeof raw !== "object") return undefined;
  if (!Array.isArray(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
  const tags: Record<string, string> = {};
  for (const tag of raw as Record<string, unknown>[]) {
    const key = tag.Key ?? tag.TagKey;
    if (typeof key === "string") tags[key] = String(tag.Value ?? tag.TagValue ?? "");
  }
  return tags;
}
