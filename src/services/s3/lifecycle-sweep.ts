import { randomUUID } from "node:crypto";
import type { LifecycleRule } from "@aws-sdk/client-s3";
import { servicePrincipal } from "../../auth/principal.js";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { bucketConfigs } from "./config-store.js";
import { abortDue, afterDays, currentExpiry, dayLength, selects } from "./lifecycle.js";
import { abortMultipartUpload } from "./multipart.js";
import { emitObjectEvent } from "./notification-events.js";
import { deleteObject } from "./objects.js";
import { type BucketRecord, type ObjectRecord, buckets, objects, uploads, versionRecords } from "./store.js";
import { deleteVersion, listVersions, versionIdOf } from "./versioning.js";

/** Applies every bucket's rules now and again, as S3's background lifecycle does; the timer goes with the service. */
export function startLifecycle(runtime: ServiceRuntime): void {
  const interval = runtime.options.s3LifecycleSweepMs ?? Math.max(50, Math.min(60_000, dayLength(runtime) / 10));
  runtime.setTimer(
    () => {
      sweep(runtime).catch((err) => console.error("[overcast] s3 lifecycle sweep failed:", err));
    },
    interval,
    true,
  );
}

/** A context acting as S3 itself for the bucket's owner. */
function serviceContext(runtime: ServiceRuntime, account: string, region: string): RequestContext {
  return {
    requestId: randomUUID(),
    service: runtime.service,
    operation: "LifecycleExpiration",
    account,
    region,
    principal: servicePrincipal(account, "s3"),
    store: runtime.storeFor(account, region),
    origin: { baseUrl: "", host: "", secure: false, headers: {} },
    runtime,
  };
}

export async function sweep(runtime: ServiceRuntime): Promise<void> {
  const global = serviceContext(runtime, "global", "global");
  const day = dayLength(runtime);
  for (const [name, config] of [...bucketConfigs(global).entries()]) {
    const rules = config.lifecycle?.rules.filter((r) => r.Status === "Enabled");
    const bucket = buckets(global).get(name);
    if (!rules?.length || !bucket) continue;
    const ctx = serviceContext(runtime, bucket.owner, bucket.region);
    await expireCurrent(ctx, bucket, rules, day);
    if (bucket.versioning) expireVersions(ctx, bucket, rules, day);
    await abortUploads(ctx, bucket, rules, day);
  }
}

/** Current versions past their expiration: deleted (on versioned buckets the delete leaves a delete marker). */
async function expireCurrent(ctx: RequestContext, bucket: BucketRecord, rules: LifecycleRule[], day: number): Promise<void> {
  const now = ctx.runtime.now();
  const due = [...objects(ctx, bucket.name).values()].filter((r) => {
    const expiry = currentExpiry(rules, r, day);
    return expiry !== undefined && expiry.at <= now;
  });
  for (const record of due) {
    const deleted = await skipRefused(() => deleteObject({ Bucket: bucket.name, Key: record.key }, ctx));
    if (!deleted) continue;
    const marker = deleted.DeleteMarker === true;
    const event = marker ? "LifecycleExpiration:DeleteMarkerCreated" : "LifecycleExpiration:Delete";
    emitObjectEvent(ctx, bucket.name, event, { key: record.key, versionId: marker ? deleted.VersionId : undefined });
  }
}

/** Noncurrent versions past NoncurrentDays (beyond the newest N kept), and delete markers left alone. */
function expireVersions(ctx: RequestContext, bucket: BucketRecord, rules: LifecycleRule[], day: number): void {
  const now = ctx.runtime.now();
  const keys = new Set<string>();
  for (const stored of versionRecords(ctx, bucket.name).keys()) keys.add(stored.slice(0, stored.lastIndexOf("\u0000")));
  for (const key of keys) {
    const versions = listVersions(ctx, bucket.name, key);
    // versions[0] is the current version; each older one became noncurrent when the next newer one was written.
    const doomed = versions.filter(
      (version, i) =>
        i > 0 &&
        !locked(version, now) &&
        rules.some((rule) => {
          const expiration = rule.NoncurrentVersionExpiration;
          if (!expiration?.NoncurrentDays || !selects(rule, version) || i <= (expiration.NewerNoncurrentVersions ?? 0)) return false;
          return afterDays(versions[i - 1].lastModified, expiration.NoncurrentDays, day) <= now;
        }),
    );
    const remaining = versions.filter((v) => !doomed.includes(v));
    const lone = remaining.length === 1 && remaining[0].deleteMarker ? remaining[0] : undefined;
    if (lone && rules.some((r) => r.Expiration?.ExpiredObjectDeleteMarker && selects(r, lone))) doomed.push(lone);
    for (const version of doomed) {
      deleteVersion(ctx, bucket.name, key, versionIdOf(version));
      emitObjectEvent(ctx, bucket.name, "LifecycleExpiration:Delete", { key, versionId: versionIdOf(version) });
    }
  }
}

/** Lifecycle never removes a version under retention or legal hold. */
const locked = (version: ObjectRecord, now: number) =>
  version.lock?.legalHold === "ON" || (version.lock?.retainUntil !== undefined && version.lock.retainUntil > now);

/** A rule's action on one object that S3 refuses (e.g. Object Lock) is skipped; the sweep goes on. */
async function skipRefused<T>(action: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof AwsError) return undefined;
    throw err;
  }
}

async function abortUploads(ctx: RequestContext, bucket: BucketRecord, rules: LifecycleRule[], day: number): Promise<void> {
  const now = ctx.runtime.now();
  const due = [...uploads(ctx, bucket.name).values()].filter(
    (upload) => (abortDue(rules, upload, day)?.at ?? Number.POSITIVE_INFINITY) <= now,
  );
  for (const upload of due) {
    await skipRefused(() => abortMultipartUpload({ Bucket: bucket.name, Key: upload.key, UploadId: upload.uploadId }, ctx));
  }
}
