import type {
  AbortMultipartUploadOutput,
  AbortMultipartUploadRequest,
  CompleteMultipartUploadOutput,
  CompleteMultipartUploadRequest,
  CreateMultipartUploadOutput,
  CreateMultipartUploadRequest,
  ListMultipartUploadsOutput,
  ListMultipartUploadsRequest,
  ListPartsOutput,
  ListPartsRequest,
  Part,
  UploadPartCopyOutput,
  UploadPartCopyRequest,
  UploadPartOutput,
  UploadPartRequest,
} from "@aws-sdk/client-s3";
import { createHash, randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import type { RequestContext } from "../types.js";
import { objectAclFromRequest } from "./acl.js";
import { storeStream, storeUpload, checksumRequest } from "./bodies.js";
import { ownedBucket } from "./buckets.js";
import { type ChecksumAlgorithm, checksumMembers, newDigest, parseAlgorithm } from "./checksums.js";
import { copySource } from "./copy.js";
import {
  BadDigest,
  EntityTooSmall,
  InvalidPart,
  InvalidPartOrder,
  InvalidRange,
  InvalidRequest,
  invalidArgument,
  malformedXml,
  noSuchUpload,
} from "./errors.js";
import { checkKey, checkUploadSize, checkWriteConditions, commitObject, objectSettings } from "./objects.js";
import { canonicalUserId, type ObjectRecord, type PartRecord, type UploadRecord, objects, uploadKey, uploads } from "./store.js";
import { walk } from "./listing.js";
import { type CustomerKeyInput, customerKeyMd5, encryptionMembers, writeEncryption, writeEncryptionMembers } from "./encryption.js";
import { checkLockedPutDigest, newVersionLock } from "./object-lock.js";
import { responseVersionId } from "./versioning.js";

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
const MAX_PARTS_PAGE = 1000;

/** Upload ids start with the creation time in hex, so uploads of one key list oldest first. */
function newUploadId(now: number): string {
  return `${now.toString(16).padStart(12, "0")}${randomBytes(20).toString("hex")}`;
}

function checksumType(algorithm: ChecksumAlgorithm | undefined, requested: string | undefined): UploadRecord["checksumType"] {
  if (!algorithm) {
    if (requested !== undefined)
      throw new InvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
    return undefined;
  }
  const type = requested ?? (algorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE");
  if (type !== "FULL_OBJECT" && type !== "COMPOSITE") throw invalidArgument("Invalid checksum type", "x-amz-checksum-type", type);
  const fullCapable = algorithm === "CRC32" || algorithm === "CRC32C" || algorithm === "CRC64NVME";
  if ((type === "FULL_OBJECT" && !fullCapable) || (type === "COMPOSITE" && algorithm === "CRC64NVME")) {
    throw new InvalidRequest(`The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  return type;
}

export async function createMultipartUpload(
  input: CreateMultipartUploadRequest,
  ctx: RequestContext,
): Promise<CreateMultipartUploadOutput> {
  const bucket = input.Bucket as string;
  const key = input.Key as string;
  const owned = ownedBucket(ctx, bucket, input.ExpectedBucketOwner);
  checkKey(key);
  const settings = { ...objectSettings(input, ctx), acl: objectAclFromRequest(ctx, owned, input) };
  const algorithm = parseAlgorithm(input.ChecksumAlgorithm);
  const type = checksumType(algorithm, input.ChecksumType);
  const lock = newVersionLock(ctx, owned, input);
  const encryption = await writeEncryption(ctx, owned, key, input);
  const now = ctx.runtime.now();
  const uploadId = newUploadId(now);
  uploads(ctx, bucket).set(uploadKey(key, uploadId), {
    uploadId,
    bucket,
    key,
    initiated: now,
    object: { key, ...settings, lock, encryption },
    checksumAlgorithm: algorithm,
    checksumType: type,
    parts: {},
  });
  return {
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    ChecksumAlgorithm: algorithm,
    ChecksumType: type,
    ...writeEncryptionMembers(encryption),
  };
}

function openUpload(ctx: RequestContext, bucket: string, key: string, uploadId: string, owner?: string): UploadRecord {
  ownedBucket(ctx, bucket, owner);
  const upload = uploads(ctx, bucket).get(uploadKey(key, uploadId));
  if (!upload) throw noSuchUpload(uploadId);
  return upload;
}

function checkPartNumber(partNumber: number | undefined): number {
  if (partNumber === undefined || !Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", partNumber);
  }
  return partNumber;
}

/** Stores a received part, replacing (and freeing) an earlier upload of the same number. */
function storePart(ctx: RequestContext, upload: UploadRecord, part: PartRecord): void {
  const current = uploads(ctx, upload.bucket).get(uploadKey(upload.key, upload.uploadId));
  if (!current) {
    ctx.runtime.blobs.delete(part.blob);
    throw noSuchUpload(upload.uploadId); // aborted or completed while the part streamed
  }
  const previous = current.parts[part.partNumber];
  current.parts[part.partNumber] = part;
  uploads(ctx, upload.bucket).set(uploadKey(upload.key, upload.uploadId), current);
  if (previous) ctx.runtime.blobs.delete(previous.blob);
}

export async function uploadPart(input: UploadPartRequest, ctx: RequestContext): Promise<UploadPartOutput> {
  const upload = openUpload(ctx, input.Bucket as string, input.Key as string, input.UploadId as string, input.ExpectedBucketOwner);
  const partNumber = checkPartNumber(input.PartNumber);
  checkUploadSize(ctx);
  checkPartKey(upload, input);
  // Parts of a locked object need a digest, like a locked PutObject.
  checkLockedPutDigest(ctx, upload.object.lock);
  const body = await storeUpload(ctx, input.Body as Readable | undefined, upload.checksumAlgorithm);
  const part = savePart(ctx, upload, partNumber, body);
  return { ETag: part.etag, ...partChecksum(upload, part), ...encryptionMembers(upload.object.encryption) };
}

/** Records a stored part body as part `partNumber` of the upload (replacing an earlier one). */
function savePart(
  ctx: RequestContext,
  upload: UploadRecord,
  partNumber: number,
  body: { blob: string; size: number; etag: string; checksum?: string },
): PartRecord {
  const { blob, size, etag, checksum } = body;
  const part: PartRecord = { partNumber, blob, size, etag, lastModified: ctx.runtime.now(), checksum };
  storePart(ctx, upload, part);
  return part;
}

/** Every part of an SSE-C upload carries the customer key the upload was created with (and only then a key). */
function checkPartKey(upload: UploadRecord, input: CustomerKeyInput): void {
  const given = customerKeyMd5(input);
  const expected = upload.object.encryption?.customerKeyMd5;
  if (expected === undefined) {
    if (given !== undefined) {
      throw new InvalidRequest(
        "The multipart upload initiate did not request encryption with a customer provided key. Subsequent part requests must not include the encryption parameters.",
      );
    }
    return;
  }
  if (given === undefined) {
    throw new InvalidRequest(
      "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.",
    );
  }
  if (given !== expected) throw new InvalidRequest("The provided encryption parameters did not match the ones used originally.");
}

function partChecksum(upload: UploadRecord, part: PartRecord): Record<string, string> {
  return upload.checksumAlgorithm && part.checksum ? { [`Checksum${upload.checksumAlgorithm}`]: part.checksum } : {};
}

export async function uploadPartCopy(input: UploadPartCopyRequest, ctx: RequestContext): Promise<UploadPartCopyOutput> {
  const upload = openUpload(ctx, input.Bucket as string, input.Key as string, input.UploadId as string, input.ExpectedBucketOwner);
  const partNumber = checkPartNumber(input.PartNumber);
  checkPartKey(upload, input);
  const copied = await copySource(ctx, input);
  const source = copied.record;
  const range = copyRange(input.CopySourceRange, source.size);
  const body = await storeStream(ctx, ctx.runtime.blobs.read(source.blob, range), upload.checksumAlgorithm);
  const part = savePart(ctx, upload, partNumber, body);
  return {
    CopyPartResult: { ETag: part.etag, LastModified: new Date(part.lastModified), ...partChecksum(upload, part) },
    CopySourceVersionId: responseVersionId(copied.bucket, source),
    ...encryptionMembers(upload.object.encryption),
  };
}

/** x-amz-copy-source-range must be a complete `bytes=first-last` inside the source. */
function copyRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!match) {
    throw invalidArgument(
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      "x-amz-copy-source-range",
      header,
    );
  }
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > end || end >= size) {
    throw new InvalidRange("The requested range is not satisfiable", { fields: { RangeRequested: header, ActualObjectSize: size } });
  }
  return { start, end };
}

export async function completeMultipartUpload(
  input: CompleteMultipartUploadRequest,
  ctx: RequestContext,
): Promise<CompleteMultipartUploadOutput> {
  const bucket = input.Bucket as string;
  const key = input.Key as string;
  const upload = openUpload(ctx, bucket, key, input.UploadId as string, input.ExpectedBucketOwner);
  const parts = chosenParts(upload, input.MultipartUpload?.Parts ?? []);
  const size = parts.reduce((total, p) => total + p.size, 0);
  if (input.MpuObjectSize !== undefined && input.MpuObjectSize !== size) {
    throw new InvalidRequest(
      `The provided 'x-amz-mp-object-size' header value "${input.MpuObjectSize}" does not match what was computed: "${size}"`,
    );
  }
  checkWriteConditions(objects(ctx, bucket).get(key), input, key);
  const algorithm = upload.checksumType === "FULL_OBJECT" ? upload.checksumAlgorithm : undefined;
  const body = await storeStream(ctx, concatenate(ctx, parts), algorithm);
  const checksum = completedChecksum(upload, parts, body.checksum);
  const expected = checksumRequest(ctx.origin.headers).expected;
  // A composite checksum may be sent with or without its `-N` suffix.
  if (expected !== undefined && checksum && expected !== checksum.value && expected !== checksum.value.replace(/-\d+$/, "")) {
    ctx.runtime.blobs.delete(body.blob);
    throw new BadDigest(`The ${checksum.algorithm} you specified did not match the calculated checksum.`);
  }
  const record: ObjectRecord = {
    ...upload.object,
    blob: body.blob,
    size: body.size,
    etag: multipartEtag(parts),
    lastModified: ctx.runtime.now(),
    checksum,
    partSizes: parts.map((p) => p.size),
    partChecksums: checksum?.type === "COMPOSITE" ? parts.map((p) => p.checksum ?? "") : undefined,
  };
  const committedTo = commitObject(ctx, bucket, record, input);
  discardUpload(ctx, upload);
  return {
    VersionId: responseVersionId(committedTo, record),
    ...writeEncryptionMembers(record.encryption),
    Location: `${ctx.origin.baseUrl}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, "/")}`,
    Bucket: bucket,
    Key: key,
    ETag: record.etag,
    ...checksumMembers(checksum),
  };
}

/** The parts the request names, checked against what was uploaded: ascending, existing, same ETags, big enough. */
function chosenParts(upload: UploadRecord, requested: Part[]): PartRecord[] {
  if (requested.length === 0) throw malformedXml();
  const numbers = requested.map((item) => item.PartNumber ?? 0);
  if (numbers.some((n, i) => i > 0 && n <= numbers[i - 1])) {
    throw new InvalidPartOrder("The list of parts was not in ascending order. Parts must be ordered by part number.", {
      fields: { UploadId: upload.uploadId },
    });
  }
  const chosen = requested.map((item) => {
    const part = upload.parts[item.PartNumber ?? 0];
    if (!part || part.etag.replace(/"/g, "") !== (item.ETag ?? "").replace(/"/g, "")) {
      throw new InvalidPart(
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        { fields: { UploadId: upload.uploadId, PartNumber: item.PartNumber, ETag: item.ETag } },
      );
    }
    return part;
  });
  const small = chosen.findIndex((part, i) => i < chosen.length - 1 && part.size < MIN_PART_SIZE);
  if (small >= 0) {
    const part = chosen[small];
    throw new EntityTooSmall("Your proposed upload is smaller than the minimum allowed size", {
      fields: { ProposedSize: part.size, MinSizeAllowed: MIN_PART_SIZE, PartNumber: part.partNumber, ETag: part.etag.replace(/"/g, "") },
    });
  }
  return chosen;
}

/** The parts' bodies one after another, streamed from their blobs. */
async function* concatenate(ctx: RequestContext, parts: PartRecord[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield* ctx.runtime.blobs.read(part.blob) as AsyncIterable<Uint8Array>;
}

/** S3's multipart ETag: the MD5 of the parts' binary MD5s, then `-` and the part count. */
function multipartEtag(parts: PartRecord[]): string {
  const md5 = createHash("md5");
  for (const part of parts) md5.update(Buffer.from(part.etag.replace(/"/g, ""), "hex"));
  return `"${md5.digest("hex")}-${parts.length}"`;
}

/** A composite checksum is the checksum of the parts' checksums, `-N`; a full-object one covers the bytes. */
function completedChecksum(upload: UploadRecord, parts: PartRecord[], fullObject: string | undefined): ObjectRecord["checksum"] {
  const algorithm = upload.checksumAlgorithm;
  if (!algorithm) return undefined;
  if (upload.checksumType === "FULL_OBJECT") return { algorithm, value: fullObject as string, type: "FULL_OBJECT" };
  const digest = newDigest(algorithm);
  for (const part of parts) digest.update(Buffer.from(part.checksum ?? "", "base64"));
  return { algorithm, value: `${digest.digest().toString("base64")}-${parts.length}`, type: "COMPOSITE" };
}

/** Forgets an upload and frees its parts (a completed object has its own copy of their bytes). */
function discardUpload(ctx: RequestContext, upload: UploadRecord): void {
  const current = uploads(ctx, upload.bucket).get(uploadKey(upload.key, upload.uploadId)) ?? upload;
  uploads(ctx, upload.bucket).delete(uploadKey(upload.key, upload.uploadId));
  for (const part of Object.values(current.parts)) ctx.runtime.blobs.delete(part.blob);
}

export function abortMultipartUpload(input: AbortMultipartUploadRequest, ctx: RequestContext): AbortMultipartUploadOutput {
  const upload = openUpload(ctx, input.Bucket as string, input.Key as string, input.UploadId as string, input.ExpectedBucketOwner);
  discardUpload(ctx, upload);
  return {};
}

export function listParts(input: ListPartsRequest, ctx: RequestContext): ListPartsOutput {
  const upload = openUpload(ctx, input.Bucket as string, input.Key as string, input.UploadId as string, input.ExpectedBucketOwner);
  const max = input.MaxParts ?? MAX_PARTS_PAGE;
  if (!Number.isInteger(max) || max < 0)
    throw invalidArgument("Provided max-parts not an integer or within integer range", "max-parts", max);
  const marker = Number(input.PartNumberMarker ?? 0);
  const numbers = Object.keys(upload.parts)
    .map(Number)
    .filter((n) => n > marker)
    .sort((a, b) => a - b);
  const page = numbers.slice(0, Math.min(max, MAX_PARTS_PAGE)).map((n) => upload.parts[n]);
  const truncated = numbers.length > page.length;
  const owner = { ID: canonicalUserId(ctx.account) };
  return {
    Bucket: upload.bucket,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumberMarker: input.PartNumberMarker ?? "0",
    NextPartNumberMarker: page.length ? String(page[page.length - 1].partNumber) : undefined,
    MaxParts: max,
    IsTruncated: truncated,
    Parts: page.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: new Date(p.lastModified),
      ETag: p.etag,
      Size: p.size,
      ...partChecksum(upload, p),
    })),
    Initiator: owner,
    Owner: owner,
    StorageClass: upload.object.storageClass as ListPartsOutput["StorageClass"],
    ChecksumAlgorithm: upload.checksumAlgorithm,
    ChecksumType: upload.checksumType,
  };
}

export function listMultipartUploads(input: ListMultipartUploadsRequest, ctx: RequestContext): ListMultipartUploadsOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const max = input.MaxUploads ?? 1000;
  if (!Number.isInteger(max) || max < 0)
    throw invalidArgument("Provided max-uploads not an integer or within integer range", "max-uploads", max);
  const prefix = input.Prefix ?? "";
  const delimiter = input.Delimiter || undefined;
  const page = walkUploads(ctx, bucket.name, prefix, delimiter, input.KeyMarker, input.UploadIdMarker, Math.min(max, 1000));
  const owner = { ID: canonicalUserId(bucket.owner) };
  const lastUpload = page.uploads[page.uploads.length - 1];
  return {
    Bucket: bucket.name,
    KeyMarker: input.KeyMarker ?? "",
    UploadIdMarker: input.UploadIdMarker ?? "",
    NextKeyMarker: page.truncated ? (page.last ?? "") : undefined,
    NextUploadIdMarker: page.truncated && lastUpload && page.last === lastUpload.key ? lastUpload.uploadId : undefined,
    Prefix: input.Prefix,
    Delimiter: input.Delimiter,
    MaxUploads: max,
    IsTruncated: page.truncated,
    Uploads: page.uploads.map((u) => ({
      Key: u.key,
      UploadId: u.uploadId,
      Initiated: new Date(u.initiated),
      StorageClass: u.object.storageClass as "STANDARD",
      Owner: owner,
      Initiator: owner,
      ChecksumAlgorithm: u.checksumAlgorithm,
      ChecksumType: u.checksumType,
    })),
    CommonPrefixes: page.commonPrefixes.length ? page.commonPrefixes.map((p) => ({ Prefix: p })) : undefined,
  };
}

/** The object walk over `key\0uploadId` entries: markers name a key, or a key and an upload of it. */
function walkUploads(
  ctx: RequestContext,
  bucket: string,
  prefix: string,
  delimiter: string | undefined,
  keyMarker: string | undefined,
  uploadIdMarker: string | undefined,
  max: number,
) {
  const after = keyMarker ? (uploadIdMarker ? uploadKey(keyMarker, uploadIdMarker) : `${keyMarker}\u0001`) : undefined;
  const keyOf = (_stored: string, upload: UploadRecord) => upload.key;
  const page = walk(uploads(ctx, bucket), { prefix, delimiter, after, max, keyOf, keyMarker });
  return {
    uploads: page.items.map(([, upload]) => upload),
    commonPrefixes: page.commonPrefixes,
    truncated: page.truncated,
    last: page.last,
  };
}
