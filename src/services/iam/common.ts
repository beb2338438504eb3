import { errorClass } from "../../protocol/errors.js";
import { AWS_MANAGED_POLICIES } from "../../iam/managed-policies.js";
import { parsePolicy, type PolicyKind, policySize } from "../../iam/policy.js";
import { type IamCollections, iamCollections, type PolicyHolder, type Tag } from "../../iam/records.js";
import type { RequestContext } from "../types.js";

export const NoSuchEntity = errorClass("NoSuchEntityException");
export const EntityAlreadyExists = errorClass("EntityAlreadyExistsException");
export const DeleteConflict = errorClass("DeleteConflictException");
export const LimitExceeded = errorClass("LimitExceededException");
export const InvalidInput = errorClass("InvalidInputException");
export const MalformedPolicyDocument = errorClass("MalformedPolicyDocumentException");
export const PolicyNotAttachable = errorClass("PolicyNotAttachableException");
export const ValidationError = errorClass("ValidationError", 400);

/** IAM is global: every request works on the account's single IAM scope, whatever region it names. */
export function iam(ctx: RequestContext): IamCollections {
  return iamCollections(ctx.runtime.storeFor(ctx.account, "us-east-1"));
}

export const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** IAM returns policy documents URL-encoded (RFC 3986), as its API reference notes. */
export const encodeDocument = (document: string) =>
  encodeURIComponent(document).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function arnFor(account: string, type: string, path: string | undefined, name: string): string {
  return `arn:aws:iam::${account}:${type}${path ?? "/"}${name}`;
}

/** Paths start and end with "/" (the model's pattern checks the characters). */
export function checkPath(path: string | undefined): string {
  const value = path ?? "/";
  if (!value.startsWith("/") || !value.endsWith("/")) {
    throw new ValidationError(
      "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
    );
  }
  return value;
}

/** Marker-based pages over an already ordered list; the marker is the next item's position, opaque to clients. */
export function page<T>(
  items: T[],
  marker: string | undefined,
  maxItems: number | undefined,
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  let start = 0;
  if (marker !== undefined) {
    const decoded = Number(Buffer.from(marker, "base64url").toString("utf8"));
    if (!Number.isInteger(decoded) || decoded < 0) throw new ValidationError("Invalid Marker.");
    start = decoded;
  }
  const limit = maxItems ?? 100;
  const slice = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return {
    items: slice,
    IsTruncated: truncated,
    Marker: truncated ? Buffer.from(String(start + limit)).toString("base64url") : undefined,
  };
}

/** Checks a policy's grammar and IAM's size quota for the kind of document. */
export function validateDocument(document: string, kind: PolicyKind, maxSize?: { size: number; message: string }): void {
  parsePolicy(document, kind);
  if (maxSize && policySize(document) > maxSize.size) throw new LimitExceeded(maxSize.message);
}

export function checkTags(existing: Tag[], added: Tag[] | undefined): Tag[] {
  const merged = new Map(existing.map((t) => [t.Key, t]));
  for (const tag of added ?? []) {
    if (tag.Key.toLowerCase().startsWith("aws:")) throw new InvalidInput("User-created tags can't start with 'aws:'.");
    merged.set(tag.Key, { Key: tag.Key, Value: tag.Value ?? "" });
  }
  if (merged.size > 50) throw new LimitExceeded("The number of tags has reached the maximum limit.");
  return [...merged.values()];
}

/** A managed policy by ARN, AWS's or the account's own, with its default document. */
export function managedPolicyDocument(store: IamCollections, arn: string): string | undefined {
  const aws = AWS_MANAGED_POLICIES.get(arn);
  if (aws) return aws.Document;
  const policy = store.policies.get(arn);
  return policy?.Versions.find((v) => v.VersionId === policy.DefaultVersionId)?.Document;
}

export function policyExists(store: IamCollections, arn: string): boolean {
  return AWS_MANAGED_POLICIES.has(arn) || store.policies.has(arn);
}

/** All holders (users, groups, roles) of the account, for attachment counts and ListEntitiesForPolicy. */
export function holders(
  store: IamCollections,
): { kind: "user" | "group" | "role"; name: string; id: string; record: PolicyHolder & { PermissionsBoundary?: string } }[] {
  return [
    ...[...store.users.values()].map((u) => ({ kind: "user" as const, name: u.UserName, id: u.UserId, record: u })),
    ...[...store.groups.values()].map((g) => ({ kind: "group" as const, name: g.GroupName, id: g.GroupId, record: g })),
    ...[...store.roles.values()].map((r) => ({ kind: "role" as const, name: r.RoleName, id: r.RoleId, record: r })),
  ];
}

export interface TagInput {
  Tags?: { Key?: string; Value?: string }[];
  TagKeys?: string[];
  Marker?: string;
  MaxItems?: number;
}

/**
 * An IAM entity's Tag…, Untag… and List…Tags operations, given how a request names the entity (`find`,
 * which throws IAM's not-found error) and how the entity is stored back. `findForList` reads it where
 * listing allows more than changing (AWS managed policies can be listed, not tagged).
 */
export function tagOperations<I, R extends { Tags: Tag[] }>(
  find: (input: I, ctx: RequestContext) => R,
  save: (ctx: RequestContext, record: R) => void,
  findForList = find,
) {
  return {
    tag(input: I & TagInput, ctx: RequestContext): Record<string, never> {
      const record = find(input, ctx);
      save(ctx, { ...record, Tags: checkTags(record.Tags, input.Tags as Tag[]) });
      return {};
    },
    untag(input: I & TagInput, ctx: RequestContext): Record<string, never> {
      const record = find(input, ctx);
      const removed = new Set(input.TagKeys ?? []);
      save(ctx, { ...record, Tags: record.Tags.filter((t) => !removed.has(t.Key)) });
      return {};
    },
    list(input: I & TagInput, ctx: RequestContext): { Tags: Tag[]; IsTruncated: boolean; Marker?: string } {
      const { items, IsTruncated, Marker } = page(findForList(input, ctx).Tags, input.Marker, input.MaxItems);
      return { Tags: items, IsTruncated, Marker };
    },
  };
}
