import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type Event,
  type NotificationConfiguration,
  type QueueConfiguration,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SetTopicAttributesCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const sqs = () => new SQSClient(server.clientConfig());
const sns = () => new SNSClient(server.clientConfig());

/** A queue whose policy lets S3 send from any bucket of the account: what AWS requires of a destination. */
async function s3Queue(name: string, allow = true): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const arn = Attributes?.QueueArn as string;
  if (allow) {
    const Policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: arn,
          Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::*" } },
        },
      ],
    });
    await sqs().send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy } }));
  }
  return { url: QueueUrl as string, arn };
}

interface S3EventRecord {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: string;
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

/** Receives until `count` message bodies arrived (or 30 s passed). */
async function receive(url: string, count: number): Promise<unknown[]> {
  const bodies: unknown[] = [];
  const deadline = Date.now() + 30_000;
  while (bodies.length < count && Date.now() < deadline) {
    const out = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of out.Messages ?? []) bodies.push(JSON.parse(m.Body as string));
  }
  return bodies;
}

const records = (bodies: unknown[]) => bodies.flatMap((b) => (b as { Records?: S3EventRecord[] }).Records ?? []);

test("a queue configuration is stored with a generated Id, sends s3:TestEvent, and delivers AWS's event JSON", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "notify-basic" }));
  const queue = await s3Queue("notify-basic");
  await s3().send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: "notify-basic",
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: queue.arn,
            Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "in/" }] } },
          },
        ],
      },
    }),
  );
  const got = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: "notify-basic" }));
  const config = got.QueueConfigurations?.[0];
  assert.equal(config?.QueueArn, queue.arn);
  assert.deepEqual(config?.Events, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]);
  assert.deepEqual(config?.Filter?.Key?.FilterRules, [{ Name: "prefix", Value: "in/" }]);
  assert.ok(config?.Id && config.Id.length > 10);

  const [testEvent] = await receive(queue.url, 1);
  assert.deepEqual(Object.keys(testEvent as object).sort(), ["Bucket", "Event", "HostId", "RequestId", "Service", "Time"]);
  assert.equal((testEvent as { Event: string }).Event, "s3:TestEvent");
  assert.equal((testEvent as { Service: string }).Service, "Amazon S3");
  assert.equal((testEvent as { Bucket: string }).Bucket, "notify-basic");

  await s3().send(new PutObjectCommand({ Bucket: "notify-basic", Key: "out/ignored.txt", Body: "x" }));
  const put = await s3().send(new PutObjectCommand({ Bucket: "notify-basic", Key: "in/hello world+ü.txt", Body: "hello" }));
  const [event] = records(await receive(queue.url, 1));
  assert.equal(event.eventVersion, "2.1");
  assert.equal(event.eventSource, "aws:s3");
  assert.equal(event.awsRegion, "us-east-1");
  assert.equal(event.eventName, "ObjectCreated:Put");
  assert.match(event.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(event.userIdentity.principalId);
  assert.ok(event.requestParameters.sourceIPAddress);
  assert.ok(event.responseElements["x-amz-request-id"]);
  assert.ok(event.responseElements["x-amz-id-2"]);
  assert.equal(event.s3.s3SchemaVersion, "1.0");
  assert.equal(event.s3.configurationId, config?.Id);
  assert.equal(event.s3.bucket.name, "notify-basic");
  assert.equal(event.s3.bucket.arn, "arn:aws:s3:::notify-basic");
  assert.ok(event.s3.bucket.ownerIdentity.principalId);
  assert.equal(event.s3.object.key, "in/hello+world%2B%C3%BC.txt");
  assert.equal(event.s3.object.size, 5);
  assert.equal(event.s3.object.eTag, (put.ETag as string).replace(/"/g, ""));
  assert.equal(event.s3.object.versionId, undefined);
  assert.match(event.s3.object.sequencer, /^[0-9A-F]{16,}$/);

  await s3().send(new DeleteObjectCommand({ Bucket: "notify-basic", Key: "in/hello world+ü.txt" }));
  const [removed] = records(await receive(queue.url, 1));
  assert.equal(removed.eventName, "ObjectRemoved:Delete");
  assert.equal(removed.s3.object.size, undefined);
  assert.equal(removed.s3.object.eTag, undefined);
  assert.ok(removed.s3.object.sequencer > event.s3.object.sequencer);
});

test("copy, multipart completion, batch deletes and tagging emit their own event names", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "notify-kinds" }));
  const queue = await s3Queue("notify-kinds");
  await s3().send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: "notify-kinds",
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: "all",
            QueueArn: queue.arn,
            Events: ["s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:Delete", "s3:ObjectTagging:*"],
          },
        ],
      },
    }),
  );
  await receive(queue.url, 1); // the test event
  await s3().send(new PutObjectCommand({ Bucket: "notify-kinds", Key: "a", Body: "aaa" })); // Put is not configured
  await s3().send(new CopyObjectCommand({ Bucket: "notify-kinds", Key: "b", CopySource: "notify-kinds/a" }));
  const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: "notify-kinds", Key: "c" }));
  const part = await s3().send(new UploadPartCommand({ Bucket: "notify-kinds", Key: "c", UploadId, PartNumber: 1, Body: "part" }));
  await s3().send(
    new CompleteMultipartUploadCommand({
      Bucket: "notify-kinds",
      Key: "c",
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  await s3().send(new PutObjectTaggingCommand({ Bucket: "notify-kinds", Key: "a", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
  await s3().send(new DeleteObjectsCommand({ Bucket: "notify-kinds", Delete: { Objects: [{ Key: "a" }, { Key: "b" }], Quiet: true } }));
  const events = records(await receive(queue.url, 5));
  const names = events.map((e) => `${e.eventName} ${e.s3.object.key}`).sort();
  assert.deepEqual(names, [
    "ObjectCreated:CompleteMultipartUpload c",
    "ObjectCreated:Copy b",
    "ObjectRemoved:Delete a",
    "ObjectRemoved:Delete b",
    "ObjectTagging:Put a",
  ]);
  const multipart = events.find((e) => e.eventName === "ObjectCreated:CompleteMultipartUpload");
  assert.equal(multipart?.s3.object.size, 4);
  assert.match(multipart?.s3.object.eTag ?? "", /^[0-9a-f]{32}-1$/);
  assert.ok(events.every((e) => e.s3.configurationId === "all"));
});

test("SNS destinations receive the records with S3's subject", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "notify-topic" }));
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: "notify-topic" }));
  const queue = await s3Queue("notify-topic-sub");
  await sns().send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queue.arn }));
  const config: NotificationConfiguration = { TopicConfigurations: [{ TopicArn, Events: ["s3:ObjectCreated:Put"] }] };
  // The topic's default policy does not let S3 publish.
  const err = await rejectsWith(
    s3().send(new PutBucketNotificationConfigurationCommand({ Bucket: "notify-topic", NotificationConfiguration: config })),
    "InvalidArgument",
    400,
  );
  assert.equal(err.message, "Unable to validate the following destination configurations");
  const Policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sns:Publish", Resource: TopicArn }],
  });
  await sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: Policy }));
  await s3().send(new PutBucketNotificationConfigurationCommand({ Bucket: "notify-topic", NotificationConfiguration: config }));
  await s3().send(new PutObjectCommand({ Bucket: "notify-topic", Key: "k.txt", Body: "x" }));
  const envelopes = (await receive(queue.url, 2)) as { Subject?: string; Message: string }[];
  const messages = envelopes.map((e) => JSON.parse(e.Message) as { Event?: string; Records?: S3EventRecord[] });
  assert.ok(envelopes.every((e) => e.Subject === "Amazon S3 Notification"));
  assert.ok(messages.some((m) => m.Event === "s3:TestEvent"));
  const record = messages.find((m) => m.Records)?.Records?.[0];
  assert.equal(record?.eventName, "ObjectCreated:Put");
  assert.equal(record?.s3.object.key, "k.txt");
});

test("destinations must exist and allow S3: every failing one is named", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "notify-invalid" }));
  const closed = await s3Queue("notify-closed", false);
  const missing = "arn:aws:sqs:us-east-1:000000000000:no-such-queue";
  const err = (await rejectsWith(
    s3().send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: "notify-invalid",
        NotificationConfiguration: {
          QueueConfigurations: [
            { QueueArn: closed.arn, Events: ["s3:ObjectCreated:*"] },
            { QueueArn: missing, Events: ["s3:ObjectRemoved:*"] },
          ],
        },
      }),
    ),
    "InvalidArgument",
    400,
  )) as unknown as Record<string, unknown>;
  assert.equal(err.message, "Unable to validate the following destination configurations");
  assert.equal(err.ArgumentName1, closed.arn);
  assert.equal(err.ArgumentValue1, "Permissions on the destination queue do not allow S3 to publish notifications from this bucket");
  assert.equal(err.ArgumentName2, missing);
  assert.equal(err.ArgumentValue2, "The destination queue does not exist");
  const stored = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: "notify-invalid" }));
  assert.equal(stored.QueueConfigurations, undefined);
});

test("events, filter rules and overlapping configurations are validated", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "notify-rules" }));
  const queue = await s3Queue("notify-rules");
  const put = (QueueConfigurations: QueueConfiguration[]) =>
    s3().send(
      new PutBucketNotificationConfigurationCommand({ Bucket: "notify-rules", NotificationConfiguration: { QueueConfigurations } }),
    );
  const bad = await rejectsWith(put([{ QueueArn: queue.arn, Events: ["s3:ObjectCreated:Nope" as Event] }]), "InvalidArgument", 400);
  assert.equal(bad.message, "The event is not supported for notifications");
  const twoPrefixes: QueueConfiguration = {
    QueueArn: queue.arn,
    Events: ["s3:ObjectCreated:*"],
    Filter: {
      Key: {
        FilterRules: [
          { Name: "prefix", Value: "a" },
          { Name: "prefix", Value: "b" },
        ],
      },
    },
  };
  const rules = await rejectsWith(put([twoPrefixes]), "InvalidArgument", 400);
  assert.equal(rules.message, "Cannot specify more than one prefix rule in a filter.");
  const overlap = await rejectsWith(
    put([
      { QueueArn: queue.arn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "img/" }] } } },
      { QueueArn: queue.arn, Events: ["s3:ObjectCreated:Put"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "img/raw/" }] } } },
    ]),
    "InvalidArgument",
    400,
  );
  assert.equal(overlap.message, "Configurations overlap. Configurations on the same bucket cannot share a common event type.");
  // Disjoint prefixes, or different event types, do not overlap.
  await put([
    { QueueArn: queue.arn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "img/" }] } } },
    { QueueArn: queue.arn, Events: ["s3:ObjectCreated:Put"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "doc/" }] } } },
    { QueueArn: queue.arn, Events: ["s3:ObjectRemoved:*"] },
  ]);
  const got = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: "notify-rules" }));
  assert.equal(got.QueueConfigurations?.length, 3);
  // An empty configuration turns notifications off.
  await s3().send(new PutBucketNotificationConfigurationCommand({ Bucket: "notify-rules", NotificationConfiguration: {} }));
  const cleared = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: "notify-rules" }));
  assert.equal(cleared.QueueConfigurations, undefined);
  await rejectsWith(s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: "notify-none" })), "NoSuchBucket", 404);
  // A bucket deleted and created again starts without the old configuration.
  await put([{ QueueArn: queue.arn, Events: ["s3:ObjectCreated:*"] }]);
  await s3().send(new DeleteBucketCommand({ Bucket: "notify-rules" }));
  await s3().send(new CreateBucketCommand({ Bucket: "notify-rules" }));
  const fresh = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: "notify-rules" }));
  assert.equal(fresh.QueueConfigurations, undefined);
});

test("EventBridge configuration is stored and returned", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "notify-eventbridge" }));
  await s3().send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: "notify-eventbridge",
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    }),
  );
  const got = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: "notify-eventbridge" }));
  assert.deepEqual(got.EventBridgeConfiguration, {});
});

test("versioned buckets: events carry the version id; a plain delete is ObjectRemoved:DeleteMarkerCreated", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "notify-versions" }));
  await s3().send(new PutBucketVersioningCommand({ Bucket: "notify-versions", VersioningConfiguration: { Status: "Enabled" } }));
  const queue = await s3Queue("notify-versions");
  await s3().send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: "notify-versions",
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: queue.arn, Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] }] },
    }),
  );
  await receive(queue.url, 1); // the test event
  const put = await s3().send(new PutObjectCommand({ Bucket: "notify-versions", Key: "v.txt", Body: "v1" }));
  const marker = await s3().send(new DeleteObjectCommand({ Bucket: "notify-versions", Key: "v.txt" }));
  await s3().send(new DeleteObjectCommand({ Bucket: "notify-versions", Key: "v.txt", VersionId: put.VersionId }));
  const events = records(await receive(queue.url, 3));
  const byName = new Map(events.map((e) => [e.eventName, e.s3.object]));
  assert.equal(byName.get("ObjectCreated:Put")?.versionId, put.VersionId);
  assert.equal(byName.get("ObjectRemoved:DeleteMarkerCreated")?.versionId, marker.VersionId);
  assert.equal(byName.get("ObjectRemoved:Delete")?.versionId, put.VersionId);
});
