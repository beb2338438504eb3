import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadObjectCommand,
  type LifecycleRule,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";

// A lifecycle "day" of 200 ms, applied every 50 ms: rules act within a second.
const server = useServer({ s3LifecycleDayMs: 200, s3LifecycleSweepMs: 50 });
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });

let counter = 0;
async function bucketWithRules(rules: LifecycleRule[], versioned = false): Promise<string> {
  const bucket = `lifecycle-${++counter}-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  if (versioned) await s3().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  await s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
  return bucket;
}

async function keys(bucket: string): Promise<string[]> {
  const listed = await s3().send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key as string);
}

/** Polls until `check` holds, for at most 10 s (the machine may be busy). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting until ${what}`);
}

test("lifecycle configurations round-trip with generated IDs and dates; NoSuchLifecycleConfiguration once deleted", async () => {
  const date = new Date("2030-01-01T00:00:00Z");
  const bucket = await bucketWithRules([
    { ID: "expire-tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 3 } },
    { Status: "Disabled", Filter: { Tag: { Key: "kind", Value: "log" } }, Expiration: { Date: date } },
    {
      ID: "archive",
      Status: "Enabled",
      Filter: { And: { Prefix: "data/", ObjectSizeGreaterThan: 1024 } },
      Transitions: [{ Days: 30, StorageClass: "STANDARD_IA" }],
      NoncurrentVersionExpiration: { NoncurrentDays: 7, NewerNoncurrentVersions: 2 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    },
  ]);
  const config = await s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
  assert.equal(config.Rules?.length, 3);
  assert.deepEqual(config.Rules?.[0], { ID: "expire-tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 3 } });
  assert.ok((config.Rules?.[1].ID ?? "").length > 0, "S3 names rules sent without an ID");
  assert.equal(config.Rules?.[1].Expiration?.Date?.toISOString(), date.toISOString());
  assert.deepEqual(config.Rules?.[2].NoncurrentVersionExpiration, { NoncurrentDays: 7, NewerNoncurrentVersions: 2 });
  assert.deepEqual(config.Rules?.[2].Transitions, [{ Days: 30, StorageClass: "STANDARD_IA" }]);
  assert.equal(config.TransitionDefaultMinimumObjectSize, "all_storage_classes_128K");
  await s3().send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
  const err = await rejectsWith(
    s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })),
    "NoSuchLifecycleConfiguration",
    404,
  );
  assert.equal(err.message, "The lifecycle configuration does not exist");
});

test("PutBucketLifecycleConfiguration rejects invalid rules with S3's errors", async () => {
  const bucket = `lifecycle-bad-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  const put = (rules: LifecycleRule[]) =>
    s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
  const base = { Status: "Enabled", Filter: { Prefix: "" } } as const;
  let err = await rejectsWith(put([{ ...base, Expiration: { Days: 0 } }]), "InvalidArgument", 400);
  assert.equal(err.message, "'Days' for Expiration action must be a positive integer");
  err = await rejectsWith(
    put([
      { ...base, ID: "same", Expiration: { Days: 1 } },
      { ...base, ID: "same", Expiration: { Days: 2 } },
    ]),
    "InvalidArgument",
    400,
  );
  assert.equal(err.message, "Rule ID must be unique. Found same ID for more than one rule");
  err = await rejectsWith(put([{ ...base }]), "InvalidRequest", 400);
  assert.equal(err.message, "At least one action needs to be specified in a rule");
  await rejectsWith(put([{ ...base, Expiration: { Days: 1, Date: new Date("2030-01-01T00:00:00Z") } }]), "MalformedXML", 400);
  err = await rejectsWith(put([{ ...base, Expiration: { Date: new Date("2030-01-01T12:00:00Z") } }]), "InvalidArgument", 400);
  assert.equal(err.message, "'Date' must be at midnight GMT");
  err = await rejectsWith(
    put([{ Status: "Enabled", Filter: { Tag: { Key: "a", Value: "b" } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]),
    "InvalidRequest",
    400,
  );
  assert.equal(err.message, "AbortIncompleteMultipartUpload cannot be specified with Tags.");
  err = await rejectsWith(put([{ ...base, NoncurrentVersionExpiration: { NoncurrentDays: 0 } }]), "InvalidArgument", 400);
  assert.equal(err.message, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
  err = await rejectsWith(put([{ ...base, Transitions: [{ Days: 10, StorageClass: "STANDARD_IA" }] }]), "InvalidArgument", 400);
  assert.equal(err.message, "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'");
  await rejectsWith(put([{ Status: "On" as "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } }]), "MalformedXML", 400);
  await rejectsWith(
    put([{ ...base, Filter: { Prefix: "a", Tag: { Key: "k", Value: "v" } }, Expiration: { Days: 1 } }]),
    "MalformedXML",
    400,
  );
  await rejectsWith(put([{ ...base, ID: "x".repeat(256), Expiration: { Days: 1 } }]), "InvalidArgument", 400);
});

test("expiration deletes matching current objects once their days have passed; others stay; x-amz-expiration names the rule", async () => {
  const bucket = await bucketWithRules([
    { ID: "tmp-rule", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 2 } },
    { ID: "tagged", Status: "Enabled", Filter: { Tag: { Key: "scratch", Value: "yes" } }, Expiration: { Days: 1 } },
    { ID: "off", Status: "Disabled", Filter: { Prefix: "keep/" }, Expiration: { Days: 1 } },
  ]);
  const put = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "tmp/a.txt", Body: "a" }));
  assert.match(put.Expiration ?? "", /^expiry-date="[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT", rule-id="tmp-rule"$/);
  const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: "tmp/a.txt" }));
  assert.equal(head.Expiration, put.Expiration);
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "scratch.txt", Body: "s", Tagging: "scratch=yes" }));
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "keep/b.txt", Body: "b" }));
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "other.txt", Body: "c" }));
  const untouched = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: "other.txt" }));
  assert.equal(untouched.Expiration, undefined);
  await eventually(async () => (await keys(bucket)).length === 2, "tmp/a.txt and scratch.txt expire");
  assert.deepEqual(await keys(bucket), ["keep/b.txt", "other.txt"]);
});

test("on a versioned bucket expiration leaves a delete marker, and noncurrent versions expire beyond the newest kept", async () => {
  const bucket = await bucketWithRules(
    [
      { ID: "current", Status: "Enabled", Filter: { Prefix: "gone/" }, Expiration: { Days: 1 } },
      {
        ID: "old",
        Status: "Enabled",
        Filter: { Prefix: "doc/" },
        NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 },
      },
    ],
    true,
  );
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "gone/x", Body: "x" }));
  for (const body of ["v1", "v2", "v3"]) await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "doc/file", Body: body }));
  await eventually(async () => {
    const versions = await s3().send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const gone = versions.DeleteMarkers?.some((m) => m.Key === "gone/x" && m.IsLatest);
    return Boolean(gone) && (versions.Versions ?? []).filter((v) => v.Key === "doc/file").length === 2;
  }, "gone/x gets a delete marker and doc/file keeps two versions");
  const versions = await s3().send(new ListObjectVersionsCommand({ Bucket: bucket }));
  // The expired object's data stays as a noncurrent version behind the marker.
  assert.ok(versions.Versions?.some((v) => v.Key === "gone/x" && !v.IsLatest));
  assert.deepEqual(await keys(bucket), ["doc/file"]);
});

test("a delete marker left without versions is removed by ExpiredObjectDeleteMarker", async () => {
  const bucket = await bucketWithRules(
    [
      {
        ID: "cleanup",
        Status: "Enabled",
        Filter: { Prefix: "m/" },
        Expiration: { ExpiredObjectDeleteMarker: true },
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      },
    ],
    true,
  );
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "m/a", Body: "a" }));
  await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: "m/a" }));
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "n/b", Body: "b" }));
  await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: "n/b" }));
  await eventually(async () => {
    const versions = await s3().send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "m/" }));
    return (versions.Versions ?? []).length === 0 && (versions.DeleteMarkers ?? []).length === 0;
  }, "m/a's version expires and then its lone delete marker goes");
  // Outside the rule's prefix the version and the marker stay.
  const others = await s3().send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "n/" }));
  assert.equal(others.Versions?.length, 1);
  assert.equal(others.DeleteMarkers?.length, 1);
});

test("incomplete multipart uploads are aborted DaysAfterInitiation after they began; their answers name the abort date and rule", async () => {
  const bucket = await bucketWithRules([
    { ID: "abort", Status: "Enabled", Filter: { Prefix: "big/" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
  ]);
  const big = await s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "big/file.bin" }));
  assert.equal(big.AbortRuleId, "abort");
  assert.ok(big.AbortDate instanceof Date && big.AbortDate.getTime() > Date.now() - 60_000);
  const parts = await s3().send(new ListPartsCommand({ Bucket: bucket, Key: "big/file.bin", UploadId: big.UploadId }));
  assert.equal(parts.AbortRuleId, "abort");
  const small = await s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "small/file.bin" }));
  assert.equal(small.AbortRuleId, undefined);
  await eventually(async () => {
    const uploads = await s3().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (uploads.Uploads ?? []).length === 1;
  }, "the big/ upload is aborted");
  const uploads = await s3().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  assert.equal(uploads.Uploads?.[0].Key, "small/file.bin");
});

test("lifecycle expirations are announced as s3:LifecycleExpiration events", async () => {
  const sqs = new SQSClient(server.clientConfig());
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `lifecycle-events-${Date.now()}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const queueArn = Attributes?.QueueArn as string;
  const Policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn }],
  });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy } }));
  const bucket = `lifecycle-events-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  await s3().send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: queueArn, Events: ["s3:LifecycleExpiration:*"] }] },
    }),
  );
  await s3().send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: { Rules: [{ ID: "all", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } }] },
    }),
  );
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "short-lived.txt", Body: "x" }));
  const events: Array<{ eventName: string; userIdentity: { principalId: string }; s3: { object: { key: string } } }> = [];
  await eventually(async () => {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const message of received.Messages ?? []) {
      const body = JSON.parse(message.Body ?? "{}") as { Records?: typeof events };
      events.push(...(body.Records ?? []));
    }
    return events.length > 0;
  }, "the expiration event arrives");
  assert.equal(events[0].eventName, "LifecycleExpiration:Delete");
  assert.equal(events[0].s3.object.key, "short-lived.txt");
  assert.equal(events[0].userIdentity.principalId, "s3.amazonaws.com");
});

test("versions under Object Lock retention are kept while their unlocked neighbours expire", async () => {
  const bucket = `lifecycle-lock-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  await s3().send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [{ ID: "old", Status: "Enabled", Filter: { Prefix: "" }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }],
      },
    }),
  );
  const retainUntil = new Date(Date.now() + 3_600_000);
  await s3().send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: "locked",
      Body: "v1",
      ObjectLockMode: "GOVERNANCE",
      ObjectLockRetainUntilDate: retainUntil,
    }),
  );
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "locked", Body: "v2" }));
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "free", Body: "v1" }));
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "free", Body: "v2" }));
  const versionsOf = async (key: string) =>
    ((await s3().send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }))).Versions ?? []).filter((v) => v.Key === key);
  await eventually(async () => (await versionsOf("free")).length === 1, "free's noncurrent version expires");
  assert.equal((await versionsOf("locked")).length, 2);
});
