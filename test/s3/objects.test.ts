import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { test } from "node:test";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const md5 = (data: string | Buffer) => createHash("md5").update(data).digest();

async function bucket(name: string): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

test("PutObject stores the body and headers; GetObject and HeadObject return them with the MD5 ETag", async () => {
  const b = await bucket("objects-basic");
  const put = await s3().send(
    new PutObjectCommand({
      Bucket: b,
      Key: "docs/hello.txt",
      Body: "hello world",
      ContentType: "text/plain",
      ContentEncoding: "identity",
      ContentDisposition: 'attachment; filename="hello.txt"',
      ContentLanguage: "en",
      CacheControl: "max-age=60",
      Expires: new Date("2030-01-01T00:00:00Z"),
      Metadata: { colour: "blue", "two-words": "a b" },
      StorageClass: "STANDARD_IA",
    }),
  );
  const etag = `"${md5("hello world").toString("hex")}"`;
  assert.equal(put.ETag, etag);
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "docs/hello.txt" }));
  assert.equal(await got.Body?.transformToString(), "hello world");
  assert.equal(got.ETag, etag);
  assert.equal(got.ContentLength, 11);
  assert.equal(got.ContentType, "text/plain");
  assert.equal(got.ContentEncoding, "identity");
  assert.equal(got.ContentDisposition, 'attachment; filename="hello.txt"');
  assert.equal(got.ContentLanguage, "en");
  assert.equal(got.CacheControl, "max-age=60");
  assert.equal(got.ExpiresString, "Tue, 01 Jan 2030 00:00:00 GMT");
  assert.deepEqual(got.Metadata, { colour: "blue", "two-words": "a b" });
  assert.equal(got.StorageClass, "STANDARD_IA");
  assert.equal(got.AcceptRanges, "bytes");
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "docs/hello.txt" }));
  assert.equal(head.ContentLength, 11);
  assert.equal(head.ETag, etag);
  assert.ok(head.LastModified instanceof Date);
  assert.deepEqual(head.Metadata, { colour: "blue", "two-words": "a b" });
});

test("an object without a Content-Type is binary/octet-stream; an empty body is a zero-length object", async () => {
  const b = await bucket("objects-defaults");
  const put = await rawRequest(server.endpoint, "PUT", `/${b}/empty`, { body: "" });
  assert.equal(put.status, 200);
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "empty" }));
  assert.equal(head.ContentLength, 0);
  assert.equal(head.ContentType, "binary/octet-stream");
  assert.equal(head.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');
  assert.equal(head.StorageClass, undefined);
});

test("keys are any UTF-8: spaces, unicode, dots, plus signs and percent signs round-trip", async () => {
  const b = await bucket("objects-keys");
  const keys = ["a key with spaces", "ünïcödé/日本語/😀", "../../etc/passwd", "dir/./x/../y", "plus+sign", "100% sure?&=#", "trailing/"];
  for (const [i, key] of keys.entries()) await s3().send(new PutObjectCommand({ Bucket: b, Key: key, Body: `body ${i}` }));
  for (const [i, key] of keys.entries()) {
    const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: key }));
    assert.equal(await got.Body?.transformToString(), `body ${i}`, key);
  }
});

test("overwriting replaces the body and metadata atomically", async () => {
  const b = await bucket("objects-overwrite");
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "first", Metadata: { v: "1" } }));
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "second version" }));
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(await got.Body?.transformToString(), "second version");
  assert.deepEqual(got.Metadata ?? {}, {});
});

test("a streamed body of unknown content is stored through aws-chunked with its trailing checksum", async () => {
  const b = await bucket("objects-stream");
  const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(64 * 1024, i));
  const data = Buffer.concat(chunks);
  const put = await s3().send(
    new PutObjectCommand({ Bucket: b, Key: "big", Body: Readable.from(chunks), ContentLength: data.length, ChecksumAlgorithm: "SHA256" }),
  );
  assert.equal(put.ChecksumSHA256, createHash("sha256").update(data).digest("base64"));
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "big", ChecksumMode: "ENABLED" }));
  const body = Buffer.from((await got.Body?.transformToByteArray()) as Uint8Array);
  assert.ok(body.equals(data));
  assert.equal(got.ChecksumSHA256, put.ChecksumSHA256);
  assert.equal(got.ChecksumType, "FULL_OBJECT");
});

test("an aws-chunked trailing checksum is verified: a wrong one is BadDigest, a right one is stored", async () => {
  const b = await bucket("objects-trailer");
  const send = (crc: string) =>
    rawRequest(server.endpoint, "PUT", `/${b}/trailed`, {
      headers: {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "5",
        "x-amz-trailer": "x-amz-checksum-crc32",
      },
      body: `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`,
    });
  const wrong = await send("AAAAAA==");
  assert.equal(wrong.status, 400);
  assert.match(wrong.text, /<Code>BadDigest<\/Code>/);
  await rejectsWith(s3().send(new HeadObjectCommand({ Bucket: b, Key: "trailed" })), "NotFound", 404);
  const right = await send("NhCmhg==");
  assert.equal(right.status, 200);
  assert.equal(right.headers["x-amz-checksum-crc32"], "NhCmhg==");
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "trailed", ChecksumMode: "ENABLED" }));
  assert.equal(await got.Body?.transformToString(), "hello");
  assert.equal(got.ChecksumCRC32, "NhCmhg==");
  assert.equal(got.ContentEncoding, undefined);
});

test("every additional checksum algorithm is computed as the SDK computes it, and returned with ChecksumMode", async () => {
  const b = await bucket("objects-checksums");
  for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
    const key = `sum-${algorithm}`;
    // The SDK sends its own checksum in a header: a wrong one of ours would be BadDigest.
    const put = await s3().send(new PutObjectCommand({ Bucket: b, Key: key, Body: "The quick brown fox", ChecksumAlgorithm: algorithm }));
    const member = `Checksum${algorithm}` as const;
    assert.ok(put[member], algorithm);
    const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: key, ChecksumMode: "ENABLED" }));
    assert.equal(got[member], put[member], algorithm);
    await got.Body?.transformToString();
    // Without ChecksumMode the checksum is not sent.
    const plain = await rawRequest(server.endpoint, "HEAD", `/${b}/${key}`);
    assert.equal(plain.headers[`x-amz-checksum-${algorithm.toLowerCase()}`], undefined);
  }
});

test("a wrong checksum or Content-MD5 is BadDigest and stores nothing; a malformed Content-MD5 is InvalidDigest", async () => {
  const b = await bucket("objects-digests");
  const wrongCrc = await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "data", ChecksumCRC32: "AAAAAA==" })),
    "BadDigest",
    400,
  );
  assert.equal(wrongCrc.message, "The CRC32 you specified did not match the calculated checksum.");
  const wrongMd5 = await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "data", ContentMD5: md5("other").toString("base64") })),
    "BadDigest",
    400,
  );
  assert.equal(wrongMd5.message, "The Content-MD5 you specified did not match what we received.");
  await rejectsWith(s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "data", ContentMD5: "not-md5" })), "InvalidDigest", 400);
  await rejectsWith(s3().send(new HeadObjectCommand({ Bucket: b, Key: "k" })), "NotFound", 404);
  const ok = await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "data", ContentMD5: md5("data").toString("base64") }));
  assert.equal(ok.ETag, `"${md5("data").toString("hex")}"`);
  const badValue = await rawRequest(server.endpoint, "PUT", `/${b}/raw`, { headers: { "x-amz-checksum-sha1": "short" }, body: "x" });
  assert.equal(badValue.status, 400);
  assert.match(badValue.text, /<Code>InvalidRequest<\/Code><Message>Value for x-amz-checksum-sha1 header is invalid.<\/Message>/);
});

test("user metadata over 2 KB is MetadataTooLarge; keys over 1024 bytes are KeyTooLongError", async () => {
  const b = await bucket("objects-limits");
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "fits", Body: "x", Metadata: { k: "v".repeat(2047) } }));
  const err = await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "too-much", Body: "x", Metadata: { k: "v".repeat(2048) } })),
    "MetadataTooLarge",
    400,
  );
  assert.equal(err.message, "Your metadata headers exceed the maximum allowed metadata size.");
  await rejectsWith(s3().send(new PutObjectCommand({ Bucket: b, Key: "k".repeat(1025), Body: "x" })), "KeyTooLongError", 400);
  await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "sc", Body: "x", StorageClass: "FAST" as "STANDARD" })),
    "InvalidStorageClass",
    400,
  );
});

test("missing keys and buckets: NoSuchKey with the Key, NoSuchBucket with the BucketName, 404 on HEAD", async () => {
  const b = await bucket("objects-missing");
  const err = await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "nope/x" })), "NoSuchKey", 404);
  assert.equal(err.message, "The specified key does not exist.");
  assert.equal((err as unknown as { Key: string }).Key, "nope/x");
  const raw = await rawRequest(server.endpoint, "GET", "/no-such-bucket-here/k");
  assert.equal(raw.status, 404);
  assert.match(raw.text, /<Code>NoSuchBucket<\/Code>.*<BucketName>no-such-bucket-here<\/BucketName>/);
  await rejectsWith(s3().send(new HeadObjectCommand({ Bucket: b, Key: "nope" })), "NotFound", 404);
  await rejectsWith(s3().send(new PutObjectCommand({ Bucket: "no-such-bucket-here", Key: "k", Body: "x" })), "NoSuchBucket", 404);
});

test("Range GETs: 206 with Content-Range; suffix and open ranges; unsatisfiable is InvalidRange 416", async () => {
  const b = await bucket("objects-ranges");
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "digits", Body: "0123456789" }));
  const cases: Array<[string, string, string]> = [
    ["bytes=2-5", "2345", "bytes 2-5/10"],
    ["bytes=7-", "789", "bytes 7-9/10"],
    ["bytes=-3", "789", "bytes 7-9/10"],
    ["bytes=8-100", "89", "bytes 8-9/10"],
  ];
  for (const [range, body, contentRange] of cases) {
    const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "digits", Range: range }));
    assert.equal(got.$metadata.httpStatusCode, 206, range);
    assert.equal(got.ContentRange, contentRange);
    assert.equal(got.ContentLength, body.length);
    assert.equal(await got.Body?.transformToString(), body);
  }
  const err = await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "digits", Range: "bytes=10-" })), "InvalidRange", 416);
  assert.equal(err.message, "The requested range is not satisfiable");
  // Syntax S3 does not understand is ignored: the whole object, 200.
  const whole = await s3().send(new GetObjectCommand({ Bucket: b, Key: "digits", Range: "lines=1-2" }));
  assert.equal(whole.$metadata.httpStatusCode, 200);
  assert.equal(await whole.Body?.transformToString(), "0123456789");
});

test("conditional GET/HEAD: If-Match/If-Unmodified-Since → 412, If-None-Match/If-Modified-Since → 304, in RFC order", async () => {
  const b = await bucket("objects-conditions");
  const { ETag } = await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "v" }));
  const past = new Date(Date.now() - 3600_000);
  const future = new Date(Date.now() + 3600_000);
  const get = (extra: Record<string, unknown>) => s3().send(new GetObjectCommand({ Bucket: b, Key: "k", ...extra }));
  assert.equal((await get({ IfMatch: ETag })).$metadata.httpStatusCode, 200);
  const failed = await rejectsWith(get({ IfMatch: '"other"' }), "PreconditionFailed", 412);
  assert.equal((failed as unknown as { Condition: string }).Condition, "If-Match");
  await rejectsWith(get({ IfUnmodifiedSince: past }), "PreconditionFailed", 412);
  const notModified = await get({ IfNoneMatch: ETag }).then(
    () => assert.fail("expected 304"),
    (e) => e as { $metadata: { httpStatusCode: number } },
  );
  assert.equal(notModified.$metadata.httpStatusCode, 304);
  const raw304 = await rawRequest(server.endpoint, "GET", `/${b}/k`, { headers: { "if-modified-since": future.toUTCString() } });
  assert.equal(raw304.status, 304);
  assert.equal(raw304.headers.etag, ETag);
  assert.equal(raw304.text, "");
  // If-Match that holds overrides a failing If-Unmodified-Since; If-None-Match that fails overrides If-Modified-Since.
  assert.equal((await get({ IfMatch: ETag, IfUnmodifiedSince: past })).$metadata.httpStatusCode, 200);
  assert.equal((await get({ IfNoneMatch: '"other"', IfModifiedSince: future })).$metadata.httpStatusCode, 200);
  const head412 = await rawRequest(server.endpoint, "HEAD", `/${b}/k`, { headers: { "if-match": '"x"' } });
  assert.equal(head412.status, 412);
});

test("conditional PUT: If-None-Match * creates only; If-Match replaces only the named ETag", async () => {
  const b = await bucket("objects-cond-put");
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one", IfNoneMatch: "*" }));
  const err = await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "two", IfNoneMatch: "*" })),
    "PreconditionFailed",
    412,
  );
  assert.equal(err.message, "At least one of the pre-conditions you specified did not hold");
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
  await rejectsWith(s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "three", IfMatch: '"nope"' })), "PreconditionFailed", 412);
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "four", IfMatch: head.ETag }));
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(await got.Body?.transformToString(), "four");
  await rejectsWith(s3().send(new PutObjectCommand({ Bucket: b, Key: "absent", Body: "x", IfMatch: head.ETag })), "NoSuchKey", 404);
});

test("DeleteObject: 204 whether or not the key exists; the bucket then deletes", async () => {
  const b = await bucket("objects-delete");
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "v" }));
  await rejectsWith(s3().send(new DeleteBucketCommand({ Bucket: b })), "BucketNotEmpty", 409);
  const deleted = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  const again = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(again.$metadata.httpStatusCode, 204);
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "k" })), "NoSuchKey", 404);
  await s3().send(new DeleteBucketCommand({ Bucket: b }));
  await rejectsWith(s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k" })), "NoSuchBucket", 404);
});

test("GET response-* overrides replace the stored headers for one answer", async () => {
  const b = await bucket("objects-overrides");
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "v", ContentType: "text/plain" }));
  const got = await s3().send(
    new GetObjectCommand({ Bucket: b, Key: "k", ResponseContentType: "application/json", ResponseContentDisposition: "inline" }),
  );
  assert.equal(got.ContentType, "application/json");
  assert.equal(got.ContentDisposition, "inline");
  await got.Body?.transformToString();
});
