import type { _Object, ListObjectsOutput, ListObjectsRequest, ListObjectsV2Output, ListObjectsV2Request } from "@aws-sdk/client-s3";
import type { Collection } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { checksumMembers } from "./checksums.js";
import { invalidArgument } from "./errors.js";
import { canonicalUserId, type ObjectRecord, objects } from "./store.js";

const DEFAULT_MAX_KEYS = 1000;

/** One page of a prefix/delimiter walk over a sorted collection. */
export interface Page<V> {
  items: Array<[string, V]>;
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix in the page: where the next page starts after. */
  last?: string;
}

export interface WalkOptions<V> {
  prefix: string;
  delimiter?: string;
  /** Stored keys up to this one were listed already. */
  after?: string;
  max: number;
  /** The object key of an entry, where the stored key carries more (multipart uploads: `key\0uploadId`). */
  keyOf?: (stored: string, value: V) => string;
  /** Common prefixes up to this key were listed already (defaults to `after`). */
  keyMarker?: string;
}

/**
 * Walks entries after `after` whose key starts with `prefix`, rolling keys that contain the delimiter past
 * the prefix into common prefixes. Each common prefix is stepped over with one seek, so a page costs
 * O(page · log n) however many keys the prefixes hide.
 */
export function walk<V>(collection: Pick<Collection<V>, "entriesFrom">, options: WalkOptions<V>): Page<V> {
  const { prefix, delimiter, after, max, keyOf = (stored: string) => stored, keyMarker = options.after } = options;
  const page: Page<V> = { items: [], commonPrefixes: [], truncated: false };
  let from = after !== undefined && after > prefix ? after : prefix;
  for (;;) {
    let seekTo: string | undefined;
    for (const [stored, value] of collection.entriesFrom(from)) {
      if (after !== undefined && stored <= after) continue;
      const key = keyOf(stored, value);
      if (!key.startsWith(prefix)) return page;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const common = cut >= 0 ? key.slice(0, cut + (delimiter as string).length) : undefined;
      // A marker may name a common prefix: the keys it rolled up were listed already.
      if (common !== undefined && keyMarker !== undefined && common <= keyMarker) {
        seekTo = successor(common);
        break;
      }
      if (page.items.length + page.commonPrefixes.length >= max) {
        page.truncated = true;
        return page;
      }
      if (common !== undefined) {
        page.commonPrefixes.push(common);
        page.last = common;
        seekTo = successor(common);
        break;
      }
      page.items.push([stored, value]);
      page.last = key;
    }
    if (seekTo === undefined) return page;
    from = seekTo;
  }
}

/** The least string greater than every string that starts with `prefix`. */
export function successor(prefix: string): string {
  const last = prefix.codePointAt(prefix.length - 1) as number;
  const cut = last > 0xffff ? prefix.length - 2 : prefix.length - 1;
  return prefix.slice(0, cut) + String.fromCodePoint(last + 1);
}

export function checkMaxKeys(maxKeys: number | undefined): number {
  if (maxKeys === undefined) return DEFAULT_MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", maxKeys);
  return Math.min(maxKeys, DEFAULT_MAX_KEYS);
}

/** encoding-type=url: keys as S3 sends them, percent-encoded with spaces as `+` and slashes kept. */
export function encoder(encodingType: string | undefined): (text: string) => string {
  if (encodingType === undefined) return (text) => text;
  if (encodingType !== "url") throw invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encodingType);
  return (text) => encodeURIComponent(text).replace(/%2F/g, "/").replace(/%20/g, "+");
}

function objectEntry(record: ObjectRecord, encode: (s: string) => string, owner: string | undefined): _Object {
  const checksum = checksumMembers(record.checksum);
  return {
    Key: encode(record.key),
    LastModified: new Date(record.lastModified),
    ETag: record.etag,
    ChecksumAlgorithm: record.checksum ? [record.checksum.algorithm] : undefined,
    ChecksumType: checksum.ChecksumType as _Object["ChecksumType"],
    Size: record.size,
    StorageClass: record.storageClass as _Object["StorageClass"],
    Owner: owner ? { ID: owner } : undefined,
  };
}

export function listObjects(input: ListObjectsRequest, ctx: RequestContext): ListObjectsOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const max = checkMaxKeys(input.MaxKeys);
  const encode = encoder(input.EncodingType);
  const delimiter = input.Delimiter || undefined;
  const page = walk(objects(ctx, bucket.name), { prefix: input.Prefix ?? "", delimiter, after: input.Marker || undefined, max });
  const owner = canonicalUserId(bucket.owner);
  return {
    Name: bucket.name,
    Prefix: encode(input.Prefix ?? ""),
    Marker: encode(input.Marker ?? ""),
    MaxKeys: max,
    Delimiter: input.Delimiter ? encode(input.Delimiter) : undefined,
    EncodingType: input.EncodingType,
    IsTruncated: page.truncated,
    // v1 names the next marker only with a delimiter; otherwise clients continue from the last key.
    NextMarker: page.truncated && delimiter && page.last ? encode(page.last) : undefined,
    Contents: page.items.length ? page.items.map(([, r]) => objectEntry(r, encode, owner)) : undefined,
    CommonPrefixes: page.commonPrefixes.length ? page.commonPrefixes.map((p) => ({ Prefix: encode(p) })) : undefined,
  };
}

export function listObjectsV2(input: ListObjectsV2Request, ctx: RequestContext): ListObjectsV2Output {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const max = checkMaxKeys(input.MaxKeys);
  const encode = encoder(input.EncodingType);
  const delimiter = input.Delimiter || undefined;
  const after = input.ContinuationToken !== undefined ? decodeToken(input.ContinuationToken) : input.StartAfter || undefined;
  const page = walk(objects(ctx, bucket.name), { prefix: input.Prefix ?? "", delimiter, after, max });
  const owner = input.FetchOwner ? canonicalUserId(bucket.owner) : undefined;
  return {
    Name: bucket.name,
    Prefix: encode(input.Prefix ?? ""),
    Delimiter: input.Delimiter ? encode(input.Delimiter) : undefined,
    MaxKeys: max,
    EncodingType: input.EncodingType,
    KeyCount: page.items.length + page.commonPrefixes.length,
    IsTruncated: page.truncated,
    ContinuationToken: input.ContinuationToken,
    NextContinuationToken: page.truncated && page.last !== undefined ? encodeToken(page.last) : undefined,
    StartAfter: input.StartAfter !== undefined ? encode(input.StartAfter) : undefined,
    Contents: page.items.length ? page.items.map(([, r]) => objectEntry(r, encode, owner)) : undefined,
    CommonPrefixes: page.commonPrefixes.length ? page.commonPrefixes.map((p) => ({ Prefix: encode(p) })) : undefined,
  };
}

const encodeToken = (key: string) => Buffer.from(`key:${key}`, "utf8").toString("base64");

function decodeToken(token: string): string {
  const text = Buffer.from(token, "base64").toString("utf8");
  if (!text.startsWith("key:")) throw invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
  return text.slice("key:".length);
}
