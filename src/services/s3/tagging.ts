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
import { BadRequest, InvalidTag } from "./errors.js";
import { findVersion, responseVersionId, saveVersion } from "./versioning.js";

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

function taggedObject(ctx: RequestContext, input: { Bucket?: string; Key?: string; VersionId?: string; ExpectedBucketOwner?: string }) {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const record = findVersion(ctx, bucket.name, input.Key as string, input.VersionId);
  return { bucket, record, VersionId: responseVersionId(bucket, record) };
}

export function putObjectTagging(input: PutObjectTaggingRequest, ctx: RequestContext): PutObjectTaggingOutput {
  const { bucket, record, VersionId } = taggedObject(ctx, input);
  const tags = checkTags(input.Tagging?.TagSet ?? []);
  saveVersion(ctx, bucket.name, { ...record, tags });
  return { VersionId };
}

export function getObjectTagging(input: GetObjectTaggingRequest, ctx: RequestContext): GetObjectTaggingOutput {
  const { record, VersionId } = taggedObject(ctx, input);
  return { VersionId, TagSet: tagList(record.tags) };
}

export function deleteObjectTagging(input: DeleteObjectTaggingRequest, ctx: RequestContext): DeleteObjectTaggingOutput {
  const { bucket, record, VersionId } = taggedObject(ctx, input);
  saveVersion(ctx, bucket.name, { ...record, tags: {} });
  return { VersionId };
}
