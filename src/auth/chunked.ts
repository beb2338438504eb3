/**
 * Decoding of `Content-Encoding: aws-chunked` bodies (SigV4 streaming uploads), with or without chunk signatures
 * and trailing headers. See "Signature Calculations for the Authorization Header: Transferring Payload in Multiple
 * Chunks" and its trailer variant in the S3 API reference.
 *
 *   signed:    <hex-size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n[trailers]\r\n
 *   unsigned:  <hex-size>\r\n<data>\r\n ... 0\r\n[trailers]\r\n
 *   trailers:  name:value\r\n ... [x-amz-trailer-signature:<sig>\r\n]
 *
 * The decoder streams: data leaves as views (`subarray`) of the source's buffers, never copied or concatenated;
 * only header and trailer lines that straddle two source buffers are joined.
 */
import { type Hash, createHash, createHmac } from "node:crypto";
import { Readable } from "node:stream";
import { AwsError } from "../protocol/errors.js";
import { sameSignature, sha256Hex, signatureMismatch } from "./sigv4.js";

export interface AwsChunkedSigning {
  /** The signing key of the request (see `signingKey`). */
  key: Buffer;
  /** The signature of the request's headers, which the first chunk's signature chains from. */
  seedSignature: string;
  /** X-Amz-Date of the request. */
  amzDate: string;
  /** "date/region/service/aws4_request" */
  scope: string;
  /** For the AWSAccessKeyId field of SignatureDoesNotMatch. */
  accessKeyId?: string;
}

export interface AwsChunkedOptions {
  /** x-amz-decoded-content-length, when the request gave one. */
  decodedLength?: number;
  /** Given: every chunk signature and the trailer signature must be valid. Absent: signatures are skipped. */
  signing?: AwsChunkedSigning;
}

/** S3 rejects any chunk but the last (non-empty) one below this size. */
const MIN_CHUNK_SIZE = 8192;
/** Chunk headers and trailer lines are short; a longer line means the framing is broken. */
const MAX_LINE = 4096;
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function incompleteBody(): AwsError {
  return new AwsError("IncompleteBody", "The request body terminated unexpectedly", { status: 400, fault: "Sender" });
}

function chunkTooSmall(chunk: number, size: number): AwsError {
  const message = "Only the last chunk is allowed to have a size less than 8192 bytes";
  // S3 counts the chunk whose header revealed the problem, i.e. the one after the small chunk.
  return new AwsError("InvalidChunkSizeError", message, {
    status: 403,
    fault: "Sender",
    fields: { Chunk: String(chunk), BadChunkSize: String(size) },
  });
}

/**
 * Decodes an aws-chunked body. `body` yields the payload; `trailers` resolves with the trailing headers (lower-case
 * names) once the body has been read to its end, or rejects with the error the body failed with. The data of a chunk
 * is passed on before its signature is checked: consumers must not commit anything before `body` ends. On failure
 * the source is left as it is, so the caller can still answer on the connection.
 */
export function decodeAwsChunked(
  source: AsyncIterable<Uint8Array>,
  opts: AwsChunkedOptions,
): { body: Readable; trailers: Promise<Record<string, string>> } {
  let settle!: { resolve: (t: Record<string, string>) => void; reject: (e: unknown) => void };
  const trailers = new Promise<Record<string, string>>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers that only read the body must not crash the process with an unhandled rejection.
  trailers.catch(() => {});
  const body = Readable.from(decode(source, opts, settle), { objectMode: false });
  return { body, trailers };
}

async function* decode(
  source: AsyncIterable<Uint8Array>,
  opts: AwsChunkedOptions,
  settle: { resolve: (t: Record<string, string>) => void; reject: (e: unknown) => void },
): AsyncGenerator<Buffer> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  const chain = opts.signing ? new SignatureChain(opts.signing) : undefined;
  let settled = false;
  try {
    let total = 0;
    let previous: number | undefined;
    for (let index = 1; ; index++) {
      const { size, signature } = parseChunkHeader(await reader.line(), chain !== undefined);
      if (size > 0 && previous !== undefined && previous < MIN_CHUNK_SIZE) throw chunkTooSmall(index, previous);
      if (opts.decodedLength !== undefined && total + size > opts.decodedLength) throw incompleteBody();
      previous = size;
      const hash = chain && createHash("sha256");
      for (let left = size; left > 0; ) {
        const piece = await reader.take(left);
        left -= piece.length;
        hash?.update(piece);
        yield piece;
      }
      total += size;
      if (hash) chain?.verifyChunk(hash, signature);
      if (size === 0) break;
      if ((await reader.line()).length !== 0) throw incompleteBody();
    }
    const trailers = await readTrailers(reader, chain);
    if (!(await reader.atEnd())) throw incompleteBody();
    if (opts.decodedLength !== undefined && total !== opts.decodedLength) throw incompleteBody();
    settled = true;
    settle.resolve(trailers);
  } catch (error) {
    settled = true;
    settle.reject(error);
    throw error;
  } finally {
    // Reached when the consumer stops reading early (the stream was destroyed).
    if (!settled) settle.reject(new Error("The aws-chunked body was not read to its end"));
  }
}

function parseChunkHeader(line: Buffer, signed: boolean): { size: number; signature?: string } {
  const text = line.toString("latin1");
  const semi = text.indexOf(";");
  const hex = semi < 0 ? text : text.slice(0, semi);
  // 13 hex digits stay below 2^53; no real chunk comes near.
  if (!/^[0-9a-fA-F]{1,13}$/.test(hex)) throw incompleteBody();
  const size = Number.parseInt(hex, 16);
  if (!signed) return { size };
  const extension = semi < 0 ? "" : text.slice(semi + 1);
  if (!extension.startsWith("chunk-signature=")) throw incompleteBody();
  return { size, signature: extension.slice("chunk-signature=".length) };
}

/** Reads `name:value` lines up to the empty line; checks x-amz-trailer-signature when signing. */
async function readTrailers(reader: ByteReader, chain: SignatureChain | undefined): Promise<Record<string, string>> {
  const trailers: Record<string, string> = {};
  let canonical = "";
  let signature: string | undefined;
  for (let line = await reader.line(); line.length > 0; line = await reader.line()) {
    const text = line.toString("utf8");
    const colon = text.indexOf(":");
    if (colon <= 0) throw incompleteBody();
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === "x-amz-trailer-signature") {
      signature = value;
      continue;
    }
    trailers[name] = value;
    canonical += `${name}:${value}\n`;
  }
  if (chain && (canonical || signature !== undefined)) chain.verifyTrailer(canonical, signature);
  return trailers;
}

/** Each chunk's signature signs its data and the signature before it, starting from the request's (seed) signature. */
class SignatureChain {
  private previous: string;

  constructor(private readonly signing: AwsChunkedSigning) {
    this.previous = signing.seedSignature.toLowerCase();
  }

  verifyChunk(hash: Hash, provided: string | undefined): void {
    const { amzDate, scope } = this.signing;
    const stringToSign = `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${this.previous}\n${EMPTY_SHA256}\n${hash.digest("hex")}`;
    this.check(stringToSign, provided);
  }

  /** The trailer signs the trailing headers as `name:value\n` lines. */
  verifyTrailer(canonical: string, provided: string | undefined): void {
    const { amzDate, scope } = this.signing;
    this.check(`AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${this.previous}\n${sha256Hex(canonical)}`, provided);
  }

  private check(stringToSign: string, provided = ""): void {
    const expected = createHmac("sha256", this.signing.key).update(stringToSign, "utf8").digest("hex");
    if (!sameSignature(expected, provided)) {
      throw signatureMismatch("s3", { accessKeyId: this.signing.accessKeyId, stringToSign, signatureProvided: provided });
    }
    this.previous = expected;
  }
}

const EMPTY = Buffer.alloc(0);

/** Pulls buffers from the source on demand and hands out lines and views of data. */
class ByteReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Loads the next non-empty buffer of the source; false at its end. */
  private async fill(): Promise<boolean> {
    while (!this.done) {
      const next = await this.source.next();
      if (next.done) break;
      const value = next.value;
      if (!value || value.length === 0) continue;
      this.buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      this.pos = 0;
      return true;
    }
    this.done = true;
    return false;
  }

  /** The next line without its CRLF. A bare LF, a line that never ends or an overlong line is broken framing. */
  async line(): Promise<Buffer> {
    const parts: Buffer[] = [];
    let length = 0;
    for (;;) {
      const window = this.buf.subarray(this.pos, this.pos + MAX_LINE - length);
      const nl = window.indexOf(0x0a);
      if (nl >= 0) {
        const piece = window.subarray(0, nl + 1);
        this.pos += nl + 1;
        const line = parts.length > 0 ? Buffer.concat([...parts, piece]) : piece;
        if (line.length < 2 || line[line.length - 2] !== 0x0d) throw incompleteBody();
        return line.subarray(0, line.length - 2);
      }
      length += window.length;
      if (length >= MAX_LINE) throw incompleteBody();
      if (window.length > 0) parts.push(window);
      this.pos += window.length;
      if (!(await this.fill())) throw incompleteBody();
    }
  }

  /** Up to `max` (> 0) bytes, as a view of the source's buffer. */
  async take(max: number): Promise<Buffer> {
    if (this.pos >= this.buf.length && !(await this.fill())) throw incompleteBody();
    const n = Math.min(max, this.buf.length - this.pos);
    const piece = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return piece;
  }

  async atEnd(): Promise<boolean> {
    return this.pos >= this.buf.length && !(await this.fill());
  }
}
