import type {
  GetKeyPolicyRequest,
  GetKeyPolicyResponse,
  ListKeyPoliciesRequest,
  ListKeyPoliciesResponse,
  ListResourceTagsRequest,
  ListResourceTagsResponse,
  PutKeyPolicyRequest,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
} from "@aws-sdk/client-kms";
import type { RequestContext } from "../types.js";
import { checkLength, checkRange, MalformedPolicyDocumentException, NotFoundException, TagException } from "./errors.js";
import { decodeMarker, page } from "./keys.js";
import { requireNotPendingDeletion, resolveKey, saveKey, requireCustomerManaged } from "./store.js";

const MAX_TAGS = 50;

/** A key policy must be a JSON object with statements; KMS rejects anything else before storing it. */
export function checkPolicy(policy: string): void {
  checkLength("policy", policy, 1, 32768);
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw new MalformedPolicyDocumentException("The new key policy will not allow you to update the key policy in the future.");
  }
  const statements = (doc as { Statement?: unknown })?.Statement;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || statements === undefined) {
    throw new MalformedPolicyDocumentException("The new key policy will not allow you to update the key policy in the future.");
  }
}

/** Validates tags and returns them deduplicated by key (the last value wins, as in AWS). */
export function checkTags(tags: Tag[], existing: { TagKey: string; TagValue: string }[] = []): { TagKey: string; TagValue: string }[] {
  const merged = new Map(existing.map((t) => [t.TagKey, t.TagValue]));
  for (const tag of tags) {
    const key = tag.TagKey ?? "";
    const value = tag.TagValue ?? "";
    if (key.length < 1 || key.length > 128) throw new TagException(`Tag key must be between 1 and 128 characters long: ${key}`);
    if (value.length > 256) throw new TagException(`Tag value must be at most 256 characters long: ${value}`);
    if (key.startsWith("aws:")) throw new TagException("Tags beginning with aws: are reserved");
    merged.set(key, value);
  }
  if (merged.size > MAX_TAGS) throw new TagException(`Too many tags: a KMS key can have at most ${MAX_TAGS} tags`);
  return [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

/** KMS keys have exactly one policy, named "default". */
function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== "default") throw new NotFoundException("No such policy exists");
}

export function getKeyPolicy(input: GetKeyPolicyRequest, ctx: RequestContext): GetKeyPolicyResponse {
  const { key } = resolveKey(ctx, input.KeyId as string, false);
  checkPolicyName(input.PolicyName);
  return { Policy: key.policy, PolicyName: "default" };
}

export function putKeyPolicy(input: PutKeyPolicyRequest, ctx: RequestContext): void {
  const ref = resolveKey(ctx, input.KeyId as string, false);
  requireCustomerManaged(ctx, ref.key);
  checkPolicyName(input.PolicyName);
  checkPolicy(input.Policy as string);
  requireNotPendingDeletion(ref.key);
  ref.key.policy = input.Policy as string;
  saveKey(ref);
}

export function listKeyPolicies(input: ListKeyPoliciesRequest, ctx: RequestContext): ListKeyPoliciesResponse {
  checkRange("limit", input.Limit, 1, 1000);
  resolveKey(ctx, input.KeyId as string, false);
  return { PolicyNames: ["default"], Truncated: false };
}

export function tagResource(input: TagResourceRequest, ctx: RequestContext): void {
  const ref = resolveKey(ctx, input.KeyId as string, false);
  requireCustomerManaged(ctx, ref.key);
  requireNotPendingDeletion(ref.key);
  ref.key.tags = checkTags(input.Tags ?? [], ref.key.tags);
  saveKey(ref);
}

export function untagResource(input: UntagResourceRequest, ctx: RequestContext): void {
  const ref = resolveKey(ctx, input.KeyId as string, false);
  requireCustomerManaged(ctx, ref.key);
  requireNotPendingDeletion(ref.key);
  const removed = new Set(input.TagKeys ?? []);
  ref.key.tags = ref.key.tags.filter((t) => !removed.has(t.TagKey));
  saveKey(ref);
}

export function listResourceTags(input: ListResourceTagsRequest, ctx: RequestContext): ListResourceTagsResponse {
  checkRange("limit", input.Limit, 1, 50);
  const { key } = resolveKey(ctx, input.KeyId as string, false);
  const sorted = [...key.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : 1)).map((t): [string, Tag] => [t.TagKey, t]);
  const { items, nextMarker, truncated } = page(sorted, input.Limit ?? 50, decodeMarker(input.Marker));
  return { Tags: items, NextMarker: nextMarker, Truncated: truncated };
}
