import type { DeleteMarkerEntry, ListObjectVersionsOutput, ListObjectVersionsRequest, ObjectVersion } from "@aws-sdk/client-s3";
import { compareCodePoints } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { checksumMembers } from "./checksums.js";
import { invalidArgument } from "./errors.js";
import { checkMaxKeys, encoder, walk } from "./listing.js";
import { canonicalUserId, type ObjectRecord, objects, versionRecords } from "./store.js";
import { checkVersionId, latestVersion, listVersions, storedKey, versionIdOf } from "./versioning.js";

/** Current objects sort as `<key>\0`, just before their key's older versions (`<key>\0<sequence>`). */
const currentKey = (key: string) => `${key}\u0000`;

/**
 * Every version in one key order: the bucket's current objects merged with its other versions, each
 * side read from its own sorted collection, so a page costs what it lists.
 */
function allVersions(ctx: RequestContext, bucket: string) {
  return {
    *entriesFrom(from = ""): IterableIterator<[string, ObjectRecord]> {
      const current = mapped(objects(ctx, bucket).entriesFrom(from), from);
      const older = versionRecords(ctx, bucket).entriesFrom(from);
      let a = current.next();
      let b = older.next();
      while (!a.done || !b.done) {
        if (b.done || (!a.done && compareCodePoints(a.value[0], b.value[0]) < 0)) {
          yield a.value;
          a = current.next();
        } else {
          yield b.value;
          b = older.next();
        }
      }
    },
  };
}

function* mapped(entries: Iterable<[string, ObjectRecord]>, from: string): IterableIterator<[string, ObjectRecord]> {
  for (const [key, record] of entries) {
    const stored = currentKey(key);
    if (compareCodePoints(stored, from) >= 0) yield [stored, record];
  }
}

/** Where a page starts after: past a whole key, or past one of its versions. */
function startAfter(ctx: RequestContext, bucket: string, keyMarker?: string, versionIdMarker?: string): string | undefined {
  if (!keyMarker) {
    if (versionIdMarker)
      throw invalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", versionIdMarker);
    return undefined;
  }
  const pastKey = `${keyMarker}\u0001`;
  if (!versionIdMarker) return pastKey;
  checkVersionId(versionIdMarker);
  const versions = listVersions(ctx, bucket, keyMarker);
  const index = versions.findIndex((v) => versionIdOf(v) === versionIdMarker);
  if (index < 0) return pastKey;
  return index === 0 && objects(ctx, bucket).has(keyMarker) ? currentKey(keyMarker) : storedKey(versions[index]);
}

export function listObjectVersions(input: ListObjectVersionsRequest, ctx: RequestContext): ListObjectVersionsOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const max = checkMaxKeys(input.MaxKeys);
  const encode = encoder(input.EncodingType);
  const delimiter = input.Delimiter || undefined;
  const after = startAfter(ctx, bucket.name, input.KeyMarker, input.VersionIdMarker);
  const page = walk(allVersions(ctx, bucket.name), {
    prefix: input.Prefix ?? "",
    delimiter,
    after,
    max,
    keyOf: (_stored, record) => record.key,
    keyMarker: input.KeyMarker || undefined,
  });
  const owner = { ID: canonicalUserId(bucket.owner) };
  const isLatest = (stored: string, record: ObjectRecord) =>
    stored === currentKey(record.key) || versionIdOf(latestVersion(ctx, bucket.name, record.key) ?? record) === versionIdOf(record);
  const versions: ObjectVersion[] = [];
  const markers: DeleteMarkerEntry[] = [];
  for (const [stored, record] of page.items) {
    const common = {
      Key: encode(record.key),
      VersionId: versionIdOf(record),
      IsLatest: isLatest(stored, record),
      LastModified: new Date(record.lastModified),
      Owner: owner,
    };
    if (record.deleteMarker) markers.push(common);
    else versions.push({ ...common, ...versionDetails(record) });
  }
  const [lastStored, lastRecord] = page.items[page.items.length - 1] ?? [];
  const endsWithVersion = lastRecord !== undefined && page.last === lastRecord.key && lastStored !== undefined;
  return {
    Name: bucket.name,
    Prefix: encode(input.Prefix ?? ""),
    KeyMarker: encode(input.KeyMarker ?? ""),
    VersionIdMarker: input.VersionIdMarker ?? "",
    MaxKeys: max,
    Delimiter: input.Delimiter ? encode(input.Delimiter) : undefined,
    EncodingType: input.EncodingType,
    IsTruncated: page.truncated,
    NextKeyMarker: page.truncated && page.last !== undefined ? encode(page.last) : undefined,
    NextVersionIdMarker: page.truncated && endsWithVersion ? versionIdOf(lastRecord) : undefined,
    Versions: versions.length ? versions : undefined,
    DeleteMarkers: markers.length ? markers : undefined,
    CommonPrefixes: page.commonPrefixes.length ? page.commonPrefixes.map((p) => ({ Prefix: encode(p) })) : undefined,
  };
}

function versionDetails(record: ObjectRecord): Partial<ObjectVersion> {
  const checksum = checksumMembers(record.checksum);
  return {
    ETag: record.etag,
    Size: record.size,
    StorageClass: record.storageClass as ObjectVersion["StorageClass"],
    ChecksumAlgorithm: record.checksum ? [record.checksum.algorithm] : undefined,
    ChecksumType: checksum.ChecksumType as ObjectVersion["ChecksumType"],
  };
}
