// aws-chunked bodies: the examples of the AWS documentation, the real S3 client, and bodies signed the documented way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { buildQueryString } from "@smithy/core/protocols";
import type { HttpRequest as SdkHttpRequest } from "@smithy/types";
import { type AwsChunkedOptions, type AwsChunkedSigning, decodeAwsChunked } from "../../src/auth/chunked.js";
import { credentialScope, parseAmzDate, parseSigV4, signingKey, verifySigV4 } from "../../src/auth/sigv4.js";
import { AwsError } from "../../src/protocol/errors.js";
import type { HttpRequest } from "../../src/protocol/http.js";

const EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const SIGNING: AwsChunkedSigning = {
  key: signingKey("secret", "20240305", "us-east-1", "s3"),
  seedSignature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
  amzDate: "20240305T102030Z",
  scope: "20240305/us-east-1/s3/aws4_request",
  accessKeyId: "AKID",
};

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const sign = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest("hex");

/** A body signed as "Transferring Payload in Multiple Chunks" describes, with a signed trailer when given. */
function signedBody(data: Buffer, chunkSize: number, trailers?: Record<string, string>, s = SIGNING): Buffer {
  const parts: Buffer[] = [];
  let previous = s.seedSignature;
  for (let i = 0; ; i += chunkSize) {
    const chunk = data.subarray(i, i + chunkSize);
    previous = sign(s.key, `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${previous}\n${EMPTY_SHA}\n${sha256(chunk)}`);
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk);
    if (chunk.length === 0) break;
    parts.push(Buffer.from("\r\n"));
  }
  if (trailers) {
    const lines = Object.entries(trailers)
      .map(([k, v]) => `${k}:${v}\n`)
      .join("");
    const signature = sign(s.key, `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${previous}\n${sha256(lines)}`);
    parts.push(Buffer.from(`${lines.replace(/\n/g, "\r\n")}x-amz-trailer-signature:${signature}\r\n`));
  }
  parts.push(Buffer.from("\r\n"));
  return Buffer.concat(parts);
}

/** A body as the SDK sends STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
function unsignedBody(data: Buffer, chunkSizes: number[] | number, trailers: Record<string, string> = {}): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0, n = 0; i < data.length; n++) {
    const size = typeof chunkSizes === "number" ? chunkSizes : chunkSizes[n];
    const chunk = data.subarray(i, i + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n"));
    i += chunk.length;
  }
  const lines = Object.entries(trailers).map(([k, v]) => `${k}:${v}\r\n`);
  parts.push(Buffer.from(`0\r\n${lines.join("")}\r\n`));
  return Buffer.concat(parts);
}

async function* pieces(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

async function decode(body: Buffer, opts: AwsChunkedOptions = {}, size = 65536) {
  const { body: out, trailers } = decodeAwsChunked(pieces(body, size), opts);
  const parts: Buffer[] = [];
  for await (const part of out) parts.push(part);
  return { data: Buffer.concat(parts), trailers: await trailers };
}

async function rejects(
  body: Buffer,
  opts: AwsChunkedOptions,
  code: string,
  status: number,
  fields?: Record<string, unknown>,
  size?: number,
) {
  let failure: unknown;
  const { body: out, trailers } = decodeAwsChunked(pieces(body, size ?? 65536), opts);
  try {
    for await (const _ of out);
  } catch (e) {
    failure = e;
  }
  assert.ok(failure instanceof AwsError, `expected ${code}, got ${failure}`);
  assert.equal(failure.code, code);
  assert.equal(failure.status, status);
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (v instanceof RegExp) assert.match(String(failure.fields[k]), v, k);
    else assert.deepEqual(failure.fields[k], v, k);
  }
  await assert.rejects(trailers, (e) => e === failure);
  return failure;
}

const INCOMPLETE = "The request body terminated unexpectedly";

// ------------------------------------------------------------------------------------------------- AWS documentation

test("the chunked examples of the S3 documentation decode and verify, however the body is split", async () => {
  const key = signingKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
  const doc = { key, amzDate: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request" };
  const A = Buffer.alloc(66560, "a");
  const body = (signatures: string[], trailer = "") =>
    Buffer.concat([
      Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
      A.subarray(0, 65536),
      Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
      A.subarray(0, 1024),
      Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n${trailer}\r\n`),
    ]);
  const plain = body([
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
  ]);
  const seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  const trailing = body(
    [
      "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
      "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
      "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
    ],
    "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n",
  );
  const trailerSeed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
  for (const size of [1, 7, 4096, 1 << 20]) {
    const one = await decode(plain, { decodedLength: 66560, signing: { ...doc, seedSignature: seed } }, size);
    assert.deepEqual([one.data.equals(A), one.trailers], [true, {}], `split every ${size}`);
    const two = await decode(trailing, { decodedLength: 66560, signing: { ...doc, seedSignature: trailerSeed } }, size);
    assert.deepEqual([two.data.equals(A), two.trailers], [true, { "x-amz-checksum-crc32c": "sOO8/Q==" }], `split every ${size}`);
  }
  await rejects(plain, { signing: { ...doc, seedSignature: trailerSeed } }, "SignatureDoesNotMatch", 403);
});

// ------------------------------------------------------------------------------------------------- signed bodies

test("signed bodies round-trip, with and without a signed trailer", async () => {
  const data = randomBytes(200_000);
  for (const chunkSize of [8192, 65536, 300_000]) {
    const plain = await decode(signedBody(data, chunkSize), { decodedLength: data.length, signing: SIGNING }, 10_000);
    assert.ok(plain.data.equals(data));
    const trailers = { "x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-sha256": "x" };
    const trailing = await decode(signedBody(data, chunkSize, trailers), { decodedLength: data.length, signing: SIGNING }, 777);
    assert.ok(trailing.data.equals(data));
    assert.deepEqual(trailing.trailers, trailers);
  }
  assert.deepEqual(await decode(signedBody(Buffer.alloc(0), 8192), { decodedLength: 0, signing: SIGNING }), {
    data: Buffer.alloc(0),
    trailers: {},
  });
  // Without `signing`, the signatures are read past.
  assert.ok((await decode(signedBody(data, 8192, { "x-amz-checksum-crc32": "A" }))).data.equals(data));
});

test("a tampered chunk, trailer or seed is SignatureDoesNotMatch", async () => {
  const data = randomBytes(30_000);
  const body = signedBody(data, 8192, { "x-amz-checksum-crc32": "AAAAAA==" });
  const opts = { signing: SIGNING };
  const mismatch = (prefix: string) => ({
    AWSAccessKeyId: "AKID",
    StringToSign: new RegExp(`^${prefix}\n20240305T102030Z\n`),
    SignatureProvided: /^[0-9a-f]*$/,
  });
  const flipped = Buffer.from(body);
  flipped[20_000] ^= 1;
  await rejects(flipped, opts, "SignatureDoesNotMatch", 403, mismatch("AWS4-HMAC-SHA256-PAYLOAD"));
  const finalSig = Buffer.from(body);
  // Swap one hex digit for another: XOR could turn "a" into "`", which is no longer a hex signature.
  const at = body.indexOf("0;chunk-signature=") + 20;
  finalSig[at] = finalSig[at] === 0x30 ? 0x31 : 0x30;
  await rejects(finalSig, opts, "SignatureDoesNotMatch", 403, mismatch("AWS4-HMAC-SHA256-PAYLOAD"));
  const trailer = Buffer.from(body.toString("latin1").replace("AAAAAA==", "AAAAAB=="), "latin1");
  await rejects(trailer, opts, "SignatureDoesNotMatch", 403, mismatch("AWS4-HMAC-SHA256-TRAILER"));
  const unsignedTrailer = Buffer.from(body.toString("latin1").replace(/x-amz-trailer-signature:.*\r\n/, ""), "latin1");
  await rejects(unsignedTrailer, opts, "SignatureDoesNotMatch", 403, { SignatureProvided: "" });
  await rejects(body, { signing: { ...SIGNING, seedSignature: "0".repeat(64) } }, "SignatureDoesNotMatch", 403);
  const noSignature = Buffer.from(body.toString("latin1").replace(/;chunk-signature=[0-9a-f]+/, ""), "latin1");
  await rejects(noSignature, opts, "IncompleteBody", 400);
});

// ------------------------------------------------------------------------------------------------- the real S3 client

test("a stream upload of the real S3 client (unsigned payload, CRC32 trailer) verifies and decodes", async () => {
  const data = randomBytes(150_000);
  let sent: { req: HttpRequest; body: Buffer } | undefined;
  const requestHandler = {
    async handle(r: SdkHttpRequest) {
      const parts: Buffer[] = [];
      for await (const part of r.body as Readable) parts.push(Buffer.from(part));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
      const req = { method: r.method, path: r.path, rawQuery: buildQueryString(r.query ?? {}), headers, body: Buffer.alloc(0) };
      sent = { req, body: Buffer.concat(parts) };
      throw new Error("captured");
    },
  };
  const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
  const s3 = new S3Client({
    region: "us-east-1",
    credentials,
    requestHandler,
    maxAttempts: 1,
    forcePathStyle: true,
    endpoint: "http://localhost:4566",
  });
  const Body = Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]);
  await s3.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body, ContentLength: data.length })).catch(() => {});
  assert.ok(sent);
  const { req, body } = sent;
  assert.equal(req.headers["x-amz-content-sha256"], "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  const auth = parseSigV4(req, "s3");
  assert.ok(auth);
  verifySigV4(req, auth, "secret", auth.payloadHash, parseAmzDate(auth.amzDate)!, "s3");
  const decoded = await decode(body, { decodedLength: Number(req.headers["x-amz-decoded-content-length"]) }, 1000);
  assert.ok(decoded.data.equals(data));
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data));
  assert.deepEqual(decoded.trailers, { "x-amz-checksum-crc32": crc.toString("base64") });
  assert.equal(credentialScope(auth.credential), `${auth.amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`);
});

// ------------------------------------------------------------------------------------------------- framing

test("a body cut short anywhere is IncompleteBody", async () => {
  const data = randomBytes(8192 + 50);
  const signed = signedBody(data, 8192, { "x-amz-checksum-crc32": "AAAAAA==" });
  const unsigned = unsignedBody(data, 8192, { "x-amz-checksum-crc32": "AAAAAA==" });
  for (const [body, opts] of [
    [signed, { signing: SIGNING }],
    [unsigned, {}],
  ] as const) {
    const cuts = new Set<number>();
    for (let i = 0; i < 120; i++)
      cuts
        .add(i)
        .add(8192 + i)
        .add(body.length - 1 - i);
    for (const cut of [...cuts].filter((c) => c < body.length)) {
      const error = await rejects(body.subarray(0, cut), opts, "IncompleteBody", 400, undefined, 50);
      assert.equal(error.message, INCOMPLETE);
    }
  }
});

test("broken framing is IncompleteBody", async () => {
  const data = Buffer.alloc(100, "d");
  const bad = [
    "zz\r\n",
    "-1\r\n",
    "64\n",
    `64\r\n${"d".repeat(100)}XY0\r\n\r\n`,
    `64\r\n${"d".repeat(100)}\r\n0\r\n\r\nextra`,
    `64\r\n${"d".repeat(100)}\r\n0\r\nno-colon\r\n\r\n`,
    `${"0".repeat(5000)}\r\n`,
    "10000000000000\r\n",
  ];
  for (const body of bad) await rejects(Buffer.from(body), {}, "IncompleteBody", 400);
  assert.ok((await decode(unsignedBody(data, 100))).data.equals(data));
});

test("a chunk below 8192 bytes that is not the last is InvalidChunkSizeError", async () => {
  const data = randomBytes(8192 * 2 + 300);
  const message = "Only the last chunk is allowed to have a size less than 8192 bytes";
  const error = await rejects(unsignedBody(data, 100), {}, "InvalidChunkSizeError", 403, { Chunk: "2", BadChunkSize: "100" });
  assert.equal(error.message, message);
  await rejects(unsignedBody(data, [8192, 8191, 8192, 109]), {}, "InvalidChunkSizeError", 403, { Chunk: "3", BadChunkSize: "8191" });
  await rejects(signedBody(data, 8000), { signing: SIGNING }, "InvalidChunkSizeError", 403, { Chunk: "2", BadChunkSize: "8000" });
  // The last chunk with data may be small; so may the only one.
  assert.ok((await decode(unsignedBody(data, 8192))).data.equals(data));
  assert.ok((await decode(unsignedBody(data.subarray(0, 5), 5))).data.equals(data.subarray(0, 5)));
});

test("x-amz-decoded-content-length must match the decoded size", async () => {
  const data = randomBytes(10_000);
  const body = unsignedBody(data, 8192);
  assert.ok((await decode(body, { decodedLength: 10_000 })).data.equals(data));
  await rejects(body, { decodedLength: 10_001 }, "IncompleteBody", 400);
  await rejects(body, { decodedLength: 9_999 }, "IncompleteBody", 400);
  // A chunk that would go past the declared length fails before its data is passed on.
  const { body: out } = decodeAwsChunked(pieces(body, 100_000), { decodedLength: 100 });
  const seen: Buffer[] = [];
  await assert.rejects(async () => {
    for await (const part of out) seen.push(part);
  });
  assert.equal(seen.length, 0);
});

// ------------------------------------------------------------------------------------------------- streaming

test("data leaves as views of the source's buffers", async () => {
  const data = randomBytes(100_000);
  const body = unsignedBody(data, 50_000);
  const { body: out, trailers } = decodeAwsChunked(pieces(body, body.length), {});
  const parts: Buffer[] = [];
  for await (const part of out) parts.push(part);
  assert.ok(parts.every((p) => p.buffer === body.buffer));
  assert.ok(Buffer.concat(parts).equals(data));
  assert.deepEqual(await trailers, {});
});

test("the trailers reject when the consumer stops early", async () => {
  const body = unsignedBody(randomBytes(100_000), 10_000);
  const { body: out, trailers } = decodeAwsChunked(pieces(body, 1000), {});
  for await (const _ of out) break;
  await assert.rejects(trailers);
});

test("throughput on an 8 MiB object (diagnostic only: the machine may be busy)", async (t) => {
  const data = randomBytes(8 << 20);
  for (const [name, body, opts] of [
    ["unsigned trailer", unsignedBody(data, 65536, { "x-amz-checksum-crc32": "A" }), {}],
    ["signed", signedBody(data, 65536), { signing: SIGNING }],
  ] as const) {
    const rates: number[] = [];
    for (let round = 0; round < 11; round++) {
      const start = process.hrtime.bigint();
      let total = 0;
      const { body: out } = decodeAwsChunked(pieces(body, 65536), { ...opts, decodedLength: data.length });
      for await (const part of out) total += part.length;
      assert.equal(total, data.length);
      rates.push(total / (Number(process.hrtime.bigint() - start) / 1e9) / 1e9);
    }
    rates.sort((a, b) => a - b);
    t.diagnostic(`${name}: median ${rates[5].toFixed(2)} GB/s, best ${rates[10].toFixed(2)} GB/s`);
  }
});
