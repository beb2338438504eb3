import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";
import { CreateBucketCommand, DeleteBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = (region = "us-east-1", accessKeyId = "test") =>
  new S3Client({ ...server.clientConfig(region), forcePathStyle: true, credentials: { accessKeyId, secretAccessKey: "test" } });

/** Resolves every host name to this machine, so the SDK can use LocalStack-style virtual-hosted names without DNS. */
const loopbackAgent = new http.Agent({
  lookup: (_host, options, callback) => {
    const cb = callback as (err: null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
    if ((options as { all?: boolean }).all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
    else cb(null, "127.0.0.1", 4);
  },
});

const virtualHosted = (region = "us-east-1") =>
  new S3Client({
    ...server.clientConfig(region),
    endpoint: `http://s3.localhost.localstack.cloud:${new URL(server.endpoint).port}`,
    forcePathStyle: false,
    requestHandler: { httpAgent: loopbackAgent },
  });

test("CreateBucket in us-east-1 answers with a /bucket Location, and ListBuckets shows it with its creation date", async () => {
  const before = Date.now();
  const created = await s3().send(new CreateBucketCommand({ Bucket: "first-bucket" }));
  assert.equal(created.Location, "/first-bucket");
  const listed = await s3().send(new ListBucketsCommand({}));
  const bucket = listed.Buckets?.find((b) => b.Name === "first-bucket");
  assert.ok(bucket?.CreationDate instanceof Date);
  assert.ok(bucket.CreationDate.getTime() >= before - 1000 && bucket.CreationDate.getTime() <= Date.now());
  // The unpaginated form lists no regions.
  assert.equal(bucket.BucketRegion, undefined);
  assert.match(listed.Owner?.ID ?? "", /^[0-9a-f]{64}$/);
});

test("re-creating your own us-east-1 bucket succeeds (legacy), elsewhere it is BucketAlreadyOwnedByYou", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "owned-twice" }));
  const again = await s3().send(new CreateBucketCommand({ Bucket: "owned-twice" }));
  assert.equal(again.Location, "/owned-twice");
  const west = s3("eu-west-1");
  await west.send(new CreateBucketCommand({ Bucket: "owned-west", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
  const err = await rejectsWith(
    west.send(new CreateBucketCommand({ Bucket: "owned-west", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })),
    "BucketAlreadyOwnedByYou",
    409,
  );
  assert.equal(err.message, "Your previous request to create the named bucket succeeded and you already own it.");
  assert.equal((err as unknown as { BucketName?: string }).BucketName, "owned-west");
});

test("bucket names are global: another account gets BucketAlreadyExists and cannot see or delete the bucket", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "shared-name" }));
  const other = s3("us-east-1", "111122223333");
  await rejectsWith(other.send(new CreateBucketCommand({ Bucket: "shared-name" })), "BucketAlreadyExists", 409);
  const listed = await other.send(new ListBucketsCommand({}));
  assert.equal(
    listed.Buckets?.some((b) => b.Name === "shared-name"),
    false,
  );
  await rejectsWith(other.send(new DeleteBucketCommand({ Bucket: "shared-name" })), "AccessDenied", 403);
  const head = await other
    .send(new HeadBucketCommand({ Bucket: "shared-name" }))
    .catch((e: { $metadata: { httpStatusCode?: number } }) => e);
  assert.equal((head as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode, 403);
});

test("LocationConstraint rules: regional endpoints need their own region, us-east-1 takes none for itself", async () => {
  const west = s3("eu-west-1");
  // The JS SDK fills in the client's region as the constraint (the unspecified case is in test/rest/s3-wire.test.ts).
  await west.send(new CreateBucketCommand({ Bucket: "sdk-filled-constraint" }));
  assert.equal((await west.send(new HeadBucketCommand({ Bucket: "sdk-filled-constraint" }))).BucketRegion, "eu-west-1");
  const mismatch = await rejectsWith(
    west.send(new CreateBucketCommand({ Bucket: "wrong-constraint", CreateBucketConfiguration: { LocationConstraint: "us-west-2" } })),
    "IllegalLocationConstraintException",
    400,
  );
  assert.equal(
    mismatch.message,
    "The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to.",
  );
  await rejectsWith(
    s3().send(
      new CreateBucketCommand({ Bucket: "explicit-east", CreateBucketConfiguration: { LocationConstraint: "us-east-1" as never } }),
    ),
    "InvalidLocationConstraint",
    400,
  );
  // The us-east-1 endpoint creates buckets in any region a constraint names.
  const created = await s3().send(
    new CreateBucketCommand({ Bucket: "made-in-east", CreateBucketConfiguration: { LocationConstraint: "ap-south-1" } }),
  );
  assert.match(created.Location ?? "", /^http:\/\/made-in-east\.s3\.localhost\.localstack\.cloud:\d+\/$/);
  const head = await s3().send(new HeadBucketCommand({ Bucket: "made-in-east" }));
  assert.equal(head.BucketRegion, "ap-south-1");
  const eu = await s3("eu-west-1").send(
    new CreateBucketCommand({ Bucket: "legacy-eu", CreateBucketConfiguration: { LocationConstraint: "EU" } }),
  );
  assert.ok(eu.Location);
  assert.equal((await s3().send(new HeadBucketCommand({ Bucket: "legacy-eu" }))).BucketRegion, "eu-west-1");
});

test("invalid bucket names are InvalidBucketName with the name echoed", async () => {
  for (const name of [
    "ab",
    "a".repeat(64),
    "Upper-case",
    "under_score",
    "-leading",
    "trailing-",
    "two..dots",
    "192.168.5.4",
    "xn--punycode",
    "name-s3alias",
  ]) {
    const err = await rejectsWith(s3().send(new CreateBucketCommand({ Bucket: name })), "InvalidBucketName", 400);
    assert.equal(err.message, "The specified bucket is not valid.");
    assert.equal((err as unknown as { BucketName?: string }).BucketName, name);
  }
  await s3().send(new CreateBucketCommand({ Bucket: "a.b-c.123" }));
});

test("ACLs are refused under the default BucketOwnerEnforced ownership, accepted with ObjectWriter", async () => {
  const err = await rejectsWith(
    s3().send(new CreateBucketCommand({ Bucket: "acl-bucket", ACL: "public-read" })),
    "InvalidBucketAclWithObjectOwnership",
    400,
  );
  assert.equal(err.message, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
  await s3().send(new CreateBucketCommand({ Bucket: "acl-private", ACL: "private" }));
  await s3().send(new CreateBucketCommand({ Bucket: "acl-writer", ACL: "public-read", ObjectOwnership: "ObjectWriter" }));
});

test("ListBuckets paginates with max-buckets and continuation tokens, filters by prefix and region", async () => {
  const client = s3("us-east-1", "222233334444");
  for (const name of ["page-a", "page-b", "page-c", "other-x"]) await client.send(new CreateBucketCommand({ Bucket: name }));
  await s3("eu-central-1", "222233334444").send(
    new CreateBucketCommand({ Bucket: "page-eu", CreateBucketConfiguration: { LocationConstraint: "eu-central-1" } }),
  );
  const first = await client.send(new ListBucketsCommand({ Prefix: "page-", MaxBuckets: 2 }));
  assert.deepEqual(
    first.Buckets?.map((b) => b.Name),
    ["page-a", "page-b"],
  );
  assert.deepEqual(
    first.Buckets?.map((b) => b.BucketRegion),
    ["us-east-1", "us-east-1"],
  );
  assert.equal(first.Prefix, "page-");
  assert.ok(first.ContinuationToken);
  const second = await client.send(new ListBucketsCommand({ Prefix: "page-", MaxBuckets: 2, ContinuationToken: first.ContinuationToken }));
  assert.deepEqual(
    second.Buckets?.map((b) => b.Name),
    ["page-c", "page-eu"],
  );
  assert.equal(second.ContinuationToken, undefined);
  const eu = await client.send(new ListBucketsCommand({ BucketRegion: "eu-central-1" }));
  assert.deepEqual(
    eu.Buckets?.map((b) => b.Name),
    ["page-eu"],
  );
  const all = await client.send(new ListBucketsCommand({}));
  assert.deepEqual(
    all.Buckets?.map((b) => b.Name),
    ["other-x", "page-a", "page-b", "page-c", "page-eu"],
  );
  const bad = await rejectsWith(client.send(new ListBucketsCommand({ MaxBuckets: 10_001 })), "InvalidArgument", 400);
  assert.match(bad.message, /max-buckets/);
  await rejectsWith(client.send(new ListBucketsCommand({ ContinuationToken: "garbage" })), "InvalidArgument", 400);
});

test("HeadBucket gives the region; a missing bucket is a bodiless 404 (NotFound)", async () => {
  await s3("us-west-2").send(
    new CreateBucketCommand({ Bucket: "head-me", CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }),
  );
  const head = await s3("us-west-2").send(new HeadBucketCommand({ Bucket: "head-me" }));
  assert.equal(head.BucketRegion, "us-west-2");
  assert.equal(head.AccessPointAlias, false);
  await rejectsWith(s3().send(new HeadBucketCommand({ Bucket: "no-such-head" })), "NotFound", 404);
  const denied = await s3("us-west-2")
    .send(new HeadBucketCommand({ Bucket: "head-me", ExpectedBucketOwner: "999999999999" }))
    .then(
      () => undefined,
      (e: { $metadata: { httpStatusCode?: number } }) => e,
    );
  assert.equal(denied?.$metadata.httpStatusCode, 403);
});

test("DeleteBucket answers 204 and the bucket is gone; deleting again is NoSuchBucket", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "delete-me" }));
  const deleted = await s3().send(new DeleteBucketCommand({ Bucket: "delete-me" }));
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  const err = await rejectsWith(s3().send(new DeleteBucketCommand({ Bucket: "delete-me" })), "NoSuchBucket", 404);
  assert.equal(err.message, "The specified bucket does not exist");
  assert.equal((err as unknown as { BucketName?: string }).BucketName, "delete-me");
  // The name is free again, for anyone.
  await s3("us-east-1", "111122223333").send(new CreateBucketCommand({ Bucket: "delete-me" }));
});

test("virtual-hosted-style requests through the SDK: bucket from the host name", async () => {
  const client = virtualHosted();
  await client.send(new CreateBucketCommand({ Bucket: "vhost-bucket" }));
  const head = await client.send(new HeadBucketCommand({ Bucket: "vhost-bucket" }));
  assert.equal(head.BucketRegion, "us-east-1");
  const listed = await client.send(new ListBucketsCommand({ Prefix: "vhost-" }));
  assert.deepEqual(
    listed.Buckets?.map((b) => b.Name),
    ["vhost-bucket"],
  );
  await client.send(new DeleteBucketCommand({ Bucket: "vhost-bucket" }));
  await rejectsWith(client.send(new DeleteBucketCommand({ Bucket: "vhost-bucket" })), "NoSuchBucket", 404);
});
