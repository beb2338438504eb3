import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY);

async function lockedBucket(name: string): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: true }));
  return name;
}

test("a bucket created with object lock is versioned for good and reports its lock configuration", async () => {
  const b = await lockedBucket("lock-config");
  assert.equal((await s3().send(new GetBucketVersioningCommand({ Bucket: b }))).Status, "Enabled");
  await rejectsWith(
    s3().send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } })),
    "InvalidBucketState",
    409,
  );
  const initial = await s3().send(new GetObjectLockConfigurationCommand({ Bucket: b }));
  assert.deepEqual(initial.ObjectLockConfiguration, { ObjectLockEnabled: "Enabled" });
  await s3().send(
    new PutObjectLockConfigurationCommand({
      Bucket: b,
      ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } } },
    }),
  );
  const configured = await s3().send(new GetObjectLockConfigurationCommand({ Bucket: b }));
  assert.deepEqual(configured.ObjectLockConfiguration?.Rule, { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } });
  await rejectsWith(
    s3().send(
      new PutObjectLockConfigurationCommand({
        Bucket: b,
        ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1, Years: 1 } } },
      }),
    ),
    "MalformedXML",
    400,
  );
  await rejectsWith(
    s3().send(
      new PutObjectLockConfigurationCommand({
        Bucket: b,
        ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 0 } } },
      }),
    ),
    "InvalidArgument",
    400,
  );
});

test("object lock needs a versioned bucket; without it lock requests are InvalidRequest", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "lock-plain" }));
  await rejectsWith(
    s3().send(new GetObjectLockConfigurationCommand({ Bucket: "lock-plain" })),
    "ObjectLockConfigurationNotFoundError",
    404,
  );
  await rejectsWith(
    s3().send(
      new PutObjectCommand({
        Bucket: "lock-plain",
        Key: "k",
        Body: "x",
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: inDays(1),
      }),
    ),
    "InvalidRequest",
    400,
  );
  await s3().send(new PutObjectCommand({ Bucket: "lock-plain", Key: "k", Body: "x" }));
  await rejectsWith(s3().send(new GetObjectRetentionCommand({ Bucket: "lock-plain", Key: "k" })), "InvalidRequest", 400);
  await rejectsWith(
    s3().send(new PutObjectLockConfigurationCommand({ Bucket: "lock-plain", ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } })),
    "InvalidBucketState",
    409,
  );
  // An existing bucket can take object lock once versioning is on.
  await s3().send(new PutBucketVersioningCommand({ Bucket: "lock-plain", VersioningConfiguration: { Status: "Enabled" } }));
  await s3().send(
    new PutObjectLockConfigurationCommand({ Bucket: "lock-plain", ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } }),
  );
  assert.equal(
    (await s3().send(new GetObjectLockConfigurationCommand({ Bucket: "lock-plain" }))).ObjectLockConfiguration?.ObjectLockEnabled,
    "Enabled",
  );
});

test("retention and legal hold from PUT headers come back on GET/HEAD and through their own APIs", async () => {
  const b = await lockedBucket("lock-headers");
  const until = inDays(2);
  const put = await s3().send(
    new PutObjectCommand({
      Bucket: b,
      Key: "k",
      Body: "x",
      ObjectLockMode: "COMPLIANCE",
      ObjectLockRetainUntilDate: until,
      ObjectLockLegalHoldStatus: "ON",
    }),
  );
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(head.ObjectLockMode, "COMPLIANCE");
  assert.equal(head.ObjectLockRetainUntilDate?.getTime(), until.getTime());
  assert.equal(head.ObjectLockLegalHoldStatus, "ON");
  const get = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: put.VersionId }));
  assert.equal(get.ObjectLockMode, "COMPLIANCE");
  const retention = await s3().send(new GetObjectRetentionCommand({ Bucket: b, Key: "k" }));
  assert.equal(retention.Retention?.Mode, "COMPLIANCE");
  assert.equal((await s3().send(new GetObjectLegalHoldCommand({ Bucket: b, Key: "k" }))).LegalHold?.Status, "ON");
  const plain = await s3().send(new PutObjectCommand({ Bucket: b, Key: "plain", Body: "x" }));
  await rejectsWith(s3().send(new GetObjectRetentionCommand({ Bucket: b, Key: "plain" })), "NoSuchObjectLockConfiguration", 404);
  await rejectsWith(
    s3().send(new GetObjectLegalHoldCommand({ Bucket: b, Key: "plain", VersionId: plain.VersionId })),
    "NoSuchObjectLockConfiguration",
    404,
  );
  await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k2", Body: "x", ObjectLockMode: "GOVERNANCE" })),
    "InvalidArgument",
    400,
  );
  await rejectsWith(
    s3().send(
      new PutObjectCommand({ Bucket: b, Key: "k2", Body: "x", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: inDays(-1) }),
    ),
    "InvalidArgument",
    400,
  );
});

test("a locked PUT needs Content-MD5 or a checksum", async () => {
  const b = await lockedBucket("lock-digest");
  const raw = await rawRequest(server.endpoint, "PUT", `/${b}/k`, {
    headers: { "x-amz-object-lock-legal-hold": "ON" },
    body: "x",
  });
  assert.equal(raw.status, 400);
  assert.match(raw.text, /<Code>InvalidRequest<\/Code>/);
  assert.match(raw.text, /Content-MD5 OR x-amz-checksum- HTTP header is required/);
  const withMd5 = await rawRequest(server.endpoint, "PUT", `/${b}/k`, {
    headers: { "x-amz-object-lock-legal-hold": "ON", "content-md5": createHash("md5").update("x").digest("base64") },
    body: "x",
  });
  assert.equal(withMd5.status, 200);
  // The SDK's default checksum counts.
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ObjectLockLegalHoldStatus: "ON" }));
  // Default retention makes every PUT a locked one.
  await s3().send(
    new PutObjectLockConfigurationCommand({
      Bucket: b,
      ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Years: 1 } } },
    }),
  );
  assert.equal((await rawRequest(server.endpoint, "PUT", `/${b}/plain`, { body: "x" })).status, 400);
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "plain", Body: "x" }));
  const retention = await s3().send(new GetObjectRetentionCommand({ Bucket: b, Key: "plain" }));
  assert.equal(retention.Retention?.Mode, "GOVERNANCE");
  const days = ((retention.Retention?.RetainUntilDate?.getTime() ?? 0) - Date.now()) / DAY;
  assert.ok(days > 364 && days <= 365, `retained ${days} days`);
});

test("governance retention blocks version deletes unless bypassed; compliance and legal holds always do", async () => {
  const b = await lockedBucket("lock-delete");
  const governed = await s3().send(
    new PutObjectCommand({ Bucket: b, Key: "g", Body: "x", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: inDays(1) }),
  );
  await rejectsWith(s3().send(new DeleteObjectCommand({ Bucket: b, Key: "g", VersionId: governed.VersionId })), "AccessDenied", 403);
  // A delete without a version id only adds a marker, which a lock does not prevent.
  const marker = await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "g" }));
  assert.equal(marker.DeleteMarker, true);
  await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "g", VersionId: governed.VersionId, BypassGovernanceRetention: true }));
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "g", VersionId: governed.VersionId })), "NoSuchVersion", 404);

  const compliant = await s3().send(
    new PutObjectCommand({ Bucket: b, Key: "c", Body: "x", ObjectLockMode: "COMPLIANCE", ObjectLockRetainUntilDate: inDays(1) }),
  );
  await rejectsWith(
    s3().send(new DeleteObjectCommand({ Bucket: b, Key: "c", VersionId: compliant.VersionId, BypassGovernanceRetention: true })),
    "AccessDenied",
    403,
  );
  const held = await s3().send(new PutObjectCommand({ Bucket: b, Key: "h", Body: "x", ObjectLockLegalHoldStatus: "ON" }));
  const batch = await s3().send(
    new DeleteObjectsCommand({
      Bucket: b,
      BypassGovernanceRetention: true,
      Delete: {
        Objects: [
          { Key: "c", VersionId: compliant.VersionId },
          { Key: "h", VersionId: held.VersionId },
        ],
      },
    }),
  );
  assert.deepEqual(
    batch.Errors?.map((e) => [e.Key, e.Code]),
    [
      ["c", "AccessDenied"],
      ["h", "AccessDenied"],
    ],
  );
  await s3().send(new PutObjectLegalHoldCommand({ Bucket: b, Key: "h", VersionId: held.VersionId, LegalHold: { Status: "OFF" } }));
  await s3().send(new DeleteObjectCommand({ Bucket: b, Key: "h", VersionId: held.VersionId }));
});

test("PutObjectRetention extends freely; shortening governance needs the bypass, compliance never", async () => {
  const b = await lockedBucket("lock-retention");
  const governed = await s3().send(new PutObjectCommand({ Bucket: b, Key: "g", Body: "x" }));
  await s3().send(
    new PutObjectRetentionCommand({
      Bucket: b,
      Key: "g",
      VersionId: governed.VersionId,
      Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(2) },
    }),
  );
  await s3().send(new PutObjectRetentionCommand({ Bucket: b, Key: "g", Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(3) } }));
  await rejectsWith(
    s3().send(new PutObjectRetentionCommand({ Bucket: b, Key: "g", Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(1) } })),
    "AccessDenied",
    403,
  );
  await s3().send(
    new PutObjectRetentionCommand({
      Bucket: b,
      Key: "g",
      BypassGovernanceRetention: true,
      Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(1) },
    }),
  );
  // Governance becomes compliance (with the bypass); from then on nothing shortens or weakens it.
  await s3().send(
    new PutObjectRetentionCommand({
      Bucket: b,
      Key: "g",
      BypassGovernanceRetention: true,
      Retention: { Mode: "COMPLIANCE", RetainUntilDate: inDays(2) },
    }),
  );
  await rejectsWith(
    s3().send(
      new PutObjectRetentionCommand({
        Bucket: b,
        Key: "g",
        BypassGovernanceRetention: true,
        Retention: { Mode: "COMPLIANCE", RetainUntilDate: inDays(1) },
      }),
    ),
    "AccessDenied",
    403,
  );
  await rejectsWith(
    s3().send(
      new PutObjectRetentionCommand({
        Bucket: b,
        Key: "g",
        BypassGovernanceRetention: true,
        Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(5) },
      }),
    ),
    "AccessDenied",
    403,
  );
  await s3().send(new PutObjectRetentionCommand({ Bucket: b, Key: "g", Retention: { Mode: "COMPLIANCE", RetainUntilDate: inDays(4) } }));
  assert.equal((await s3().send(new GetObjectRetentionCommand({ Bucket: b, Key: "g" }))).Retention?.Mode, "COMPLIANCE");
  await rejectsWith(
    s3().send(new PutObjectRetentionCommand({ Bucket: b, Key: "g", Retention: { Mode: "GOVERNANCE", RetainUntilDate: inDays(-1) } })),
    "InvalidArgument",
    400,
  );
  await rejectsWith(
    s3().send(new PutObjectLegalHoldCommand({ Bucket: b, Key: "g", LegalHold: { Status: "MAYBE" as "ON" } })),
    "MalformedXML",
    400,
  );
});

test("lock headers work on CreateMultipartUpload and CopyObject", async () => {
  const b = await lockedBucket("lock-mpu-copy");
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "src", Body: "x" }));
  const copy = await s3().send(new CopyObjectCommand({ Bucket: b, Key: "dst", CopySource: `${b}/src`, ObjectLockLegalHoldStatus: "ON" }));
  assert.equal(
    (await s3().send(new GetObjectLegalHoldCommand({ Bucket: b, Key: "dst", VersionId: copy.VersionId }))).LegalHold?.Status,
    "ON",
  );
  const upload = await s3().send(
    new CreateMultipartUploadCommand({ Bucket: b, Key: "m", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: inDays(1) }),
  );
  assert.ok(upload.UploadId);
  // Its parts need a digest too; the SDK's default checksum is one.
  const bare = await rawRequest(server.endpoint, "PUT", `/${b}/m?partNumber=1&uploadId=${upload.UploadId}`, { body: "x" });
  assert.equal(bare.status, 400);
  assert.match(bare.text, /<Code>InvalidRequest<\/Code>/);
  const part = await s3().send(new UploadPartCommand({ Bucket: b, Key: "m", UploadId: upload.UploadId, PartNumber: 1, Body: "x" }));
  const done = await s3().send(
    new CompleteMultipartUploadCommand({
      Bucket: b,
      Key: "m",
      UploadId: upload.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "m", VersionId: done.VersionId }));
  assert.equal(head.ObjectLockMode, "GOVERNANCE");
  await rejectsWith(
    s3().send(
      new CreateMultipartUploadCommand({
        Bucket: b,
        Key: "m",
        ObjectLockMode: "FOREVER" as "GOVERNANCE",
        ObjectLockRetainUntilDate: inDays(1),
      }),
    ),
    "InvalidArgument",
    400,
  );
});
