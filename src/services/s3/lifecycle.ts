import { randomBytes } from "node:crypto";
import type {
  DeleteBucketLifecycleRequest,
  GetBucketLifecycleConfigurationOutput,
  GetBucketLifecycleConfigurationRequest,
  LifecycleRule,
  PutBucketLifecycleConfigurationOutput,
  PutBucketLifecycleConfigurationRequest,
  Tag,
} from "@aws-sdk/client-s3";
import { errorClass } from "../../protocol/errors.js";
import { type HttpRequest, type HttpResponse, parseQueryString } from "../../protocol/http.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { bucketConfig, updateBucketConfig } from "./config-store.js";
import { InvalidRequest, invalidArgument, malformedXml } from "./errors.js";
import { type ObjectRecord, type UploadRecord, objects, uploadKey, uploads } from "./store.js";
import { versionIdOf } from "./versioning.js";

export const NoSuchLifecycleConfiguration = errorClass("NoSuchLifecycleConfiguration", 404);

const MAX_RULES = 1000;
const MAX_ID_LENGTH = 255;
const DEFAULT_DAY_MS = 86_400_000;
const TRANSITION_CLASSES = ["GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"];
/** Infrequent-access classes take objects only once they are 30 days old. */
const THIRTY_DAY_CLASSES = ["STANDARD_IA", "ONEZONE_IA"];

// ---- Configuration -------------------------------------------------------------------------------------

export function putBucketLifecycleConfiguration(
  input: PutBucketLifecycleConfigurationRequest,
  ctx: RequestContext,
): PutBucketLifecycleConfigurationOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const rules = input.LifecycleConfiguration?.Rules ?? [];
  if (rules.length === 0 || rules.length > MAX_RULES) throw malformedXml();
  const checked = rules.map(checkRule);
  const ids = new Set<string>();
  for (const rule of checked) {
    if (ids.has(rule.ID as string)) throw invalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", rule.ID);
    ids.add(rule.ID as string);
  }
  const transitionMinimumSize = input.TransitionDefaultMinimumObjectSize ?? "all_storage_classes_128K";
  // Dates are kept as ISO strings: records are plain JSON.
  updateBucketConfig(ctx, bucket.name, { lifecycle: { rules: JSON.parse(JSON.stringify(checked)), transitionMinimumSize } });
  return {
    TransitionDefaultMinimumObjectSize:
      transitionMinimumSize as PutBucketLifecycleConfigurationOutput["TransitionDefaultMinimumObjectSize"],
  };
}

/** S3's checks of one rule; a rule without an ID gets a generated one, as S3 assigns. */
function checkRule(rule: LifecycleRule): LifecycleRule {
  if (rule.Status !== "Enabled" && rule.Status !== "Disabled") throw malformedXml();
  const id = rule.ID ?? randomBytes(36).toString("base64").replace(/[+/=]/g, "").slice(0, 48);
  if (id.length > MAX_ID_LENGTH) throw invalidArgument("ID length should not exceed allowed limit of 255", "ID", id);
  if ((rule.Filter === undefined) === (rule.Prefix === undefined)) throw malformedXml();
  const filter = rule.Filter ?? {};
  if (Object.values(filter).filter((v) => v !== undefined).length > 1) throw malformedXml();
  const tagged = filterTags(rule).length > 0;
  const actions = [
    rule.Expiration,
    rule.NoncurrentVersionExpiration,
    rule.AbortIncompleteMultipartUpload,
    rule.Transitions?.length,
    rule.NoncurrentVersionTransitions?.length,
  ];
  if (actions.every((a) => !a)) throw new InvalidRequest("At least one action needs to be specified in a rule");
  checkExpiration(rule, tagged);
  const noncurrent = rule.NoncurrentVersionExpiration;
  if (noncurrent) {
    requirePositive("NoncurrentDays", "NoncurrentVersionExpiration", noncurrent.NoncurrentDays);
    const newer = noncurrent.NewerNoncurrentVersions;
    if (newer !== undefined) requirePositive("NewerNoncurrentVersions", "NoncurrentVersionExpiration", newer, 100);
  }
  const abort = rule.AbortIncompleteMultipartUpload;
  if (abort) {
    requirePositive("DaysAfterInitiation", "AbortIncompleteMultipartUpload", abort.DaysAfterInitiation);
    if (tagged) throw new InvalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.");
  }
  for (const transition of rule.Transitions ?? []) checkTransition(transition.Days, transition.StorageClass);
  return { ...rule, ID: id };
}

const positive = (n: number | undefined) => n !== undefined && Number.isInteger(n) && n > 0;

/** S3's check of a rule's day counts: "'<field>' for <action> action must be a positive integer[ up to <max>]". */
function requirePositive(field: string, action: string, value: number | undefined, max?: number): void {
  if (positive(value) && (max === undefined || (value as number) <= max)) return;
  const limit = max === undefined ? "" : ` up to ${max}`;
  throw invalidArgument(`'${field}' for ${action} action must be a positive integer${limit}`, field, value);
}

function checkExpiration(rule: LifecycleRule, tagged: boolean): void {
  const expiration = rule.Expiration;
  if (!expiration) return;
  const given = [expiration.Days, expiration.Date, expiration.ExpiredObjectDeleteMarker].filter((v) => v !== undefined);
  if (given.length !== 1) throw malformedXml();
  if (expiration.Days !== undefined) requirePositive("Days", "Expiration", expiration.Days);
  if (expiration.Date !== undefined && expiration.Date.getTime() % DEFAULT_DAY_MS !== 0) {
    throw invalidArgument("'Date' must be at midnight GMT", "Date", expiration.Date.toISOString());
  }
  if (expiration.ExpiredObjectDeleteMarker !== undefined && tagged) {
    throw new InvalidRequest("ExpiredObjectDeleteMarker cannot be specified with object tags");
  }
}

function checkTransition(days: number | undefined, storageClass: string | undefined): void {
  if (!TRANSITION_CLASSES.includes(storageClass ?? "")) throw malformedXml();
  if (days === undefined) return;
  if (!Number.isInteger(days) || days < 0) throw invalidArgument("'Days' in Transition action must be nonnegative", "Days", days);
  if (THIRTY_DAY_CLASSES.includes(storageClass as string) && days < 30) {
    throw invalidArgument(
      `'Days' in Transition action must be greater than or equal to 30 for storageClass '${storageClass}'`,
      "Days",
      days,
    );
  }
}

export function getBucketLifecycleConfiguration(
  input: GetBucketLifecycleConfigurationRequest,
  ctx: RequestContext,
): GetBucketLifecycleConfigurationOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const lifecycle = bucketConfig(ctx, bucket.name).lifecycle;
  if (!lifecycle)
    throw new NoSuchLifecycleConfiguration("The lifecycle configuration does not exist", { fields: { BucketName: bucket.name } });
  return {
    Rules: lifecycle.rules.map(withDates),
    TransitionDefaultMinimumObjectSize:
      lifecycle.transitionMinimumSize as GetBucketLifecycleConfigurationOutput["TransitionDefaultMinimumObjectSize"],
  };
}

/** Stored rules keep dates as strings; answers carry them as dates again. */
function withDates(rule: LifecycleRule): LifecycleRule {
  const date = (d: unknown) => (d === undefined ? undefined : new Date(d as string));
  return {
    ...rule,
    Expiration: rule.Expiration && { ...rule.Expiration, Date: date(rule.Expiration.Date) },
    Transitions: rule.Transitions?.map((t) => ({ ...t, Date: date(t.Date) })),
  };
}

export function deleteBucketLifecycle(input: DeleteBucketLifecycleRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  updateBucketConfig(ctx, bucket.name, { lifecycle: undefined });
}

// ---- Rules applied -------------------------------------------------------------------------------------

const filterOf = (rule: LifecycleRule) => rule.Filter ?? {};
const filterPrefix = (rule: LifecycleRule) => rule.Prefix ?? filterOf(rule).Prefix ?? filterOf(rule).And?.Prefix ?? "";
const filterTags = (rule: LifecycleRule): Tag[] => {
  const filter = filterOf(rule);
  return filter.Tag ? [filter.Tag] : (filter.And?.Tags ?? []);
};

/** Whether an enabled rule's filter (prefix, tags, size bounds) selects this object version. */
export function selects(rule: LifecycleRule, record: ObjectRecord): boolean {
  if (rule.Status !== "Enabled" || !record.key.startsWith(filterPrefix(rule))) return false;
  if (!filterTags(rule).every((t) => record.tags?.[t.Key as string] === t.Value)) return false;
  const filter = filterOf(rule);
  const above = filter.ObjectSizeGreaterThan ?? filter.And?.ObjectSizeGreaterThan;
  const below = filter.ObjectSizeLessThan ?? filter.And?.ObjectSizeLessThan;
  return (above === undefined || record.size > above) && (below === undefined || record.size < below);
}

export const dayLength = (runtime: ServiceRuntime) => runtime.options.s3LifecycleDayMs ?? DEFAULT_DAY_MS;

/** S3 adds the days to the start time and rounds up to the next midnight UTC (the next "day" boundary here). */
export const afterDays = (start: number, days: number, day: number) => Math.ceil((start + days * day) / day) * day;

/** When the earliest rule expires the current object, with that rule's id. */
export function currentExpiry(rules: LifecycleRule[], record: ObjectRecord, day: number): { at: number; rule: string } | undefined {
  let earliest: { at: number; rule: string } | undefined;
  for (const rule of rules) {
    const expiration = rule.Expiration;
    if (!expiration || !selects(rule, record)) continue;
    const at =
      expiration.Days !== undefined
        ? afterDays(record.lastModified, expiration.Days, day)
        : expiration.Date !== undefined
          ? Date.parse(expiration.Date as unknown as string)
          : undefined;
    if (at !== undefined && (!earliest || at < earliest.at)) earliest = { at, rule: rule.ID as string };
  }
  return earliest;
}

/** Operations whose answers name the object's expiration (x-amz-expiration). */
const EXPIRATION_OPERATIONS = new Set(["GetObject", "HeadObject", "PutObject", "CopyObject", "CompleteMultipartUpload"]);
/** Operations whose answers name when lifecycle will abort the upload (x-amz-abort-date, x-amz-abort-rule-id). */
const ABORT_OPERATIONS = new Set(["CreateMultipartUpload", "ListParts"]);

export const namesLifecycle = (operation: string) => EXPIRATION_OPERATIONS.has(operation) || ABORT_OPERATIONS.has(operation);

/** Adds what the bucket's rules will do to the object or upload a successful answer is about. */
export function withLifecycleHeaders(
  req: HttpRequest,
  response: HttpResponse,
  ctx: RequestContext,
  bucket: string,
  key: string,
): HttpResponse {
  if (!namesLifecycle(ctx.operation) || response.status >= 300) return response;
  const rules = bucketConfig(ctx, bucket).lifecycle?.rules;
  if (!rules) return response;
  const day = dayLength(ctx.runtime);
  const headers = EXPIRATION_OPERATIONS.has(ctx.operation)
    ? expirationHeaders(req, ctx, rules, bucket, key, day)
    : abortHeaders(req, response, ctx, rules, bucket, key, day);
  return headers ? { ...response, headers: { ...response.headers, ...headers } } : response;
}

function expirationHeaders(
  req: HttpRequest,
  ctx: RequestContext,
  rules: LifecycleRule[],
  bucket: string,
  key: string,
  day: number,
): Record<string, string> | undefined {
  const record = objects(ctx, bucket).get(key);
  // Expiration acts on current versions: a read of an older one names none.
  const versionId = parseQueryString(req.rawQuery).get("versionId")?.[0];
  if (!record || (versionId !== undefined && versionId !== versionIdOf(record))) return undefined;
  const expiry = currentExpiry(rules, record, day);
  if (!expiry) return undefined;
  return { "x-amz-expiration": `expiry-date="${new Date(expiry.at).toUTCString()}", rule-id="${expiry.rule}"` };
}

function abortHeaders(
  req: HttpRequest,
  response: HttpResponse,
  ctx: RequestContext,
  rules: LifecycleRule[],
  bucket: string,
  key: string,
  day: number,
): Record<string, string> | undefined {
  // CreateMultipartUpload names its new upload only in the answer's document.
  const uploadId =
    parseQueryString(req.rawQuery).get("uploadId")?.[0] ??
    (typeof response.body === "string" ? /<UploadId>([^<]+)<\/UploadId>/.exec(response.body)?.[1] : undefined);
  const upload = uploadId === undefined ? undefined : uploads(ctx, bucket).get(uploadKey(key, uploadId));
  const abort = upload && abortDue(rules, upload, day);
  if (!abort) return undefined;
  return { "x-amz-abort-date": new Date(abort.at).toUTCString(), "x-amz-abort-rule-id": abort.rule };
}

/** When the earliest enabled rule aborts an upload, with that rule's id. */
export function abortDue(rules: LifecycleRule[], upload: UploadRecord, day: number): { at: number; rule: string } | undefined {
  let earliest: { at: number; rule: string } | undefined;
  for (const rule of rules) {
    const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
    if (rule.Status !== "Enabled" || days === undefined || !upload.key.startsWith(filterPrefix(rule))) continue;
    const at = afterDays(upload.initiated, days, day);
    if (!earliest || at < earliest.at) earliest = { at, rule: rule.ID as string };
  }
  return earliest;
}
