import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import {
  type ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { DIGEST_NAMES, type DigestName, newDigest } from "../../src/internal/digests.js";
import { type DigestingStream, HashPool, OFFLOAD_ABOVE_BYTES, digesting } from "../../src/internal/hash-pool.js";
import { startOvercast } from "../../src/index.js";
import { credentials, rawRequest, rejectsWith, useServer } from "../helpers.js";

/** Bodies above OFFLOAD_ABOVE_BYTES are hashed on worker threads: these tests check that nothing changes for them. */
const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const MIB = 1024 * 1024;
const md5Hex = (data: Buffer) => createHash("md5").update(data).digest("hex");

async function bucket(name: string): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

async function bodyOf(b: string, key: string, extra: { ChecksumMode?: "ENABLED"; Range?: string } = {}) {
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: key, ...extra }));
  return { got, data: Buffer.from((await got.Body?.transformToByteArray()) as Uint8Array) };
}

/** `count` chunks of `size` random bytes, as a stream and as one buffer. */
function chunked(count: number, size: number): { chunks: Buffer[]; data: Buffer } {
  const chunks = Array.from({ length: count }, () => randomBytes(size));
  return { chunks, data: Buffer.concat(chunks) };
}

test("a large PUT gets the MD5 ETag, and every additional checksum the SDK sends is verified and returned", async () => {
  const b = await bucket("large-checksums");
  const data = randomBytes(3 * MIB + 17);
  const plain = await s3().send(new PutObjectCommand({ Bucket: b, Key: "plain", Body: data }));
  assert.equal(plain.ETag, `"${md5Hex(data)}"`);
  for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as ChecksumAlgorithm[]) {
    // The SDK computes the checksum itself and sends it: a differing server value would be BadDigest.
    const put = await s3().send(new PutObjectCommand({ Bucket: b, Key: algorithm, Body: data, ChecksumAlgorithm: algorithm }));
    assert.equal(put.ETag, `"${md5Hex(data)}"`, algorithm);
    const member = `Checksum${algorithm}` as const;
    assert.ok(put[member], `${algorithm} returned`);
    // The SDK validates the full-object checksum of the GET against the bytes it received.
    const { got, data: back } = await bodyOf(b, algorithm, { ChecksumMode: "ENABLED" });
    assert.ok(back.equals(data), algorithm);
    assert.equal(got[member], put[member]);
  }
  const sha256 = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "SHA256", ChecksumMode: "ENABLED" }));
  assert.equal(sha256.ChecksumSHA256, createHash("sha256").update(data).digest("base64"));
});

test("a wrong checksum or Content-MD5 on a large body is BadDigest and stores nothing; a right Content-MD5 is accepted", async () => {
  const b = await bucket("large-bad-digest");
  const data = randomBytes(2 * MIB);
  const put = (key: string, headers: Record<string, string>) => rawRequest(server.endpoint, "PUT", `/${b}/${key}`, { headers, body: data });
  const wrongSha = await put("sha", { "x-amz-checksum-sha256": createHash("sha256").update("other").digest("base64") });
  assert.equal(wrongSha.status, 400);
  assert.match(wrongSha.text, /<Code>BadDigest<\/Code>/);
  assert.match(wrongSha.text, /The SHA256 you specified did not match the calculated checksum\./);
  await rejectsWith(s3().send(new HeadObjectCommand({ Bucket: b, Key: "sha" })), "NotFound", 404);

  const wrongMd5 = createHash("md5").update("other").digest("base64");
  const badMd5 = await put("md5", { "content-md5": wrongMd5 });
  assert.equal(badMd5.status, 400);
  assert.match(badMd5.text, /<Code>BadDigest<\/Code>/);
  assert.match(badMd5.text, new RegExp(`<ExpectedDigest>${wrongMd5.replace(/[+/]/g, "\\$&")}</ExpectedDigest>`));
  assert.match(badMd5.text, /<CalculatedDigest>[^<]+<\/CalculatedDigest>/);
  await rejectsWith(s3().send(new HeadObjectCommand({ Bucket: b, Key: "md5" })), "NotFound", 404);

  const right = await put("md5", { "content-md5": createHash("md5").update(data).digest("base64") });
  assert.equal(right.status, 200);
  assert.equal(right.headers.etag, `"${md5Hex(data)}"`);
});

test("a large streamed aws-chunked body keeps its trailing checksum; a wrong trailer is BadDigest", async () => {
  const b = await bucket("large-chunked");
  const { chunks, data } = chunked(40, 64 * 1024 + 3);
  const put = await s3().send(
    new PutObjectCommand({ Bucket: b, Key: "k", Body: Readable.from(chunks), ContentLength: data.length, ChecksumAlgorithm: "CRC32C" }),
  );
  assert.equal(put.ETag, `"${md5Hex(data)}"`);
  const { got, data: back } = await bodyOf(b, "k", { ChecksumMode: "ENABLED" });
  assert.ok(back.equals(data));
  assert.equal(got.ChecksumCRC32C, put.ChecksumCRC32C);

  // The same bytes framed by hand, with a trailer that does not match them.
  const frames = chunks.map((c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from("\r\n")]));
  const wrong = await rawRequest(server.endpoint, "PUT", `/${b}/trailed`, {
    headers: {
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-crc32c",
    },
    body: Buffer.concat([...frames, Buffer.from("0\r\nx-amz-checksum-crc32c:AAAAAA==\r\n\r\n")]),
  });
  assert.equal(wrong.status, 400);
  assert.match(wrong.text, /<Code>BadDigest<\/Code>/);
  await rejectsWith(s3().send(new HeadObjectCommand({ Bucket: b, Key: "trailed" })), "NotFound", 404);
});

test("concurrent large uploads each get their own digests", async () => {
  const b = await bucket("large-concurrent");
  const bodies = Array.from({ length: 6 }, (_, i) => randomBytes(MIB + i * 4099));
  const puts = await Promise.all(
    bodies.map((data, i) => s3().send(new PutObjectCommand({ Bucket: b, Key: `k${i}`, Body: data, ChecksumAlgorithm: "SHA1" }))),
  );
  for (const [i, data] of bodies.entries()) {
    assert.equal(puts[i].ETag, `"${md5Hex(data)}"`, `k${i}`);
    assert.equal(puts[i].ChecksumSHA1, createHash("sha1").update(data).digest("base64"), `k${i}`);
    assert.ok((await bodyOf(b, `k${i}`)).data.equals(data), `k${i}`);
  }
});

test("multipart ETags (MD5 of the parts' MD5s), copies and ranged part copies of large objects", async () => {
  const b = await bucket("large-multipart");
  const parts = [randomBytes(5 * MIB), randomBytes(MIB + 5)];
  const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: b, Key: "mpu", ChecksumAlgorithm: "SHA256" }));
  const uploaded = [];
  for (const [i, part] of parts.entries()) {
    const up = await s3().send(
      new UploadPartCommand({ Bucket: b, Key: "mpu", UploadId, PartNumber: i + 1, Body: part, ChecksumAlgorithm: "SHA256" }),
    );
    assert.equal(up.ETag, `"${md5Hex(part)}"`);
    assert.equal(up.ChecksumSHA256, createHash("sha256").update(part).digest("base64"));
    uploaded.push({ PartNumber: i + 1, ETag: up.ETag, ChecksumSHA256: up.ChecksumSHA256 });
  }
  const done = await s3().send(
    new CompleteMultipartUploadCommand({ Bucket: b, Key: "mpu", UploadId, MultipartUpload: { Parts: uploaded } }),
  );
  const partMd5s = Buffer.concat(parts.map((p) => createHash("md5").update(p).digest()));
  assert.equal(done.ETag, `"${md5Hex(partMd5s)}-2"`);
  const whole = Buffer.concat(parts);
  assert.ok((await bodyOf(b, "mpu")).data.equals(whole));

  // A copy is rehashed from the stored bytes: a plain MD5 ETag and the requested checksum.
  const copy = await s3().send(new CopyObjectCommand({ Bucket: b, Key: "copy", CopySource: `${b}/mpu`, ChecksumAlgorithm: "CRC32" }));
  assert.equal(copy.CopyObjectResult?.ETag, `"${md5Hex(whole)}"`);
  const { got, data } = await bodyOf(b, "copy", { ChecksumMode: "ENABLED" });
  assert.ok(data.equals(whole));
  assert.equal(got.ChecksumCRC32, copy.CopyObjectResult?.ChecksumCRC32);

  const second = await s3().send(new CreateMultipartUploadCommand({ Bucket: b, Key: "ranged" }));
  const range = { start: MIB - 1, end: 4 * MIB + 2 };
  const partCopy = await s3().send(
    new UploadPartCopyCommand({
      Bucket: b,
      Key: "ranged",
      UploadId: second.UploadId,
      PartNumber: 1,
      CopySource: `${b}/mpu`,
      CopySourceRange: `bytes=${range.start}-${range.end}`,
    }),
  );
  assert.equal(partCopy.CopyPartResult?.ETag, `"${md5Hex(whole.subarray(range.start, range.end + 1))}"`);
});

test("SSE-C objects above the worker threshold round-trip, and need their key", async () => {
  const b = await bucket("large-ssec");
  const key = randomBytes(32);
  const sse = {
    SSECustomerAlgorithm: "AES256",
    SSECustomerKey: key.toString("base64"),
    SSECustomerKeyMD5: createHash("md5").update(key).digest("base64"),
  };
  const data = randomBytes(2 * MIB + 1);
  const put = await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: data, ...sse }));
  assert.equal(put.SSECustomerKeyMD5, sse.SSECustomerKeyMD5);
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k", ...sse }));
  assert.ok(Buffer.from((await got.Body?.transformToByteArray()) as Uint8Array).equals(data));
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "k" })), "InvalidRequest", 400);
});

/** Sends the head and part of a PUT's body on a raw socket, then drops the connection. */
async function abandonUpload(endpoint: string, path: string): Promise<void> {
  const url = new URL(endpoint);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.write(`PUT ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${8 * MIB}\r\n\r\n`);
  await new Promise<void>((resolve) => socket.write(randomBytes(3 * MIB), () => resolve()));
  await sleep(200);
  socket.destroy();
  await sleep(200);
}

test("a client that goes away mid-body leaves no object, and the server goes on hashing large bodies", async () => {
  const b = await bucket("large-abort");
  await abandonUpload(server.endpoint, `/${b}/gone`);
  await rejectsWith(s3().send(new HeadObjectCommand({ Bucket: b, Key: "gone" })), "NotFound", 404);
  const data = randomBytes(3 * MIB);
  const put = await s3().send(new PutObjectCommand({ Bucket: b, Key: "after", Body: data }));
  assert.equal(put.ETag, `"${md5Hex(data)}"`);
});

test("with a data dir, large bodies stream to disk with their digests and an abandoned one leaves no file", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "overcast-large-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const cloud = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => cloud.stop());
  const client = new S3Client({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: "disk" }));
  const { chunks, data } = chunked(80, 64 * 1024);
  const put = await client.send(
    new PutObjectCommand({
      Bucket: "disk",
      Key: "k",
      Body: Readable.from(chunks),
      ContentLength: data.length,
      ChecksumAlgorithm: "SHA256",
    }),
  );
  assert.equal(put.ETag, `"${md5Hex(data)}"`);
  assert.equal(put.ChecksumSHA256, createHash("sha256").update(data).digest("base64"));
  const got = await client.send(new GetObjectCommand({ Bucket: "disk", Key: "k" }));
  assert.ok(Buffer.from((await got.Body?.transformToByteArray()) as Uint8Array).equals(data));
  await abandonUpload(cloud.endpoint, "/disk/gone");
  const files = (dir: string) => readdirSync(join(dataDir, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  assert.equal(files("blobs").length, 1, "only the stored body");
  assert.equal(files("tmp").length, 0, "the abandoned body's temporary file is removed");
});

// The pool itself: digests match node:crypto and the CRCs computed in one piece, whatever the chunking.

async function* stream(chunks: Buffer[]): AsyncIterable<Buffer> {
  for (const chunk of chunks) yield chunk;
}

/** Reads a digesting stream as a blob store does: its chunks, each handed to `onChunk` when there is one. */
async function drain({ chunks, onChunk }: DigestingStream): Promise<Buffer> {
  const seen: Buffer[] = [];
  for await (const piece of chunks instanceof Uint8Array ? [chunks] : chunks) {
    const chunk = Buffer.from(piece);
    onChunk?.(chunk);
    seen.push(chunk);
  }
  return Buffer.concat(seen);
}

function oneShot(name: DigestName, data: Buffer): Buffer {
  const digest = newDigest(name);
  digest.update(data);
  return digest.digest();
}

test("digesting() gives the same digests on this thread and on the pool, for every algorithm and size", async (t) => {
  const pool = new HashPool(2);
  t.after(() => pool.close());
  const names = [...DIGEST_NAMES];
  for (const size of [0, 1, OFFLOAD_ABOVE_BYTES, OFFLOAD_ABOVE_BYTES + 1, 3 * MIB + 7]) {
    const data = randomBytes(size);
    // Odd chunk sizes straddle the slabs' boundaries.
    const chunks: Buffer[] = [];
    for (let at = 0; at < size; at += 50_001) chunks.push(data.subarray(at, at + 50_001));
    // Undeclared, declared, and declared too small (the declared length only picks the path).
    for (const declared of [undefined, size, 1]) {
      const hashing = digesting(pool, stream(chunks), names, declared);
      assert.ok((await drain(hashing)).equals(data), `${size} bytes pass through unchanged`);
      const digests = await hashing.digests();
      for (const [i, name] of names.entries()) assert.ok(digests[i].equals(oneShot(name, data)), `${name} of ${size} bytes (${declared})`);
    }
  }
  assert.equal(createHash("md5").update("").digest("hex"), oneShot("md5", Buffer.alloc(0)).toString("hex"));
  // A known CRC-64/NVME check value ("123456789").
  assert.equal(oneShot("crc64nvme", Buffer.from("123456789")).toString("hex"), "ae8b14860a799888");
  assert.equal(oneShot("crc32c", Buffer.from("123456789")).toString("hex"), "e3069283");
  assert.equal(pool.usage().jobs, 0);
});

test("small bodies never start a thread; a single large buffer goes to one", async (t) => {
  const pool = new HashPool(2);
  t.after(() => pool.close());
  const small = digesting(pool, randomBytes(OFFLOAD_ABOVE_BYTES), ["md5"]);
  await drain(small);
  await small.digests();
  const streamed = digesting(pool, stream([randomBytes(OFFLOAD_ABOVE_BYTES / 2), randomBytes(OFFLOAD_ABOVE_BYTES / 2)]), ["md5"]);
  await drain(streamed);
  await streamed.digests();
  assert.deepEqual(pool.usage(), { threads: 0, jobs: 0 });
  const data = randomBytes(2 * MIB);
  const large = digesting(pool, data, ["md5", "sha256"]);
  await drain(large);
  const [md5, sha256] = await large.digests();
  assert.equal(md5.toString("hex"), md5Hex(data));
  assert.ok(sha256.equals(createHash("sha256").update(data).digest()));
  assert.deepEqual(pool.usage(), { threads: 1, jobs: 0 });
});

test("a source that fails mid-stream closes its job; a closed pool fails running jobs and later ones hash locally", async () => {
  const pool = new HashPool(2);
  async function* failing(): AsyncIterable<Buffer> {
    yield randomBytes(MIB);
    yield randomBytes(MIB);
    throw new Error("client went away");
  }
  const broken = digesting(pool, failing(), ["md5"]);
  await assert.rejects(drain(broken), /client went away/);
  assert.equal(pool.usage().jobs, 0);

  // A consumer that stops early (the blob store failed) closes the job too.
  const abandoned = digesting(pool, stream([randomBytes(MIB), randomBytes(MIB), randomBytes(MIB)]), ["md5"]);
  for await (const _ of abandoned.chunks as AsyncIterable<Buffer>) break;
  assert.equal(pool.usage().jobs, 0);

  const running = digesting(pool, randomBytes(2 * MIB), ["sha1"]);
  await drain(running);
  await pool.close();
  await assert.rejects(running.digests(), /hash pool closed/);
  assert.deepEqual(pool.usage(), { threads: 0, jobs: 0 });

  const data = randomBytes(2 * MIB);
  const after = digesting(pool, data, ["md5"]);
  await drain(after);
  assert.equal((await after.digests())[0].toString("hex"), md5Hex(data));
});
