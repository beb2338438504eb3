import type { CopyObjectOutput, CopyObjectRequest } from "@aws-sdk/client-s3";
import type { RequestContext } from "../types.js";
import { objectAclFromRequest } from "./acl.js";
import { storeStream } from "./bodies.js";
import { ownedBucket } from "./buckets.js";
import { checksumMembers, parseAlgorithm } from "./checksums.js";
import { asksForEncryption, checkReadable, writeEncryption, writeEncryptionMembers } from "./encryption.js";
import { InvalidRequest, invalidArgument, preconditionFailed } from "./errors.js";
import { newVersionLock } from "./object-lock.js";
import { checkKey, checkWriteConditions, commitObject, etagMatches, objectSettings } from "./objects.js";
import { type BucketRecord, type ObjectRecord, objects } from "./store.js";
import { findVersion, responseVersionId } from "./versioning.js";

/** The copy-source conditions: unlike a GET's, every failed one is a 412. */
export interface CopySourceConditions {
  CopySourceIfMatch?: string;
  CopySourceIfNoneMatch?: string;
  CopySourceIfModifiedSince?: Date;
  CopySourceIfUnmodifiedSince?: Date;
}

export interface SourceInput extends CopySourceConditions {
  CopySource?: string;
  ExpectedSourceBucketOwner?: string;
  CopySourceSSECustomerAlgorithm?: string;
  CopySourceSSECustomerKey?: string;
  CopySourceSSECustomerKeyMD5?: string;
}

export interface CopiedSource {
  bucket: BucketRecord;
  record: ObjectRecord;
  /** Whether x-amz-copy-source named a version. */
  byVersion: boolean;
}

/**
 * Resolves x-amz-copy-source (`[/]bucket/key[?versionId=…]`, URL-encoded) to the source object, checking
 * the caller may read it and the copy-source conditions.
 */
export async function copySource(ctx: RequestContext, input: SourceInput): Promise<CopiedSource> {
  const header = input.CopySource as string;
  const [path, query = ""] = header.split("?", 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith("/") ? path.slice(1) : path);
  } catch {
    throw invalidArgument("Invalid copy source encoding", "x-amz-copy-source", header);
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw invalidArgument("Invalid copy source object key", "x-amz-copy-source", header);
  }
  const versionId = new URLSearchParams(query).get("versionId") ?? undefined;
  const bucket = ownedBucket(ctx, decoded.slice(0, slash), input.ExpectedSourceBucketOwner);
  const record = findVersion(ctx, bucket.name, decoded.slice(slash + 1), versionId, {
    onMarker: () => new InvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id."),
  });
  await checkReadable(
    ctx,
    record,
    {
      SSECustomerAlgorithm: input.CopySourceSSECustomerAlgorithm,
      SSECustomerKey: input.CopySourceSSECustomerKey,
      SSECustomerKeyMD5: input.CopySourceSSECustomerKeyMD5,
    },
    "x-amz-copy-source-server-side-encryption-customer",
  );
  checkCopyConditions(record, input);
  return { bucket, record, byVersion: versionId !== undefined };
}

function checkCopyConditions(record: ObjectRecord, c: CopySourceConditions): void {
  const modified = Math.floor(record.lastModified / 1000) * 1000;
  if (c.CopySourceIfMatch !== undefined && !etagMatches(c.CopySourceIfMatch, record.etag)) {
    throw preconditionFailed("x-amz-copy-source-If-Match");
  }
  if (c.CopySourceIfMatch === undefined && c.CopySourceIfUnmodifiedSince && modified > c.CopySourceIfUnmodifiedSince.getTime()) {
    throw preconditionFailed("x-amz-copy-source-If-Unmodified-Since");
  }
  if (c.CopySourceIfNoneMatch !== undefined && etagMatches(c.CopySourceIfNoneMatch, record.etag)) {
    throw preconditionFailed("x-amz-copy-source-If-None-Match");
  }
  if (c.CopySourceIfNoneMatch === undefined && c.CopySourceIfModifiedSince && modified <= c.CopySourceIfModifiedSince.getTime()) {
    throw preconditionFailed("x-amz-copy-source-If-Modified-Since");
  }
}

export async function copyObject(input: CopyObjectRequest, ctx: RequestContext): Promise<CopyObjectOutput> {
  const bucket = input.Bucket as string;
  const key = input.Key as string;
  const destination = ownedBucket(ctx, bucket, input.ExpectedBucketOwner);
  checkKey(key);
  const copied = await copySource(ctx, input);
  const source = copied.record;
  const metadataDirective = directive(input.MetadataDirective, "x-amz-metadata-directive");
  const taggingDirective = directive(input.TaggingDirective, "x-amz-tagging-directive");
  const replaced = objectSettings(input, ctx);
  const settings = {
    ...(metadataDirective === "REPLACE"
      ? replaced
      : { ...source, storageClass: input.StorageClass ?? "STANDARD", websiteRedirectLocation: input.WebsiteRedirectLocation }),
    tags: taggingDirective === "REPLACE" ? replaced.tags : source.tags,
  };
  const algorithm = parseAlgorithm(input.ChecksumAlgorithm) ?? source.checksum?.algorithm;
  const sameObject = bucket === copied.bucket.name && key === source.key && !copied.byVersion;
  if (
    sameObject &&
    !asksForEncryption(input) &&
    metadataDirective === "COPY" &&
    settings.storageClass === source.storageClass &&
    !input.WebsiteRedirectLocation &&
    algorithm === source.checksum?.algorithm
  ) {
    throw new InvalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const acl = objectAclFromRequest(ctx, destination, input); // a copy gets the ACL its request asks for, not the source's
  const lock = newVersionLock(ctx, destination, input);
  checkWriteConditions(objects(ctx, bucket).get(key), input, key);
  const encryption = await writeEncryption(ctx, destination, key, input);
  const body = await storeStream(ctx, ctx.runtime.blobs.read(source.blob), algorithm);
  const record: ObjectRecord = {
    key,
    blob: body.blob,
    size: body.size,
    // A copy of a multipart object is one part: its ETag becomes the plain MD5.
    etag: body.etag,
    lastModified: ctx.runtime.now(),
    acl,
    contentType: settings.contentType,
    contentEncoding: settings.contentEncoding,
    contentDisposition: settings.contentDisposition,
    contentLanguage: settings.contentLanguage,
    cacheControl: settings.cacheControl,
    expires: settings.expires,
    websiteRedirectLocation: settings.websiteRedirectLocation,
    storageClass: settings.storageClass,
    metadata: settings.metadata,
    tags: settings.tags,
    checksum: algorithm ? { algorithm, value: body.checksum as string, type: "FULL_OBJECT" } : undefined,
    lock,
    encryption,
  };
  const committedTo = commitObject(ctx, bucket, record, input);
  return {
    CopyObjectResult: { ETag: record.etag, LastModified: new Date(record.lastModified), ...checksumMembers(record.checksum) },
    VersionId: responseVersionId(committedTo, record),
    CopySourceVersionId: responseVersionId(copied.bucket, source),
    ...writeEncryptionMembers(encryption),
  };
}

function directive(value: string | undefined, header: string): "COPY" | "REPLACE" {
  if (value === undefined) return "COPY";
  if (value !== "COPY" && value !== "REPLACE") throw invalidArgument(`Unknown ${header.slice(6)}.`, header, value);
  return value;
}
