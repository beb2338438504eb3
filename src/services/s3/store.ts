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
  /** The MFA delete setting, once a versioning configuration named it. */
  mfaDelete?: "Enabled" | "Disabled";
  /** Object lock's default retention for new versions. */
  lockRule?: { mode: LockMode; days?: number; years?: number };
  /** PutBucketEncryption's rules as sent; unset means S3's default (SSE-S3). */
  encryption?: BucketEncryptionRule[];
  tags: Record<string, string>;
}

export type LockMode = "GOVERNANCE" | "COMPLIANCE";

export interface BucketEncryptionRule {
  algorithm: "AES256" | "aws:kms" | "aws:kms:dsse";
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
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
  /** "null" for the null version (also when absent: objects written before the bucket was versioned). */
  versionId?: string;
  /** Orders a key's versions: higher is newer. */
  seq?: number;
  /** A delete marker: no body, only a key, a version id and a time. */
  deleteMarker?: boolean;
  lock?: ObjectLockRecord;
  encryption?: EncryptionRecord;
  /** Explicit ACL grants (PutObjectAcl, x-amz-acl on writes); unset means the owner's full control. */
  acl?: import("@aws-sdk/client-s3").Grant[];
}

export interface ObjectLockRecord {
  mode?: LockMode;
  /** ms since the epoch. */
  retainUntil?: number;
  legalHold?: "ON" | "OFF";
}

/** How a version is encrypted at rest (bodies are kept as sent: encryption at rest is invisible to callers). */
export interface EncryptionRecord {
  /** x-amz-server-side-encryption; absent for SSE-C. */
  algorithm?: "AES256" | "aws:kms" | "aws:kms:dsse";
  /** The KMS key's ARN. */
  kmsKeyId?: string;
  /** x-amz-server-side-encryption-context as sent (base64 JSON). */
  context?: string;
  bucketKeyEnabled?: boolean;
  /** The data key KMS generated (base64 ciphertext): decrypted on every read, so the key's state applies. */
  dataKey?: string;
  /** SSE-C: the base64 MD5 of the customer's key; the key itself is never kept. */
  customerKeyMd5?: string;
}

export const objects = (ctx: RequestContext, bucket: string) => bucketObjects<ObjectRecord>(ctx, bucket);

/**
 * A versioned bucket's other versions: noncurrent ones and delete markers, keyed `<key>\0<newest-first
 * sequence>` so a walk lists keys in order and each key's versions newest first. Current objects stay in
 * `objects`, so object listings never see them.
 */
export const versionRecords = (ctx: RequestContext, bucket: string) =>
  s3Store(ctx).collection<ObjectRecord>(`versions/${bucket}`, { sorted: true });

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
