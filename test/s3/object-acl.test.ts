import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeletePublicAccessBlockCommand,
  GetObjectAclCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

test("an ACL asked for on upload is refused where ACLs are disabled (the default) and stored where they are enabled", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "acl-default" }));
  const refused = await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: "acl-default", Key: "k", Body: "x", ACL: "public-read" })),
    "AccessControlListNotSupported",
    400,
  );
  assert.match(refused.message, /does not allow ACLs/);

  await s3().send(new CreateBucketCommand({ Bucket: "acl-writer", ObjectOwnership: "ObjectWriter" }));
  // New buckets block public ACLs too.
  await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: "acl-writer", Key: "blocked", Body: "x", ACL: "public-read" })),
    "AccessDenied",
    403,
  );
  await s3().send(new DeletePublicAccessBlockCommand({ Bucket: "acl-writer" }));
  await s3().send(new PutObjectCommand({ Bucket: "acl-writer", Key: "put", Body: "x", ACL: "public-read" }));
  const put = await s3().send(new GetObjectAclCommand({ Bucket: "acl-writer", Key: "put" }));
  assert.ok(put.Grants?.some((g) => g.Grantee?.URI === ALL_USERS && g.Permission === "READ"));

  await s3().send(new CreateMultipartUploadCommand({ Bucket: "acl-writer", Key: "mpu", ACL: "public-read" }));
  // A copy takes the ACL of its own request: without one, the copy is private even from a public source.
  await s3().send(new CopyObjectCommand({ Bucket: "acl-writer", Key: "copy", CopySource: "acl-writer/put" }));
  const copy = await s3().send(new GetObjectAclCommand({ Bucket: "acl-writer", Key: "copy" }));
  assert.ok(!copy.Grants?.some((g) => g.Grantee?.URI === ALL_USERS));
});
