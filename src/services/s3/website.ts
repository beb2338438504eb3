import { STATUS_CODES } from "node:http";
import type { Readable } from "node:stream";
import type {
  DeleteBucketWebsiteRequest,
  GetBucketWebsiteOutput,
  GetBucketWebsiteRequest,
  GetObjectRequest,
  PutBucketWebsiteRequest,
  Redirect,
  RoutingRule,
  WebsiteConfiguration,
} from "@aws-sdk/client-s3";
import { AwsError, errorClass } from "../../protocol/errors.js";
import type { HttpRequest, HttpResponse } from "../../protocol/http.js";
import { loadModel } from "../../protocol/model.js";
import { restXmlCodec } from "../../protocol/rest-xml.js";
import { escapeXml } from "../../protocol/xml.js";
import type { RequestContext, RouteContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { withCorsHeaders } from "./cors.js";
import { bucketConfig, updateBucketConfig } from "./config-store.js";
import { InvalidRequest, invalidArgument, noSuchBucket } from "./errors.js";
import { getObject, headObject } from "./objects.js";
import { type BucketRecord, buckets } from "./store.js";

export const NoSuchWebsiteConfiguration = errorClass("NoSuchWebsiteConfiguration", 404);
const MethodNotAllowed = errorClass("MethodNotAllowed", 405);

// ---- Configuration -------------------------------------------------------------------------------------

export function putBucketWebsite(input: PutBucketWebsiteRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const site = input.WebsiteConfiguration ?? {};
  checkWebsite(site);
  updateBucketConfig(ctx, bucket.name, { website: JSON.parse(JSON.stringify(site)) as WebsiteConfiguration });
}

function checkWebsite(site: WebsiteConfiguration): void {
  if (site.RedirectAllRequestsTo) {
    if (site.IndexDocument || site.ErrorDocument || site.RoutingRules) {
      throw invalidArgument(
        "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
        "RedirectAllRequestsTo",
        "not null",
      );
    }
    if (!site.RedirectAllRequestsTo.HostName)
      throw invalidArgument("A host name must be provided for RedirectAllRequestsTo", "HostName", "");
    return;
  }
  const suffix = site.IndexDocument?.Suffix;
  if (suffix === undefined) {
    throw invalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "null");
  }
  if (suffix === "" || suffix.includes("/")) throw invalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix);
  if (site.ErrorDocument && !site.ErrorDocument.Key) throw invalidArgument("The ErrorDocument Key is not well formed", "ErrorDocument", "");
  for (const rule of site.RoutingRules ?? []) checkRoutingRule(rule);
}

function checkRoutingRule(rule: RoutingRule): void {
  const condition = rule.Condition;
  if (condition && condition.KeyPrefixEquals === undefined && condition.HttpErrorCodeReturnedEquals === undefined) {
    throw invalidArgument(
      "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.",
      "Condition",
      "",
    );
  }
  const errorCode = condition?.HttpErrorCodeReturnedEquals;
  if (errorCode !== undefined && !/^[45]\d\d$/.test(errorCode)) {
    throw invalidArgument(
      `The provided HTTP error code (${errorCode}) is not valid. Valid codes are 4XX or 5XX.`,
      "HttpErrorCodeReturnedEquals",
      errorCode,
    );
  }
  const redirect = rule.Redirect ?? {};
  if (redirect.ReplaceKeyWith !== undefined && redirect.ReplaceKeyPrefixWith !== undefined) {
    throw invalidArgument(
      "You can only define ReplaceKeyPrefix or ReplaceKey but not both.",
      "ReplaceKeyPrefixWith",
      redirect.ReplaceKeyPrefixWith,
    );
  }
  const code = redirect.HttpRedirectCode;
  if (code !== undefined && (!/^3\d\d$/.test(code) || code === "300")) {
    throw invalidArgument(
      `The provided HTTP redirect code (${code}) is not valid. Valid codes are 3XX except 300.`,
      "HttpRedirectCode",
      code,
    );
  }
  if (Object.values(redirect).every((v) => v === undefined)) throw new InvalidRequest("Redirect cannot be empty");
}

export function getBucketWebsite(input: GetBucketWebsiteRequest, ctx: RequestContext): GetBucketWebsiteOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return websiteOf(ctx, bucket.name);
}

export function deleteBucketWebsite(input: DeleteBucketWebsiteRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  updateBucketConfig(ctx, bucket.name, { website: undefined });
}

function websiteOf(ctx: RequestContext, bucket: string): WebsiteConfiguration {
  const site = bucketConfig(ctx, bucket).website;
  if (!site) {
    throw new NoSuchWebsiteConfiguration("The specified bucket does not have a website configuration", { fields: { BucketName: bucket } });
  }
  return site;
}

// ---- The website endpoint ------------------------------------------------------------------------------

/**
 * `<bucket>.s3-website[.-]<region>.…` hosts: anonymous GET/HEAD of the bucket as a web site, with index and
 * error documents and redirects. Errors are HTML pages, as browsers get them.
 */
export async function websiteRoute(req: HttpRequest, ctx: RouteContext): Promise<HttpResponse | undefined> {
  const bucket = ctx.host.bucket;
  if (!ctx.host.website || !bucket) return undefined;
  const response = await serveWebsite(req, ctx, bucket).catch((err: unknown) => {
    if (err instanceof AwsError) return errorPage(err, ctx);
    throw err;
  });
  const withCors = req.headers.origin ? withCorsHeaders(req, response, ctx, bucket) : response;
  // HEAD answers carry the headers of the page a GET would get, without it.
  return req.method === "HEAD" && typeof withCors.body === "string" ? { ...withCors, body: undefined } : withCors;
}

async function serveWebsite(req: HttpRequest, ctx: RouteContext, name: string): Promise<HttpResponse> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    throw new MethodNotAllowed("The specified method is not allowed against this resource.", {
      fields: { Method: req.method, ResourceType: "OBJECT" },
    });
  }
  const bucket = buckets(ctx).get(name);
  if (!bucket) throw noSuchBucket(name);
  const site = websiteOf(ctx, name);
  const key = decodePath(req.path);
  if (site.RedirectAllRequestsTo) {
    const to = site.RedirectAllRequestsTo;
    return redirectTo(`${to.Protocol ?? scheme(ctx)}://${to.HostName}/${encodeKey(key)}`, 301, ctx);
  }
  const byPrefix = routingRuleFor(site, key);
  if (byPrefix) return redirect(byPrefix, key, ctx);
  const suffix = site.IndexDocument?.Suffix ?? "";
  const target = key === "" || key.endsWith("/") ? key + suffix : key;
  const reader = readerFor(ctx, bucket, req);
  try {
    return await reader(target, 200, true);
  } catch (err) {
    if (!(err instanceof AwsError) || (err.status !== 404 && err.status !== 403)) throw err;
    // `folder` names a folder when `folder/<index>` exists: S3 sends the browser to `folder/`.
    if (target === key && (await exists(reader, `${key}/${suffix}`))) return redirectTo(`/${encodeKey(key)}/`, 302, ctx);
    const byError = routingRuleFor(site, key, String(err.status));
    if (byError) return redirect(byError, key, ctx);
    return errorDocument(reader, site, err, ctx);
  }
}

type Reader = (key: string, status: number, conditional: boolean) => Promise<HttpResponse>;

/** Reads objects as the bucket owner through the API's own GetObject/HeadObject, answering with their headers. */
function readerFor(ctx: RouteContext, bucket: BucketRecord, req: HttpRequest): Reader {
  const model = loadModel("s3");
  const head = req.method === "HEAD";
  const owner: RequestContext = { ...ctx, account: bucket.owner, operation: head ? "HeadObject" : "GetObject" };
  return async (key, status, conditional) => {
    const input: GetObjectRequest = { Bucket: bucket.name, Key: key, ...(conditional ? readConditions(req) : {}) };
    // Website visitors are anonymous: under --enforce-iam the bucket policy must make the objects public, as on AWS.
    await ctx.authorize(head ? "HeadObject" : "GetObject", { Bucket: bucket.name, Key: key }, ctx.principal);
    const output = await (head ? headObject(input, owner) : getObject(input, owner));
    if (output.WebsiteRedirectLocation) {
      (output as { Body?: Readable }).Body?.destroy();
      return redirectTo(output.WebsiteRedirectLocation, 301, ctx);
    }
    const operation = model.operations.get(head ? "HeadObject" : "GetObject");
    if (!operation) throw new Error("the S3 model lacks GetObject");
    const response = restXmlCodec.encode(operation, output, { model, requestId: ctx.requestId });
    return status === 200 ? response : { ...response, status };
  };
}

function readConditions(req: HttpRequest): Partial<GetObjectRequest> {
  const date = (header: string | undefined) => (header && !Number.isNaN(Date.parse(header)) ? new Date(header) : undefined);
  return {
    Range: req.headers.range,
    IfMatch: req.headers["if-match"],
    IfNoneMatch: req.headers["if-none-match"],
    IfModifiedSince: date(req.headers["if-modified-since"]),
    IfUnmodifiedSince: date(req.headers["if-unmodified-since"]),
  };
}

async function exists(reader: Reader, key: string): Promise<boolean> {
  try {
    const response = await reader(key, 200, false);
    (response.body as Readable | undefined)?.destroy?.();
    return true;
  } catch {
    return false;
  }
}

/** The error document, sent with the error's status; when it cannot be read either, the page says so. */
async function errorDocument(reader: Reader, site: WebsiteConfiguration, error: AwsError, ctx: RouteContext): Promise<HttpResponse> {
  const key = site.ErrorDocument?.Key;
  if (!key) return errorPage(error, ctx);
  try {
    return await reader(key, error.status ?? 404, false);
  } catch (docError) {
    if (!(docError instanceof AwsError)) throw docError;
    return errorPage(error, ctx, docError);
  }
}

/** The first routing rule whose condition holds: a key prefix and, once the object was looked up, an error code. */
function routingRuleFor(site: WebsiteConfiguration, key: string, errorCode?: string): RoutingRule | undefined {
  return (site.RoutingRules ?? []).find((rule) => {
    const condition = rule.Condition;
    if (!condition) return errorCode === undefined;
    if (condition.KeyPrefixEquals !== undefined && !key.startsWith(condition.KeyPrefixEquals)) return false;
    return condition.HttpErrorCodeReturnedEquals === errorCode;
  });
}

function redirect(rule: RoutingRule, key: string, ctx: RouteContext): HttpResponse {
  const to: Redirect = rule.Redirect ?? {};
  const prefix = rule.Condition?.KeyPrefixEquals ?? "";
  const newKey = to.ReplaceKeyWith ?? (to.ReplaceKeyPrefixWith !== undefined ? to.ReplaceKeyPrefixWith + key.slice(prefix.length) : key);
  const location = `${to.Protocol ?? scheme(ctx)}://${to.HostName ?? ctx.origin.host}/${encodeKey(newKey)}`;
  return redirectTo(location, Number(to.HttpRedirectCode ?? 301), ctx);
}

function redirectTo(location: string, status: number, ctx: RouteContext): HttpResponse {
  return { status, headers: { location, "content-length": "0", "x-amz-request-id": ctx.requestId }, body: undefined };
}

const scheme = (ctx: RouteContext) => (ctx.origin.secure ? "https" : "http");

function decodePath(path: string): string {
  const raw = path.slice(1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");

/** The website endpoint's HTML error page: the status as a title, then the error's details as a list. */
function errorPage(error: AwsError, ctx: RouteContext, documentError?: AwsError): HttpResponse {
  const status = error.status ?? 400;
  if (status === 304) return { status, headers: { ...error.headers, "x-amz-request-id": ctx.requestId }, body: undefined };
  const title = `${status} ${STATUS_CODES[status] ?? ""}`.trim();
  const items = (e: AwsError) =>
    [
      `Code: ${e.code}`,
      `Message: ${e.message}`,
      ...Object.entries(e.fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}: ${String(v)}`),
    ]
      .map((line) => `<li>${escapeXml(line)}</li>`)
      .join("\n");
  const lines = [
    "<html>",
    `<head><title>${title}</title></head>`,
    "<body>",
    `<h1>${title}</h1>`,
    "<ul>",
    items(error),
    `<li>RequestId: ${ctx.requestId}</li>`,
    "</ul>",
  ];
  if (documentError) {
    lines.push("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>", "<ul>", items(documentError), "</ul>");
  }
  lines.push("<hr/>", "</body>", "</html>", "");
  const body = lines.join("\n");
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-length": String(Buffer.byteLength(body)),
      "x-amz-request-id": ctx.requestId,
    },
    body,
  };
}
