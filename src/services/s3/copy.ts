import type { CopyObjectOutput, CopyObjectRequest } from "@aws-sdk/client-s3";
import type { RequestContext } from "../types.js";
import { storeStream } from "./bodies.js";
import { ownedBucket } from "./buckets.js";
import { checksumMembers, parseAlgorithm } from "./checksums.js";
import { InvalidRequest, invalidArgument, noSuchKey, preconditionFailed } from "./errors.js";
import { checkKey, checkWriteConditions, commitObject, etagMatches, objectSettings } from "./objects.js";
import { type ObjectRecord, objects } from "./store.js";

/** The copy-source conditions: unlike a GET's, every failed one is a 412. */
export interface CopySourceConditions {
  CopySourceIfMatch?: string;
  CopySourceIfNoneMatch?: string;
  CopySourceIfModifiedSince?: Date;
  CopySourceIfUnmodifiedSince?: Date;
}

/**
 * Resolves x-amz-copy-source (`[/]bucket/key[?versionId=…]`, URL-encoded) to the source object, checking
 * the caller may read it and the copy-source conditions.
 */
export function copySource(ctx: RequestContext, header: string, conditions: CopySourceConditions, expectedOwner?: string): ObjectRecord {
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
  const versionId = new URLSearchParams(query).get("versionId");
  // Without versioning every object is the "null" version.
  const bucket = decoded.slice(0, slash);
  const key = decoded.slice(slash + 1);
  ownedBucket(ctx, bucket, expectedOwner);
  const record = objects(ctx, bucket).get(key);
  if (!record) throw noSuchKey(key);
  if (versionId !== null && versionId !== "null") throw invalidArgument("Invalid version id specified", "versionId", versionId);
  checkCopyConditions(record, conditions);
  return record;
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
  ownedBucket(ctx, bucket, input.ExpectedBucketOwner);
  checkKey(key);
  const source = copySource(ctx, input.CopySource as string, input, input.ExpectedSourceBucketOwner);
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
  const sameObject = input.CopySource && bucket === sourceBucketOf(input.CopySource) && key === source.key;
  if (
    sameObject &&
    metadataDirective === "COPY" &&
    settings.storageClass === source.storageClass &&
    !input.WebsiteRedirectLocation &&
    algorithm === source.checksum?.algorithm
  ) {
    throw new InvalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  checkWriteConditions(objects(ctx, bucket).get(key), input, key);
  const body = await storeStream(ctx, ctx.runtime.blobs.read(source.blob), algorithm);
  const record: ObjectRecord = {
    key,
    blob: body.blob,
    size: body.size,
    // A copy of a multipart object is one part: its ETag becomes the plain MD5.
    etag: body.etag,
    lastModified: ctx.runtime.now(),
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
  };
  commitObject(ctx, bucket, record, input);
  return {
    CopyObjectResult: { ETag: record.etag, LastModified: new Date(record.lastModified), ...checksumMembers(record.checksum) },
  };
}

function sourceBucketOf(header: string): string {
  const path = header.split("?", 1)[0];
  const decoded = decodeURIComponent(path.startsWith("/") ? path.slice(1) : path);
  return decoded.slice(0, decoded.indexOf("/"));
}

function directive(value: string | undefined, header: string): "COPY" | "REPLACE" {
  if (value === undefined) return "COPY";
  if (value !== "COPY" && value !== "REPLACE") throw invalidArgument(`Unknown ${header.slice(6)}.`, header, value);
  return value;
}
