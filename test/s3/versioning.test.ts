import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { type Overcast, startOvercast } from "../../src/index.js";
import { credentials, rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });

async function versionedBucket(name: string, status: "Enabled" | "Suspended" | "unversioned" = "Enabled"): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  if (status !== "unversioned")
    await s3().send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: status } }));
  return name;
}

const put = (bucket: string, key: string, body: string) => s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
const read = async (bucket: string, key: string, versionId?: string) =>
  (await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }))).Body?.transformToString();

test("GetBucketVersioning reports nothing until configured, then the status and MFA delete setting", async () => {
  const b = await versionedBucket("ver-config", "unversioned");
  const initial = await s3().send(new GetBucketVersioningCommand({ Bucket: b }));
  assert.equal(initial.Status, undefined);
  assert.equal(initial.MFADelete, undefined);
  await s3().send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled", MFADelete: "Disabled" } }));
  const enabled = await s3().send(new GetBucketVersioningCommand({ Bucket: b }));
  assert.equal(enabled.Status, "Enabled");
  assert.equal(enabled.MFADelete, "Disabled");
  await s3().send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } }));
  assert.equal((await s3().send(new GetBucketVersioningCommand({ Bucket: b }))).Status, "Suspended");
  // Turning MFA delete on needs the MFA device's code.
  await rejectsWith(
    s3().send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled", MFADelete: "Enabled" } })),
    "InvalidRequest",
    400,
  );
  await s3().send(
    new PutBucketVersioningCommand({
      Bucket: b,
      MFA: "arn:aws:iam::000000000000:mfa/root 123456",
      VersioningConfiguration: { Status: "Enabled", MFADelete: "Enabled" },
    }),
  );
  assert.equal((await s3().send(new GetBucketVersioningCommand({ Bucket: b }))).MFADelete, "Enabled");
  // With MFA delete on, removing a version for good needs the MFA code too.
  const v1 = await put(b, "k", "x");
  await rejectsWith(s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId })), "AccessDenied", 403);
  await s3().send(
    new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId, MFA: "arn:aws:iam::000000000000:mfa/root 123456" }),
  );
});

test("PutBucketVersioning rejects bad bodies: empty configuration, unknown status, broken XML", async () => {
  const b = await versionedBucket("ver-bad-config", "unversioned");
  await rejectsWith(
    s3().send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: {} })),
    "IllegalVersioningConfigurationException",
    400,
  );
  const unknown = await rawRequest(server.endpoint, "PUT", `/${b}?versioning`, {
    body: '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>On</Status></VersioningConfiguration>',
  });
  assert.equal(unknown.status, 400);
  assert.match(unknown.text, /<Code>MalformedXML<\/Code>/);
  const broken = await rawRequest(server.endpoint, "PUT", `/${b}?versioning`, { body: "<VersioningConfiguration><Status>" });
  assert.equal(broken.status, 400);
  assert.match(broken.text, /<Code>MalformedXML<\/Code>/);
  await rejectsWith(
    s3().send(new PutBucketVersioningCommand({ Bucket: "ver-no-such-bucket", VersioningConfiguration: { Status: "Enabled" } })),
    "NoSuchBucket",
    404,
  );
});

test("each PUT makes a new version with a 32-character id; GET/HEAD read any version; bad ids are errors", async () => {
  const b = await versionedBucket("ver-basic");
  const v1 = await put(b, "doc.txt", "one");
  const v2 = await put(b, "doc.txt", "two");
  assert.match(v1.VersionId ?? "", /^[A-Za-z0-9._-]{32}$/);
  assert.notEqual(v1.VersionId, v2.VersionId);
  assert.equal(await read(b, "doc.txt"), "two");
  assert.equal(await read(b, "doc.txt", v1.VersionId), "one");
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "doc.txt", VersionId: v1.VersionId }));
  assert.equal(head.VersionId, v1.VersionId);
  assert.equal(head.ContentLength, 3);
  const current = await s3().send(new GetObjectCommand({ Bucket: b, Key: "doc.txt" }));
  assert.equal(current.VersionId, v2.VersionId);
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "doc.txt", VersionId: "x".repeat(32) })), "NoSuchVersion", 404);
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "doc.txt", VersionId: "bad" })), "InvalidArgument", 400);
  // Listing objects sees only the current version.
  const listed = await s3().send(new ListObjectsV2Command({ Bucket: b }));
  assert.deepEqual(
    listed.Contents?.map((o) => [o.Key, o.Size]),
    [["doc.txt", 3]],
  );
});

test("DELETE adds a delete marker: GET answers 404 with the marker headers, the marker's id 405, old versions stay", async () => {
  const b = await versionedBucket("ver-markers");
  const v1 = await put(b, "k", "data");
  const deleted = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(deleted.DeleteMarker, true);
  assert.match(deleted.VersionId ?? "", /^[A-Za-z0-9._-]{32}$/);
  const gone = await rawRequest(server.endpoint, "GET", `/${b}/k`);
  assert.equal(gone.status, 404);
  assert.match(gone.text, /<Code>NoSuchKey<\/Code>/);
  assert.equal(gone.headers["x-amz-delete-marker"], "true");
  assert.equal(gone.headers["x-amz-version-id"], deleted.VersionId);
  const headGone = await rawRequest(server.endpoint, "HEAD", `/${b}/k`);
  assert.equal(headGone.status, 404);
  assert.equal(headGone.headers["x-amz-delete-marker"], "true");
  const byMarker = await rawRequest(server.endpoint, "GET", `/${b}/k?versionId=${deleted.VersionId}`);
  assert.equal(byMarker.status, 405);
  assert.match(byMarker.text, /<Code>MethodNotAllowed<\/Code>/);
  assert.equal(byMarker.headers["x-amz-delete-marker"], "true");
  assert.equal(await read(b, "k", v1.VersionId), "data");
  assert.equal((await s3().send(new ListObjectsV2Command({ Bucket: b }))).KeyCount, 0);
  // Deleting the marker by id brings the object back.
  const undo = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: deleted.VersionId }));
  assert.equal(undo.DeleteMarker, true);
  assert.equal(undo.VersionId, deleted.VersionId);
  assert.equal(await read(b, "k"), "data");
  // Deleting the only version by id removes it for good.
  const removed = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId }));
  assert.equal(removed.VersionId, v1.VersionId);
  assert.equal(removed.DeleteMarker, undefined);
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "k" })), "NoSuchKey", 404);
  await rejectsWith(s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: "nope" })), "InvalidArgument", 400);
});

test("deleting the current version by id makes the previous one current", async () => {
  const b = await versionedBucket("ver-promote");
  const v1 = await put(b, "k", "one");
  const v2 = await put(b, "k", "two");
  await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v2.VersionId }));
  const current = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(current.VersionId, v1.VersionId);
  assert.equal(await current.Body?.transformToString(), "one");
});

test("suspended versioning writes and deletes the null version, keeping the versions made before", async () => {
  const b = await versionedBucket("ver-suspended");
  const v1 = await put(b, "k", "versioned");
  await s3().send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } }));
  const n1 = await put(b, "k", "null one");
  assert.equal(n1.VersionId, "null");
  await put(b, "k", "null two");
  const versions = await s3().send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    versions.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size]),
    [
      ["null", true, 8],
      [v1.VersionId, false, 9],
    ],
  );
  assert.equal(await read(b, "k", "null"), "null two");
  const marker = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(marker.DeleteMarker, true);
  assert.equal(marker.VersionId, "null");
  const after = await s3().send(new ListObjectVersionsCommand({ Bucket: b }));
  // The null marker replaced the null version.
  assert.deepEqual(
    after.Versions?.map((v) => v.VersionId),
    [v1.VersionId],
  );
  assert.deepEqual(
    after.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest]),
    [["null", true]],
  );
});

test("objects written before versioning are the null version and stay readable by that id", async () => {
  const b = await versionedBucket("ver-before", "unversioned");
  const plain = await put(b, "k", "old");
  assert.equal(plain.VersionId, undefined);
  const unversioned = await s3().send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    unversioned.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest]),
    [["k", "null", true]],
  );
  await s3().send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }));
  const v2 = await put(b, "k", "new");
  assert.equal(await read(b, "k", "null"), "old");
  const versions = await s3().send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    versions.Versions?.map((v) => [v.VersionId, v.IsLatest]),
    [
      [v2.VersionId, true],
      ["null", false],
    ],
  );
});

test("ListObjectVersions walks keys in order, newest first, with prefix, delimiter and paging markers", async () => {
  const b = await versionedBucket("ver-list");
  const ids: Record<string, string[]> = {};
  for (const key of ["b", "a", "dir/x", "dir/y", "b", "a", "c"]) {
    const out = await put(b, key, key);
    ids[key] = [out.VersionId as string, ...(ids[key] ?? [])];
  }
  const marker = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "c" }));
  const all = await s3().send(new ListObjectVersionsCommand({ Bucket: b }));
  assert.deepEqual(
    all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest]),
    [
      ["a", ids.a[0], true],
      ["a", ids.a[1], false],
      ["b", ids.b[0], true],
      ["b", ids.b[1], false],
      ["c", ids.c[0], false],
      ["dir/x", ids["dir/x"][0], true],
      ["dir/y", ids["dir/y"][0], true],
    ],
  );
  assert.deepEqual(
    all.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest]),
    [["c", marker.VersionId, true]],
  );
  assert.equal(all.Versions?.[0].StorageClass, "STANDARD");
  assert.equal(all.Versions?.[0].ETag, '"0cc175b9c0f1b6a831c399e269772661"');
  const grouped = await s3().send(new ListObjectVersionsCommand({ Bucket: b, Delimiter: "/" }));
  assert.deepEqual(
    grouped.CommonPrefixes?.map((p) => p.Prefix),
    ["dir/"],
  );
  assert.equal(grouped.Versions?.length, 5);
  const prefixed = await s3().send(new ListObjectVersionsCommand({ Bucket: b, Prefix: "dir/" }));
  assert.deepEqual(
    prefixed.Versions?.map((v) => v.Key),
    ["dir/x", "dir/y"],
  );
  // Page by three: markers resume in the middle of a key's versions.
  const seen: string[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = await s3().send(
      new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 3, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
    );
    const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])];
    assert.ok(entries.length <= 3);
    seen.push(...entries.map((v) => `${v.Key}:${v.VersionId}`));
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  assert.equal(seen.length, 8);
  assert.equal(new Set(seen).size, 8);
  await rejectsWith(s3().send(new ListObjectVersionsCommand({ Bucket: b, VersionIdMarker: ids.a[0] })), "InvalidArgument", 400);
});

test("ListObjectVersions with encoding-type=url encodes keys", async () => {
  const b = await versionedBucket("ver-encoded");
  await put(b, "a b+c", "x");
  const raw = await rawRequest(server.endpoint, "GET", `/${b}?versions&encoding-type=url`);
  assert.equal(raw.status, 200);
  assert.match(raw.text, /<Key>a\+b%2Bc<\/Key>/);
  assert.match(raw.text, /<IsLatest>true<\/IsLatest>/);
});

test("DeleteObjects takes version ids and reports delete markers", async () => {
  const b = await versionedBucket("ver-batch");
  const v1 = await put(b, "x", "1");
  await put(b, "y", "2");
  const out = await s3().send(
    new DeleteObjectsCommand({
      Bucket: b,
      Delete: { Objects: [{ Key: "x", VersionId: v1.VersionId }, { Key: "y" }, { Key: "z", VersionId: "bad" }] },
    }),
  );
  const byKey = Object.fromEntries((out.Deleted ?? []).map((d) => [d.Key, d]));
  assert.equal(byKey.x.VersionId, v1.VersionId);
  assert.equal(byKey.x.DeleteMarker, undefined);
  assert.equal(byKey.y.DeleteMarker, true);
  assert.match(byKey.y.DeleteMarkerVersionId ?? "", /^[A-Za-z0-9._-]{32}$/);
  assert.deepEqual(
    out.Errors?.map((e) => [e.Key, e.Code]),
    [["z", "InvalidArgument"]],
  );
  // Removing the marker by id through the batch too.
  const undo = await s3().send(
    new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: "y", VersionId: byKey.y.DeleteMarkerVersionId }] } }),
  );
  assert.equal(undo.Deleted?.[0].DeleteMarker, true);
  assert.equal(undo.Deleted?.[0].DeleteMarkerVersionId, byKey.y.DeleteMarkerVersionId);
  assert.equal(await read(b, "y"), "2");
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "x" })), "NoSuchKey", 404);
});

test("CopyObject copies a chosen version (restoring it on the same key) and names both version ids", async () => {
  const b = await versionedBucket("ver-copy");
  const v1 = await put(b, "k", "first");
  const v2 = await put(b, "k", "second");
  const copy = await s3().send(new CopyObjectCommand({ Bucket: b, Key: "k", CopySource: `${b}/k?versionId=${v1.VersionId}` }));
  assert.equal(copy.CopySourceVersionId, v1.VersionId);
  assert.match(copy.VersionId ?? "", /^[A-Za-z0-9._-]{32}$/);
  assert.notEqual(copy.VersionId, v2.VersionId);
  assert.equal(await read(b, "k"), "first");
  const marker = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  await rejectsWith(s3().send(new CopyObjectCommand({ Bucket: b, Key: "other", CopySource: `${b}/k` })), "NoSuchKey", 404);
  await rejectsWith(
    s3().send(new CopyObjectCommand({ Bucket: b, Key: "other", CopySource: `${b}/k?versionId=${marker.VersionId}` })),
    "InvalidRequest",
    400,
  );
  await rejectsWith(
    s3().send(new CopyObjectCommand({ Bucket: b, Key: "other", CopySource: `${b}/k?versionId=${"z".repeat(32)}` })),
    "NoSuchVersion",
    404,
  );
});

test("tagging and GetObjectAttributes address versions", async () => {
  const b = await versionedBucket("ver-tags");
  const v1 = await put(b, "k", "one");
  const v2 = await put(b, "k", "two!");
  const tagged = await s3().send(
    new PutObjectTaggingCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId, Tagging: { TagSet: [{ Key: "old", Value: "yes" }] } }),
  );
  assert.equal(tagged.VersionId, v1.VersionId);
  const old = await s3().send(new GetObjectTaggingCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId }));
  assert.deepEqual(old.TagSet, [{ Key: "old", Value: "yes" }]);
  assert.equal(old.VersionId, v1.VersionId);
  const current = await s3().send(new GetObjectTaggingCommand({ Bucket: b, Key: "k" }));
  assert.deepEqual(current.TagSet, []);
  assert.equal(current.VersionId, v2.VersionId);
  const attributes = await s3().send(
    new GetObjectAttributesCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId, ObjectAttributes: ["ObjectSize"] }),
  );
  assert.equal(attributes.ObjectSize, 3);
  assert.equal(attributes.VersionId, v1.VersionId);
  await rejectsWith(s3().send(new GetObjectTaggingCommand({ Bucket: b, Key: "k", VersionId: "q".repeat(32) })), "NoSuchVersion", 404);
});

test("a bucket with versions or delete markers left cannot be deleted", async () => {
  const b = await versionedBucket("ver-delete-bucket");
  const v1 = await put(b, "k", "x");
  const marker = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
  await rejectsWith(s3().send(new DeleteBucketCommand({ Bucket: b })), "BucketNotEmpty", 409);
  await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId }));
  await rejectsWith(s3().send(new DeleteBucketCommand({ Bucket: b })), "BucketNotEmpty", 409);
  await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: marker.VersionId }));
  await s3().send(new DeleteBucketCommand({ Bucket: b }));
});

test("versions, delete markers and their bodies survive a restart with a data dir; deleted versions free their bodies", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "overcast-versions-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const client = (cloud: Overcast) =>
    new S3Client({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1, forcePathStyle: true });
  const blobCount = () => readdirSync(join(dataDir, "blobs"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  const ids: string[] = [];
  try {
    const s3 = client(first);
    await s3.send(new CreateBucketCommand({ Bucket: "kept-versions" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "kept-versions", VersioningConfiguration: { Status: "Enabled" } }));
    for (const body of ["one", "two", "three"]) {
      ids.push((await s3.send(new PutObjectCommand({ Bucket: "kept-versions", Key: "k", Body: body }))).VersionId as string);
    }
    await s3.send(new DeleteObjectCommand({ Bucket: "kept-versions", Key: "k" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "kept-versions", Key: "k", VersionId: ids[1] }));
    assert.equal(blobCount(), 2, "the deleted version's body is freed");
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const s3 = client(second);
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: "kept-versions" }));
  assert.deepEqual(
    listed.Versions?.map((v) => [v.VersionId, v.IsLatest]),
    [
      [ids[2], false],
      [ids[0], false],
    ],
  );
  assert.equal(listed.DeleteMarkers?.[0].IsLatest, true);
  await rejectsWith(s3.send(new GetObjectCommand({ Bucket: "kept-versions", Key: "k" })), "NoSuchKey", 404);
  const old = await s3.send(new GetObjectCommand({ Bucket: "kept-versions", Key: "k", VersionId: ids[0] }));
  assert.equal(await old.Body?.transformToString(), "one");
});
