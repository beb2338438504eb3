/**
 * AWS Signature Version 4: reading the Authorization header or a presigned query, and checking the signature.
 * Pure functions over `HttpRequest`; the caller looks up the secret and decides what an unsigned request may do.
 * Error codes and texts follow what S3 and the JSON/query ("coral") front ends answer; S3 names the first fault
 * it finds and adds diagnostic fields, the front ends put every fault into one message.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { AwsError } from "../protocol/errors.js";
import type { HttpRequest } from "../protocol/http.js";
import { buildCanonicalRequest, decodeText } from "./canonical.js";
import { coral, s3Error, signatureMismatch } from "./sigv4-errors.js";

export type SigV4Flavor = "s3" | "json" | "query";

export interface SigV4Credential {
  accessKeyId: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

export interface SigV4Auth {
  kind: "header" | "presigned";
  credential: SigV4Credential;
  /** X-Amz-Date (YYYYMMDDTHHMMSSZ), or the Date header converted to that form. */
  amzDate: string;
  /** Lower-case, in the order the client listed them. */
  signedHeaders: string[];
  /** Hex. */
  signature: string;
  /** Presigned only: X-Amz-Expires (0..604800). */
  expiresSeconds?: number;
  securityToken?: string;
  /**
   * The x-amz-content-sha256 header, else the X-Amz-Content-Sha256 query parameter of a presigned URL, else
   * "UNSIGNED-PAYLOAD" for an S3 presigned URL, else "" (the caller hashes the body).
   */
  payloadHash: string;
}

/** What the endpoint expects in the credential scope; checked by parseSigV4 when given. */
export interface SigV4Expected {
  region?: string;
  service?: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES = 604800;
const UNSIGNED = "UNSIGNED-PAYLOAD";
const PAYLOAD_HASHES = new Set([
  UNSIGNED,
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
]);
const PAYLOAD_HASH_MESSAGE =
  "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.";
const S3_PRESIGN_REQUIRED =
  "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

// ---------------------------------------------------------------------------------------------- parsing

/**
 * Reads SigV4 auth from the Authorization header or a presigned query. Returns undefined for an unsigned request.
 * Throws AwsError, in the words of `flavor`, for a malformed header or query, or a scope `expected` rejects.
 */
export function parseSigV4(req: HttpRequest, flavor: SigV4Flavor = "json", expected: SigV4Expected = {}): SigV4Auth | undefined {
  const header = req.headers.authorization?.trim();
  const params = queryParams(req.rawQuery);
  const algorithm = params.get("x-amz-algorithm");
  if (header && algorithm !== undefined) throw bothMechanisms(flavor, header);
  if (header) return flavor === "s3" ? parseS3Header(req, header, expected) : parseCoralHeader(req, header, flavor, expected);
  if (algorithm !== undefined || params.has("x-amz-signature") || params.has("x-amz-credential")) {
    return flavor === "s3" ? parseS3Presigned(req, params, expected) : parseCoralPresigned(req, params, flavor, expected);
  }
  if (flavor === "s3" && params.has("awsaccesskeyid") && params.has("signature")) throw s3Version2();
  return undefined;
}

/** Decoded query parameters by lower-case name (first value wins), for finding the X-Amz-* ones. */
function queryParams(raw: string): Map<string, string> {
  const map = new Map<string, string>();
  if (!raw) return map;
  for (const part of raw.split("&")) {
    const eq = part.indexOf("=");
    const name = decodeText(eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    if (part && !map.has(name)) map.set(name, decodeText(eq < 0 ? "" : part.slice(eq + 1)));
  }
  return map;
}

function bothMechanisms(flavor: SigV4Flavor, header: string): AwsError {
  if (flavor !== "s3") {
    return coral(flavor, "invalid", "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.", 400);
  }
  const message =
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified";
  return s3Error("InvalidArgument", 400, message, { ArgumentName: "Authorization", ArgumentValue: header });
}

function s3Version2(): AwsError {
  return s3Error("InvalidRequest", 400, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
}

function parseS3Header(req: HttpRequest, header: string, expected: SigV4Expected): SigV4Auth {
  if (header.startsWith("AWS ")) throw s3Version2();
  if (!header.startsWith(`${ALGORITHM} `)) {
    throw s3Error("InvalidArgument", 400, "Unsupported Authorization Type", { ArgumentName: "Authorization", ArgumentValue: header });
  }
  const malformed = (detail: string, fields?: Record<string, unknown>) =>
    s3Error("AuthorizationHeaderMalformed", 400, `The authorization header is malformed; ${detail}`, fields);
  const parts = new Map<string, string>();
  for (const item of header.slice(ALGORITHM.length + 1).split(",")) {
    const eq = item.indexOf("=");
    if (eq > 0) parts.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const [credential, signedHeaders, signature] = ["Credential", "SignedHeaders", "Signature"].map((k) => parts.get(k));
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw malformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.");
  }
  const amzDate = headerDate(req);
  if (!amzDate) throw s3Error("AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header");
  const scope = s3Credential(credential, amzDate, expected, malformed);
  const payloadHash = req.headers["x-amz-content-sha256"];
  if (payloadHash === undefined) throw s3Error("InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256");
  if (!PAYLOAD_HASHES.has(payloadHash) && !/^[0-9a-fA-F]{64}$/.test(payloadHash)) {
    const fields = { ArgumentName: "x-amz-content-sha256", ArgumentValue: payloadHash };
    throw s3Error("InvalidArgument", 400, PAYLOAD_HASH_MESSAGE, fields);
  }
  const securityToken = req.headers["x-amz-security-token"];
  return { kind: "header", credential: scope, amzDate, signedHeaders: splitHeaders(signedHeaders), signature, securityToken, payloadHash };
}

function parseS3Presigned(req: HttpRequest, params: Map<string, string>, expected: SigV4Expected): SigV4Auth {
  const fail = (message: string, fields?: Record<string, unknown>) => s3Error("AuthorizationQueryParametersError", 400, message, fields);
  const names = ["algorithm", "credential", "signature", "date", "signedheaders", "expires"];
  const values = names.map((n) => params.get(`x-amz-${n}`));
  if (values.includes(undefined)) throw fail(S3_PRESIGN_REQUIRED);
  const [algorithm, credential, signature, date, signedHeaders, expires] = values as string[];
  if (algorithm !== ALGORITHM) throw fail('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"');
  if (parseAmzDate(date) === undefined) throw fail(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const expiresSeconds = parseExpires(expires, fail);
  const scope = s3Credential(credential, date, expected, (detail, fields) =>
    fail(`Error parsing the X-Amz-Credential parameter; ${detail}`, fields),
  );
  const payloadHash = req.headers["x-amz-content-sha256"] ?? params.get("x-amz-content-sha256") ?? UNSIGNED;
  const securityToken = params.get("x-amz-security-token");
  const headers = splitHeaders(signedHeaders);
  return {
    kind: "presigned",
    credential: scope,
    amzDate: date,
    signedHeaders: headers,
    signature,
    expiresSeconds,
    securityToken,
    payloadHash,
  };
}

function parseExpires(value: string, fail: (message: string) => AwsError): number {
  if (!/^-?\d+$/.test(value)) throw fail("X-Amz-Expires should be a number");
  const seconds = Number(value);
  if (seconds < 0) throw fail("X-Amz-Expires must be non-negative");
  if (seconds > MAX_EXPIRES) {
    throw fail("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds");
  }
  return seconds;
}

type Fail = (detail: string, fields?: Record<string, unknown>) => AwsError;

/** S3 checks the scope one part at a time, in this order, and names the first wrong part. */
function s3Credential(raw: string, amzDate: string, expected: SigV4Expected, fail: Fail): SigV4Credential {
  const parts = raw.split("/");
  if (parts.length !== 5) throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  const [accessKeyId, date, region, service, terminal] = parts;
  const service0 = expected.service ?? "s3";
  if (!accessKeyId) throw fail("a non-empty Access Key (AKID) must be provided in the credential.");
  if (!/^\d{8}$/.test(date)) throw fail(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  if (expected.region && region !== expected.region) {
    throw fail(`the region '${region}' is wrong; expecting '${expected.region}'`, { Region: expected.region });
  }
  if (service !== service0) throw fail(`incorrect service "${service}". This endpoint belongs to "${service0}".`);
  if (terminal !== "aws4_request") throw fail(`incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  const day = amzDate.slice(0, 8);
  if (date !== day) throw fail(`Invalid credential date "${date}". This date is not the same as X-Amz-Date: "${day}".`);
  return { accessKeyId, date, region, service };
}

function parseCoralHeader(req: HttpRequest, header: string, flavor: "json" | "query", expected: SigV4Expected): SigV4Auth {
  // Anything that does not look like AWS auth at all is treated as no token, as the front end does.
  if (!header.startsWith("AWS")) throw coral(flavor, "missing", "Request is missing Authentication Token");
  const space = header.search(/\s/);
  const algorithm = space < 0 ? header : header.slice(0, space);
  const parts = new Map<string, string>();
  for (const token of (space < 0 ? "" : header.slice(space)).split(/[\s,]+/)) {
    if (!token) continue;
    const eq = token.indexOf("=");
    if (eq < 0)
      throw coral(flavor, "incomplete", `'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
    parts.set(token.slice(0, eq), token.slice(eq + 1));
  }
  let missing = "";
  for (const name of ["Credential", "Signature", "SignedHeaders"]) {
    if (!parts.get(name) && !(name === "SignedHeaders" && parts.has(name)))
      missing += `Authorization header requires '${name}' parameter. `;
  }
  const rawDate = req.headers["x-amz-date"] ?? req.headers.date;
  if (rawDate === undefined) missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (missing) throw coral(flavor, "incomplete", `${missing}Authorization=${header}`);
  const amzDate = headerDate(req);
  if (!amzDate) throw coralDateFormat(flavor, rawDate ?? "");
  const signedHeaders = splitHeaders(parts.get("SignedHeaders") ?? "");
  const credential = coralScope(flavor, algorithm, parts.get("Credential") ?? "", signedHeaders, amzDate, expected);
  const [signature, securityToken, payloadHash] = [
    parts.get("Signature") ?? "",
    req.headers["x-amz-security-token"],
    req.headers["x-amz-content-sha256"] ?? "",
  ];
  return { kind: "header", credential, amzDate, signedHeaders, signature, securityToken, payloadHash };
}

function parseCoralPresigned(req: HttpRequest, params: Map<string, string>, flavor: "json" | "query", expected: SigV4Expected): SigV4Auth {
  let missing = "";
  for (const name of ["Algorithm", "Credential", "Signature", "SignedHeaders", "Date"]) {
    if (!params.get(`x-amz-${name.toLowerCase()}`)) missing += `AWS query-string parameters must include 'X-Amz-${name}'. `;
  }
  if (missing) throw coral(flavor, "incomplete", `${missing}Re-examine the query-string parameters.`);
  const amzDate = params.get("x-amz-date") ?? "";
  if (parseAmzDate(amzDate) === undefined) throw coralDateFormat(flavor, amzDate);
  const signedHeaders = splitHeaders(params.get("x-amz-signedheaders") ?? "");
  const [algorithm, rawCredential] = [params.get("x-amz-algorithm") ?? "", params.get("x-amz-credential") ?? ""];
  const credential = coralScope(flavor, algorithm, rawCredential, signedHeaders, amzDate, expected);
  const expires = params.get("x-amz-expires");
  const expiresSeconds = expires === undefined ? undefined : parseExpires(expires, (m) => coral(flavor, "incomplete", m));
  const payloadHash = req.headers["x-amz-content-sha256"] ?? params.get("x-amz-content-sha256") ?? "";
  const [signature, securityToken] = [params.get("x-amz-signature") ?? "", params.get("x-amz-security-token")];
  return { kind: "presigned", credential, amzDate, signedHeaders, signature, expiresSeconds, securityToken, payloadHash };
}

function coralDateFormat(flavor: "json" | "query", value: string): AwsError {
  return coral(flavor, "incomplete", `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`);
}

/** The front end checks host, algorithm and the credential's shape, then reports every wrong part of the scope at once. */
function coralScope(
  flavor: "json" | "query",
  algorithm: string,
  raw: string,
  signed: string[],
  amzDate: string,
  expected: SigV4Expected,
): SigV4Credential {
  if (!signed.includes("host")) throw coral(flavor, "invalid", "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  if (algorithm !== ALGORITHM)
    throw coral(flavor, "incomplete", `Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `);
  const parts = raw.replace(/\/+$/, "").split("/");
  if (parts.length !== 5) {
    throw coral(
      flavor,
      "incomplete",
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${raw}'`,
    );
  }
  const [accessKeyId, date, region, service, terminal] = parts;
  let message = "";
  if (expected.region && region !== expected.region) message += `Credential should be scoped to a valid region, not '${region}'. `;
  if (expected.service && service !== expected.service)
    message += `Credential should be scoped to correct service: '${expected.service}'. `;
  if (terminal !== "aws4_request") message += `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminal}'. `;
  if (date !== amzDate.slice(0, 8)) {
    message += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`;
  }
  if (message) throw coral(flavor, "invalid", message);
  return { accessKeyId, date, region, service };
}

function splitHeaders(list: string): string[] {
  return list ? list.split(";").map((h) => h.trim().toLowerCase()) : [];
}

// ---------------------------------------------------------------------------------------------- dates

/** Milliseconds for a YYYYMMDDTHHMMSSZ stamp, or undefined when it is not one (or names no real time). */
export function parseAmzDate(stamp: string): number | undefined {
  const m = ISO_BASIC.exec(stamp);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return basicDate(ms) === stamp ? ms : undefined;
}

export function basicDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The signing time of header auth: x-amz-date wins over Date, which is converted (RFC 1123 and the like). */
function headerDate(req: HttpRequest): string | undefined {
  const amz = req.headers["x-amz-date"];
  if (amz !== undefined) return parseAmzDate(amz) === undefined ? undefined : amz;
  const http = req.headers.date;
  const ms = http === undefined ? Number.NaN : Date.parse(http);
  return Number.isNaN(ms) ? undefined : basicDate(ms);
}

// ---------------------------------------------------------------------------------------------- verifying

export function credentialScope(c: SigV4Credential): string {
  return `${c.date}/${c.region}/${c.service}/aws4_request`;
}

const keyCache = new Map<string, Buffer>();

/** The signing key; cached because every request (and every chunk) of a key and day derives the same one. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}\n${region}\n${service}\n${secret}`;
  let key = keyCache.get(id);
  if (key) return key;
  key = hmac(`AWS4${secret}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  if (keyCache.size >= 1000) keyCache.clear();
  keyCache.set(id, key);
  return key;
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Constant-time comparison of hex signatures; clients may send upper case. */
export function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, "latin1");
  const b = Buffer.from(provided.toLowerCase(), "latin1");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies the signature and the time. The JSON/query front ends look at the time first; S3 looks at the
 * signature first (a bad signature on an old request is SignatureDoesNotMatch).
 */
export function verifySigV4(
  req: HttpRequest,
  auth: SigV4Auth,
  secretAccessKey: string,
  payloadHashForSigning: string,
  now: number,
  flavor: SigV4Flavor,
): void {
  if (flavor !== "s3") checkTime(req, auth, now, flavor);
  if (flavor === "s3") checkS3SignedHeaders(req, auth);
  const canonicalRequest = buildCanonicalRequest(req, auth.signedHeaders, payloadHashForSigning, flavor);
  const scope = credentialScope(auth.credential);
  const stringToSign = `${ALGORITHM}\n${auth.amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const { date, region, service } = auth.credential;
  const expected = hmac(signingKey(secretAccessKey, date, region, service), stringToSign).toString("hex");
  if (!sameSignature(expected, auth.signature)) {
    const signatureProvided = auth.signature;
    throw signatureMismatch(flavor, { accessKeyId: auth.credential.accessKeyId, stringToSign, signatureProvided, canonicalRequest });
  }
  if (flavor === "s3") checkTime(req, auth, now, flavor);
}

/** S3 wants host and every x-amz-* header signed, so nothing that changes the meaning can be added in transit. */
function checkS3SignedHeaders(req: HttpRequest, auth: SigV4Auth): void {
  const signed = new Set(auth.signedHeaders);
  const missing: string[] = [];
  if (!signed.has("host")) missing.push("host");
  for (const name of Object.keys(req.headers)) {
    if (!name.startsWith("x-amz-") || signed.has(name)) continue;
    // A presigned URL cannot cover the hash header that clients add when they send it.
    if (auth.kind === "presigned" && name === "x-amz-content-sha256") continue;
    missing.push(name);
  }
  if (missing.length === 0) return;
  throw s3Error("AccessDenied", 403, "There were headers present in the request which were not signed", {
    HeadersNotSigned: missing.join(", "),
  });
}

function checkTime(req: HttpRequest, auth: SigV4Auth, now: number, flavor: SigV4Flavor): void {
  const signed = parseAmzDate(auth.amzDate) ?? Number.NaN;
  if (auth.kind === "presigned") {
    checkExpiry(auth, signed, now, flavor);
    return;
  }
  if (Math.abs(now - signed) <= MAX_SKEW_MS) return;
  if (flavor === "s3") {
    const message = "The difference between the request time and the current time is too large.";
    const RequestTime = req.headers["x-amz-date"] ?? req.headers.date ?? auth.amzDate;
    throw s3Error("RequestTimeTooSkewed", 403, message, {
      RequestTime,
      ServerTime: isoSeconds(now),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
  throw coralClock(flavor, auth.amzDate, signed, now, MAX_SKEW_MS);
}

/** A presigned URL's time window, checked in every mode: an expired URL stops working even when signatures are not verified. */
export function checkPresignedTime(auth: SigV4Auth, now: number, flavor: SigV4Flavor): void {
  checkExpiry(auth, parseAmzDate(auth.amzDate) ?? Number.NaN, now, flavor);
}

function checkExpiry(auth: SigV4Auth, signed: number, now: number, flavor: SigV4Flavor): void {
  const expires = auth.expiresSeconds;
  if (flavor !== "s3") {
    // The front ends allow 15 minutes unless the URL says otherwise.
    const window = expires === undefined ? MAX_SKEW_MS : expires * 1000;
    if (now - signed > window || signed - now > MAX_SKEW_MS) throw coralClock(flavor, auth.amzDate, signed, now, window);
    return;
  }
  if (signed - now > MAX_SKEW_MS) {
    throw s3Error("AccessDenied", 403, "Request is not yet valid", { "X-Amz-Date": auth.amzDate, ServerTime: isoSeconds(now) });
  }
  const end = signed + (expires ?? 0) * 1000;
  if (!expires || now > end) {
    throw s3Error("AccessDenied", 403, "Request has expired", {
      "X-Amz-Expires": String(expires ?? 0),
      Expires: isoSeconds(end),
      ServerTime: isoSeconds(now),
    });
  }
}

function coralClock(flavor: "json" | "query", amzDate: string, signed: number, now: number, window: number): AwsError {
  if (signed > now) {
    const late = `${basicDate(now + MAX_SKEW_MS)} (${basicDate(now)} + 15 min.)`;
    return coral(flavor, "invalid", `Signature not yet current: ${amzDate} is still later than ${late}`);
  }
  const span = window % 60000 === 0 ? `${window / 60000} min.` : `${window / 1000} sec.`;
  return coral(
    flavor,
    "invalid",
    `Signature expired: ${amzDate} is now earlier than ${basicDate(now - window)} (${basicDate(now)} - ${span})`,
  );
}

export { buildCanonicalRequest, signatureMismatch };
