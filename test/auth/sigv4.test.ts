// SigV4: the signers of the AWS SDK and the examples of the AWS documentation are the oracle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import { S3Client, PutObjectCommand, ListObjectsV2Command, DeleteObjectsCommand } from "@aws-sdk/client-s3";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { HttpRequest as SdkRequest, buildQueryString } from "@smithy/core/protocols";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest as SdkHttpRequest, SourceData } from "@smithy/types";
import { AwsError } from "../../src/protocol/errors.js";
import type { HttpRequest } from "../../src/protocol/http.js";
import { type SigV4Flavor, parseAmzDate, parseSigV4, verifySigV4 } from "../../src/auth/sigv4.js";

const CREDS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalr/K7MDENG+bPxRfiCY" };
const EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const T0 = Date.parse("2024-03-05T10:20:30Z");
const S3_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
const AWS_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

class Sha256 extends Hash {
  constructor(secret?: SourceData) {
    super("sha256", secret);
  }
}

function signer(service: string): SignatureV4 {
  const s3 = service === "s3";
  return new SignatureV4({ service, region: "us-east-1", credentials: CREDS, sha256: Sha256, uriEscapePath: !s3, applyChecksum: s3 });
}

/** The request as the gateway would see it on the wire. */
function wire(r: SdkHttpRequest, body: Buffer = Buffer.alloc(0)): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
  headers.host ??= r.hostname + (r.port ? `:${r.port}` : "");
  return { method: r.method, path: r.path, rawQuery: buildQueryString(r.query ?? {}), headers, body };
}

function sdkRequest(init: Partial<SdkRequest> & { path: string }): SdkRequest {
  return new SdkRequest({
    method: "GET",
    protocol: "https:",
    hostname: "example.amazonaws.com",
    ...init,
    headers: { host: "example.amazonaws.com", ...init.headers },
  });
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Parses and verifies the way the gateway will: the header's payload hash, else the hash of the body. */
function check(req: HttpRequest, flavor: SigV4Flavor, now?: number, secret = CREDS.secretAccessKey): void {
  const auth = parseSigV4(req, flavor);
  assert.ok(auth, "the request is signed");
  const hash = auth.payloadHash || sha256(req.body as Buffer);
  verifySigV4(req, auth, secret, hash, now ?? parseAmzDate(auth.amzDate)!, flavor);
}

function fails(fn: () => unknown, code: string, status: number, message?: string | RegExp, fields?: Record<string, unknown>): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected an AwsError, got ${e}`);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    if (typeof message === "string") assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    for (const [k, v] of Object.entries(fields ?? {})) assert.deepEqual(e.fields[k], v, k);
    return true;
  });
}

function edit(req: HttpRequest, change: Partial<HttpRequest> & { set?: Record<string, string | undefined> }): HttpRequest {
  const headers = { ...req.headers };
  for (const [k, v] of Object.entries(change.set ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  const { set: _, ...rest } = change;
  return { ...req, ...rest, headers };
}

// ------------------------------------------------------------------------------------------------- AWS documentation

const DOC = { key: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", now: Date.parse("2013-05-24T00:00:00Z") };

test("the GET Object and presigned examples of the S3 documentation verify", () => {
  const authorization =
    `AWS4-HMAC-SHA256 Credential=${DOC.key}/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,` +
    "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  const headers = {
    host: "examplebucket.s3.amazonaws.com",
    range: "bytes=0-9",
    "x-amz-content-sha256": EMPTY_SHA,
    "x-amz-date": "20130524T000000Z",
    authorization,
  };
  const get: HttpRequest = { method: "GET", path: "/test.txt", rawQuery: "", headers, body: Buffer.alloc(0) };
  check(get, "s3", DOC.now, DOC.secret);
  fails(() => check(edit(get, { set: { range: "bytes=0-8" } }), "s3", DOC.now, DOC.secret), "SignatureDoesNotMatch", 403, S3_MISMATCH);

  const rawQuery =
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${DOC.key}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z` +
    "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  const presigned: HttpRequest = {
    method: "GET",
    path: "/test.txt",
    rawQuery,
    headers: { host: "examplebucket.s3.amazonaws.com" },
    body: Buffer.alloc(0),
  };
  const auth = parseSigV4(presigned, "s3");
  assert.equal(auth?.kind, "presigned");
  assert.equal(auth?.expiresSeconds, 86400);
  assert.equal(auth?.payloadHash, "UNSIGNED-PAYLOAD");
  check(presigned, "s3", DOC.now + 86400_000, DOC.secret);
  fails(() => check(presigned, "s3", DOC.now + 86400_001, DOC.secret), "AccessDenied", 403, "Request has expired", {
    "X-Amz-Expires": "86400",
    Expires: "2013-05-25T00:00:00Z",
    ServerTime: "2013-05-25T00:00:00Z",
  });
});

// ------------------------------------------------------------------------------------------------- S3

test("S3 header auth from SignatureV4 (unnormalized path, query, spaces in headers) verifies; tampering fails", async () => {
  const path = "/bucket/a%20b%2Bc%26d%3De%3Af~%28g%29%2A%27%21%C3%BC.txt//x/./../y";
  const query = { "x-id": "PutObject", prefix: "a b+c", list: ["2", "1"], empty: "" };
  const body = Buffer.from("hello");
  const headers = { "content-type": "text/plain", "x-amz-meta-color": "  dark   red ", "x-amz-content-sha256": sha256(body) };
  const signed = await signer("s3").sign(sdkRequest({ method: "PUT", path, query, headers, body }), { signingDate: new Date(T0) });
  const req = wire(signed, body);
  check(req, "s3", T0);
  check(edit(req, { set: { "x-amz-meta-color": "dark red" } }), "s3", T0); // canonical values collapse spaces
  const mismatch = (r: HttpRequest) => fails(() => check(r, "s3", T0), "SignatureDoesNotMatch", 403, S3_MISMATCH);
  mismatch(edit(req, { set: { "content-type": "text/html" } }));
  mismatch(edit(req, { rawQuery: req.rawQuery.replace("PutObject", "GetObject") }));
  mismatch(edit(req, { rawQuery: `${req.rawQuery}&versionId=1` }));
  mismatch(edit(req, { path: path.replace("/./../y", "/y") }));
  mismatch(edit(req, { method: "POST" }));
  fails(() => check(req, "s3", T0, "other"), "SignatureDoesNotMatch", 403, S3_MISMATCH, { AWSAccessKeyId: CREDS.accessKeyId });
  // The diagnostic fields show what the server signed.
  assert.throws(
    () => check(req, "s3", T0, "other"),
    (e: AwsError) => {
      assert.match(
        String(e.fields.StringToSign),
        /^AWS4-HMAC-SHA256\n20240305T102030Z\n20240305\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/,
      );
      assert.match(
        String(e.fields.CanonicalRequest),
        /^PUT\n\/bucket\/a%20b%2Bc%26d%3De%3Af~%28g%29%2A%27%21%C3%BC\.txt\/\/x\/\.\/\.\.\/y\n/,
      );
      assert.equal(e.fields.StringToSignBytes, Buffer.from(String(e.fields.StringToSign)).toString("hex").match(/../g)?.join(" "));
      return true;
    },
  );
});

test("S3 refuses unsigned x-amz-* headers, an unsigned host and skewed clocks", async () => {
  const signed = await signer("s3").sign(sdkRequest({ path: "/bucket" }), { signingDate: new Date(T0) });
  const req = wire(signed);
  fails(
    () => check(edit(req, { set: { "x-amz-meta-a": "1", "x-amz-acl": "private" } }), "s3", T0),
    "AccessDenied",
    403,
    "There were headers present in the request which were not signed",
    {
      HeadersNotSigned: "x-amz-meta-a, x-amz-acl",
    },
  );
  const noHost = edit(req, { set: { authorization: req.headers.authorization.replace("SignedHeaders=host;", "SignedHeaders=") } });
  fails(() => check(noHost, "s3", T0), "AccessDenied", 403, undefined, { HeadersNotSigned: "host" });
  check(req, "s3", T0 + 900_000);
  check(req, "s3", T0 - 900_000);
  const skew = "The difference between the request time and the current time is too large.";
  fails(() => check(req, "s3", T0 + 900_001), "RequestTimeTooSkewed", 403, skew, {
    RequestTime: "20240305T102030Z",
    ServerTime: "2024-03-05T10:35:30Z",
    MaxAllowedSkewMilliseconds: "900000",
  });
  // S3 looks at the signature before the time.
  fails(() => check(req, "s3", T0 + 3600_000, "other"), "SignatureDoesNotMatch", 403);
});

test("S3 presigned URLs from SignatureV4 verify until they expire", async () => {
  const request = sdkRequest({
    method: "PUT",
    path: "/bucket/my%20key",
    query: { "x-id": "PutObject" },
    headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-meta-color": "red" },
  });
  const presigned = await signer("s3").presign(request, {
    signingDate: new Date(T0),
    expiresIn: 60,
    unhoistableHeaders: new Set(["x-amz-meta-color"]),
  });
  const req = wire(presigned, Buffer.from("body"));
  assert.equal(parseSigV4(req, "s3")?.payloadHash, "UNSIGNED-PAYLOAD");
  check(req, "s3", T0);
  check(req, "s3", T0 + 60_000);
  check(req, "s3", T0 - 900_000);
  fails(() => check(req, "s3", T0 + 60_001), "AccessDenied", 403, "Request has expired");
  fails(() => check(req, "s3", T0 - 900_001), "AccessDenied", 403, "Request is not yet valid", { "X-Amz-Date": "20240305T102030Z" });
  fails(() => check(edit(req, { set: { "x-amz-meta-color": "blue" } }), "s3", T0), "SignatureDoesNotMatch", 403);
  fails(
    () => check(edit(req, { rawQuery: req.rawQuery.replace("x-id=PutObject", "x-id=GetObject") }), "s3", T0),
    "SignatureDoesNotMatch",
    403,
  );
  fails(() => check(edit(req, { set: { "x-amz-meta-size": "1" } }), "s3", T0), "AccessDenied", 403, undefined, {
    HeadersNotSigned: "x-amz-meta-size",
  });
  // Names of the parameters are found in any letter case.
  const lower = edit(req, { rawQuery: req.rawQuery.replace(/X-Amz-Signature=/, "x-amz-signature=") });
  check(lower, "s3", T0);
});

/** Captures what an SDK client would send, without sending it. */
async function capture(send: () => Promise<unknown>): Promise<HttpRequest> {
  last = undefined;
  await send().catch(() => {});
  assert.ok(last, "the client sent a request");
  return last;
}
let last: HttpRequest | undefined;
const requestHandler = {
  async handle(request: SdkRequest) {
    const raw: unknown = request.body;
    const body = ArrayBuffer.isView(raw) ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : Buffer.from(String(raw ?? ""));
    last = wire(request, body);
    throw new Error("captured");
  },
};
const clientConfig = { region: "us-east-1", credentials: CREDS, requestHandler, maxAttempts: 1, endpoint: "http://localhost:4566" };

test("requests of the real S3 client verify", async () => {
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const Key = "dir/a b+c&d=e:f~(g)*'!ü.txt";
  const put = await capture(() => s3.send(new PutObjectCommand({ Bucket: "b", Key, Body: Buffer.from("data"), Metadata: { x: "1  2" } })));
  check(put, "s3");
  const list = await capture(() => s3.send(new ListObjectsV2Command({ Bucket: "b", Prefix: "a b/ü", Delimiter: "/", StartAfter: "x+y" })));
  check(list, "s3");
  const del = await capture(() => s3.send(new DeleteObjectsCommand({ Bucket: "b", Delete: { Objects: [{ Key: "k" }] } })));
  check(del, "s3");
  fails(() => check(edit(put, { path: put.path.replace("dir", "dur") }), "s3"), "SignatureDoesNotMatch", 403);
});

// ------------------------------------------------------------------------------------------------- JSON and query

test("requests of the real SQS (JSON), STS (query) and Lambda (restJson) clients verify", async () => {
  const QueueUrl = "http://localhost:4566/000000000000/q";
  const sqs = await capture(() => new SQSClient(clientConfig).send(new SendMessageCommand({ QueueUrl, MessageBody: "hi" })));
  check(sqs, "json");
  // The SDK sends x-amz-content-sha256 here too: whether the body matches it is the caller's check.
  assert.equal(parseSigV4(sqs, "json")?.payloadHash, sha256(sqs.body as Buffer));
  fails(
    () => check(edit(sqs, { set: { "x-amz-target": "AmazonSQS.DeleteQueue" } }), "json"),
    "InvalidSignatureException",
    403,
    AWS_MISMATCH,
  );
  const sts = await capture(() => new STSClient(clientConfig).send(new GetCallerIdentityCommand({})));
  check(sts, "query");
  fails(() => check(sts, "query", undefined, "other"), "SignatureDoesNotMatch", 403, AWS_MISMATCH);
  // The function ARN is encoded once on the wire and twice in the canonical URI.
  const arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
  const lambda = await capture(() =>
    new LambdaClient(clientConfig).send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from("{}") })),
  );
  assert.match(lambda.path, /arn%3Aaws%3Alambda/);
  check(lambda, "json");
});

test("the JSON and query front ends report clock skew in their words", async () => {
  const signed = await signer("sqs").sign(sdkRequest({ method: "POST", path: "/", body: "{}" }), { signingDate: new Date(T0) });
  const req = wire(signed, Buffer.from("{}"));
  check(req, "json", T0 + 900_000);
  const late = "Signature expired: 20240305T102030Z is now earlier than 20240305T102031Z (20240305T103531Z - 15 min.)";
  fails(() => check(req, "json", T0 + 901_000), "InvalidSignatureException", 403, late);
  fails(() => check(req, "query", T0 + 901_000), "SignatureDoesNotMatch", 403, late);
  const early = "Signature not yet current: 20240305T102030Z is still later than 20240305T102029Z (20240305T100529Z + 15 min.)";
  fails(() => check(req, "json", T0 - 901_000), "InvalidSignatureException", 403, early);
});

test("presigned JSON/query requests verify with the hash of the body, and expire", async () => {
  const request = sdkRequest({ path: "/", query: { Action: "GetCallerIdentity", Version: "2011-06-15" } });
  const presigned = await signer("sts").presign(request, { signingDate: new Date(T0), expiresIn: 300 });
  const req = wire(presigned);
  assert.equal(parseSigV4(req, "query")?.payloadHash, "");
  check(req, "query", T0 + 300_000);
  fails(
    () => check(req, "query", T0 + 301_000),
    "SignatureDoesNotMatch",
    403,
    /^Signature expired: 20240305T102030Z is now earlier than .* - 5 min\.\)$/,
  );
  fails(
    () => check(edit(req, { rawQuery: req.rawQuery.replace("GetCallerIdentity", "GetSessionToken") }), "query", T0),
    "SignatureDoesNotMatch",
    403,
  );
});

test("session tokens are reported from the header and the presigned query", async () => {
  const s = new SignatureV4({ service: "sqs", region: "us-east-1", credentials: { ...CREDS, sessionToken: "tok/en+=" }, sha256: Sha256 });
  const header = wire(await s.sign(sdkRequest({ path: "/" }), { signingDate: new Date(T0) }));
  assert.equal(parseSigV4(header)?.securityToken, "tok/en+=");
  check(header, "json");
  const query = wire(await s.presign(sdkRequest({ path: "/" }), { signingDate: new Date(T0) }));
  assert.equal(parseSigV4(query)?.securityToken, "tok/en+=");
  check(query, "json");
});

// ------------------------------------------------------------------------------------------------- malformed auth

const BASE: HttpRequest = {
  method: "GET",
  path: "/",
  rawQuery: "",
  headers: { host: "h", "x-amz-date": "20240305T102030Z" },
  body: Buffer.alloc(0),
};
const withAuth = (authorization: string, more: Record<string, string | undefined> = {}) => edit(BASE, { set: { authorization, ...more } });
const GOOD = "AWS4-HMAC-SHA256 Credential=AK/20240305/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";

test("unsigned requests parse to undefined", () => {
  for (const flavor of ["s3", "json", "query"] as const) {
    assert.equal(parseSigV4(BASE, flavor), undefined);
    assert.equal(parseSigV4(edit(BASE, { rawQuery: "prefix=a&Signature=x" }), flavor), undefined);
    assert.equal(parseSigV4(withAuth(""), flavor), undefined);
  }
});

test("the JSON and query front ends name what is missing from the header", () => {
  const incomplete = (auth: string, message: string, more?: Record<string, string | undefined>) => {
    fails(() => parseSigV4(withAuth(auth, more), "json"), "IncompleteSignatureException", 400, message);
    fails(() => parseSigV4(withAuth(auth, more), "query"), "IncompleteSignature", 400, message);
  };
  fails(() => parseSigV4(withAuth("Bearer token")), "MissingAuthenticationTokenException", 403, "Request is missing Authentication Token");
  fails(() => parseSigV4(withAuth("Bearer token"), "query"), "MissingAuthenticationToken", 403);
  incomplete(
    "AWS4-HMAC-SHA256 Credential=AK/20240305/us-east-1/sqs/aws4_request",
    "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AK/20240305/us-east-1/sqs/aws4_request",
  );
  incomplete(
    "AWS AK:c2lnbmF0dXJl=",
    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS AK:c2lnbmF0dXJl=",
    { "x-amz-date": undefined },
  );
  incomplete(
    "AWS4-HMAC-SHA256 Credential= AK/20240305/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=abc",
    "'AK/20240305/us-east-1/sqs/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AK/20240305/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=abc'.",
  );
  incomplete(GOOD, "Date must be in ISO-8601 'basic format'. Got '2024-03-05'. See http://en.wikipedia.org/wiki/ISO_8601", {
    "x-amz-date": "2024-03-05",
  });
  incomplete(
    GOOD.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
    "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
  );
  incomplete(
    GOOD.replace("/us-east-1/", "/"),
    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AK/20240305/sqs/aws4_request'",
  );
  // The Date header stands in for X-Amz-Date.
  assert.equal(parseSigV4(withAuth(GOOD, { "x-amz-date": undefined, date: "Tue, 05 Mar 2024 10:20:30 GMT" }))?.amzDate, "20240305T102030Z");
});

test("the JSON and query front ends report every wrong part of the scope at once", () => {
  const bad = GOOD.replace("20240305/us-east-1/sqs/aws4_request", "20240304/eu-west-1/sns/aws4_requests");
  const message =
    "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'sqs'. " +
    "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requests'. " +
    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240304' != '20240305', from '20240305T102030Z'.";
  fails(() => parseSigV4(withAuth(bad), "json", { region: "us-east-1", service: "sqs" }), "InvalidSignatureException", 403, message);
  fails(() => parseSigV4(withAuth(bad), "query", { region: "us-east-1", service: "sqs" }), "SignatureDoesNotMatch", 403, message);
  fails(
    () => parseSigV4(withAuth(GOOD.replace("host;", ""))),
    "InvalidSignatureException",
    403,
    "'Host' must be a 'SignedHeader' in the AWS Authorization.",
  );
  fails(
    () => parseSigV4(edit(withAuth(GOOD), { rawQuery: "X-Amz-Algorithm=AWS4-HMAC-SHA256" })),
    "InvalidSignatureException",
    400,
    /^Found both 'X-Amz-Algorithm'/,
  );
  const query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240305T102030Z";
  const missing =
    "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
    "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.";
  fails(() => parseSigV4(edit(BASE, { rawQuery: query })), "IncompleteSignatureException", 400, missing);
});

const S3_PRESIGN_REQUIRED =
  "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
const S3_AUTH = "AWS4-HMAC-SHA256 Credential=AK/20240305/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
const s3Auth = (auth: string, more: Record<string, string | undefined> = {}) =>
  withAuth(auth, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...more });

test("S3 names the first fault of a malformed header", () => {
  const malformed = (auth: string, detail: string, fields?: Record<string, unknown>, expected?: { region?: string }) =>
    fails(
      () => parseSigV4(s3Auth(auth), "s3", expected),
      "AuthorizationHeaderMalformed",
      400,
      `The authorization header is malformed; ${detail}`,
      fields,
    );
  assert.equal(parseSigV4(s3Auth(S3_AUTH), "s3")?.credential.accessKeyId, "AK");
  malformed(
    S3_AUTH.replace(", Signature=abc", ""),
    "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
  );
  malformed(
    S3_AUTH.replace("/us-east-1/", "/"),
    'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
  );
  malformed(
    S3_AUTH.replace("/20240305/", "/2024035/"),
    'incorrect date format "2024035". This date in the credential must be in the format "yyyyMMdd".',
  );
  malformed(S3_AUTH.replace("/s3/", "/ec2/"), 'incorrect service "ec2". This endpoint belongs to "s3".');
  malformed(S3_AUTH.replace("aws4_request", "aws4_reques"), 'incorrect terminal "aws4_reques". This endpoint uses "aws4_request".');
  malformed(
    S3_AUTH.replace("/20240305/", "/20240304/"),
    'Invalid credential date "20240304". This date is not the same as X-Amz-Date: "20240305".',
  );
  malformed(S3_AUTH, "the region 'us-east-1' is wrong; expecting 'eu-west-1'", { Region: "eu-west-1" }, { region: "eu-west-1" });
  const v2 = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";
  fails(() => parseSigV4(s3Auth("AWS AK:sig="), "s3"), "InvalidRequest", 400, v2);
  fails(() => parseSigV4(edit(BASE, { rawQuery: "AWSAccessKeyId=AK&Signature=x&Expires=1" }), "s3"), "InvalidRequest", 400, v2);
  fails(() => parseSigV4(s3Auth("Bearer t"), "s3"), "InvalidArgument", 400, "Unsupported Authorization Type", {
    ArgumentName: "Authorization",
    ArgumentValue: "Bearer t",
  });
  fails(
    () => parseSigV4(s3Auth(S3_AUTH, { "x-amz-date": "2024-03-05T10:20:30Z" }), "s3"),
    "AccessDenied",
    403,
    "AWS authentication requires a valid Date or x-amz-date header",
  );
  fails(
    () => parseSigV4(s3Auth(S3_AUTH, { "x-amz-content-sha256": undefined }), "s3"),
    "InvalidRequest",
    400,
    "Missing required header for this request: x-amz-content-sha256",
  );
  fails(
    () => parseSigV4(s3Auth(S3_AUTH, { "x-amz-content-sha256": "abc" }), "s3"),
    "InvalidArgument",
    400,
    /^x-amz-content-sha256 must be UNSIGNED-PAYLOAD, /,
    {
      ArgumentName: "x-amz-content-sha256",
      ArgumentValue: "abc",
    },
  );
  fails(
    () => parseSigV4(edit(s3Auth(S3_AUTH), { rawQuery: "X-Amz-Algorithm=x" }), "s3"),
    "InvalidArgument",
    400,
    /^Only one auth mechanism allowed/,
  );
});

test("S3 checks the parameters of a presigned URL", () => {
  const base =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20240305%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240305T102030Z" +
    "&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";
  const parse = (rawQuery: string, expected?: { region?: string }) => parseSigV4(edit(BASE, { rawQuery }), "s3", expected);
  const error = (rawQuery: string, message: string, fields?: Record<string, unknown>, expected?: { region?: string }) =>
    fails(() => parse(rawQuery, expected), "AuthorizationQueryParametersError", 400, message, fields);
  assert.equal(parse(base)?.expiresSeconds, 60);
  for (const name of ["Algorithm", "Credential", "Date", "Expires", "SignedHeaders", "Signature"]) {
    error(base.replace(new RegExp(`X-Amz-${name}=[^&]*&?`), ""), S3_PRESIGN_REQUIRED);
  }
  error(base.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"), 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"');
  error(base.replace("20240305T102030Z", "2024-03-05"), `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  error(
    base.replace("Expires=60", "Expires=604801"),
    "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
  );
  error(base.replace("Expires=60", "Expires=-1"), "X-Amz-Expires must be non-negative");
  error(base.replace("Expires=60", "Expires=1h"), "X-Amz-Expires should be a number");
  error(
    base.replace("%2Fs3%2F", "%2Fec2%2F"),
    'Error parsing the X-Amz-Credential parameter; incorrect service "ec2". This endpoint belongs to "s3".',
  );
  error(
    base,
    "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
    { Region: "eu-west-1" },
    { region: "eu-west-1" },
  );
});
