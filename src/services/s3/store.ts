import { createHash } from "node:crypto";
import type { Collection, ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import type { ChecksumAlgorithm, StoredChecksum } from "./checksums.js";

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

/** One object: its body (a blob) and what S3 keeps about it. */
export interface ObjectRecord {
  key: string;
  blob: string;
  size: number;
  /** Quoted, as sent in the ETag header. */
  etag: string;
  /** ms since the epoch. */
  lastModified: number;
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  /** The Expires header as the client sent it. */
  expires?: string;
  websiteRedirectLocation?: string;
  storageClass: string;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  checksum?: StoredChecksum;
  /** For objects made by CompleteMultipartUpload: each part's size, in order. */
  partSizes?: number[];
  /** And each part's checksum, for composite checksums. */
  partChecksums?: string[];
}

export const objects = (ctx: RequestContext, bucket: string) => bucketObjects<ObjectRecord>(ctx, bucket);

/** An in-progress multipart upload: the object-to-be's settings and the parts received so far. */
export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  /** The object's settings from CreateMultipartUpload (no body fields yet). */
  object: Omit<ObjectRecord, "blob" | "size" | "etag" | "lastModified" | "checksum" | "partSizes" | "partChecksums">;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: "FULL_OBJECT" | "COMPOSITE";
  parts: Record<string, PartRecord>;
}

export interface PartRecord {
  partNumber: number;
  blob: string;
  size: number;
  etag: string;
  lastModified: number;
  checksum?: string;
}

/** Uploads per bucket, keyed `<key>\0<uploadId>`: upload ids grow with time, so keys list in S3's order. */
export const uploads = (ctx: RequestContext, bucket: string) =>
  s3Store(ctx).collection<UploadRecord>(`uploads/${bucket}`, { sorted: true });

export const uploadKey = (key: string, uploadId: string) => `${key}\u0000${uploadId}`;
