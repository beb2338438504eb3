import type {
  DeleteObjectOutput,
  DeleteObjectRequest,
  GetObjectOutput,
  GetObjectRequest,
  HeadObjectOutput,
  HeadObjectRequest,
  PutObjectOutput,
  PutObjectRequest,
} from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { objectAclFromRequest } from "./acl.js";
import { storeUpload } from "./bodies.js";
import { ownedBucket } from "./buckets.js";
import { checksumMembers } from "./checksums.js";
import {
  AccessDenied,
  EntityTooLarge,
  InvalidRange,
  InvalidStorageClass,
  KeyTooLongError,
  MetadataTooLarge,
  NotImplemented,
  NotModified,
  invalidArgument,
  noSuchKey,
  preconditionFailed,
} from "./errors.js";
import { checkReadable, encryptionMembers, writeEncryption, writeEncryptionMembers } from "./encryption.js";
import { checkDeletable, checkLockedPutDigest, lockMembers, newVersionLock } from "./object-lock.js";
import { type BucketRecord, type ObjectRecord, objects } from "./store.js";
import { parseTaggingHeader } from "./tagging.js";
import {
  addDeleteMarker,
  checkVersionId,
  commitVersion,
  deleteVersion,
  findVersion,
  listVersions,
  responseVersionId,
  versionIdOf,
} from "./versioning.js";

const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2048;
const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
const STORAGE_CLASSES = [
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "OUTPOSTS",
  "GLACIER_IR",
  "SNOW",
  "EXPRESS_ONEZONE",
];
/** Archived classes must be restored before their bodies can be read. */
const ARCHIVED = ["GLACIER", "DEEP_ARCHIVE"];

/** The settings of a new object that travel in a write's headers (PutObject, CreateMultipartUpload, CopyObject REPLACE). */
export type ObjectSettings = Omit<
  ObjectRecord,
  "key" | "blob" | "size" | "etag" | "lastModified" | "checksum" | "partSizes" | "partChecksums" | "versionId" | "seq" | "deleteMarker"
>;

interface SettingsInput {
  Key?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  ContentType?: string;
  Expires?: Date;
  Metadata?: Record<string, string>;
  StorageClass?: string;
  Tagging?: string;
  WebsiteRedirectLocation?: string;
}

/** A single PUT (or part) carries at most 5 GiB; larger objects need multipart uploads. */
export function checkUploadSize(ctx: RequestContext): void {
  const declared = Number(ctx.origin.headers["content-length"] ?? 0);
  if (declared > MAX_UPLOAD_BYTES) {
    throw new EntityTooLarge("Your proposed upload exceeds the maximum allowed size", {
      fields: { ProposedSize: declared, MaxSizeAllowed: MAX_UPLOAD_BYTES },
    });
  }
}

export function checkKey(key: string): void {
  const size = Buffer.byteLength(key, "utf8");
  if (size > MAX_KEY_BYTES) throw new KeyTooLongError("Your key is too long", { fields: { Size: size, MaxSizeAllowed: MAX_KEY_BYTES } });
}

export function objectSettings(input: SettingsInput, ctx: RequestContext): ObjectSettings {
  const metadata = input.Metadata ?? {};
  checkMetadata(metadata);
  const storageClass = input.StorageClass ?? "STANDARD";
  if (!STORAGE_CLASSES.includes(storageClass))
    throw new InvalidStorageClass("The storage class you specified is not valid", {
      fields: { StorageClassRequested: storageClass },
    });
  return {
    contentType: input.ContentType ?? "binary/octet-stream",
    contentEncoding: input.ContentEncoding,
    contentDisposition: input.ContentDisposition,
    contentLanguage: input.ContentLanguage,
    cacheControl: input.CacheControl,
    expires: ctx.origin.headers.expires ?? input.Expires?.toUTCString(),
    websiteRedirectLocation: input.WebsiteRedirectLocation,
    storageClass,
    metadata,
    tags: parseTaggingHeader(input.Tagging),
  };
}

/** User metadata counts the UTF-8 bytes of every key and value. */
export function checkMetadata(metadata: Record<string, string>): void {
  let size = 0;
  for (const [k, v] of Object.entries(metadata)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > MAX_METADATA_BYTES) {
    throw new MetadataTooLarge("Your metadata headers exceed the maximum allowed metadata size.", {
      fields: { Size: size, MaxSizeAllowed: MAX_METADATA_BYTES },
    });
  }
}

export async function putObject(input: PutObjectRequest, ctx: RequestContext): Promise<PutObjectOutput> {
  const bucket = input.Bucket as string;
  const key = input.Key as string;
  const owned = ownedBucket(ctx, bucket, input.ExpectedBucketOwner);
  checkKey(key);
  checkUploadSize(ctx);
  const settings = objectSettings(input, ctx);
  const acl = objectAclFromRequest(ctx, owned, input);
  const lock = newVersionLock(ctx, owned, input);
  checkLockedPutDigest(ctx, lock);
  checkWriteConditions(objects(ctx, bucket).get(key), input, key);
  const encryption = await writeEncryption(ctx, owned, key, input);
  const body = await storeUpload(ctx, input.Body as Readable | undefined);
  const record: ObjectRecord = {
    key,
    blob: body.blob,
    size: body.size,
    etag: body.etag,
    lastModified: ctx.runtime.now(),
    ...settings,
    checksum: body.algorithm ? { algorithm: body.algorithm, value: body.checksum as string, type: "FULL_OBJECT" } : undefined,
    lock,
    encryption,
    acl,
  };
  const committedTo = commitObject(ctx, bucket, record, input);
  return {
    ETag: record.etag,
    ...checksumMembers(record.checksum),
    ...writeEncryptionMembers(encryption),
    VersionId: responseVersionId(committedTo, record),
  };
}

/**
 * Stores a fully written object in place of the current one: re-checks the write's conditions (another
 * writer may have committed while the body streamed), then frees the replaced body.
 */
export function commitObject(ctx: RequestContext, bucket: string, record: ObjectRecord, conditions: WriteConditions = {}): BucketRecord {
  // The bucket may have gone (or changed its versioning) while the body streamed.
  let owned: BucketRecord;
  try {
    owned = ownedBucket(ctx, bucket);
    checkWriteConditions(objects(ctx, bucket).get(record.key), conditions, record.key);
  } catch (err) {
    ctx.runtime.blobs.delete(record.blob);
    throw err;
  }
  commitVersion(ctx, owned, record);
  return owned;
}

export interface WriteConditions {
  IfMatch?: string;
  IfNoneMatch?: string;
}

/** Conditional writes: `If-None-Match: *` creates only; `If-Match` replaces only that ETag. */
export function checkWriteConditions(current: ObjectRecord | undefined, conditions: WriteConditions, key: string): void {
  const { IfMatch: ifMatch, IfNoneMatch: ifNoneMatch } = conditions;
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== "*") {
      throw new NotImplemented("A header you provided implies functionality that is not implemented", {
        fields: { Header: "If-None-Match" },
      });
    }
    if (current) throw preconditionFailed("If-None-Match");
  }
  if (ifMatch !== undefined) {
    if (!current) throw noSuchKey(key);
    if (!etagMatches(ifMatch, current.etag)) throw preconditionFailed("If-Match");
  }
}

/** Whether an If-Match/If-None-Match list names the ETag (`*` names any). */
export function etagMatches(header: string, etag: string): boolean {
  const bare = etag.replace(/"/g, "");
  return header.split(",").some((item) => {
    const tag = item.trim().replace(/^W\//, "").replace(/"/g, "");
    return tag === "*" || tag === bare;
  });
}

interface ReadConditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

/**
 * RFC 7232's order, as S3 applies it: If-Match (else If-Unmodified-Since) can fail with 412; then
 * If-None-Match (else If-Modified-Since) answers 304. Dates compare at HTTP's one-second precision.
 */
export function checkReadConditions(record: ObjectRecord, conditions: ReadConditions): void {
  const modified = Math.floor(record.lastModified / 1000) * 1000;
  if (conditions.IfMatch !== undefined) {
    if (!etagMatches(conditions.IfMatch, record.etag)) throw preconditionFailed("If-Match");
  } else if (conditions.IfUnmodifiedSince && modified > conditions.IfUnmodifiedSince.getTime()) {
    throw preconditionFailed("If-Unmodified-Since");
  }
  const notModified = () =>
    new NotModified("Not Modified", { headers: { ETag: record.etag, "Last-Modified": new Date(record.lastModified).toUTCString() } });
  if (conditions.IfNoneMatch !== undefined) {
    if (etagMatches(conditions.IfNoneMatch, record.etag)) throw notModified();
  } else if (conditions.IfModifiedSince && modified <= conditions.IfModifiedSince.getTime()) {
    throw notModified();
  }
}

/** The version to read, after the bucket, key, version, encryption and conditions checks every read starts with. */
async function readableObject(ctx: RequestContext, input: GetObjectRequest | HeadObjectRequest): Promise<[BucketRecord, ObjectRecord]> {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const record = findVersion(ctx, bucket.name, input.Key as string, input.VersionId);
  await checkReadable(ctx, record, input);
  checkReadConditions(record, input);
  return [bucket, record];
}

/** The headers GET and HEAD describe an object with. */
function describe(bucket: BucketRecord, record: ObjectRecord, checksums: boolean): HeadObjectOutput {
  const expires = record.expires === undefined ? undefined : new Date(record.expires);
  return {
    AcceptRanges: "bytes",
    LastModified: new Date(record.lastModified),
    ContentLength: record.size,
    ETag: record.etag,
    ContentType: record.contentType,
    ContentEncoding: record.contentEncoding,
    ContentDisposition: record.contentDisposition,
    ContentLanguage: record.contentLanguage,
    CacheControl: record.cacheControl,
    Expires: expires && !Number.isNaN(expires.getTime()) ? expires : undefined,
    WebsiteRedirectLocation: record.websiteRedirectLocation,
    // S3 names the storage class only when it is not STANDARD.
    StorageClass: record.storageClass === "STANDARD" ? undefined : (record.storageClass as HeadObjectOutput["StorageClass"]),
    Metadata: record.metadata,
    VersionId: responseVersionId(bucket, record),
    ...encryptionMembers(record.encryption),
    ...lockMembers(record.lock),
    ...(checksums ? checksumMembers(record.checksum) : {}),
  };
}

export async function headObject(input: HeadObjectRequest, ctx: RequestContext): Promise<HeadObjectOutput> {
  const [bucket, record] = await readableObject(ctx, input);
  const part = partRange(record, input.PartNumber);
  const range = part ?? byteRange(input.Range, record.size);
  const whole = range === undefined;
  return {
    ...describe(bucket, record, input.ChecksumMode === "ENABLED" && whole),
    ...rangeMembers(range, record.size),
    PartsCount: input.PartNumber !== undefined ? (record.partSizes?.length ?? 1) : undefined,
  } as HeadObjectOutput;
}

export async function getObject(input: GetObjectRequest, ctx: RequestContext): Promise<GetObjectOutput> {
  const [bucket, record] = await readableObject(ctx, input);
  if (ARCHIVED.includes(record.storageClass)) {
    throw new AwsError("InvalidObjectState", "The operation is not valid for the object's storage class", {
      status: 403,
      fields: { StorageClass: record.storageClass },
    });
  }
  const part = partRange(record, input.PartNumber);
  const range = part ?? byteRange(input.Range, record.size);
  const tagCount = Object.keys(record.tags).length;
  return {
    ...describe(bucket, record, input.ChecksumMode === "ENABLED" && range === undefined),
    ...responseOverrides(input),
    ...rangeMembers(range, record.size),
    PartsCount: input.PartNumber !== undefined ? (record.partSizes?.length ?? 1) : undefined,
    TagCount: tagCount > 0 ? tagCount : undefined,
    Body: ctx.runtime.blobs.read(record.blob, range) as unknown as GetObjectOutput["Body"],
  };
}

/** response-* query parameters replace the stored headers for this one answer. */
function responseOverrides(input: GetObjectRequest): Partial<GetObjectOutput> {
  const out: Partial<GetObjectOutput> = {};
  if (input.ResponseContentType !== undefined) out.ContentType = input.ResponseContentType;
  if (input.ResponseContentEncoding !== undefined) out.ContentEncoding = input.ResponseContentEncoding;
  if (input.ResponseContentDisposition !== undefined) out.ContentDisposition = input.ResponseContentDisposition;
  if (input.ResponseContentLanguage !== undefined) out.ContentLanguage = input.ResponseContentLanguage;
  if (input.ResponseCacheControl !== undefined) out.CacheControl = input.ResponseCacheControl;
  if (input.ResponseExpires !== undefined) out.Expires = input.ResponseExpires;
  return out;
}

type ByteRange = { start: number; end: number };

function rangeMembers(range: ByteRange | undefined, size: number): Partial<GetObjectOutput> {
  if (!range) return {};
  return { ContentLength: range.end - range.start + 1, ContentRange: `bytes ${range.start}-${range.end}/${size}` };
}

/**
 * A single `bytes=` range, clipped to the object. Syntax S3 does not understand (or several ranges) is
 * ignored and the whole object is sent; a range that starts past the end is InvalidRange.
 */
export function byteRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const unsatisfiable = () =>
    new InvalidRange("The requested range is not satisfiable", { fields: { RangeRequested: header, ActualObjectSize: size } });
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== "" && Number(match[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end };
}

/** GET/HEAD with partNumber: the bytes of that part of a multipart object (part 1 is all of any other object). */
function partRange(record: ObjectRecord, partNumber: number | undefined): ByteRange | undefined {
  if (partNumber === undefined) return undefined;
  const sizes = record.partSizes ?? [record.size];
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    throw invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", partNumber);
  }
  if (partNumber > sizes.length) {
    throw new InvalidRange("The requested partnumber is not satisfiable", {
      fields: { PartNumberRequested: partNumber, ActualPartCount: sizes.length },
    });
  }
  if (!record.partSizes) return undefined;
  const start = sizes.slice(0, partNumber - 1).reduce((a, b) => a + b, 0);
  return { start, end: start + sizes[partNumber - 1] - 1 };
}

export function deleteObject(input: DeleteObjectRequest, ctx: RequestContext): DeleteObjectOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const removed = removeObject(ctx, bucket, input.Key as string, input);
  return { DeleteMarker: removed.deleteMarker || undefined, VersionId: removed.versionId };
}

export interface RemoveOptions {
  IfMatch?: string;
  VersionId?: string;
  BypassGovernanceRetention?: boolean;
}

/** What a delete did: the version it removed or the delete marker it added. */
export interface Removal {
  versionId?: string;
  deleteMarker?: boolean;
}

/**
 * Deletes a key or one version of it (a missing one is not an error). Without a version id a versioned
 * bucket keeps the data and adds a delete marker; with one, the version goes for good unless locked.
 */
export function removeObject(ctx: RequestContext, bucket: BucketRecord, key: string, options: RemoveOptions = {}): Removal {
  if (options.VersionId !== undefined) return removeVersion(ctx, bucket, key, options);
  const record = objects(ctx, bucket.name).get(key);
  checkDeleteCondition(record, options.IfMatch, key);
  if (bucket.versioning) {
    const marker = addDeleteMarker(ctx, bucket, key);
    return { versionId: versionIdOf(marker), deleteMarker: true };
  }
  if (record) deleteVersion(ctx, bucket.name, key, versionIdOf(record));
  return {};
}

function removeVersion(ctx: RequestContext, bucket: BucketRecord, key: string, options: RemoveOptions): Removal {
  const versionId = checkVersionId(options.VersionId as string);
  if (bucket.mfaDelete === "Enabled" && !ctx.origin.headers["x-amz-mfa"]) {
    throw new AccessDenied("Mfa Authentication must be used for this request");
  }
  const record = listVersions(ctx, bucket.name, key).find((v) => versionIdOf(v) === versionId);
  checkDeleteCondition(record, options.IfMatch, key);
  if (!record) return { versionId };
  checkDeletable(ctx, record, options.BypassGovernanceRetention === true);
  deleteVersion(ctx, bucket.name, key, versionId);
  return { versionId, deleteMarker: record.deleteMarker };
}

function checkDeleteCondition(record: ObjectRecord | undefined, ifMatch: string | undefined, key: string): void {
  if (ifMatch === undefined) return;
  if (!record || record.deleteMarker) throw noSuchKey(key);
  if (!etagMatches(ifMatch, record.etag)) throw preconditionFailed("If-Match");
}
