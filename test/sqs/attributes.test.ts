import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import {
  AddPermissionCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, sqsClient, withClockShift } from "./support.js";

const server = useServer();

test("GetQueueAttributes All: defaults, counters, timestamps and ARN of a standard queue", async () => {
  const sqs = sqsClient(server);
  const before = Math.floor(Date.now() / 1000);
  const QueueUrl = await createQueue(sqs, "defaults");
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  const { CreatedTimestamp, LastModifiedTimestamp, ...rest } = Attributes ?? {};
  assert.ok(Number(CreatedTimestamp) >= before && Number(CreatedTimestamp) <= before + 5);
  assert.equal(LastModifiedTimestamp, CreatedTimestamp);
  assert.deepEqual(rest, {
    QueueArn: "arn:aws:sqs:us-east-1:000000000000:defaults",
    ApproximateNumberOfMessages: "0",
    ApproximateNumberOfMessagesNotVisible: "0",
    ApproximateNumberOfMessagesDelayed: "0",
    DelaySeconds: "0",
    MaximumMessageSize: "1048576",
    MessageRetentionPeriod: "345600",
    ReceiveMessageWaitTimeSeconds: "0",
    VisibilityTimeout: "30",
    SqsManagedSseEnabled: "true",
  });
});

test("FIFO queues report their FIFO attributes and defaults", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "defaults.fifo", { ContentBasedDeduplication: "true" });
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(Attributes?.FifoQueue, "true");
  assert.equal(Attributes?.ContentBasedDeduplication, "true");
  assert.equal(Attributes?.DeduplicationScope, "queue");
  assert.equal(Attributes?.FifoThroughputLimit, "perQueue");
  await rejectsWith(
    sqs.send(new CreateQueueCommand({ QueueName: "notfifo", Attributes: { FifoQueue: "true" } })),
    "InvalidParameterValue",
    400,
  );
  const err = await rejectsWith(
    sqs.send(new CreateQueueCommand({ QueueName: "standard-cbd", Attributes: { ContentBasedDeduplication: "true" } })),
    "InvalidAttributeName",
    400,
  );
  assert.equal(err.message, "Unknown Attribute ContentBasedDeduplication.");
  const falseFifo = await rejectsWith(
    sqs.send(new CreateQueueCommand({ QueueName: "standard-false", Attributes: { FifoQueue: "false" } })),
    "InvalidAttributeName",
    400,
  );
  assert.equal(falseFifo.message, "Unknown Attribute FifoQueue.");
  await rejectsWith(
    sqs.send(
      new CreateQueueCommand({
        QueueName: "ht.fifo",
        Attributes: { FifoThroughputLimit: "perMessageGroupId", DeduplicationScope: "queue" },
      }),
    ),
    "InvalidParameterValue",
    400,
  );
  const ht = await createQueue(sqs, "ht.fifo", { FifoThroughputLimit: "perMessageGroupId", DeduplicationScope: "messageGroup" });
  const got = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: ht, AttributeNames: ["FifoThroughputLimit", "DeduplicationScope"] }),
  );
  assert.deepEqual(got.Attributes, { FifoThroughputLimit: "perMessageGroupId", DeduplicationScope: "messageGroup" });
});

test("a KMS key brings its data key reuse period and turns SQS-managed encryption off", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "kms", { KmsMasterKeyId: "alias/aws/sqs" });
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(Attributes?.KmsMasterKeyId, "alias/aws/sqs");
  assert.equal(Attributes?.KmsDataKeyReusePeriodSeconds, "300");
  assert.equal(Attributes?.SqsManagedSseEnabled, "false");
});

test("attribute values outside AWS's ranges are InvalidAttributeValue", async () => {
  const sqs = sqsClient(server);
  const cases: [string, string][] = [
    ["DelaySeconds", "901"],
    ["DelaySeconds", "-1"],
    ["MaximumMessageSize", "1023"],
    ["MaximumMessageSize", "1048577"],
    ["MessageRetentionPeriod", "59"],
    ["MessageRetentionPeriod", "1209601"],
    ["ReceiveMessageWaitTimeSeconds", "21"],
    ["VisibilityTimeout", "43201"],
    ["VisibilityTimeout", "abc"],
    ["KmsDataKeyReusePeriodSeconds", "59"],
    ["SqsManagedSseEnabled", "maybe"],
    ["Policy", "{not json"],
  ];
  for (const [name, value] of cases) {
    const err = await rejectsWith(
      sqs.send(new CreateQueueCommand({ QueueName: "ranges", Attributes: { [name]: value } })),
      "InvalidAttributeValue",
      400,
    );
    assert.equal(err.message, `Invalid value for the parameter ${name}.`, `${name}=${value}`);
  }
  const QueueUrl = await createQueue(sqs, "ranges", { VisibilityTimeout: "43200", MessageRetentionPeriod: "1209600", DelaySeconds: "900" });
  await rejectsWith(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: "1000" } })),
    "InvalidAttributeValue",
    400,
  );
  const err = await rejectsWith(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Colour: "blue" } as never })),
    "InvalidAttributeName",
    400,
  );
  assert.equal(err.message, "Unknown Attribute Colour.");
  await rejectsWith(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Bogus" as never] })), "InvalidAttributeName", 400);
});

test("SetQueueAttributes changes values and LastModifiedTimestamp; CreateQueue compares against effective values", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "settable");
  // Defaults count as set: asking for the default again is not a conflict.
  await createQueue(sqs, "settable", { VisibilityTimeout: "30" });
  await withClockShift(5_000, () =>
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: "60", DelaySeconds: "2" } })),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ["VisibilityTimeout", "DelaySeconds", "CreatedTimestamp", "LastModifiedTimestamp"],
    }),
  );
  assert.equal(Attributes?.VisibilityTimeout, "60");
  assert.equal(Attributes?.DelaySeconds, "2");
  assert.ok(Number(Attributes?.LastModifiedTimestamp) >= Number(Attributes?.CreatedTimestamp) + 4);
  await rejectsWith(
    sqs.send(new CreateQueueCommand({ QueueName: "settable", Attributes: { VisibilityTimeout: "30" } })),
    "QueueNameExists",
    400,
  );
});

test("DeleteQueue: the queue is gone, and its name is blocked for 60 seconds", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "doomed");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  await rejectsWith(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })), "QueueDoesNotExist", 400);
  await rejectsWith(sqs.send(new DeleteQueueCommand({ QueueUrl })), "QueueDoesNotExist", 400);
  const err = await rejectsWith(sqs.send(new CreateQueueCommand({ QueueName: "doomed" })), "QueueDeletedRecently", 400);
  assert.equal(err.message, "You must wait 60 seconds after deleting a queue before you can create another with the same name.");
  await withClockShift(61_000, async () => {
    const again = await createQueue(sqs, "doomed");
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: again, AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0", "the old queue's messages are gone");
  });
});

test("PurgeQueue empties the queue, once per 60 seconds", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "purged");
  for (const body of ["a", "b", "c"]) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0");
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, "0");
  const err = await rejectsWith(sqs.send(new PurgeQueueCommand({ QueueUrl })), "PurgeQueueInProgress", 403);
  assert.equal(err.message, "Only one PurgeQueue operation on purged is allowed every 60 seconds.");
  await withClockShift(61_000, () => sqs.send(new PurgeQueueCommand({ QueueUrl })));
});

test("TagQueue, UntagQueue, ListQueueTags", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "tagged");
  assert.equal((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, undefined);
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { team: "core", env: "dev" } }));
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: "prod" } }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: "core", env: "prod" });
  await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["team", "absent"] }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { env: "prod" });
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
  await rejectsWith(sqs.send(new TagQueueCommand({ QueueUrl, Tags: many })), "InvalidParameterValue", 400);
  const created = await sqs.send(new CreateQueueCommand({ QueueName: "tagged-at-create", tags: { a: "1" } }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: created.QueueUrl }))).Tags, { a: "1" });
});

test("AddPermission and RemovePermission maintain the queue's Policy", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "shared");
  await sqs.send(new AddPermissionCommand({ QueueUrl, Label: "send", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] }));
  await sqs.send(
    new AddPermissionCommand({
      QueueUrl,
      Label: "read",
      AWSAccountIds: ["111122223333", "444455556666"],
      Actions: ["ReceiveMessage", "DeleteMessage"],
    }),
  );
  const policy = JSON.parse(
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }))).Attributes?.Policy ?? "{}",
  );
  const arn = "arn:aws:sqs:us-east-1:000000000000:shared";
  assert.equal(policy.Id, `${arn}/SQSDefaultPolicy`);
  assert.deepEqual(policy.Statement, [
    { Sid: "send", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "SQS:SendMessage", Resource: arn },
    {
      Sid: "read",
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"] },
      Action: ["SQS:ReceiveMessage", "SQS:DeleteMessage"],
      Resource: arn,
    },
  ]);
  await rejectsWith(
    sqs.send(new AddPermissionCommand({ QueueUrl, Label: "send", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] })),
    "InvalidParameterValue",
    400,
  );
  await rejectsWith(
    sqs.send(new AddPermissionCommand({ QueueUrl, Label: "x", AWSAccountIds: ["111122223333"], Actions: ["Fly"] })),
    "InvalidParameterValue",
    400,
  );
  await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: "send" }));
  await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: "read" }));
  const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }));
  assert.equal(after.Attributes, undefined);
  const err = await rejectsWith(sqs.send(new RemovePermissionCommand({ QueueUrl, Label: "read" })), "InvalidParameterValue", 400);
  assert.match(err.message, /can't find label/);
});

test("queue URLs follow the host the client used", async () => {
  const host = `sqs.us-east-1.localhost.localstack.cloud:${new URL(server.endpoint).port}`;
  const body = JSON.stringify({ QueueName: "by-host" });
  const answer = await new Promise<string>((resolve, reject) => {
    const req = request(server.endpoint, {
      method: "POST",
      headers: {
        host,
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.CreateQueue",
        authorization: "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x",
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    req.end(body);
  });
  assert.equal(JSON.parse(answer).QueueUrl, `http://${host}/000000000000/by-host`);
});
