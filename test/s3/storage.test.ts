import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "node:http";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { join } from "node:path";
import { test } from "node:test";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type Overcast, startOvercast } from "../../src/index.js";
import { credentials } from "../helpers.js";

const client = (cloud: Overcast) =>
  new S3Client({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1, forcePathStyle: true });

/** Every blob file under the data dir. */
function blobFiles(dataDir: string): string[] {
  const root = join(dataDir, "blobs");
  return readdirSync(root).flatMap((dir) => readdirSync(join(root, dir)));
}

test("objects and multipart uploads live in the data dir: bodies survive a restart, replaced bodies are freed", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "overcast-s3-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  let uploadId: string | undefined;
  try {
    const s3 = client(first);
    await s3.send(new CreateBucketCommand({ Bucket: "persisted" }));
    await s3.send(new PutObjectCommand({ Bucket: "persisted", Key: "a/b.txt", Body: "first", Metadata: { m: "1" } }));
    await s3.send(new PutObjectCommand({ Bucket: "persisted", Key: "a/b.txt", Body: "second" }));
    await s3.send(new PutObjectCommand({ Bucket: "persisted", Key: "gone", Body: "x" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "persisted", Key: "gone" }));
    assert.equal(blobFiles(dataDir).length, 1, "the overwritten and the deleted bodies are removed");
    uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket: "persisted", Key: "mpu" }))).UploadId;
    await s3.send(new UploadPartCommand({ Bucket: "persisted", Key: "mpu", UploadId: uploadId, PartNumber: 1, Body: "part one" }));
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const s3 = client(second);
  const got = await s3.send(new GetObjectCommand({ Bucket: "persisted", Key: "a/b.txt" }));
  assert.equal(await got.Body?.transformToString(), "second");
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "persisted" }));
  assert.deepEqual(
    listed.Contents?.map((o) => o.Key),
    ["a/b.txt"],
  );
  // The upload started before the restart completes after it, from the part stored before.
  const parts = await s3.send(new ListPartsCommand({ Bucket: "persisted", Key: "mpu", UploadId: uploadId }));
  assert.equal(parts.Parts?.length, 1);
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: "persisted",
      Key: "mpu",
      UploadId: uploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: parts.Parts?.[0].ETag }] },
    }),
  );
  const completed = await s3.send(new GetObjectCommand({ Bucket: "persisted", Key: "mpu" }));
  assert.equal(await completed.Body?.transformToString(), "part one");
  assert.equal(blobFiles(dataDir).length, 2, "the part's blob is freed once the object is written");
});

/** Resolves every host name to this machine, so virtual-hosted names need no DNS. */
const loopbackAgent = new http.Agent({
  lookup: (_host, options, callback) => {
    const cb = callback as (err: null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
    if ((options as { all?: boolean }).all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
    else cb(null, "127.0.0.1", 4);
  },
});

test("virtual-hosted style reaches the same objects as path style; a declared size over 5 GiB is EntityTooLarge", async (t) => {
  const cloud = await startOvercast({ port: 0, initDirs: [] });
  t.after(() => cloud.stop());
  const path = client(cloud);
  const virtual = new S3Client({
    endpoint: `http://s3.localhost.localstack.cloud:${new URL(cloud.endpoint).port}`,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
    requestHandler: { httpAgent: loopbackAgent },
  });
  await path.send(new CreateBucketCommand({ Bucket: "hosted" }));
  await virtual.send(new PutObjectCommand({ Bucket: "hosted", Key: "dir/file name.txt", Body: "virtual" }));
  const got = await path.send(new GetObjectCommand({ Bucket: "hosted", Key: "dir/file name.txt" }));
  assert.equal(await got.Body?.transformToString(), "virtual");
  const listed = await virtual.send(new ListObjectsV2Command({ Bucket: "hosted", Prefix: "dir/" }));
  assert.deepEqual(
    listed.Contents?.map((o) => o.Key),
    ["dir/file name.txt"],
  );

  // Announce 6 GiB, send nothing: the answer comes before any body.
  const url = new URL(cloud.endpoint);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`PUT /hosted/huge HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${6 * 1024 ** 3}\r\n\r\n`);
    });
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
      if (text.includes("</Error>")) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on("error", reject);
  });
  assert.match(answer, /^HTTP\/1.1 400/);
  assert.match(answer, /<Code>EntityTooLarge<\/Code><Message>Your proposed upload exceeds the maximum allowed size<\/Message>/);
});

test("with signatures enforced, streamed (signed aws-chunked), buffered and multipart uploads and presigned GETs verify", async (t) => {
  const cloud = await startOvercast({ port: 0, initDirs: [], enforceSignatures: true });
  t.after(() => cloud.stop());
  const s3 = client(cloud);
  await s3.send(new CreateBucketCommand({ Bucket: "signed" }));
  const data = Buffer.alloc(300_000, 5);
  const streamed = await s3.send(
    new PutObjectCommand({ Bucket: "signed", Key: "streamed", Body: Readable.from([data]), ContentLength: data.length }),
  );
  assert.equal(streamed.ETag, `"${createHash("md5").update(data).digest("hex")}"`);
  await s3.send(new PutObjectCommand({ Bucket: "signed", Key: "buffered", Body: "buffered" }));
  const big = Buffer.alloc(11 * 1024 * 1024, 1);
  await new Upload({ client: s3, params: { Bucket: "signed", Key: "multi", Body: Readable.from([big]) } }).done();
  const got = await s3.send(new GetObjectCommand({ Bucket: "signed", Key: "multi" }));
  assert.equal(got.ContentLength, big.length);
  assert.match(got.ETag ?? "", /-3"$/);
  await got.Body?.transformToByteArray();
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "signed", Key: "buffered" }), { expiresIn: 60 });
  const fetched = await fetch(url);
  assert.equal(fetched.status, 200);
  assert.equal(await fetched.text(), "buffered");
  const tampered = await fetch(url.replace("buffered", "streamed"));
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  const wrongKey = new S3Client({
    endpoint: cloud.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "wrong" },
    maxAttempts: 1,
    forcePathStyle: true,
  });
  await assert.rejects(wrongKey.send(new PutObjectCommand({ Bucket: "signed", Key: "x", Body: "x" })), /SignatureDoesNotMatch|signature/i);
});
