import { randomBytes } from "node:crypto";
import type {
  DeleteBucketRequest,
  GetBucketVersioningOutput,
  GetBucketVersioningRequest,
  PutBucketVersioningRequest,
} from "@aws-sdk/client-s3";
import { AwsError, errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { BucketNotEmpty, invalidArgument, malformedXml, NoSuchKey, noSuchKey } from "./errors.js";
import { type BucketRecord, buckets, type ObjectRecord, objects, versionRecords } from "./store.js";

export const NoSuchVersion = errorClass("NoSuchVersion", 404);
export const MethodNotAllowed = errorClass("MethodNotAllowed", 405);
export const InvalidBucketState = errorClass("InvalidBucketState", 409);
export const IllegalVersioningConfigurationException = errorClass("IllegalVersioningConfigurationException", 400);

/** The id of the version written while versioning is off or suspended. */
export const NULL_VERSION = "null";
/** Sequences count up from the write time in µs; the stored key holds their distance to this bound, so newest sorts first. */
const SEQ_BOUND = 9_000_000_000_000_000;
const VERSION_ID = /^[A-Za-z0-9._-]{32}$/;

/** 32 URL-safe characters, like S3's opaque version ids. */
export const newVersionId = () => randomBytes(24).toString("base64url");

export const versionIdOf = (record: ObjectRecord) => record.versionId ?? NULL_VERSION;

/** A version id from a request: "null" or one of ours; anything else is malformed. */
export function checkVersionId(versionId: string): string {
  if (versionId !== NULL_VERSION && !VERSION_ID.test(versionId))
    throw invalidArgument("Invalid version id specified", "versionId", versionId);
  return versionId;
}

export const storedKey = (record: ObjectRecord) => `${record.key}\u0000${String(SEQ_BOUND - (record.seq ?? 0)).padStart(16, "0")}`;

/** A key's versions other than its current object, newest first. */
function* olderVersions(ctx: RequestContext, bucket: string, key: string): Generator<ObjectRecord> {
  const prefix = `${key}\u0000`;
  for (const [stored, record] of versionRecords(ctx, bucket).entriesFrom(prefix)) {
    if (!stored.startsWith(prefix)) return;
    yield record;
  }
}

/** Every version of a key, newest first (the current object, then the rest). For lifecycle rules too. */
export function listVersions(ctx: RequestContext, bucket: string, key: string): ObjectRecord[] {
  const current = objects(ctx, bucket).get(key);
  return [...(current ? [current] : []), ...olderVersions(ctx, bucket, key)];
}

/** The newest version of a key, which may be a delete marker. */
export function latestVersion(ctx: RequestContext, bucket: string, key: string): ObjectRecord | undefined {
  return objects(ctx, bucket).get(key) ?? olderVersions(ctx, bucket, key).next().value ?? undefined;
}

export const hasVersions = (ctx: RequestContext, bucket: string) => versionRecords(ctx, bucket).size > 0;

export interface VersionLookup {
  /** What a delete marker found by id answers: S3 refuses most operations on one with 405. */
  onMarker?: (marker: ObjectRecord) => AwsError;
}

/**
 * The version a request names (the current object without a version id), or S3's error: NoSuchKey when the
 * key is gone (with the delete-marker headers if a marker hides it), NoSuchVersion, or 405 for a marker.
 */
export function findVersion(
  ctx: RequestContext,
  bucket: string,
  key: string,
  versionId: string | undefined,
  lookup: VersionLookup = {},
): ObjectRecord {
  if (versionId === undefined) {
    const current = objects(ctx, bucket).get(key);
    if (current) return current;
    const latest = olderVersions(ctx, bucket, key).next().value;
    if (latest?.deleteMarker) {
      throw new NoSuchKey("The specified key does not exist.", { fields: { Key: key }, headers: markerHeaders(latest) });
    }
    throw noSuchKey(key);
  }
  checkVersionId(versionId);
  const found = listVersions(ctx, bucket, key).find((v) => versionIdOf(v) === versionId);
  if (!found) {
    throw new NoSuchVersion("The specified version does not exist.", { fields: { Key: key, VersionId: versionId } });
  }
  if (found.deleteMarker) {
    throw (
      lookup.onMarker?.(found) ??
      new MethodNotAllowed("The specified method is not allowed against this resource.", {
        headers: { ...markerHeaders(found), "Last-Modified": new Date(found.lastModified).toUTCString() },
        fields: { Method: httpMethodOf(ctx.operation), ResourceType: "DeleteMarker" },
      })
    );
  }
  return found;
}

function httpMethodOf(operation: string): string {
  if (operation.startsWith("Head")) return "HEAD";
  if (operation.startsWith("Put")) return "PUT";
  if (operation.startsWith("Delete")) return "DELETE";
  return "GET";
}

const markerHeaders = (marker: ObjectRecord) => ({ "x-amz-delete-marker": "true", "x-amz-version-id": versionIdOf(marker) });

/** The version id a response names: only buckets that have had versioning configured speak of versions. */
export const responseVersionId = (bucket: BucketRecord, record: ObjectRecord) => (bucket.versioning ? versionIdOf(record) : undefined);

/** Stores a changed version (tags, retention, legal hold) wherever it lives. */
export function saveVersion(ctx: RequestContext, bucket: string, record: ObjectRecord): void {
  const current = objects(ctx, bucket).get(record.key);
  if (current && versionIdOf(current) === versionIdOf(record)) objects(ctx, bucket).set(record.key, record);
  else versionRecords(ctx, bucket).set(storedKey(record), record);
}

/** Numbers the next version of a key above every earlier one, from the clock where possible. */
function nextSeq(ctx: RequestContext, bucket: string, key: string): number {
  const latest = latestVersion(ctx, bucket, key);
  return Math.max(ctx.runtime.now() * 1000, (latest?.seq ?? 0) + 1);
}

/**
 * Makes `record` the current version of its key. With versioning enabled it gets a new id and the current
 * object becomes noncurrent; otherwise it is the null version and replaces the previous null version.
 */
export function commitVersion(ctx: RequestContext, bucket: BucketRecord, record: ObjectRecord): void {
  const name = bucket.name;
  if (!bucket.versioning && !record.deleteMarker) {
    // Never versioned: the only version is replaced (the common case, kept to two lookups).
    const previous = objects(ctx, name).get(record.key);
    record.seq = Math.max(ctx.runtime.now() * 1000, (previous?.seq ?? 0) + 1);
    record.versionId = NULL_VERSION;
    objects(ctx, name).set(record.key, record);
    if (previous?.blob && previous.blob !== record.blob) ctx.runtime.blobs.delete(previous.blob);
    return;
  }
  record.seq = nextSeq(ctx, name, record.key);
  record.versionId = bucket.versioning === "Enabled" ? newVersionId() : NULL_VERSION;
  if (record.versionId === NULL_VERSION) dropNullVersion(ctx, name, record.key);
  const current = objects(ctx, name).get(record.key);
  if (record.deleteMarker) {
    if (current) retire(ctx, name, current);
    objects(ctx, name).delete(record.key);
    versionRecords(ctx, name).set(storedKey(record), record);
    return;
  }
  if (current) retire(ctx, name, current);
  objects(ctx, name).set(record.key, record);
}

/** Moves a current object to the noncurrent versions. */
function retire(ctx: RequestContext, bucket: string, current: ObjectRecord): void {
  if (versionIdOf(current) === NULL_VERSION && !current.seq) {
    // Written before any versioning: ordered by its write time.
    current.seq = current.lastModified * 1000;
  }
  versionRecords(ctx, bucket).set(storedKey(current), current);
}

/** A write of the null version replaces the previous one, current or not. */
function dropNullVersion(ctx: RequestContext, bucket: string, key: string): void {
  const previous = listVersions(ctx, bucket, key).find((v) => versionIdOf(v) === NULL_VERSION);
  if (previous) removeVersion(ctx, bucket, previous);
}

/** Forgets one version for good, freeing its body; when it was the newest, the next one becomes current. */
function removeVersion(ctx: RequestContext, bucket: string, record: ObjectRecord): void {
  const current = objects(ctx, bucket).get(record.key);
  if (current && versionIdOf(current) === versionIdOf(record)) objects(ctx, bucket).delete(record.key);
  else versionRecords(ctx, bucket).delete(storedKey(record));
  if (record.blob) ctx.runtime.blobs.delete(record.blob);
  promote(ctx, bucket, record.key);
}

/** With no current object, the newest noncurrent object version (not a marker) becomes current. */
function promote(ctx: RequestContext, bucket: string, key: string): void {
  if (objects(ctx, bucket).has(key)) return;
  const newest = olderVersions(ctx, bucket, key).next().value;
  if (!newest || newest.deleteMarker) return;
  versionRecords(ctx, bucket).delete(storedKey(newest));
  objects(ctx, bucket).set(key, newest);
}

export interface OtherVersion {
  record: ObjectRecord;
  /** Only a delete marker can be the latest version here (current objects are not listed). */
  latest: boolean;
  /** When the next newer version replaced it (ms since the epoch); unset for the latest. */
  noncurrentSince?: number;
}

/**
 * A bucket's noncurrent versions and delete markers, in key order and newest first, each with the time it
 * became noncurrent (for lifecycle rules). Collect before deleting: the walk reads the live collection.
 */
export function* otherVersions(ctx: RequestContext, bucket: string): Generator<OtherVersion> {
  let key: string | undefined;
  let newer: ObjectRecord | undefined;
  for (const record of versionRecords(ctx, bucket).values()) {
    if (record.key !== key) {
      key = record.key;
      newer = objects(ctx, bucket).get(key);
    }
    yield { record, latest: newer === undefined, noncurrentSince: newer?.lastModified };
    newer = record;
  }
}

/** Deletes one version permanently (lifecycle's noncurrent expiration too); false when there was none. */
export function deleteVersion(ctx: RequestContext, bucket: string, key: string, versionId: string): boolean {
  const record = listVersions(ctx, bucket, key).find((v) => versionIdOf(v) === versionId);
  if (!record) return false;
  removeVersion(ctx, bucket, record);
  return true;
}

/** A delete without a version id on a versioned bucket: a new delete marker becomes the current version. */
export function addDeleteMarker(ctx: RequestContext, bucket: BucketRecord, key: string): ObjectRecord {
  const marker: ObjectRecord = {
    key,
    blob: "",
    size: 0,
    etag: "",
    lastModified: ctx.runtime.now(),
    contentType: "",
    storageClass: "STANDARD",
    metadata: {},
    tags: {},
    deleteMarker: true,
  };
  commitVersion(ctx, bucket, marker);
  return marker;
}

/** DeleteBucket, refusing while any version or delete marker is left (the bucket checks its current objects). */
export function refusingVersions<O>(deleteBucket: (input: DeleteBucketRequest, ctx: RequestContext) => O) {
  return (input: DeleteBucketRequest, ctx: RequestContext): O => {
    const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
    if (hasVersions(ctx, bucket.name)) {
      throw new BucketNotEmpty("The bucket you tried to delete is not empty. You must delete all versions in the bucket.", {
        fields: { BucketName: bucket.name },
      });
    }
    return deleteBucket(input, ctx);
  };
}

export function putBucketVersioning(input: PutBucketVersioningRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const config = input.VersioningConfiguration ?? {};
  const status = config.Status as string | undefined;
  const mfaDelete = config.MFADelete as string | undefined;
  if (status !== undefined && status !== "Enabled" && status !== "Suspended") throw malformedXml();
  if (mfaDelete !== undefined && mfaDelete !== "Enabled" && mfaDelete !== "Disabled") throw malformedXml();
  if (status === undefined && mfaDelete === undefined) {
    throw new IllegalVersioningConfigurationException("The Versioning element must be specified");
  }
  // Changing MFA delete needs the root account's MFA device: the request must carry it.
  if (mfaDelete !== undefined && mfaDelete !== (bucket.mfaDelete ?? "Disabled") && !input.MFA) {
    throw new AwsError("InvalidRequest", "DevPay and Mfa are mutually exclusive authorization methods.", { status: 400 });
  }
  if (status === "Suspended" && bucket.objectLockEnabled) {
    throw new InvalidBucketState("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.");
  }
  const latest = buckets(ctx).get(bucket.name) ?? bucket;
  buckets(ctx).set(bucket.name, {
    ...latest,
    versioning: (status as BucketRecord["versioning"]) ?? latest.versioning,
    mfaDelete: (mfaDelete as BucketRecord["mfaDelete"]) ?? latest.mfaDelete,
  });
}

export function getBucketVersioning(input: GetBucketVersioningRequest, ctx: RequestContext): GetBucketVersioningOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return { Status: bucket.versioning, MFADelete: bucket.mfaDelete };
}
