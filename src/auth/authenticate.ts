import { createHash } from "node:crypto";
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { Options } from "../config.js";
import { readBody } from "../protocol/codec.js";
import { AwsError } from "../protocol/errors.js";
import { type HttpRequest, parseQueryString } from "../protocol/http.js";
import type { ServiceInfo } from "../services/registry.js";
import type { Principal } from "../services/types.js";
import { sniffCredentialScope } from "../gateway/scope.js";
import { decodeAwsChunked } from "./chunked.js";
import { DEFAULT_SECRET, principalForAccessKey } from "./principal.js";
import {
  checkPresignedTime,
  credentialScope,
  parseSigV4,
  type SigV4Auth,
  type SigV4Flavor,
  sha256Hex,
  signingKey,
  verifySigV4,
} from "./sigv4.js";

/** A known access key: who it belongs to and the secret its signatures are made with. */
export interface Credential {
  principal: Principal;
  secretAccessKey: string;
}

/** Looks up an access key; undefined for a key that does not exist. IAM replaces the default. */
export type CredentialResolver = (accessKeyId: string) => Credential | undefined;

/** Without IAM, every key is known: a 12-digit key names its account, and all sign with the test secret. */
export const defaultCredentials: CredentialResolver = (accessKeyId) => ({
  principal: principalForAccessKey(accessKeyId),
  secretAccessKey: DEFAULT_SECRET,
});

/** Actions that clients send unsigned by design (the token in the request is the credential). */
const UNSIGNED_ACTIONS = new Set(["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"]);

const STREAMING = /^STREAMING-/;

export function signatureFlavor(service: ServiceInfo): SigV4Flavor {
  if (service.id === "s3") return "s3";
  return service.protocol === "awsQuery" || service.protocol === "ec2Query" ? "query" : "json";
}

/**
 * Who is calling, and the request body as the codecs should read it. By default any credentials are
 * accepted and the access key only selects the account; with --enforce-signatures the SigV4 signature
 * (header, presigned URL, or per chunk) is verified against the key's secret. aws-chunked bodies are
 * decoded in both modes, since current SDKs send S3 uploads that way.
 */
export async function authenticate(
  req: HttpRequest,
  service: ServiceInfo,
  options: Options,
  credentials: CredentialResolver,
): Promise<Principal> {
  const flavor = signatureFlavor(service);
  if (!options.enforceSignatures) return acceptAnyCredentials(req, flavor, credentials);
  const auth = parseSigV4(req, flavor);
  if (!auth) {
    if (flavor !== "s3" && !(await isUnsignedAction(req))) throw missingToken(flavor);
    decodeChunkedBody(req);
    return principalForAccessKey(undefined);
  }
  const credential = credentials(auth.credential.accessKeyId);
  if (!credential) throw unknownAccessKey(flavor, auth.credential.accessKeyId);
  await verify(req, auth, credential.secretAccessKey, flavor);
  return credential.principal;
}

/**
 * The default: a recognisable credential scope is enough (as LocalStack users' hand-written curl requests
 * expect); an Authorization header or presigned query with no recognisable credential is still refused
 * with the protocol's signature error.
 */
function acceptAnyCredentials(req: HttpRequest, flavor: SigV4Flavor, credentials: CredentialResolver): Principal {
  const legacyKey = flavor === "s3" ? sigV2PresignedKey(req, Date.now()) : undefined;
  if (legacyKey !== undefined) return credentials(legacyKey)?.principal ?? throwUnknown(flavor, legacyKey);
  const presigned = isPresigned(req) ? parseSigV4(req, flavor) : undefined;
  if (presigned?.kind === "presigned") checkPresignedTime(presigned, Date.now(), flavor);
  const accessKeyId = sniffCredentialScope(req)?.accessKeyId ?? (presigned ?? parseSigV4(req, flavor))?.credential.accessKeyId;
  decodeChunkedBody(req);
  if (accessKeyId === undefined) return principalForAccessKey(undefined);
  const credential = credentials(accessKeyId);
  if (!credential) throw unknownAccessKey(flavor, accessKeyId);
  return credential.principal;
}

/**
 * SigV2 query authentication (`AWSAccessKeyId`, `Signature`, `Expires`: what boto3 presigns by default):
 * accepted without verification by default, but only until its Expires time. Undefined when not SigV2.
 */
function sigV2PresignedKey(req: HttpRequest, now: number): string | undefined {
  if (!/(?:^|&)AWSAccessKeyId=/.test(req.rawQuery) || !/(?:^|&)Signature=/.test(req.rawQuery)) return undefined;
  const params = parseQueryString(req.rawQuery);
  const [accessKeyId, expires] = [params.get("AWSAccessKeyId")?.[0], params.get("Expires")?.[0]];
  if (!accessKeyId || expires === undefined) return undefined;
  const end = /^\d+$/.test(expires) ? Number(expires) * 1000 : Number.NaN;
  if (!(now <= end)) {
    const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
    throw new AwsError("AccessDenied", "Request has expired", {
      status: 403,
      fields: { Expires: Number.isNaN(end) ? expires : iso(end), ServerTime: iso(now) },
    });
  }
  return accessKeyId;
}

function throwUnknown(flavor: SigV4Flavor, accessKeyId: string): never {
  throw unknownAccessKey(flavor, accessKeyId);
}

function isPresigned(req: HttpRequest): boolean {
  return /(?:^|&)X-Amz-(?:Algorithm|Signature|Credential)=/i.test(req.rawQuery);
}

async function verify(req: HttpRequest, auth: SigV4Auth, secret: string, flavor: SigV4Flavor): Promise<void> {
  const now = Date.now();
  if (flavor !== "s3") {
    // JSON and query bodies are small and signed by their hash: hash what actually arrived.
    const body = await readBody(req.body);
    req.body = body;
    verifySigV4(req, auth, secret, sha256Hex(body), now, flavor);
    return;
  }
  verifySigV4(req, auth, secret, auth.payloadHash, now, flavor);
  if (STREAMING.test(auth.payloadHash)) {
    const signed = auth.payloadHash.includes("HMAC");
    const { date, region, service } = auth.credential;
    decodeChunkedBody(
      req,
      signed
        ? {
            key: signingKey(secret, date, region, service),
            seedSignature: auth.signature,
            amzDate: auth.amzDate,
            scope: credentialScope(auth.credential),
            accessKeyId: auth.credential.accessKeyId,
          }
        : undefined,
    );
  } else if (/^[0-9a-f]{64}$/i.test(auth.payloadHash)) {
    req.body = verifyingHash(req.body, auth.payloadHash.toLowerCase());
  }
}

/** Replaces an aws-chunked body by its decoded payload, and exposes its trailing headers (checksums). */
function decodeChunkedBody(req: HttpRequest, signing?: Parameters<typeof decodeAwsChunked>[1]["signing"]): void {
  const declared = req.headers["x-amz-content-sha256"];
  const encodings = (req.headers["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (!(declared && STREAMING.test(declared)) && !encodings.includes("aws-chunked")) return;
  const decodedLength = req.headers["x-amz-decoded-content-length"];
  const source = Buffer.isBuffer(req.body) ? Readable.from([req.body]) : req.body;
  const { body, trailers } = decodeAwsChunked(source, {
    decodedLength: decodedLength === undefined ? undefined : Number(decodedLength),
    signing,
  });
  trailers.catch(() => undefined); // the body stream reports the same failure to its reader
  req.body = body;
  req.trailers = trailers;
  const remaining = encodings.filter((e) => e !== "aws-chunked");
  if (remaining.length) req.headers["content-encoding"] = remaining.join(",");
  else delete req.headers["content-encoding"];
  if (decodedLength !== undefined) req.headers["content-length"] = decodedLength;
}

/** S3 checks a declared x-amz-content-sha256 against the body it received. */
function verifyingHash(body: HttpRequest["body"], expected: string): Readable {
  const hash = createHash("sha256");
  const check = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      const computed = hash.digest("hex");
      if (computed === expected) return done();
      done(
        new AwsError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
          status: 400,
          fields: { ClientComputedContentSHA256: expected, S3ComputedContentSHA256: computed },
        }),
      );
    },
  });
  const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
  source.on("error", (err) => check.destroy(err));
  return source.pipe(check);
}

/** Query actions arrive in the URL or the form body; the body is small and read once, then kept. */
async function isUnsignedAction(req: HttpRequest): Promise<boolean> {
  const find = (text: string) => /(?:^|&)Action=([^&]*)/.exec(text)?.[1];
  let action = find(req.rawQuery);
  if (action === undefined && (req.headers["content-type"] ?? "").includes("x-www-form-urlencoded")) {
    req.body = await readBody(req.body);
    action = find(req.body.toString("latin1"));
  }
  return action !== undefined && UNSIGNED_ACTIONS.has(action);
}

function missingToken(flavor: "json" | "query"): AwsError {
  const code = flavor === "json" ? "MissingAuthenticationTokenException" : "MissingAuthenticationToken";
  return new AwsError(code, "Request is missing Authentication Token", { status: 403, fault: "Sender" });
}

function unknownAccessKey(flavor: SigV4Flavor, accessKeyId: string): AwsError {
  if (flavor === "s3") {
    return new AwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
      status: 403,
      fields: { AWSAccessKeyId: accessKeyId },
    });
  }
  const message = "The security token included in the request is invalid.";
  if (flavor === "query") return new AwsError("InvalidClientTokenId", message, { status: 403 });
  return new AwsError("UnrecognizedClientException", message, { status: 400 });
}
