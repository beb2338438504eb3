import type {
  DeleteObjectTaggingOutput,
  DeleteObjectTaggingRequest,
  GetObjectTaggingOutput,
  GetObjectTaggingRequest,
  PutObjectTaggingOutput,
  PutObjectTaggingRequest,
  Tag,
} from "@aws-sdk/client-s3";
import { decodeQueryComponent } from "../../protocol/http.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { BadRequest, InvalidTag, noSuchKey } from "./errors.js";
import { type ObjectRecord, objects } from "./store.js";

// Object tag limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
const MAX_TAGS = 10;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

/** Validates a tag set as S3 does for objects, returning it as a map. */
export function checkTags(tags: Tag[]): Record<string, string> {
  if (tags.length > MAX_TAGS) throw new BadRequest("Object tags cannot be greater than 10");
  const out: Record<string, string> = {};
  for (const { Key: key = "", Value: value = "" } of tags) {
    if (key.length === 0 || [...key].length > MAX_KEY_LENGTH) {
      throw new InvalidTag("The TagKey you have provided is invalid", { fields: { TagKey: key } });
    }
    if ([...value].length > MAX_VALUE_LENGTH) {
      throw new InvalidTag("The TagValue you have provided is invalid", { fields: { TagKey: key, TagValue: value } });
    }
    if (key.toLowerCase().startsWith("aws:")) throw new InvalidTag("Your TagKey cannot be prefixed with aws:", { fields: { TagKey: key } });
    if (key in out) throw new InvalidTag("Cannot provide multiple Tags with the same key", { fields: { TagKey: key } });
    out[key] = value;
  }
  return out;
}

/** The x-amz-tagging header: tags as a URL query string (`k1=v1&k2=v2`). */
export function parseTaggingHeader(header: string | undefined): Record<string, string> {
  if (!header) return {};
  const tags = header
    .split("&")
    .filter(Boolean)
    .map((pair): Tag => {
      const eq = pair.indexOf("=");
      return {
        Key: decodeQueryComponent(eq < 0 ? pair : pair.slice(0, eq)),
        Value: eq < 0 ? "" : decodeQueryComponent(pair.slice(eq + 1)),
      };
    });
  return checkTags(tags);
}

export const tagList = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function taggedObject(ctx: RequestContext, bucket: string, key: string, owner?: string): ObjectRecord {
  ownedBucket(ctx, bucket, owner);
  const record = objects(ctx, bucket).get(key);
  if (!record) throw noSuchKey(key);
  return record;
}

export function putObjectTagging(input: PutObjectTaggingRequest, ctx: RequestContext): PutObjectTaggingOutput {
  const record = taggedObject(ctx, input.Bucket as string, input.Key as string, input.ExpectedBucketOwner);
  const tags = checkTags(input.Tagging?.TagSet ?? []);
  objects(ctx, input.Bucket as string).set(record.key, { ...record, tags });
  return {};
}

export function getObjectTagging(input: GetObjectTaggingRequest, ctx: RequestContext): GetObjectTaggingOutput {
  const record = taggedObject(ctx, input.Bucket as string, input.Key as string, input.ExpectedBucketOwner);
  return { TagSet: tagList(record.tags) };
}

export function deleteObjectTagging(input: DeleteObjectTaggingRequest, ctx: RequestContext): DeleteObjectTaggingOutput {
  const record = taggedObject(ctx, input.Bucket as string, input.Key as string, input.ExpectedBucketOwner);
  objects(ctx, input.Bucket as string).set(record.key, { ...record, tags: {} });
  return {};
}
