import type { DigestName } from "../../internal/digests.js";
import { HashPool, digesting } from "../../internal/hash-pool.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { type ChecksumAlgorithm, CHECKSUM_ALGORITHMS, DIGEST_OF, checkChecksumValue, checksumHeader, parseAlgorithm } from "./checksums.js";
import { BadDigest, InvalidDigest, InvalidRequest } from "./errors.js";

/** A body now stored as a blob, with the digests S3 keeps of it. */
export interface StoredBody {
  blob: string;
  size: number;
  /** Quoted MD5 hex. */
  etag: string;
  md5: Buffer;
  algorithm?: ChecksumAlgorithm;
  /** base64 of the additional checksum, verified against what the client sent. */
  checksum?: string;
}

/** Which additional checksum a write carries: in a header, in an aws-chunked trailer, or only named. */
interface ChecksumRequest {
  algorithm?: ChecksumAlgorithm;
  /** The value sent in a header. */
  expected?: string;
  /** The trailer that will carry the value. */
  trailer?: string;
}

type Source = AsyncIterable<Uint8Array> | Uint8Array;

/**
 * Streams an upload into a new blob, computing its MD5 and requested checksum on the way, then checks
 * Content-MD5 and the checksum (header or trailer). The blob is deleted again when a check fails, so a
 * caller commits only verified bodies.
 */
export async function storeUpload(ctx: RequestContext, source: Source | undefined, required?: ChecksumAlgorithm): Promise<StoredBody> {
  const headers = ctx.origin.headers;
  const contentMd5 = parseContentMd5(headers["content-md5"]);
  const request = checksumRequest(headers);
  // Parts of an upload created with a checksum algorithm carry that algorithm's checksum.
  if (required && request.algorithm && request.algorithm !== required) {
    throw new InvalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${required.toLowerCase()}, actual checksum Type: ${request.algorithm.toLowerCase()}`,
    );
  }
  const body = await storeStream(ctx, source ?? new Uint8Array(0), request.algorithm ?? required, declaredLength(headers));
  try {
    if (contentMd5 && !contentMd5.equals(body.md5)) {
      throw new BadDigest("The Content-MD5 you specified did not match what we received.", {
        fields: { ExpectedDigest: contentMd5.toString("base64"), CalculatedDigest: body.md5.toString("base64") },
      });
    }
    const expected = request.expected ?? (request.trailer ? await trailerValue(ctx, request) : undefined);
    if (expected !== undefined && expected !== body.checksum) {
      throw new BadDigest(`The ${request.algorithm} you specified did not match the calculated checksum.`);
    }
  } catch (err) {
    ctx.runtime.blobs.delete(body.blob);
    throw err;
  }
  return body;
}

/**
 * Streams `source` into a new blob, with its MD5 and (optionally) one additional checksum; large bodies are hashed
 * on the runtime's worker threads. `expectedBytes` (the length a request declared) only lets small bodies skip
 * the pass-through that feeds the workers.
 */
export async function storeStream(
  ctx: RequestContext,
  source: Source,
  algorithm?: ChecksumAlgorithm,
  expectedBytes?: number,
): Promise<StoredBody> {
  const names: DigestName[] = algorithm ? ["md5", DIGEST_OF[algorithm]] : ["md5"];
  const hashing = digesting(hashPoolOf(ctx.runtime), source, names, expectedBytes);
  const { id, size } = await ctx.runtime.blobs.write(hashing.chunks, hashing.onChunk);
  let digests: Buffer[];
  try {
    digests = await hashing.digests();
  } catch (err) {
    ctx.runtime.blobs.delete(id);
    throw err;
  }
  const [md5, checksum] = digests;
  return {
    blob: id,
    size,
    etag: `"${md5.toString("hex")}"`,
    md5,
    algorithm,
    checksum: checksum?.toString("base64"),
  };
}

/** The runtime's hashing threads: started with its first large body, terminated with the service (`stopHashing`). */
const hashPools = new WeakMap<ServiceRuntime, HashPool>();

function hashPoolOf(runtime: ServiceRuntime): HashPool {
  let pool = hashPools.get(runtime);
  if (!pool) {
    pool = new HashPool();
    hashPools.set(runtime, pool);
  }
  return pool;
}

export async function stopHashing(runtime: ServiceRuntime): Promise<void> {
  await hashPools.get(runtime)?.close();
}

/** The body length a request declares: its decoded length when aws-chunked. */
function declaredLength(headers: Record<string, string>): number | undefined {
  const value = headers["x-amz-decoded-content-length"] ?? headers["content-length"];
  const length = value === undefined ? Number.NaN : Number(value);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

function parseContentMd5(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== 16 || bytes.toString("base64") !== value) {
    throw new InvalidDigest("The Content-MD5 you specified was invalid.", { fields: { "Content-MD5": value } });
  }
  return bytes;
}

/** Reads the checksum headers of a write: at most one value, in a header or announced as a trailer. */
export function checksumRequest(headers: Record<string, string>): ChecksumRequest {
  const sent = CHECKSUM_ALGORITHMS.filter((a) => headers[checksumHeader(a)] !== undefined);
  if (sent.length > 1) throw new InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  const named = parseAlgorithm(headers["x-amz-sdk-checksum-algorithm"]);
  const trailer = headers["x-amz-trailer"]?.trim().toLowerCase();
  const trailed = trailer ? CHECKSUM_ALGORITHMS.find((a) => checksumHeader(a) === trailer) : undefined;
  if (trailer && !trailed) throw new InvalidRequest("The value specified in the x-amz-trailer header is not supported");
  const algorithm = sent[0] ?? trailed ?? named;
  if (named && algorithm !== named) {
    throw new InvalidRequest(`Value for x-amz-sdk-checksum-algorithm header is invalid.`);
  }
  if (sent[0]) {
    const expected = headers[checksumHeader(sent[0])];
    checkChecksumValue(sent[0], expected);
    return { algorithm, expected };
  }
  return { algorithm, trailer: trailed ? trailer : undefined };
}

async function trailerValue(ctx: RequestContext, request: ChecksumRequest): Promise<string | undefined> {
  const trailers = (await ctx.origin.trailers) ?? {};
  const value = trailers[request.trailer as string];
  if (value === undefined) return undefined;
  checkChecksumValue(request.algorithm as ChecksumAlgorithm, value.trim());
  return value.trim();
}
