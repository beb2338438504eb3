import type {
  GetObjectLegalHoldOutput,
  GetObjectLegalHoldRequest,
  GetObjectLockConfigurationOutput,
  GetObjectLockConfigurationRequest,
  GetObjectRetentionOutput,
  GetObjectRetentionRequest,
  PutObjectLegalHoldOutput,
  PutObjectLegalHoldRequest,
  PutObjectLockConfigurationOutput,
  PutObjectLockConfigurationRequest,
  PutObjectRetentionOutput,
  PutObjectRetentionRequest,
} from "@aws-sdk/client-s3";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { CHECKSUM_ALGORITHMS, checksumHeader } from "./checksums.js";
import { AccessDenied, InvalidRequest, invalidArgument, malformedXml } from "./errors.js";
import { type BucketRecord, buckets, type LockMode, type ObjectLockRecord, type ObjectRecord } from "./store.js";
import { findVersion, InvalidBucketState, saveVersion } from "./versioning.js";

export const ObjectLockConfigurationNotFoundError = errorClass("ObjectLockConfigurationNotFoundError", 404);
export const NoSuchObjectLockConfiguration = errorClass("NoSuchObjectLockConfiguration", 404);

const MODES = ["GOVERNANCE", "COMPLIANCE"];
const DAY_MS = 86_400_000;

/** The lock headers of PutObject, CreateMultipartUpload and CopyObject. */
export interface LockInput {
  ObjectLockMode?: string;
  ObjectLockRetainUntilDate?: Date;
  ObjectLockLegalHoldStatus?: string;
}

const missingLock = () => new InvalidRequest("Bucket is missing Object Lock Configuration");

/** A new version's lock: the request's retention and legal hold, else the bucket's default retention. */
export function newVersionLock(ctx: RequestContext, bucket: BucketRecord, input: LockInput): ObjectLockRecord | undefined {
  const { ObjectLockMode: mode, ObjectLockRetainUntilDate: until, ObjectLockLegalHoldStatus: legalHold } = input;
  if (mode === undefined && until === undefined && legalHold === undefined) return defaultRetention(ctx, bucket);
  if (!bucket.objectLockEnabled) throw missingLock();
  if ((mode === undefined) !== (until === undefined)) {
    throw invalidArgument(
      "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
      mode === undefined ? "x-amz-object-lock-mode" : "x-amz-object-lock-retain-until-date",
      undefined,
    );
  }
  if (mode !== undefined && !MODES.includes(mode)) throw invalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", mode);
  if (legalHold !== undefined && legalHold !== "ON" && legalHold !== "OFF") {
    throw invalidArgument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", legalHold);
  }
  if (until !== undefined) checkFuture(ctx, until, "x-amz-object-lock-retain-until-date");
  const retention = mode !== undefined ? { mode: mode as LockMode, retainUntil: until?.getTime() } : defaultRetention(ctx, bucket);
  return { ...retention, legalHold: legalHold as ObjectLockRecord["legalHold"] };
}

function defaultRetention(ctx: RequestContext, bucket: BucketRecord): ObjectLockRecord | undefined {
  const rule = bucket.objectLockEnabled ? bucket.lockRule : undefined;
  if (!rule) return undefined;
  const days = rule.days ?? (rule.years ?? 0) * 365;
  return { mode: rule.mode, retainUntil: ctx.runtime.now() + days * DAY_MS };
}

function checkFuture(ctx: RequestContext, date: Date, argument: string): void {
  if (Number.isNaN(date.getTime()) || date.getTime() <= ctx.runtime.now()) {
    throw invalidArgument("The retain until date must be in the future!", argument, date.toISOString?.());
  }
}

/** A locked PutObject must carry a body digest (Content-MD5 or an additional checksum), as S3 requires. */
export function checkLockedPutDigest(ctx: RequestContext, lock: ObjectLockRecord | undefined): void {
  if (!lock) return;
  const headers = ctx.origin.headers;
  const digest =
    headers["content-md5"] !== undefined ||
    headers["x-amz-trailer"] !== undefined ||
    CHECKSUM_ALGORITHMS.some((a) => headers[checksumHeader(a)] !== undefined);
  if (!digest)
    throw new InvalidRequest("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
}

/** Whether the retention still protects the version at this moment. */
const retained = (ctx: RequestContext, lock: ObjectLockRecord | undefined) =>
  lock?.mode !== undefined && (lock.retainUntil ?? 0) > ctx.runtime.now();

/**
 * Permanently deleting a version: a legal hold or compliance retention always refuses, governance
 * retention unless the request bypasses it.
 */
export function checkDeletable(ctx: RequestContext, record: ObjectRecord, bypassGovernance: boolean): void {
  const lock = record.lock;
  const protectedNow = lock?.legalHold === "ON" || (retained(ctx, lock) && (lock?.mode === "COMPLIANCE" || !bypassGovernance));
  if (protectedNow) throw new AccessDenied("Access Denied because object protected by object lock.");
}

/** The headers GET and HEAD report a version's lock with. */
export function lockMembers(lock: ObjectLockRecord | undefined) {
  return {
    ObjectLockMode: lock?.mode,
    ObjectLockRetainUntilDate: lock?.retainUntil !== undefined ? new Date(lock.retainUntil) : undefined,
    ObjectLockLegalHoldStatus: lock?.legalHold,
  } as const;
}

function lockedBucket(ctx: RequestContext, name: string, owner?: string): BucketRecord {
  const bucket = ownedBucket(ctx, name, owner);
  if (!bucket.objectLockEnabled) throw missingLock();
  return bucket;
}

export function putObjectLockConfiguration(
  input: PutObjectLockConfigurationRequest,
  ctx: RequestContext,
): PutObjectLockConfigurationOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const config = input.ObjectLockConfiguration;
  if (config?.ObjectLockEnabled !== "Enabled") throw malformedXml();
  if (!bucket.objectLockEnabled && bucket.versioning !== "Enabled") {
    throw new InvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
  }
  let lockRule: BucketRecord["lockRule"];
  if (config.Rule) {
    const retention = config.Rule.DefaultRetention;
    if (!retention || !MODES.includes(retention.Mode as string)) throw malformedXml();
    const { Days: days, Years: years } = retention;
    if ((days === undefined) === (years === undefined)) throw malformedXml();
    const period = days ?? years;
    if (!Number.isInteger(period) || (period as number) <= 0) {
      throw invalidArgument("Default retention period must be a positive integer value", days !== undefined ? "Days" : "Years", period);
    }
    lockRule = { mode: retention.Mode as LockMode, days, years };
  }
  const latest = buckets(ctx).get(bucket.name) ?? bucket;
  buckets(ctx).set(bucket.name, { ...latest, objectLockEnabled: true, lockRule });
  return {};
}

export function getObjectLockConfiguration(
  input: GetObjectLockConfigurationRequest,
  ctx: RequestContext,
): GetObjectLockConfigurationOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  if (!bucket.objectLockEnabled)
    throw new ObjectLockConfigurationNotFoundError("Object Lock configuration does not exist for this bucket", {
      fields: { BucketName: bucket.name },
    });
  const rule = bucket.lockRule;
  return {
    ObjectLockConfiguration: {
      ObjectLockEnabled: "Enabled",
      Rule: rule ? { DefaultRetention: { Mode: rule.mode, Days: rule.days, Years: rule.years } } : undefined,
    },
  };
}

const noLockConfiguration = () => new NoSuchObjectLockConfiguration("The specified object does not have a ObjectLock configuration");

export function putObjectRetention(input: PutObjectRetentionRequest, ctx: RequestContext): PutObjectRetentionOutput {
  const bucket = lockedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const record = findVersion(ctx, bucket.name, input.Key as string, input.VersionId);
  const mode = input.Retention?.Mode as string | undefined;
  const until = input.Retention?.RetainUntilDate;
  if ((mode === undefined) !== (until === undefined) || (mode !== undefined && !MODES.includes(mode))) throw malformedXml();
  if (until !== undefined) checkFuture(ctx, until, "RetainUntilDate");
  const current = record.lock;
  if (retained(ctx, current)) {
    const weakens = mode !== current?.mode || (until?.getTime() ?? 0) < (current?.retainUntil ?? 0);
    if (weakens && (current?.mode === "COMPLIANCE" || !input.BypassGovernanceRetention))
      throw new AccessDenied("Access Denied because object protected by object lock.");
  }
  saveVersion(ctx, bucket.name, { ...record, lock: { ...current, mode: mode as LockMode | undefined, retainUntil: until?.getTime() } });
  return {};
}

export function getObjectRetention(input: GetObjectRetentionRequest, ctx: RequestContext): GetObjectRetentionOutput {
  const bucket = lockedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const lock = findVersion(ctx, bucket.name, input.Key as string, input.VersionId).lock;
  if (lock?.mode === undefined) throw noLockConfiguration();
  return { Retention: { Mode: lock.mode, RetainUntilDate: new Date(lock.retainUntil ?? 0) } };
}

export function putObjectLegalHold(input: PutObjectLegalHoldRequest, ctx: RequestContext): PutObjectLegalHoldOutput {
  const bucket = lockedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const record = findVersion(ctx, bucket.name, input.Key as string, input.VersionId);
  const status = input.LegalHold?.Status as string | undefined;
  if (status !== "ON" && status !== "OFF") throw malformedXml();
  saveVersion(ctx, bucket.name, { ...record, lock: { ...record.lock, legalHold: status } });
  return {};
}

export function getObjectLegalHold(input: GetObjectLegalHoldRequest, ctx: RequestContext): GetObjectLegalHoldOutput {
  const bucket = lockedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const lock = findVersion(ctx, bucket.name, input.Key as string, input.VersionId).lock;
  if (lock?.legalHold === undefined) throw noLockConfiguration();
  return { LegalHold: { Status: lock.legalHold } };
}
