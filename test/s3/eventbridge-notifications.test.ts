import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { useServer } from "../helpers.js";
import { createQueue, receiveMessages } from "../lambda/queue-support.js";

// Lifecycle days of 200 ms, so expirations happen within the test.
const server = useServer({ s3LifecycleDayMs: 200, s3LifecycleSweepMs: 50 });
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const sqs = () => new SQSClient(server.clientConfig());
const events = () => new EventBridgeClient(server.clientConfig());

const ACCOUNT = "000000000000";

interface S3Event {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    version: string;
    bucket: { name: string };
    object: { key: string; size?: number; etag?: string; "version-id"?: string; sequencer?: string };
    "request-id": string;
    requester: string;
    "source-ip-address"?: string;
    reason?: string;
    "deletion-type"?: string;
  };
}

/** A queue that receives what a rule on the default bus matches. */
async function ruleToQueue(name: string, pattern: object): Promise<{ url: string; arn: string }> {
  const queue = await createQueue(sqs(), name);
  await events().send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  await events().send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: "queue", Arn: queue.arn }] }));
  return queue;
}

/** Receives `count` events (or what came within `timeoutMs`) and deletes them, so the next read starts empty. */
async function take(url: string, count: number, timeoutMs = 20_000): Promise<S3Event[]> {
  const messages = await receiveMessages(sqs(), url, count, timeoutMs);
  if (messages.length) {
    const Entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string }));
    await sqs().send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries }));
  }
  return messages.map((m) => JSON.parse(m.Body as string) as S3Event);
}

async function eventBridgeBucket(name: string): Promise<void> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  await s3().send(
    new PutBucketNotificationConfigurationCommand({ Bucket: name, NotificationConfiguration: { EventBridgeConfiguration: {} } }),
  );
}

const byKey = (list: S3Event[]) => [...list].sort((a, b) => a.detail.object.key.localeCompare(b.detail.object.key));

test("an object written to a bucket with EventBridge enabled reaches the default bus as AWS's Object Created event", async () => {
  const created = await ruleToQueue("s3-created", { source: ["aws.s3"], "detail-type": ["Object Created"] });
  await eventBridgeBucket("eb-created");
  const config = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: "eb-created" }));
  assert.deepEqual(config.EventBridgeConfiguration, {});

  const put = await s3().send(new PutObjectCommand({ Bucket: "eb-created", Key: "photos/cat 1+2.jpg", Body: "hello" }));
  const [event] = await take(created.url, 1);
  assert.ok(event, "no event arrived");
  assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(event.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  const sequencer = event.detail.object.sequencer as string;
  assert.match(sequencer, /^[0-9A-F]+$/);
  assert.deepEqual(event, {
    version: "0",
    id: event.id,
    "detail-type": "Object Created",
    source: "aws.s3",
    account: ACCOUNT,
    time: event.time,
    region: "us-east-1",
    resources: ["arn:aws:s3:::eb-created"],
    detail: {
      version: "0",
      bucket: { name: "eb-created" },
      // EventBridge carries the key as stored, not URL-encoded as notification records do.
      object: { key: "photos/cat 1+2.jpg", size: 5, etag: (put.ETag as string).replace(/"/g, ""), sequencer },
      "request-id": put.$metadata.requestId,
      requester: ACCOUNT,
      "source-ip-address": event.detail["source-ip-address"],
      reason: "PutObject",
    },
  });
  assert.match(event.detail["source-ip-address"] as string, /^[0-9a-f.:]+$/);
  assert.deepEqual(Object.keys(event), ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]);
});

test("copies and multipart uploads name their API as the reason; later events have greater sequencers", async () => {
  const created = await ruleToQueue("s3-created-reasons", {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    resources: ["arn:aws:s3:::eb-reasons"],
  });
  await eventBridgeBucket("eb-reasons");
  await s3().send(new PutObjectCommand({ Bucket: "eb-reasons", Key: "a", Body: "first" }));
  const [first] = await take(created.url, 1);
  await s3().send(new CopyObjectCommand({ Bucket: "eb-reasons", Key: "b", CopySource: "eb-reasons/a" }));
  const [copied] = await take(created.url, 1);
  assert.equal(copied.detail.reason, "CopyObject");
  assert.deepEqual(copied.detail.object.key, "b");
  assert.equal(copied.detail.object.size, 5);
  assert.ok((copied.detail.object.sequencer as string) > (first.detail.object.sequencer as string));

  const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: "eb-reasons", Key: "big" }));
  const part = await s3().send(new UploadPartCommand({ Bucket: "eb-reasons", Key: "big", UploadId, PartNumber: 1, Body: "parts" }));
  const done = await s3().send(
    new CompleteMultipartUploadCommand({
      Bucket: "eb-reasons",
      Key: "big",
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  const [multipart] = await take(created.url, 1);
  assert.equal(multipart.detail.reason, "CompleteMultipartUpload");
  assert.equal(multipart.detail.object.etag, (done.ETag as string).replace(/"/g, ""));
  assert.match(multipart.detail.object.etag as string, /-1$/);
});

test("deletes produce Object Deleted with the deletion type; versioned buckets name the version or the delete marker", async () => {
  const deleted = await ruleToQueue("s3-deleted", {
    source: ["aws.s3"],
    "detail-type": ["Object Deleted"],
    resources: ["arn:aws:s3:::eb-deletes"],
  });
  await eventBridgeBucket("eb-deletes");
  await s3().send(new PutObjectCommand({ Bucket: "eb-deletes", Key: "gone", Body: "x" }));
  const del = await s3().send(new DeleteObjectCommand({ Bucket: "eb-deletes", Key: "gone" }));
  const [plain] = await take(deleted.url, 1);
  assert.ok(plain, "no Object Deleted event arrived");
  assert.equal(plain["detail-type"], "Object Deleted");
  assert.deepEqual(plain.resources, ["arn:aws:s3:::eb-deletes"]);
  assert.deepEqual(plain.detail.object, { key: "gone", sequencer: plain.detail.object.sequencer });
  assert.equal(plain.detail.reason, "DeleteObject");
  assert.equal(plain.detail["deletion-type"], "Permanently Deleted");
  assert.equal(plain.detail["request-id"], del.$metadata.requestId);

  await s3().send(new PutBucketVersioningCommand({ Bucket: "eb-deletes", VersioningConfiguration: { Status: "Enabled" } }));
  const v1 = await s3().send(new PutObjectCommand({ Bucket: "eb-deletes", Key: "kept", Body: "v1" }));
  const marker = await s3().send(new DeleteObjectCommand({ Bucket: "eb-deletes", Key: "kept" }));
  assert.equal(marker.DeleteMarker, true);
  const [markerEvent] = await take(deleted.url, 1);
  assert.deepEqual(markerEvent.detail.object, {
    key: "kept",
    etag: "d41d8cd98f00b204e9800998ecf8427e",
    "version-id": marker.VersionId,
    sequencer: markerEvent.detail.object.sequencer,
  });
  assert.equal(markerEvent.detail.reason, "DeleteObject");
  assert.equal(markerEvent.detail["deletion-type"], "Delete Marker Created");

  await s3().send(new DeleteObjectCommand({ Bucket: "eb-deletes", Key: "kept", VersionId: v1.VersionId }));
  const [versionEvent] = await take(deleted.url, 1);
  assert.equal(versionEvent.detail.object["version-id"], v1.VersionId);
  assert.equal(versionEvent.detail["deletion-type"], "Permanently Deleted");

  await s3().send(new PutObjectCommand({ Bucket: "eb-deletes", Key: "batch-1", Body: "1" }));
  await s3().send(new PutObjectCommand({ Bucket: "eb-deletes", Key: "batch-2", Body: "2" }));
  await s3().send(new DeleteObjectsCommand({ Bucket: "eb-deletes", Delete: { Objects: [{ Key: "batch-1" }, { Key: "batch-2" }] } }));
  const batch = byKey(await take(deleted.url, 2));
  assert.deepEqual(
    batch.map((e) => [e.detail.object.key, e.detail["deletion-type"]]),
    [
      ["batch-1", "Delete Marker Created"],
      ["batch-2", "Delete Marker Created"],
    ],
  );
});

test("tagging and ACL changes are Object Tags Added, Object Tags Deleted and Object ACL Updated, without a reason", async () => {
  const changes = await ruleToQueue("s3-changes", {
    source: ["aws.s3"],
    "detail-type": ["Object Tags Added", "Object Tags Deleted", "Object ACL Updated"],
  });
  await eventBridgeBucket("eb-changes");
  const put = await s3().send(new PutObjectCommand({ Bucket: "eb-changes", Key: "doc", Body: "text" }));
  const etag = (put.ETag as string).replace(/"/g, "");
  await s3().send(new PutObjectTaggingCommand({ Bucket: "eb-changes", Key: "doc", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
  const [tagged] = await take(changes.url, 1);
  assert.equal(tagged["detail-type"], "Object Tags Added");
  assert.deepEqual(tagged.detail.object, { key: "doc", etag });
  assert.equal(tagged.detail.reason, undefined);
  assert.equal(tagged.detail["deletion-type"], undefined);
  assert.equal(tagged.detail.requester, ACCOUNT);

  await s3().send(new DeleteObjectTaggingCommand({ Bucket: "eb-changes", Key: "doc" }));
  const [untagged] = await take(changes.url, 1);
  assert.equal(untagged["detail-type"], "Object Tags Deleted");

  await s3().send(new PutObjectAclCommand({ Bucket: "eb-changes", Key: "doc", ACL: "private" }));
  const [acl] = await take(changes.url, 1);
  assert.equal(acl["detail-type"], "Object ACL Updated");
  assert.deepEqual(acl.detail.bucket, { name: "eb-changes" });
});

test("EventBridge gets every event whatever the other configurations select; buckets without it send nothing", async () => {
  const all = await ruleToQueue("s3-all", {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    resources: ["arn:aws:s3:::eb-mixed", "arn:aws:s3:::eb-none"],
  });
  const removals = await createQueue(sqs(), "s3-removals-only");
  await s3().send(new CreateBucketCommand({ Bucket: "eb-mixed" }));
  await s3().send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: "eb-mixed",
      SkipDestinationValidation: true,
      NotificationConfiguration: {
        EventBridgeConfiguration: {},
        QueueConfigurations: [{ QueueArn: removals.arn, Events: ["s3:ObjectRemoved:*"] }],
      },
    }),
  );
  await s3().send(new CreateBucketCommand({ Bucket: "eb-none" }));
  await s3().send(new PutObjectCommand({ Bucket: "eb-none", Key: "quiet", Body: "x" }));
  await s3().send(new PutObjectCommand({ Bucket: "eb-mixed", Key: "loud", Body: "x" }));
  const first = await take(all.url, 1);
  // A stray event from eb-none would have been sent first; give it time to arrive before concluding there is none.
  const received = [...first, ...(await take(all.url, 1, 1500))];
  assert.deepEqual(
    received.map((e) => [e.detail.bucket.name, e.detail.object.key]),
    [["eb-mixed", "loud"]],
  );
  const queued = (await receiveMessages(sqs(), removals.url, 2, 1500)).map((m) => JSON.parse(m.Body as string));
  assert.deepEqual(
    queued.map((body) => body.Event ?? body.Records?.[0]?.eventName),
    ["s3:TestEvent"],
    "the queue configuration selects removals only",
  );

  // Turning EventBridge off stops the events.
  await s3().send(new PutBucketNotificationConfigurationCommand({ Bucket: "eb-mixed", NotificationConfiguration: {} }));
  await s3().send(new PutObjectCommand({ Bucket: "eb-mixed", Key: "after", Body: "x" }));
  assert.deepEqual(await take(all.url, 1, 1500), []);
});

test("lifecycle expirations are Object Deleted with reason Lifecycle Expiration, requested by S3 itself", async () => {
  const deleted = await ruleToQueue("s3-expired", {
    source: ["aws.s3"],
    "detail-type": ["Object Deleted"],
    resources: ["arn:aws:s3:::eb-lifecycle"],
  });
  await eventBridgeBucket("eb-lifecycle");
  await s3().send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: "eb-lifecycle",
      LifecycleConfiguration: { Rules: [{ ID: "expire-tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 1 } }] },
    }),
  );
  await s3().send(new PutObjectCommand({ Bucket: "eb-lifecycle", Key: "tmp/scratch", Body: "x" }));
  const [expired] = await take(deleted.url, 1);
  assert.ok(expired, "no Object Deleted event arrived");
  assert.equal(expired.detail.object.key, "tmp/scratch");
  assert.equal(expired.detail.reason, "Lifecycle Expiration");
  assert.equal(expired.detail["deletion-type"], "Permanently Deleted");
  assert.equal(expired.detail.requester, "s3.amazonaws.com");
  assert.equal(expired.detail["source-ip-address"], undefined);
  assert.deepEqual(expired.resources, ["arn:aws:s3:::eb-lifecycle"]);
});

test("a browser POST upload is Object Created with reason PostObject", async () => {
  const created = await ruleToQueue("s3-posted", { source: ["aws.s3"], resources: ["arn:aws:s3:::eb-post"] });
  await eventBridgeBucket("eb-post");
  const { url, fields } = await createPresignedPost(s3(), { Bucket: "eb-post", Key: "form/upload.txt" });
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob(["posted"]), "upload.txt");
  const res = await fetch(url, { method: "POST", body: form });
  assert.equal(res.status, 204);
  const [event] = await take(created.url, 1);
  assert.ok(event, "no event arrived");
  assert.equal(event["detail-type"], "Object Created");
  assert.equal(event.detail.reason, "PostObject");
  assert.deepEqual(
    { key: event.detail.object.key, size: event.detail.object.size, etag: event.detail.object.etag },
    { key: "form/upload.txt", size: 6, etag: (res.headers.get("etag") as string).replace(/"/g, "") },
  );
});
