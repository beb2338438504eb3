import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { AddPermissionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { rejectsWith, useServer } from "../helpers.js";
import { createFunction } from "../lambda/support.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const lambda = () => new LambdaClient(server.clientConfig());
const logs = () => new CloudWatchLogsClient(server.clientConfig());

const HANDLER = { "index.js": "exports.handler = async (event) => { console.log('S3EVENT ' + JSON.stringify(event)); return {}; };" };

/** The events the function logged, once `count` arrived (or 60 s passed). */
async function loggedEvents(name: string, count: number): Promise<{ Records: { eventName: string; s3: { object: { key: string } } }[] }[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const out = await logs()
      .send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, filterPattern: "S3EVENT" }))
      .catch(() => ({ events: [] }));
    const events = (out.events ?? []).map((e) => JSON.parse((e.message ?? "").slice((e.message ?? "").indexOf("S3EVENT ") + 8)));
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("a Lambda destination needs a permission for S3, then is invoked asynchronously with the records", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "notify-lambda" }));
  const fn = await createFunction(lambda(), "s3-notified", HANDLER);
  const arn = fn.FunctionArn as string;
  const configuration = { LambdaFunctionConfigurations: [{ LambdaFunctionArn: arn, Events: ["s3:ObjectCreated:*" as const] }] };
  const err = (await rejectsWith(
    s3().send(new PutBucketNotificationConfigurationCommand({ Bucket: "notify-lambda", NotificationConfiguration: configuration })),
    "InvalidArgument",
    400,
  )) as unknown as Record<string, unknown>;
  assert.equal(err.ArgumentName1, arn);
  assert.equal(err.ArgumentValue1, `Not authorized to invoke function [${arn}]`);
  await lambda().send(
    new AddPermissionCommand({
      FunctionName: "s3-notified",
      StatementId: "s3",
      Action: "lambda:InvokeFunction",
      Principal: "s3.amazonaws.com",
      SourceArn: "arn:aws:s3:::notify-lambda",
    }),
  );
  await s3().send(new PutBucketNotificationConfigurationCommand({ Bucket: "notify-lambda", NotificationConfiguration: configuration }));
  await s3().send(new PutObjectCommand({ Bucket: "notify-lambda", Key: "photo.jpg", Body: "jpg" }));
  const [event] = await loggedEvents("s3-notified", 1);
  assert.equal(event?.Records[0].eventName, "ObjectCreated:Put");
  assert.equal(event?.Records[0].s3.object.key, "photo.jpg");
});
