import type {
  CORSRule,
  Grant,
  LifecycleRule,
  LoggingEnabled,
  PublicAccessBlockConfiguration,
  WebsiteConfiguration,
} from "@aws-sdk/client-s3";
import type { Collection } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { s3Store } from "./store.js";

/**
 * A bucket's sub-resource configurations, apart from the bucket record so that each feature writes only
 * its own part. Records are plain JSON: dates inside configurations are kept as ISO strings.
 */
export interface BucketConfig {
  /** The policy document exactly as sent. */
  policy?: string;
  cors?: CORSRule[];
  website?: WebsiteConfiguration;
  lifecycle?: StoredLifecycle;
  /** Unset means the default of new buckets (all four settings on); null once deleted. */
  publicAccessBlock?: PublicAccessBlockConfiguration | null;
  /** DeleteBucketOwnershipControls leaves a bucket without controls (it then behaves as ObjectWriter). */
  ownershipRemoved?: boolean;
  logging?: LoggingEnabled;
  accelerate?: "Enabled" | "Suspended";
  requestPayer?: "Requester" | "BucketOwner";
  /** Explicit grants; unset means those of the canned ACL the bucket was created with. */
  grants?: Grant[];
}

/** Lifecycle rules as sent (dates as ISO strings), with the transition size setting. */
export interface StoredLifecycle {
  rules: LifecycleRule[];
  transitionMinimumSize: string;
}

export const bucketConfigs = (ctx: RequestContext): Collection<BucketConfig> => s3Store(ctx).collection<BucketConfig>("bucket-configs");

export const bucketConfig = (ctx: RequestContext, bucket: string): BucketConfig => bucketConfigs(ctx).get(bucket) ?? {};

/** Replaces some of a bucket's configurations, keeping the others. */
export function updateBucketConfig(ctx: RequestContext, bucket: string, change: Partial<BucketConfig>): void {
  bucketConfigs(ctx).set(bucket, { ...bucketConfig(ctx, bucket), ...change });
}
