import { createHash } from "node:crypto";
import type { Collection, ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";

/** One bucket: who owns it, where it lives, and its bucket-level settings. Objects are kept per bucket. */
export interface BucketRecord {
  name: string;
  /** The owning account id. */
  owner: string;
  region: string;
  /** ms since the epoch. */
  createdAt: number;
  objectOwnership: "BucketOwnerEnforced" | "BucketOwnerPreferred" | "ObjectWriter";
  /** The canned ACL the bucket was created with. */
  acl: string;
  objectLockEnabled: boolean;
  /** Unset until versioning is first configured (object lock turns it on at creation). */
  versioning?: "Enabled" | "Suspended";
  tags: Record<string, string>;
}

/**
 * Bucket names are one namespace across every account and region, so S3's state lives in a scope of
 * its own rather than in the caller's account/region store.
 */
export function s3Store(ctx: RequestContext): ScopeStore {
  return ctx.runtime.state.scope({ service: ctx.runtime.service, account: "global", region: "global" });
}

export function buckets(ctx: RequestContext): Collection<BucketRecord> {
  return s3Store(ctx).collection<BucketRecord>("buckets", { sorted: true });
}

/** A bucket's objects by key, in code-point order as S3 lists them. */
export function bucketObjects<V>(ctx: RequestContext, bucket: string): Collection<V> {
  return s3Store(ctx).collection<V>(`objects/${bucket}`, { sorted: true });
}

/** S3's canonical user id for an account: 64 hex digits, stable for the account. */
export function canonicalUserId(account: string): string {
  return createHash("sha256").update(`canonical-user:${account}`).digest("hex");
}
