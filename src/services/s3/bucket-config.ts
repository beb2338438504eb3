import type {
  DeleteBucketOwnershipControlsRequest,
  DeleteBucketTaggingRequest,
  DeletePublicAccessBlockRequest,
  GetBucketAccelerateConfigurationOutput,
  GetBucketAccelerateConfigurationRequest,
  GetBucketLoggingOutput,
  GetBucketLoggingRequest,
  GetBucketOwnershipControlsOutput,
  GetBucketOwnershipControlsRequest,
  GetBucketRequestPaymentOutput,
  GetBucketRequestPaymentRequest,
  GetBucketTaggingOutput,
  GetBucketTaggingRequest,
  GetPublicAccessBlockOutput,
  GetPublicAccessBlockRequest,
  PublicAccessBlockConfiguration,
  PutBucketAccelerateConfigurationRequest,
  PutBucketLoggingRequest,
  PutBucketOwnershipControlsRequest,
  PutBucketRequestPaymentRequest,
  PutBucketTaggingRequest,
  PutPublicAccessBlockRequest,
  Tag,
} from "@aws-sdk/client-s3";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { hasOnlyOwnerGrants } from "./acl.js";
import { ownedBucket } from "./buckets.js";
import { bucketConfig, updateBucketConfig } from "./config-store.js";
import { InvalidBucketAclWithObjectOwnership, InvalidRequest, InvalidTag, malformedXml } from "./errors.js";
import { type BucketRecord, buckets } from "./store.js";

export const NoSuchPublicAccessBlockConfiguration = errorClass("NoSuchPublicAccessBlockConfiguration", 404);
export const OwnershipControlsNotFoundError = errorClass("OwnershipControlsNotFoundError", 404);
export const NoSuchTagSet = errorClass("NoSuchTagSet", 404);
export const InvalidTargetBucketForLogging = errorClass("InvalidTargetBucketForLogging", 400);
export const CrossLocationLoggingProhibitted = errorClass("CrossLocationLoggingProhibitted", 403);

const OWNERSHIPS = ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"];
const MAX_BUCKET_TAGS = 50;
/** Since April 2023 new buckets block all public access until told otherwise. */
const NEW_BUCKET_BLOCK: Required<PublicAccessBlockConfiguration> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

// ---- Block Public Access -------------------------------------------------------------------------------

/** The bucket's settings in force: the new-bucket default until set, all off once deleted. */
export function effectivePublicAccessBlock(ctx: RequestContext, bucket: string): PublicAccessBlockConfiguration {
  const stored = bucketConfig(ctx, bucket).publicAccessBlock;
  return stored === undefined ? NEW_BUCKET_BLOCK : (stored ?? {});
}

export function putPublicAccessBlock(input: PutPublicAccessBlockRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const sent = input.PublicAccessBlockConfiguration ?? {};
  // Settings left out are off.
  const settings = Object.fromEntries(
    Object.keys(NEW_BUCKET_BLOCK).map((k) => [k, sent[k as keyof PublicAccessBlockConfiguration] === true]),
  );
  updateBucketConfig(ctx, bucket.name, { publicAccessBlock: settings });
}

export function getPublicAccessBlock(input: GetPublicAccessBlockRequest, ctx: RequestContext): GetPublicAccessBlockOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  if (bucketConfig(ctx, bucket.name).publicAccessBlock === null) {
    throw new NoSuchPublicAccessBlockConfiguration("The public access block configuration was not found", {
      fields: { BucketName: bucket.name },
    });
  }
  return { PublicAccessBlockConfiguration: effectivePublicAccessBlock(ctx, bucket.name) };
}

export function deletePublicAccessBlock(input: DeletePublicAccessBlockRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  updateBucketConfig(ctx, bucket.name, { publicAccessBlock: null });
}

// ---- Object Ownership ----------------------------------------------------------------------------------

/** A bucket without ownership controls behaves as ObjectWriter, S3's setting before controls existed. */
export function effectiveOwnership(ctx: RequestContext, bucket: BucketRecord): BucketRecord["objectOwnership"] {
  return bucketConfig(ctx, bucket.name).ownershipRemoved ? "ObjectWriter" : bucket.objectOwnership;
}

export function putBucketOwnershipControls(input: PutBucketOwnershipControlsRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const rules = input.OwnershipControls?.Rules ?? [];
  const ownership = rules[0]?.ObjectOwnership as string | undefined;
  if (rules.length !== 1 || ownership === undefined || !OWNERSHIPS.includes(ownership)) throw malformedXml();
  if (ownership === "BucketOwnerEnforced" && !hasOnlyOwnerGrants(ctx, bucket)) {
    throw new InvalidBucketAclWithObjectOwnership("Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
  }
  const latest = buckets(ctx).get(bucket.name) ?? bucket;
  buckets(ctx).set(bucket.name, { ...latest, objectOwnership: ownership as BucketRecord["objectOwnership"] });
  updateBucketConfig(ctx, bucket.name, { ownershipRemoved: undefined });
}

export function getBucketOwnershipControls(
  input: GetBucketOwnershipControlsRequest,
  ctx: RequestContext,
): GetBucketOwnershipControlsOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  if (bucketConfig(ctx, bucket.name).ownershipRemoved) {
    throw new OwnershipControlsNotFoundError("The bucket ownership controls were not found", { fields: { BucketName: bucket.name } });
  }
  return { OwnershipControls: { Rules: [{ ObjectOwnership: bucket.objectOwnership }] } };
}

export function deleteBucketOwnershipControls(input: DeleteBucketOwnershipControlsRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  updateBucketConfig(ctx, bucket.name, { ownershipRemoved: true });
}

// ---- Logging, acceleration, request payment --------------------------------------------------------------

/** An empty BucketLoggingStatus turns logging off; a target must be an existing bucket of the same owner. */
export function putBucketLogging(input: PutBucketLoggingRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const logging = input.BucketLoggingStatus?.LoggingEnabled;
  if (logging) {
    const target = buckets(ctx).get(logging.TargetBucket ?? "");
    if (!target)
      throw new InvalidTargetBucketForLogging("The target bucket for logging does not exist", {
        fields: { TargetBucket: logging.TargetBucket },
      });
    if (target.owner !== bucket.owner) {
      throw new InvalidTargetBucketForLogging("The owner for the bucket to be logged and the target bucket must be the same.", {
        fields: { TargetBucket: logging.TargetBucket },
      });
    }
    if (target.region !== bucket.region) {
      throw new CrossLocationLoggingProhibitted("Cross S3 location logging not allowed. ", {
        fields: { TargetBucketLocation: target.region },
      });
    }
  }
  updateBucketConfig(ctx, bucket.name, { logging });
}

export function getBucketLogging(input: GetBucketLoggingRequest, ctx: RequestContext): GetBucketLoggingOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return { LoggingEnabled: bucketConfig(ctx, bucket.name).logging };
}

export function putBucketAccelerateConfiguration(input: PutBucketAccelerateConfigurationRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const status = input.AccelerateConfiguration?.Status as string | undefined;
  if (status !== "Enabled" && status !== "Suspended") throw malformedXml();
  // Accelerated endpoints are virtual-hosted names, which a dotted bucket cannot use over TLS.
  if (bucket.name.includes("."))
    throw new InvalidRequest("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names");
  updateBucketConfig(ctx, bucket.name, { accelerate: status });
}

export function getBucketAccelerateConfiguration(
  input: GetBucketAccelerateConfigurationRequest,
  ctx: RequestContext,
): GetBucketAccelerateConfigurationOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return { Status: bucketConfig(ctx, bucket.name).accelerate };
}

export function putBucketRequestPayment(input: PutBucketRequestPaymentRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const payer = input.RequestPaymentConfiguration?.Payer as string | undefined;
  if (payer !== "Requester" && payer !== "BucketOwner") throw malformedXml();
  updateBucketConfig(ctx, bucket.name, { requestPayer: payer });
}

export function getBucketRequestPayment(input: GetBucketRequestPaymentRequest, ctx: RequestContext): GetBucketRequestPaymentOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return { Payer: bucketConfig(ctx, bucket.name).requestPayer ?? "BucketOwner" };
}

// ---- Bucket tags -----------------------------------------------------------------------------------------

export function putBucketTagging(input: PutBucketTaggingRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const tags = checkBucketTags(input.Tagging?.TagSet ?? []);
  const latest = buckets(ctx).get(bucket.name) ?? bucket;
  buckets(ctx).set(bucket.name, { ...latest, tags });
}

export function getBucketTagging(input: GetBucketTaggingRequest, ctx: RequestContext): GetBucketTaggingOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const tags = Object.entries(bucket.tags ?? {});
  if (tags.length === 0) throw new NoSuchTagSet("The TagSet does not exist", { fields: { BucketName: bucket.name } });
  return { TagSet: tags.map(([Key, Value]) => ({ Key, Value })) };
}

export function deleteBucketTagging(input: DeleteBucketTaggingRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const latest = buckets(ctx).get(bucket.name) ?? bucket;
  buckets(ctx).set(bucket.name, { ...latest, tags: {} });
}

/** Bucket tags: up to 50, keys of 1–128 and values of up to 256 characters, unique keys, no `aws:` keys. */
function checkBucketTags(tags: Tag[]): Record<string, string> {
  if (tags.length > MAX_BUCKET_TAGS) throw new InvalidTag("Bucket tag count cannot be greater than 50");
  const out: Record<string, string> = {};
  for (const { Key: key = "", Value: value = "" } of tags) {
    if (key.length === 0 || [...key].length > 128)
      throw new InvalidTag("The TagKey you have provided is invalid", { fields: { TagKey: key } });
    if ([...value].length > 256)
      throw new InvalidTag("The TagValue you have provided is invalid", { fields: { TagKey: key, TagValue: value } });
    if (key.toLowerCase().startsWith("aws:"))
      throw new InvalidTag("System tags cannot be added/updated by requester", { fields: { TagKey: key } });
    if (key in out) throw new InvalidTag("Cannot provide multiple Tags with the same key", { fields: { TagKey: key } });
    out[key] = value;
  }
  return out;
}
