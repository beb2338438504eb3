import type {
  Bucket,
  CreateBucketOutput,
  CreateBucketRequest,
  DeleteBucketRequest,
  GetBucketLocationOutput,
  GetBucketLocationRequest,
  HeadBucketOutput,
  HeadBucketRequest,
  ListBucketsOutput,
  ListBucketsRequest,
} from "@aws-sdk/client-s3";
import type { RequestContext } from "../types.js";
import {
  AccessDenied,
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  BucketNotEmpty,
  IllegalLocationConstraintException,
  InvalidBucketAclWithObjectOwnership,
  InvalidBucketName,
  InvalidLocationConstraint,
  invalidArgument,
  noSuchBucket,
} from "./errors.js";
import { bucketConfigs } from "./config-store.js";
import { type BucketRecord, bucketObjects, buckets, canonicalUserId, uploads } from "./store.js";

// General purpose bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const CANNED_BUCKET_ACLS = ["private", "public-read", "public-read-write", "authenticated-read"];
const OBJECT_OWNERSHIPS = ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"];
const GRANT_HEADERS = ["GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP"] as const;
const MAX_BUCKETS_PAGE = 10_000;

export function isValidBucketName(name: string): boolean {
  return (
    BUCKET_NAME.test(name) &&
    !name.includes("..") &&
    !IP_ADDRESS.test(name) &&
    !RESERVED_PREFIXES.some((p) => name.startsWith(p)) &&
    !RESERVED_SUFFIXES.some((s) => name.endsWith(s))
  );
}

export function createBucket(input: CreateBucketRequest, ctx: RequestContext): CreateBucketOutput {
  const name = input.Bucket as string;
  if (!isValidBucketName(name)) throw new InvalidBucketName("The specified bucket is not valid.", { fields: { BucketName: name } });
  const objectOwnership = checkOwnership(input);
  const region = bucketRegion(input.CreateBucketConfiguration?.LocationConstraint, ctx.region);
  const existing = buckets(ctx).get(name);
  if (existing) {
    if (existing.owner !== ctx.account) {
      throw new BucketAlreadyExists(
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        {
          fields: { BucketName: name },
        },
      );
    }
    // us-east-1 kept its legacy answer: re-creating your own bucket there succeeds and changes nothing.
    if (existing.region === "us-east-1" && region === "us-east-1") return { Location: `/${name}` };
    throw new BucketAlreadyOwnedByYou("Your previous request to create the named bucket succeeded and you already own it.", {
      fields: { BucketName: name },
    });
  }
  const objectLockEnabled = input.ObjectLockEnabledForBucket === true;
  const tags = Object.fromEntries((input.CreateBucketConfiguration?.Tags ?? []).map((t) => [t.Key as string, t.Value as string]));
  buckets(ctx).set(name, {
    name,
    owner: ctx.account,
    region,
    createdAt: ctx.runtime.now(),
    objectOwnership,
    acl: input.ACL ?? "private",
    objectLockEnabled,
    // Object lock needs versioning, so S3 turns it on with the lock.
    versioning: objectLockEnabled ? "Enabled" : undefined,
    tags,
  });
  return { Location: region === "us-east-1" ? `/${name}` : virtualHostedUrl(name, ctx) };
}

/** Since April 2023 new buckets disable ACLs (BucketOwnerEnforced) unless asked otherwise; then only `private` is accepted. */
function checkOwnership(input: CreateBucketRequest): BucketRecord["objectOwnership"] {
  const ownership = input.ObjectOwnership ?? "BucketOwnerEnforced";
  if (!OBJECT_OWNERSHIPS.includes(ownership))
    throw invalidArgument("Invalid x-amz-object-ownership header", "x-amz-object-ownership", ownership);
  if (input.ACL !== undefined && !CANNED_BUCKET_ACLS.includes(input.ACL))
    throw invalidArgument("Invalid canned ACL", "x-amz-acl", input.ACL);
  const grants = GRANT_HEADERS.some((h) => input[h] !== undefined);
  if (ownership === "BucketOwnerEnforced" && ((input.ACL !== undefined && input.ACL !== "private") || grants)) {
    throw new InvalidBucketAclWithObjectOwnership("Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
  }
  return ownership as BucketRecord["objectOwnership"];
}

/**
 * Where the bucket goes. A regional endpoint only creates buckets in its own region, named by a matching
 * LocationConstraint; us-east-1 (the global endpoint) takes no constraint for itself but accepts any other.
 */
function bucketRegion(constraint: string | undefined, endpointRegion: string): string {
  if (!constraint) {
    if (endpointRegion === "us-east-1") return "us-east-1";
    throw new IllegalLocationConstraintException(
      "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
    );
  }
  if (constraint !== "EU" && !REGION.test(constraint)) {
    throw new InvalidLocationConstraint("The specified location-constraint is not valid", { fields: { LocationConstraint: constraint } });
  }
  if (constraint === "us-east-1" && endpointRegion === "us-east-1") {
    throw new InvalidLocationConstraint("The specified location-constraint is not valid", { fields: { LocationConstraint: constraint } });
  }
  const region = constraint === "EU" ? "eu-west-1" : constraint;
  if (endpointRegion !== "us-east-1" && region !== endpointRegion) {
    throw new IllegalLocationConstraintException(
      `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  return region;
}

/** S3 answers with the bucket's virtual-hosted URL; ours is the LocalStack-style host name on this server's port. */
function virtualHostedUrl(name: string, ctx: RequestContext): string {
  const port = /:(\d+)$/.exec(ctx.origin.host)?.[1];
  return `${ctx.origin.secure ? "https" : "http"}://${name}.s3.localhost.localstack.cloud${port ? `:${port}` : ""}/`;
}

/** Returns the caller's bucket, or the error S3 gives: 404 when no one has it, 403 when another account does. */
export function ownedBucket(ctx: RequestContext, name: string, expectedOwner?: string): BucketRecord {
  const bucket = buckets(ctx).get(name);
  if (!bucket) throw noSuchBucket(name);
  // Under --enforce-iam a request from another account got here only because IAM (the bucket policy) allowed it.
  const crossAccountAllowed = ctx.runtime.options.enforceIam === true;
  if ((bucket.owner !== ctx.account && !crossAccountAllowed) || (expectedOwner !== undefined && expectedOwner !== bucket.owner)) {
    throw new AccessDenied("Access Denied", { headers: { "x-amz-bucket-region": bucket.region } });
  }
  return bucket;
}

export function listBuckets(input: ListBucketsRequest, ctx: RequestContext): ListBucketsOutput {
  // Any parameter turns on the paginated form: a 10,000 page by default, and each bucket's region listed.
  const paginated =
    input.MaxBuckets !== undefined ||
    input.ContinuationToken !== undefined ||
    input.Prefix !== undefined ||
    input.BucketRegion !== undefined;
  const max = input.MaxBuckets;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_BUCKETS_PAGE)) {
    throw invalidArgument(`Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS_PAGE}`, "max-buckets", max);
  }
  const limit = max ?? (paginated ? MAX_BUCKETS_PAGE : Number.POSITIVE_INFINITY);
  const prefix = input.Prefix ?? "";
  const after = input.ContinuationToken !== undefined ? decodeToken(input.ContinuationToken) : undefined;
  const page: Bucket[] = [];
  let last: string | undefined;
  let more = false;
  for (const [name, bucket] of buckets(ctx).entriesFrom(after !== undefined && after > prefix ? after : prefix)) {
    if (!name.startsWith(prefix)) break;
    if (name === after || bucket.owner !== ctx.account) continue;
    if (input.BucketRegion !== undefined && bucket.region !== input.BucketRegion) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push({ Name: name, CreationDate: new Date(bucket.createdAt), BucketRegion: paginated ? bucket.region : undefined });
    last = name;
  }
  return {
    Buckets: page,
    Owner: { ID: canonicalUserId(ctx.account) },
    ContinuationToken: more && last !== undefined ? encodeToken(last) : undefined,
    Prefix: input.Prefix,
  };
}

const encodeToken = (name: string) => Buffer.from(`bucket:${name}`, "utf8").toString("base64url");

function decodeToken(token: string): string {
  const text = Buffer.from(token, "base64url").toString("utf8");
  if (!text.startsWith("bucket:")) throw invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
  return text.slice("bucket:".length);
}

export function headBucket(input: HeadBucketRequest, ctx: RequestContext): HeadBucketOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return { BucketRegion: bucket.region, AccessPointAlias: false };
}

export function deleteBucket(input: DeleteBucketRequest, ctx: RequestContext): void {
  const name = input.Bucket as string;
  ownedBucket(ctx, name, input.ExpectedBucketOwner);
  const objects = bucketObjects(ctx, name);
  if (objects.size > 0) throw new BucketNotEmpty("The bucket you tried to delete is not empty", { fields: { BucketName: name } });
  // Incomplete multipart uploads do not keep a bucket alive; they go with it.
  const pending = uploads(ctx, name);
  for (const upload of pending.values()) for (const part of Object.values(upload.parts)) ctx.runtime.blobs.delete(part.blob);
  pending.clear();
  // Its configurations go with it: a bucket created again under the name starts without them.
  bucketConfigs(ctx).delete(name);
  buckets(ctx).delete(name);
}

/** us-east-1 answers an empty constraint. */
export function getBucketLocation(input: GetBucketLocationRequest, ctx: RequestContext): GetBucketLocationOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return {
    LocationConstraint: bucket.region === "us-east-1" ? undefined : (bucket.region as GetBucketLocationOutput["LocationConstraint"]),
  };
}
