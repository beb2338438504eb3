import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = (region = "us-east-1") => new S3Client({ ...server.clientConfig(region), forcePathStyle: true });

async function bucket(name: string): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

test("DeleteObjects deletes each key, reports missing keys as deleted, and quiet mode lists only errors", async () => {
  const b = await bucket("batch-delete");
  for (const key of ["a", "b", "c", "d"]) await s3().send(new PutObjectCommand({ Bucket: b, Key: key, Body: key }));
  const out = await s3().send(
    new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: "a" }, { Key: "b" }, { Key: "missing" }] } }),
  );
  assert.deepEqual(
    out.Deleted?.map((d) => d.Key),
    ["a", "b", "missing"],
  );
  assert.equal(out.Errors, undefined);
  const quiet = await s3().send(
    new DeleteObjectsCommand({ Bucket: b, Delete: { Quiet: true, Objects: [{ Key: "c" }, { Key: "d", ETag: '"wrong"' }] } }),
  );
  assert.equal(quiet.Deleted, undefined);
  assert.deepEqual(
    quiet.Errors?.map((e) => [e.Key, e.Code]),
    [["d", "PreconditionFailed"]],
  );
  const left = await s3().send(new ListObjectsV2Command({ Bucket: b }));
  assert.deepEqual(
    left.Contents?.map((o) => o.Key),
    ["d"],
  );
  const tooMany = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));
  await rejectsWith(s3().send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: tooMany } })), "MalformedXML", 400);
  const garbage = await rawRequest(server.endpoint, "POST", `/${b}?delete`, { body: "<Delete><Object>" });
  assert.equal(garbage.status, 400);
  assert.match(garbage.text, /<Code>MalformedXML<\/Code>/);
});

test("CopyObject copies body and metadata (COPY) or takes new ones (REPLACE); URL-encoded sources work", async () => {
  const b = await bucket("copy-source");
  const dest = await bucket("copy-dest");
  await s3().send(
    new PutObjectCommand({
      Bucket: b,
      Key: "dir/ü file.txt",
      Body: "payload",
      ContentType: "text/plain",
      Metadata: { a: "1" },
      Tagging: "t=1",
    }),
  );
  const copied = await s3().send(
    new CopyObjectCommand({ Bucket: dest, Key: "copy", CopySource: `${b}/${encodeURIComponent("dir/ü file.txt")}` }),
  );
  const source = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "dir/ü file.txt" }));
  assert.equal(copied.CopyObjectResult?.ETag, source.ETag);
  assert.ok(copied.CopyObjectResult?.LastModified instanceof Date);
  const got = await s3().send(new GetObjectCommand({ Bucket: dest, Key: "copy" }));
  assert.equal(await got.Body?.transformToString(), "payload");
  assert.equal(got.ContentType, "text/plain");
  assert.deepEqual(got.Metadata, { a: "1" });
  assert.equal(got.TagCount, 1);
  await s3().send(
    new CopyObjectCommand({
      Bucket: dest,
      Key: "replaced",
      CopySource: `/${b}/${encodeURIComponent("dir/ü file.txt")}`,
      MetadataDirective: "REPLACE",
      Metadata: { b: "2" },
      ContentType: "application/json",
      TaggingDirective: "REPLACE",
      Tagging: "x=y&z=w",
    }),
  );
  const replaced = await s3().send(new HeadObjectCommand({ Bucket: dest, Key: "replaced" }));
  assert.deepEqual(replaced.Metadata, { b: "2" });
  assert.equal(replaced.ContentType, "application/json");
  const tags = await s3().send(new GetObjectTaggingCommand({ Bucket: dest, Key: "replaced" }));
  assert.deepEqual(tags.TagSet, [
    { Key: "x", Value: "y" },
    { Key: "z", Value: "w" },
  ]);
});

test("CopyObject errors: same key without changes, missing source, failed copy-source conditions", async () => {
  const b = await bucket("copy-errors");
  const { ETag } = await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "v" }));
  const illegal = await rejectsWith(s3().send(new CopyObjectCommand({ Bucket: b, Key: "k", CopySource: `${b}/k` })), "InvalidRequest", 400);
  assert.match(illegal.message, /^This copy request is illegal because it is trying to copy an object to itself without changing/);
  // Replacing the metadata makes a self-copy legal.
  await s3().send(new CopyObjectCommand({ Bucket: b, Key: "k", CopySource: `${b}/k`, MetadataDirective: "REPLACE", Metadata: { n: "1" } }));
  assert.deepEqual((await s3().send(new HeadObjectCommand({ Bucket: b, Key: "k" }))).Metadata, { n: "1" });
  await rejectsWith(s3().send(new CopyObjectCommand({ Bucket: b, Key: "c", CopySource: `${b}/absent` })), "NoSuchKey", 404);
  await rejectsWith(s3().send(new CopyObjectCommand({ Bucket: b, Key: "c", CopySource: "copy-nobucket/absent" })), "NoSuchBucket", 404);
  await rejectsWith(
    s3().send(new CopyObjectCommand({ Bucket: b, Key: "c", CopySource: `${b}/k`, CopySourceIfMatch: '"other"' })),
    "PreconditionFailed",
    412,
  );
  await rejectsWith(
    s3().send(new CopyObjectCommand({ Bucket: b, Key: "c", CopySource: `${b}/k`, CopySourceIfNoneMatch: ETag })),
    "PreconditionFailed",
    412,
  );
  await rejectsWith(
    s3().send(new CopyObjectCommand({ Bucket: b, Key: "c", CopySource: `${b}/k`, MetadataDirective: "MOVE" as "COPY" })),
    "InvalidArgument",
    400,
  );
});

test("object tagging: x-amz-tagging on PUT, Put/Get/DeleteObjectTagging, and the tag rules", async () => {
  const b = await bucket("tagging");
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "v", Tagging: "project=alpha&empty=" }));
  const initial = await s3().send(new GetObjectTaggingCommand({ Bucket: b, Key: "k" }));
  assert.deepEqual(initial.TagSet, [
    { Key: "project", Value: "alpha" },
    { Key: "empty", Value: "" },
  ]);
  const head = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(head.TagCount, 2);
  await head.Body?.transformToString();
  await s3().send(new PutObjectTaggingCommand({ Bucket: b, Key: "k", Tagging: { TagSet: [{ Key: "new", Value: "tag" }] } }));
  assert.deepEqual((await s3().send(new GetObjectTaggingCommand({ Bucket: b, Key: "k" }))).TagSet, [{ Key: "new", Value: "tag" }]);
  const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
  const tooMany = await rejectsWith(
    s3().send(new PutObjectTaggingCommand({ Bucket: b, Key: "k", Tagging: { TagSet: eleven } })),
    "BadRequest",
    400,
  );
  assert.equal(tooMany.message, "Object tags cannot be greater than 10");
  await rejectsWith(
    s3().send(new PutObjectTaggingCommand({ Bucket: b, Key: "k", Tagging: { TagSet: [{ Key: "k".repeat(129), Value: "v" }] } })),
    "InvalidTag",
    400,
  );
  await rejectsWith(
    s3().send(new PutObjectTaggingCommand({ Bucket: b, Key: "k", Tagging: { TagSet: [{ Key: "k", Value: "v".repeat(257) }] } })),
    "InvalidTag",
    400,
  );
  await rejectsWith(
    s3().send(
      new PutObjectTaggingCommand({
        Bucket: b,
        Key: "k",
        Tagging: {
          TagSet: [
            { Key: "d", Value: "1" },
            { Key: "d", Value: "2" },
          ],
        },
      }),
    ),
    "InvalidTag",
    400,
  );
  await rejectsWith(s3().send(new PutObjectCommand({ Bucket: b, Key: "x", Body: "v", Tagging: "aws:reserved=1" })), "InvalidTag", 400);
  await s3().send(new DeleteObjectTaggingCommand({ Bucket: b, Key: "k" }));
  assert.deepEqual((await s3().send(new GetObjectTaggingCommand({ Bucket: b, Key: "k" }))).TagSet ?? [], []);
  await rejectsWith(s3().send(new GetObjectTaggingCommand({ Bucket: b, Key: "absent" })), "NoSuchKey", 404);
});

test("GetBucketLocation: empty for us-east-1, the region elsewhere, as a bare LocationConstraint document", async () => {
  await bucket("location-east");
  const east = await s3().send(new GetBucketLocationCommand({ Bucket: "location-east" }));
  assert.equal(east.LocationConstraint, undefined);
  await s3("eu-west-2").send(
    new CreateBucketCommand({ Bucket: "location-west", CreateBucketConfiguration: { LocationConstraint: "eu-west-2" } }),
  );
  const west = await s3("eu-west-2").send(new GetBucketLocationCommand({ Bucket: "location-west" }));
  assert.equal(west.LocationConstraint, "eu-west-2");
  const raw = await rawRequest(server.endpoint, "GET", "/location-west?location");
  assert.equal(
    raw.text,
    '<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-2</LocationConstraint>',
  );
  await rejectsWith(s3().send(new GetBucketLocationCommand({ Bucket: "location-none" })), "NoSuchBucket", 404);
});
