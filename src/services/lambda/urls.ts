import type { Cors } from "@aws-sdk/client-lambda";
import { readBody } from "../../protocol/codec.js";
import { AwsError } from "../../protocol/errors.js";
import { type HttpRequest, type HttpResponse, parseQueryString } from "../../protocol/http.js";
import type { Principal, RouteContext } from "../types.js";
import { invokeFunction } from "./invoke.js";
import { findUrl, type UrlRecord } from "./url-configs.js";

/**
 * Function URLs: `http://<url-id>.lambda-url.<region>.localhost.localstack.cloud:<port>/…`. Each HTTP
 * request becomes a payload format 2.0 event, the function's result becomes the HTTP response, with the
 * URL's CORS settings applied and, for AWS_IAM, a SigV4-signed caller required.
 */
const PAYLOAD_LIMIT = 6 * 1024 * 1024;
/** Bodies of these types reach the function as text; anything else is base64-encoded, as Lambda does. */
const TEXT_TYPE = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))/i;

export async function functionUrlRoute(req: HttpRequest, ctx: RouteContext): Promise<HttpResponse | undefined> {
  const urlId = ctx.host.functionUrlId;
  if (!urlId) return undefined;
  const found = findUrl(ctx.runtime, urlId, ctx.host.region);
  if (!found) return message(404, "Not Found");
  const { record, account, region } = found;
  const origin = req.headers.origin;
  if (record.cors && req.method === "OPTIONS" && origin && req.headers["access-control-request-method"])
    return preflight(record.cors, origin, req.headers["access-control-request-method"]);
  let caller: Principal | undefined;
  if (record.authType === "AWS_IAM") {
    caller = await signedCaller(ctx);
    if (!caller) return message(403, "Forbidden");
  }
  if (!(await permitted(ctx, account, region, record, caller))) return message(403, "Forbidden");
  let body: Buffer;
  try {
    body = await readBody(req.body, PAYLOAD_LIMIT);
  } catch {
    return message(413, `Request must be smaller than ${PAYLOAD_LIMIT} bytes for the InvokeFunction operation`);
  }
  const event = functionUrlEvent(req, body, ctx, urlId, caller);
  const response = await run(ctx, account, region, record, event);
  return record.cors && origin ? withCors(response, record.cors, origin) : response;
}

async function run(ctx: RouteContext, account: string, region: string, record: UrlRecord, event: unknown): Promise<HttpResponse> {
  try {
    const payload = Buffer.from(JSON.stringify(event));
    const outcome = await invokeFunction(ctx.runtime, {
      account,
      region,
      functionName: record.functionName,
      qualifier: record.qualifier,
      payload,
    });
    if (outcome.failed) return message(502, "Internal Server Error");
    return httpResponse(outcome.payload) ?? message(502, "Internal Server Error");
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    if (err.code === "TooManyRequestsException") return message(429, "Rate Exceeded.");
    return message(502, "Internal Server Error");
  }
}

function message(status: number, text: string): HttpResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify({ Message: text }) };
}

/** AWS_IAM URLs take SigV4-signed requests only; an unsigned or badly signed one is refused. */
async function signedCaller(ctx: RouteContext): Promise<Principal | undefined> {
  try {
    const principal = await ctx.authenticate();
    return principal.type === "anonymous" ? undefined : principal;
  } catch (err) {
    if (err instanceof AwsError) return undefined;
    throw err;
  }
}

/**
 * Under --enforce-iam the caller needs lambda:InvokeFunctionUrl: an IAM caller from its identity policies or
 * the function's policy, an anonymous one (AuthType NONE) from the function's policy alone, as on AWS.
 */
async function permitted(
  ctx: RouteContext,
  account: string,
  region: string,
  record: UrlRecord,
  caller: Principal | undefined,
): Promise<boolean> {
  const input = {
    FunctionName: `arn:aws:lambda:${region}:${account}:function:${record.functionName}`,
    Qualifier: record.qualifier,
    AuthType: record.authType,
  };
  try {
    await ctx.authorize("InvokeFunctionUrl", input, caller ?? ctx.principal);
    return true;
  } catch (err) {
    if (err instanceof AwsError) return false;
    throw err;
  }
}

/** The payload format 2.0 event of an HTTP request. */
function functionUrlEvent(req: HttpRequest, body: Buffer, ctx: RouteContext, urlId: string, caller: Principal | undefined) {
  const { cookie, ...headers } = req.headers;
  const now = ctx.runtime.now();
  const query = parseQueryString(req.rawQuery);
  const path = decodePath(req.path);
  const domain = (req.headers.host ?? "").replace(/:\d+$/, "");
  const text = body.length === 0 || TEXT_TYPE.test(req.headers["content-type"] ?? "");
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: req.rawQuery,
    cookies: cookie ? cookie.split(/;\s*/).filter(Boolean) : undefined,
    headers: {
      ...headers,
      "x-forwarded-proto": ctx.origin.secure ? "https" : "http",
      "x-forwarded-for": ctx.origin.sourceIp ?? "127.0.0.1",
    },
    queryStringParameters: query.size ? Object.fromEntries([...query].map(([k, v]) => [k, v.join(",")])) : undefined,
    requestContext: {
      accountId: caller ? caller.account : "anonymous",
      apiId: urlId,
      authorizer: caller ? { iam: iamAuthorizer(caller) } : undefined,
      domainName: domain,
      domainPrefix: urlId,
      http: {
        method: req.method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: ctx.origin.sourceIp ?? "127.0.0.1",
        userAgent: req.headers["user-agent"] ?? "",
      },
      requestId: ctx.requestId,
      routeKey: "$default",
      stage: "$default",
      time: clfTime(now),
      timeEpoch: now,
    },
    body: body.length ? body.toString(text ? "utf8" : "base64") : undefined,
    isBase64Encoded: !text,
  };
}

function iamAuthorizer(caller: Principal) {
  return {
    accessKey: caller.accessKeyId ?? null,
    accountId: caller.account,
    callerId: caller.userId,
    cognitoIdentity: null,
    principalOrgId: null,
    userArn: caller.arn,
    userId: caller.userId,
  };
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `12/Mar/2020:19:03:58 +0000`, the request time format of HTTP events. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/**
 * The HTTP response for a function's result: an object with statusCode is taken as the response; any
 * other JSON value is the body of a 200 application/json response (a string as its text). Undefined for
 * results Lambda cannot turn into a response (502).
 */
function httpResponse(payload: Buffer): HttpResponse | undefined {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
  const inferred = (body: string): HttpResponse => ({ status: 200, headers: { "content-type": "application/json" }, body });
  if (typeof result === "string") return inferred(result);
  if (result === null || typeof result !== "object" || Array.isArray(result) || !("statusCode" in result)) {
    return inferred(payload.toString("utf8"));
  }
  const shaped = result as {
    statusCode: unknown;
    headers?: Record<string, unknown>;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const status = Number(shaped.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(shaped.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (Array.isArray(shaped.cookies) && shaped.cookies.length) headers["set-cookie"] = shaped.cookies.map(String);
  const text =
    shaped.body === undefined || shaped.body === null ? "" : typeof shaped.body === "string" ? shaped.body : JSON.stringify(shaped.body);
  return { status, headers, body: shaped.isBase64Encoded === true ? Buffer.from(text, "base64") : text };
}

// ---- CORS -------------------------------------------------------------------------------------------

function allowedOrigin(cors: Cors, origin: string): string | undefined {
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes("*")) return cors.AllowCredentials ? origin : "*";
  return origins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

/** Preflights are answered by the URL itself when CORS is configured; the function never sees them. */
function preflight(cors: Cors, origin: string, method: string): HttpResponse {
  const allowOrigin = allowedOrigin(cors, origin);
  const methods = cors.AllowMethods ?? [];
  const methodAllowed = methods.includes("*") || methods.some((m) => m.toUpperCase() === method.toUpperCase());
  if (!allowOrigin || !methodAllowed) return { status: 200, headers: {}, body: undefined };
  const headers: Record<string, string> = {
    "access-control-allow-origin": allowOrigin,
    "access-control-allow-methods": methods.join(","),
    vary: "Origin",
  };
  if (cors.AllowHeaders?.length) headers["access-control-allow-headers"] = cors.AllowHeaders.join(",");
  if (cors.MaxAge !== undefined) headers["access-control-max-age"] = String(cors.MaxAge);
  if (cors.AllowCredentials) headers["access-control-allow-credentials"] = "true";
  return { status: 200, headers, body: undefined };
}

/** CORS headers on actual responses replace any the function set itself, as Lambda does. */
function withCors(response: HttpResponse, cors: Cors, origin: string): HttpResponse {
  const allowOrigin = allowedOrigin(cors, origin);
  if (!allowOrigin) return response;
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([h]) => !h.startsWith("access-control-")));
  headers["access-control-allow-origin"] = allowOrigin;
  headers.vary = "Origin";
  if (cors.ExposeHeaders?.length) headers["access-control-expose-headers"] = cors.ExposeHeaders.join(",");
  if (cors.AllowCredentials) headers["access-control-allow-credentials"] = "true";
  return { ...response, headers };
}
