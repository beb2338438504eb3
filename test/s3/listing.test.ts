import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateBucketCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });

async function bucketWith(name: string, keys: string[]): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  for (const key of keys) await s3().send(new PutObjectCommand({ Bucket: name, Key: key, Body: key }));
  return name;
}

const TREE = ["a.txt", "photos/2024/jan.jpg", "photos/2024/feb.jpg", "photos/2025/mar.jpg", "photos/readme", "videos/x.mp4", "z"];

test("ListObjectsV2 lists every key in UTF-8 binary order with sizes, ETags and KeyCount", async () => {
  // Code-point order puts "Z" < "a" < "é" < "😀" (UTF-16 order would put "😀" before "ｅ").
  const keys = ["😀", "ｅ", "é", "a", "Z", "a/b", "a b"];
  const b = await bucketWith("list-order", keys);
  const listed = await s3().send(new ListObjectsV2Command({ Bucket: b }));
  assert.deepEqual(
    listed.Contents?.map((o) => o.Key),
    ["Z", "a", "a b", "a/b", "é", "ｅ", "😀"],
  );
  assert.equal(listed.KeyCount, 7);
  assert.equal(listed.IsTruncated, false);
  assert.equal(listed.MaxKeys, 1000);
  const first = listed.Contents?.[0];
  assert.equal(first?.Size, 1);
  assert.match(first?.ETag ?? "", /^"[0-9a-f]{32}"$/);
  assert.equal(first?.StorageClass, "STANDARD");
  assert.equal(first?.Owner, undefined);
});

test("prefix and delimiter roll deeper keys into CommonPrefixes", async () => {
  const b = await bucketWith("list-delimiter", TREE);
  const top = await s3().send(new ListObjectsV2Command({ Bucket: b, Delimiter: "/" }));
  assert.deepEqual(
    top.Contents?.map((o) => o.Key),
    ["a.txt", "z"],
  );
  assert.deepEqual(
    top.CommonPrefixes?.map((p) => p.Prefix),
    ["photos/", "videos/"],
  );
  assert.equal(top.KeyCount, 4);
  const photos = await s3().send(new ListObjectsV2Command({ Bucket: b, Prefix: "photos/", Delimiter: "/" }));
  assert.deepEqual(
    photos.Contents?.map((o) => o.Key),
    ["photos/readme"],
  );
  assert.deepEqual(
    photos.CommonPrefixes?.map((p) => p.Prefix),
    ["photos/2024/", "photos/2025/"],
  );
  const none = await s3().send(new ListObjectsV2Command({ Bucket: b, Prefix: "nothing/" }));
  assert.equal(none.Contents, undefined);
  assert.equal(none.KeyCount, 0);
});

test("MaxKeys pages with continuation tokens, counting common prefixes; StartAfter skips ahead", async () => {
  const b = await bucketWith("list-pages", TREE);
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = await s3().send(new ListObjectsV2Command({ Bucket: b, Delimiter: "/", MaxKeys: 1, ContinuationToken: token }));
    pages.push([...(page.Contents ?? []).map((o) => o.Key as string), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string)]);
    assert.equal(page.KeyCount, 1);
    token = page.NextContinuationToken;
    assert.equal(page.IsTruncated, token !== undefined);
  } while (token);
  assert.deepEqual(pages, [["a.txt"], ["photos/"], ["videos/"], ["z"]]);
  const after = await s3().send(new ListObjectsV2Command({ Bucket: b, StartAfter: "photos/2025/mar.jpg" }));
  assert.deepEqual(
    after.Contents?.map((o) => o.Key),
    ["photos/readme", "videos/x.mp4", "z"],
  );
  assert.equal(after.StartAfter, "photos/2025/mar.jpg");
  // The SDK's paginator walks the same pages.
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3(), pageSize: 2 }, { Bucket: b })) {
    keys.push(...(page.Contents ?? []).map((o) => o.Key as string));
  }
  assert.deepEqual(keys, [...TREE].sort());
  await rejectsWith(s3().send(new ListObjectsV2Command({ Bucket: b, ContinuationToken: "garbage" })), "InvalidArgument", 400);
});

test("ListObjects v1: Marker, NextMarker only with a delimiter, Owner always", async () => {
  const b = await bucketWith("list-v1", TREE);
  const first = await s3().send(new ListObjectsCommand({ Bucket: b, MaxKeys: 2 }));
  assert.deepEqual(
    first.Contents?.map((o) => o.Key),
    ["a.txt", "photos/2024/feb.jpg"],
  );
  assert.equal(first.IsTruncated, true);
  assert.equal(first.NextMarker, undefined);
  assert.match(first.Contents?.[0].Owner?.ID ?? "", /^[0-9a-f]{64}$/);
  const next = await s3().send(new ListObjectsCommand({ Bucket: b, Marker: "photos/2024/feb.jpg", MaxKeys: 2 }));
  assert.deepEqual(
    next.Contents?.map((o) => o.Key),
    ["photos/2024/jan.jpg", "photos/2025/mar.jpg"],
  );
  const delimited = await s3().send(new ListObjectsCommand({ Bucket: b, Delimiter: "/", MaxKeys: 2 }));
  assert.equal(delimited.NextMarker, "photos/");
  const rest = await s3().send(new ListObjectsCommand({ Bucket: b, Delimiter: "/", Marker: delimited.NextMarker }));
  assert.deepEqual(
    rest.CommonPrefixes?.map((p) => p.Prefix),
    ["videos/"],
  );
  assert.deepEqual(
    rest.Contents?.map((o) => o.Key),
    ["z"],
  );
});

test("FetchOwner adds the owner; encoding-type=url encodes keys; bad parameters are InvalidArgument", async () => {
  const b = await bucketWith("list-encoding", ["sp ace/ü+x"]);
  const owned = await s3().send(new ListObjectsV2Command({ Bucket: b, FetchOwner: true }));
  assert.match(owned.Contents?.[0].Owner?.ID ?? "", /^[0-9a-f]{64}$/);
  const raw = await rawRequest(server.endpoint, "GET", `/${b}?list-type=2&encoding-type=url`);
  assert.match(raw.text, /<Key>sp\+ace\/%C3%BC%2Bx<\/Key>/);
  assert.match(raw.text, /<EncodingType>url<\/EncodingType>/);
  const bad = await rawRequest(server.endpoint, "GET", `/${b}?list-type=2&encoding-type=base64`);
  assert.equal(bad.status, 400);
  assert.match(bad.text, /<Code>InvalidArgument<\/Code><Message>Invalid Encoding Method specified in Request<\/Message>/);
  const negative = await rawRequest(server.endpoint, "GET", `/${b}?list-type=2&max-keys=-1`);
  assert.equal(negative.status, 400);
  await rejectsWith(s3().send(new ListObjectsV2Command({ Bucket: "list-no-bucket" })), "NoSuchBucket", 404);
});

test("listing a large bucket page by page stays in order and complete", async () => {
  const b = "list-large";
  await s3().send(new CreateBucketCommand({ Bucket: b }));
  const client = s3();
  const keys = Array.from({ length: 1500 }, (_, i) => `dir${i % 3}/key-${String(i).padStart(5, "0")}`);
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({ Bucket: b, Key, Body: "" }))));
  }
  const first = await client.send(new ListObjectsV2Command({ Bucket: b }));
  assert.equal(first.KeyCount, 1000);
  assert.equal(first.IsTruncated, true);
  const second = await client.send(new ListObjectsV2Command({ Bucket: b, ContinuationToken: first.NextContinuationToken }));
  assert.equal(second.KeyCount, 500);
  assert.equal(second.IsTruncated, false);
  const all = [...(first.Contents ?? []), ...(second.Contents ?? [])].map((o) => o.Key);
  assert.deepEqual(all, [...keys].sort());
  const prefixes = await client.send(new ListObjectsV2Command({ Bucket: b, Delimiter: "/" }));
  assert.deepEqual(
    prefixes.CommonPrefixes?.map((p) => p.Prefix),
    ["dir0/", "dir1/", "dir2/"],
  );
});
