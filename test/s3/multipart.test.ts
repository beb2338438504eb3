import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const MiB = 1024 * 1024;
const md5 = (data: Buffer) => createHash("md5").update(data).digest();

async function bucket(name: string): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

async function bytesOf(body: { transformToByteArray(): Promise<Uint8Array> } | undefined): Promise<Buffer> {
  return Buffer.from((await body?.transformToByteArray()) as Uint8Array);
}

test("a multipart upload completes into one object with the MD5-of-MD5s ETag, readable by part number", async () => {
  const b = await bucket("mpu-basic");
  const client = s3();
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: b, Key: "big.bin", ContentType: "application/x-big", Metadata: { m: "1" } }),
  );
  assert.match(UploadId ?? "", /^[0-9a-f]{52}$/);
  const part1 = Buffer.alloc(5 * MiB, 1);
  const part2 = Buffer.alloc(1234, 2);
  const up1 = await client.send(new UploadPartCommand({ Bucket: b, Key: "big.bin", UploadId, PartNumber: 1, Body: part1 }));
  const up2 = await client.send(new UploadPartCommand({ Bucket: b, Key: "big.bin", UploadId, PartNumber: 2, Body: part2 }));
  assert.equal(up1.ETag, `"${md5(part1).toString("hex")}"`);
  const parts = await client.send(new ListPartsCommand({ Bucket: b, Key: "big.bin", UploadId }));
  assert.deepEqual(
    parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag]),
    [
      [1, part1.length, up1.ETag],
      [2, part2.length, up2.ETag],
    ],
  );
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: b }));
  assert.deepEqual(
    listed.Uploads?.map((u) => [u.Key, u.UploadId]),
    [["big.bin", UploadId]],
  );
  const done = await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: b,
      Key: "big.bin",
      UploadId,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: up1.ETag },
          { PartNumber: 2, ETag: up2.ETag },
        ],
      },
    }),
  );
  const expected = `"${md5(Buffer.concat([md5(part1), md5(part2)])).toString("hex")}-2"`;
  assert.equal(done.ETag, expected);
  assert.equal(done.Key, "big.bin");
  const got = await client.send(new GetObjectCommand({ Bucket: b, Key: "big.bin" }));
  assert.equal(got.ETag, expected);
  assert.equal(got.ContentType, "application/x-big");
  assert.deepEqual(got.Metadata, { m: "1" });
  assert.ok((await bytesOf(got.Body)).equals(Buffer.concat([part1, part2])));
  const second = await client.send(new GetObjectCommand({ Bucket: b, Key: "big.bin", PartNumber: 2 }));
  assert.equal(second.PartsCount, 2);
  assert.equal(second.ContentRange, `bytes ${part1.length}-${part1.length + part2.length - 1}/${part1.length + part2.length}`);
  assert.ok((await bytesOf(second.Body)).equals(part2));
  // The upload is gone once completed.
  await rejectsWith(client.send(new ListPartsCommand({ Bucket: b, Key: "big.bin", UploadId })), "NoSuchUpload", 404);
  assert.equal((await client.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads, undefined);
});

test("CompleteMultipartUpload errors: EntityTooSmall, InvalidPart, InvalidPartOrder, MalformedXML, NoSuchUpload", async () => {
  const b = await bucket("mpu-errors");
  const client = s3();
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  const small1 = await client.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "tiny" }));
  const small2 = await client.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 2, Body: "tiny" }));
  const complete = (parts: Array<{ PartNumber: number; ETag?: string }>, id = UploadId) =>
    client.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: "k", UploadId: id, MultipartUpload: { Parts: parts } }));
  const tooSmall = await rejectsWith(
    complete([
      { PartNumber: 1, ETag: small1.ETag },
      { PartNumber: 2, ETag: small2.ETag },
    ]),
    "EntityTooSmall",
    400,
  );
  assert.equal(tooSmall.message, "Your proposed upload is smaller than the minimum allowed size");
  const invalid = await rejectsWith(complete([{ PartNumber: 1, ETag: '"0000"' }]), "InvalidPart", 400);
  assert.match(invalid.message, /^One or more of the specified parts could not be found/);
  await rejectsWith(complete([{ PartNumber: 3, ETag: small1.ETag }]), "InvalidPart", 400);
  await rejectsWith(
    complete([
      { PartNumber: 2, ETag: small2.ETag },
      { PartNumber: 1, ETag: small1.ETag },
    ]),
    "InvalidPartOrder",
    400,
  );
  await rejectsWith(complete([]), "MalformedXML", 400);
  await rejectsWith(complete([{ PartNumber: 1, ETag: small1.ETag }], "no-such-upload"), "NoSuchUpload", 404);
  await rejectsWith(
    client.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 10001, Body: "x" })),
    "InvalidArgument",
    400,
  );
  // A single small part is fine: the last part has no minimum.
  const done = await complete([{ PartNumber: 1, ETag: small1.ETag }]);
  assert.match(done.ETag ?? "", /-1"$/);
});

test("AbortMultipartUpload discards the upload and its parts", async () => {
  const b = await bucket("mpu-abort");
  const client = s3();
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k" }));
  await client.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "x" }));
  const aborted = await client.send(new AbortMultipartUploadCommand({ Bucket: b, Key: "k", UploadId }));
  assert.equal(aborted.$metadata.httpStatusCode, 204);
  await rejectsWith(client.send(new AbortMultipartUploadCommand({ Bucket: b, Key: "k", UploadId })), "NoSuchUpload", 404);
  await rejectsWith(client.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "x" })), "NoSuchUpload", 404);
  await rejectsWith(client.send(new HeadObjectCommand({ Bucket: b, Key: "k" })), "NotFound", 404);
});

test("UploadPartCopy copies a byte range of another object into a part", async () => {
  const b = await bucket("mpu-copy");
  const client = s3();
  const source = Buffer.from(Array.from({ length: 6 * MiB }, (_, i) => i % 251));
  await client.send(new PutObjectCommand({ Bucket: b, Key: "src", Body: source }));
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "dst" }));
  const p1 = await client.send(
    new UploadPartCopyCommand({
      Bucket: b,
      Key: "dst",
      UploadId,
      PartNumber: 1,
      CopySource: `${b}/src`,
      CopySourceRange: `bytes=0-${5 * MiB - 1}`,
    }),
  );
  const p2 = await client.send(new UploadPartCopyCommand({ Bucket: b, Key: "dst", UploadId, PartNumber: 2, CopySource: `${b}/src` }));
  assert.equal(p2.CopyPartResult?.ETag, `"${md5(source).toString("hex")}"`);
  await rejectsWith(
    client.send(
      new UploadPartCopyCommand({
        Bucket: b,
        Key: "dst",
        UploadId,
        PartNumber: 3,
        CopySource: `${b}/src`,
        CopySourceRange: `bytes=0-${7 * MiB}`,
      }),
    ),
    "InvalidRange",
    416,
  );
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: b,
      Key: "dst",
      UploadId,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: p1.CopyPartResult?.ETag },
          { PartNumber: 2, ETag: p2.CopyPartResult?.ETag },
        ],
      },
    }),
  );
  const got = await bytesOf((await client.send(new GetObjectCommand({ Bucket: b, Key: "dst" }))).Body);
  assert.ok(got.equals(Buffer.concat([source.subarray(0, 5 * MiB), source])));
});

test("checksums on multipart uploads (composite CRC32 `-N`, full-object CRC64NVME) and GetObjectAttributes", async () => {
  const b = await bucket("mpu-checksums");
  const client = s3();
  const part1 = Buffer.alloc(5 * MiB, 7);
  const part2 = Buffer.from("tail");
  for (const [algorithm, type] of [
    ["CRC32", "COMPOSITE"],
    ["CRC64NVME", "FULL_OBJECT"],
  ] as const) {
    const key = `sum-${algorithm}`;
    const { UploadId, ChecksumType } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: b, Key: key, ChecksumAlgorithm: algorithm }),
    );
    assert.equal(ChecksumType, type);
    const up = [];
    for (const [i, body] of [part1, part2].entries()) {
      up.push(
        await client.send(
          new UploadPartCommand({ Bucket: b, Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: algorithm }),
        ),
      );
    }
    const member = `Checksum${algorithm}` as const;
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: b,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: up.map((p, i) => ({ PartNumber: i + 1, ETag: p.ETag, [member]: p[member] })) },
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: b, Key: key, ChecksumMode: "ENABLED" }));
    await bytesOf(got.Body);
    assert.equal(got.ChecksumType, type);
    assert.equal(got[member], done[member]);
    if (type === "COMPOSITE") {
      assert.match(got[member] ?? "", /-2$/);
      const attributes = await client.send(
        new GetObjectAttributesCommand({
          Bucket: b,
          Key: key,
          ObjectAttributes: ["ETag", "Checksum", "ObjectParts", "ObjectSize"],
          MaxParts: 1,
        }),
      );
      assert.equal(attributes.ETag, got.ETag?.replace(/"/g, ""));
      assert.equal(attributes.ObjectSize, part1.length + part2.length);
      assert.equal(attributes.Checksum?.ChecksumCRC32, got[member]);
      assert.equal(attributes.Checksum?.ChecksumType, "COMPOSITE");
      assert.equal(attributes.ObjectParts?.TotalPartsCount, 2);
      assert.equal(attributes.ObjectParts?.IsTruncated, true);
      assert.deepEqual(
        attributes.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumCRC32]),
        [[1, part1.length, up[0].ChecksumCRC32]],
      );
    } else {
      // The SDK validates full-object checksums it receives: a wrong one would have failed the GET.
      assert.match(got[member] ?? "", /^[A-Za-z0-9+/]{11}=$/);
    }
  }
  // A full-object checksum sent with the completion must match the assembled bytes.
  const full = await client.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "full", ChecksumAlgorithm: "CRC64NVME" }));
  const only = await client.send(
    new UploadPartCommand({ Bucket: b, Key: "full", UploadId: full.UploadId, PartNumber: 1, Body: "abc", ChecksumAlgorithm: "CRC64NVME" }),
  );
  await rejectsWith(
    client.send(
      new CompleteMultipartUploadCommand({
        Bucket: b,
        Key: "full",
        UploadId: full.UploadId,
        ChecksumCRC64NVME: "AAAAAAAAAAA=",
        ChecksumType: "FULL_OBJECT",
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: only.ETag }] },
      }),
    ),
    "BadDigest",
    400,
  );
  const plain = await client.send(new PutObjectCommand({ Bucket: b, Key: "plain", Body: "abc", StorageClass: "GLACIER_IR" }));
  const attributes = await client.send(
    new GetObjectAttributesCommand({ Bucket: b, Key: "plain", ObjectAttributes: ["ETag", "StorageClass", "ObjectParts"] }),
  );
  assert.equal(attributes.ETag, plain.ETag?.replace(/"/g, ""));
  assert.equal(attributes.StorageClass, "GLACIER_IR");
  assert.equal(attributes.ObjectParts, undefined);
  assert.equal(attributes.ObjectSize, undefined);
  await rejectsWith(
    client.send(new GetObjectAttributesCommand({ Bucket: b, Key: "plain", ObjectAttributes: ["Colour" as "ETag"] })),
    "InvalidArgument",
    400,
  );
  await rejectsWith(client.send(new GetObjectAttributesCommand({ Bucket: b, Key: "none", ObjectAttributes: ["ETag"] })), "NoSuchKey", 404);
  await rejectsWith(
    client.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "x", ChecksumAlgorithm: "SHA256", ChecksumType: "FULL_OBJECT" })),
    "InvalidRequest",
    400,
  );
});

test("lib-storage Upload sends a >8 MB body as a multipart upload; the object reads back intact", async () => {
  const b = await bucket("mpu-lib-storage");
  const body = Buffer.alloc(12 * MiB);
  for (let i = 0; i < body.length; i += 4096) body.writeUInt32BE(i, i);
  const upload = new Upload({ client: s3(), params: { Bucket: b, Key: "upload.bin", Body: body }, partSize: 5 * MiB, queueSize: 2 });
  const result = await upload.done();
  assert.match(result.ETag ?? "", /-3"$/);
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "upload.bin" }));
  assert.equal(got.ContentLength, body.length);
  assert.ok((await bytesOf(got.Body)).equals(body));
});

test("presigned GET and PUT URLs work with plain fetch", async () => {
  const b = await bucket("presigned");
  const client = s3();
  const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket: b, Key: "signed.txt" }), { expiresIn: 300 });
  const put = await fetch(putUrl, { method: "PUT", body: "via presigned put" });
  assert.equal(put.status, 200);
  const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: b, Key: "signed.txt" }), { expiresIn: 300 });
  const got = await fetch(getUrl);
  assert.equal(got.status, 200);
  assert.equal(await got.text(), "via presigned put");
  const missing = await fetch(await getSignedUrl(client, new GetObjectCommand({ Bucket: b, Key: "absent" }), { expiresIn: 300 }));
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /<Code>NoSuchKey<\/Code>/);
});

test("ListMultipartUploads rolls keys into common prefixes and pages by key and upload id markers", async () => {
  const b = await bucket("mpu-listing");
  const client = s3();
  const start = async (Key: string) => (await client.send(new CreateMultipartUploadCommand({ Bucket: b, Key }))).UploadId as string;
  const first = await start("a/1");
  await start("a/2");
  const twiceA = await start("b");
  const twiceB = await start("b");
  await start("c");
  const rolled = await client.send(new ListMultipartUploadsCommand({ Bucket: b, Delimiter: "/" }));
  assert.deepEqual(
    rolled.CommonPrefixes?.map((p) => p.Prefix),
    ["a/"],
  );
  assert.deepEqual(
    rolled.Uploads?.map((u) => u.Key),
    ["b", "b", "c"],
  );
  const underA = await client.send(new ListMultipartUploadsCommand({ Bucket: b, Prefix: "a/" }));
  assert.deepEqual(underA.Uploads?.map((u) => [u.Key, u.UploadId]).slice(0, 1), [["a/1", first]]);
  assert.equal(underA.Uploads?.length, 2);
  // Page 1 ends on the first upload of "b"; page 2 resumes after that upload, not after the key.
  const [lowId, highId] = [twiceA, twiceB].sort();
  const page1 = await client.send(new ListMultipartUploadsCommand({ Bucket: b, Delimiter: "/", MaxUploads: 2 }));
  assert.equal(page1.IsTruncated, true);
  assert.deepEqual([page1.NextKeyMarker, page1.NextUploadIdMarker], ["b", lowId]);
  const page2 = await client.send(
    new ListMultipartUploadsCommand({
      Bucket: b,
      Delimiter: "/",
      KeyMarker: page1.NextKeyMarker,
      UploadIdMarker: page1.NextUploadIdMarker,
    }),
  );
  assert.deepEqual(
    page2.Uploads?.map((u) => [u.Key, u.UploadId]),
    [
      ["b", highId],
      ["c", page2.Uploads?.[1]?.UploadId],
    ],
  );
  assert.equal(page2.CommonPrefixes, undefined);
  // A key marker alone skips every upload of that key, and a common prefix at or before it.
  const afterB = await client.send(new ListMultipartUploadsCommand({ Bucket: b, Delimiter: "/", KeyMarker: "b" }));
  assert.deepEqual(
    afterB.Uploads?.map((u) => u.Key),
    ["c"],
  );
  assert.equal(afterB.CommonPrefixes, undefined);
});
