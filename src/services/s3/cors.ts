import type {
  CORSRule,
  DeleteBucketCorsRequest,
  GetBucketCorsOutput,
  GetBucketCorsRequest,
  PutBucketCorsRequest,
} from "@aws-sdk/client-s3";
import { AwsError, errorClass } from "../../protocol/errors.js";
import type { HttpRequest, HttpResponse } from "../../protocol/http.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { bucketConfig, updateBucketConfig } from "./config-store.js";
import { BadRequest, InvalidRequest, malformedXml, noSuchBucket } from "./errors.js";
import { buckets } from "./store.js";

export const NoSuchCORSConfiguration = errorClass("NoSuchCORSConfiguration", 404);

const METHODS = ["GET", "PUT", "HEAD", "POST", "DELETE"];
const MAX_RULES = 100;
const VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

export function putBucketCors(input: PutBucketCorsRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const rules = input.CORSConfiguration?.CORSRules ?? [];
  if (rules.length === 0 || rules.length > MAX_RULES) throw malformedXml();
  updateBucketConfig(ctx, bucket.name, { cors: rules.map(checkRule) });
}

/** S3's checks of one rule; the rule is kept as sent (without members it left out). */
function checkRule(rule: CORSRule): CORSRule {
  const methods = rule.AllowedMethods ?? [];
  const origins = rule.AllowedOrigins ?? [];
  if (methods.length === 0 || origins.length === 0) throw malformedXml();
  for (const method of methods) {
    if (!METHODS.includes(method))
      throw new InvalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
  }
  for (const origin of origins) {
    if (wildcards(origin) > 1) throw new InvalidRequest(`AllowedOrigin "${origin}" can not have more than one wildcard.`);
  }
  for (const header of rule.AllowedHeaders ?? []) {
    if (wildcards(header) > 1) throw new InvalidRequest(`AllowedHeader "${header}" can not have more than one wildcard.`);
  }
  for (const header of rule.ExposeHeaders ?? []) {
    if (header.includes("*")) {
      throw new InvalidRequest(`ExposeHeader "${header}" contains wildcard. We currently do not support wildcard for ExposeHeader.`);
    }
  }
  return JSON.parse(JSON.stringify(rule)) as CORSRule;
}

const wildcards = (s: string) => s.split("*").length - 1;

export function getBucketCors(input: GetBucketCorsRequest, ctx: RequestContext): GetBucketCorsOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const rules = bucketConfig(ctx, bucket.name).cors;
  if (!rules) throw new NoSuchCORSConfiguration("The CORS configuration does not exist", { fields: { BucketName: bucket.name } });
  return { CORSRules: rules };
}

export function deleteBucketCors(input: DeleteBucketCorsRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  updateBucketConfig(ctx, bucket.name, { cors: undefined });
}

/** A pattern with at most one `*`, which stands for any run of characters. */
function wildcardMatches(pattern: string, value: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** The first rule allowing this origin, method and every requested header (headers compare case-insensitively). */
function matchingRule(rules: CORSRule[], origin: string, method: string, headers: string[]): CORSRule | undefined {
  return rules.find(
    (rule) =>
      (rule.AllowedOrigins ?? []).some((o) => wildcardMatches(o, origin)) &&
      (rule.AllowedMethods ?? []).includes(method) &&
      headers.every((h) => (rule.AllowedHeaders ?? []).some((allowed) => wildcardMatches(allowed.toLowerCase(), h))),
  );
}

/** The headers S3 answers a matched origin with, on preflights and actual requests alike. */
function allowHeaders(rule: CORSRule, origin: string): Record<string, string> {
  const anyOrigin = (rule.AllowedOrigins ?? []).includes("*");
  const headers: Record<string, string> = {
    "access-control-allow-origin": anyOrigin ? "*" : origin,
    "access-control-allow-methods": (rule.AllowedMethods ?? []).join(", "),
    vary: VARY,
  };
  // Credentials cannot go with a wildcard origin, so S3 allows them only for named origins.
  if (!anyOrigin) headers["access-control-allow-credentials"] = "true";
  if (rule.ExposeHeaders?.length) headers["access-control-expose-headers"] = rule.ExposeHeaders.join(", ");
  if (rule.MaxAgeSeconds !== undefined) headers["access-control-max-age"] = String(rule.MaxAgeSeconds);
  return headers;
}

/** Answers an OPTIONS preflight for a bucket (no key) or an object, per the bucket's first matching rule. */
export function corsPreflight(req: HttpRequest, ctx: RequestContext, bucketName: string, key: string | undefined): HttpResponse {
  const bucket = buckets(ctx).get(bucketName);
  if (!bucket) throw noSuchBucket(bucketName);
  const origin = req.headers.origin;
  if (!origin) throw new BadRequest("Insufficient information. Origin request header needed.");
  const method = req.headers["access-control-request-method"];
  if (!method) throw new BadRequest("Invalid Access-Control-Request-Method: null");
  const forbidden = (message: string) =>
    new AwsError("AccessForbidden", `CORSResponse: ${message}`, {
      status: 403,
      fields: { Method: method, ResourceType: key === undefined ? "BUCKET" : "OBJECT" },
    });
  const rules = bucketConfig(ctx, bucketName).cors;
  if (!rules) throw forbidden("CORS is not enabled for this bucket.");
  const requested = (req.headers["access-control-request-headers"] ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const rule = matchingRule(rules, origin, method, requested);
  if (!rule) {
    throw forbidden(
      "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headerss are not whitelisted by the resource's CORS spec.",
    );
  }
  const headers = allowHeaders(rule, origin);
  if (requested.length) headers["access-control-allow-headers"] = requested.join(", ");
  return { status: 200, headers: { ...headers, "x-amz-request-id": ctx.requestId, "content-length": "0" }, body: undefined };
}

/** Adds the matching rule's CORS headers to an actual (non-preflight) response that carries an Origin. */
export function withCorsHeaders(req: HttpRequest, response: HttpResponse, ctx: RequestContext, bucketName: string): HttpResponse {
  const origin = req.headers.origin;
  const rules = origin ? bucketConfig(ctx, bucketName).cors : undefined;
  if (!origin || !rules) return response;
  const rule = matchingRule(rules, origin, req.method, []);
  const headers = rule ? allowHeaders(rule, origin) : { vary: VARY };
  return { ...response, headers: { ...response.headers, ...headers } };
}
