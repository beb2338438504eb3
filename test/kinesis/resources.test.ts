import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteResourcePolicyCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-kinesis";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const kinesis = () => new KinesisClient(server.clientConfig());
const arnOf = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

test("stream tags: add, list in key order with paging, remove; CreateStream tags too", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "tagged", ShardCount: 1, Tags: { team: "data" } }));
  await kinesis().send(new AddTagsToStreamCommand({ StreamName: "tagged", Tags: { env: "prod", app: "orders" } }));
  const all = await kinesis().send(new ListTagsForStreamCommand({ StreamName: "tagged" }));
  assert.deepEqual(all.Tags, [
    { Key: "app", Value: "orders" },
    { Key: "env", Value: "prod" },
    { Key: "team", Value: "data" },
  ]);
  assert.equal(all.HasMoreTags, false);
  const page = await kinesis().send(new ListTagsForStreamCommand({ StreamName: "tagged", Limit: 1, ExclusiveStartTagKey: "app" }));
  assert.deepEqual(page.Tags, [{ Key: "env", Value: "prod" }]);
  assert.equal(page.HasMoreTags, true);
  await kinesis().send(new RemoveTagsFromStreamCommand({ StreamARN: arnOf("tagged"), TagKeys: ["env", "absent"] }));
  const left = await kinesis().send(new ListTagsForResourceCommand({ ResourceARN: arnOf("tagged") }));
  assert.deepEqual(
    left.Tags?.map((t) => t.Key),
    ["app", "team"],
  );
  await kinesis().send(new TagResourceCommand({ ResourceARN: arnOf("tagged"), Tags: { extra: "1" } }));
  await kinesis().send(new UntagResourceCommand({ ResourceARN: arnOf("tagged"), TagKeys: ["app"] }));
  const final = await kinesis().send(new ListTagsForStreamCommand({ StreamName: "tagged" }));
  assert.deepEqual(
    final.Tags?.map((t) => t.Key),
    ["extra", "team"],
  );
});

test("tag limits and errors", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "tag-limits", ShardCount: 1 }));
  const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
  await kinesis().send(new AddTagsToStreamCommand({ StreamName: "tag-limits", Tags: fifty }));
  await rejectsWith(
    kinesis().send(new AddTagsToStreamCommand({ StreamName: "tag-limits", Tags: { one: "more" } })),
    "InvalidArgumentException",
    400,
  );
  await rejectsWith(
    kinesis().send(new AddTagsToStreamCommand({ StreamName: "tag-limits", Tags: { ["k".repeat(129)]: "v" } })),
    "ValidationException",
    400,
  );
  await rejectsWith(kinesis().send(new ListTagsForStreamCommand({ StreamName: "tag-limits", Limit: 51 })), "ValidationException", 400);
  await rejectsWith(kinesis().send(new ListTagsForStreamCommand({ StreamName: "no-such" })), "ResourceNotFoundException", 400);
  await rejectsWith(kinesis().send(new ListTagsForResourceCommand({ ResourceARN: "arn:aws:s3:::bucket" })), "ValidationException", 400);
});

test("stream consumers: register (CREATING, then ACTIVE), describe, list, deregister", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "fanout", ShardCount: 1 }));
  const streamArn = arnOf("fanout");
  const registered = await kinesis().send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "reader" }));
  assert.equal(registered.Consumer?.ConsumerStatus, "CREATING");
  assert.match(registered.Consumer?.ConsumerARN as string, new RegExp(`^${streamArn}/consumer/reader:\\d+$`));
  const consumerArn = registered.Consumer?.ConsumerARN as string;
  const byArn = await kinesis().send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
  assert.equal(byArn.ConsumerDescription?.ConsumerStatus, "ACTIVE");
  assert.equal(byArn.ConsumerDescription?.StreamARN, streamArn);
  const byName = await kinesis().send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "reader" }));
  assert.equal(byName.ConsumerDescription?.ConsumerARN, consumerArn);
  await rejectsWith(
    kinesis().send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "reader" })),
    "ResourceInUseException",
    400,
  );
  await kinesis().send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "another" }));
  const listed = await kinesis().send(new ListStreamConsumersCommand({ StreamARN: streamArn, MaxResults: 1 }));
  assert.deepEqual(
    listed.Consumers?.map((c) => c.ConsumerName),
    ["another"],
  );
  const rest = await kinesis().send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: listed.NextToken }));
  assert.deepEqual(
    rest.Consumers?.map((c) => c.ConsumerName),
    ["reader"],
  );
  const summary = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: "fanout" }));
  assert.equal(summary.StreamDescriptionSummary?.ConsumerCount, 2);
  await kinesis().send(new TagResourceCommand({ ResourceARN: consumerArn, Tags: { role: "reader" } }));
  const tags = await kinesis().send(new ListTagsForResourceCommand({ ResourceARN: consumerArn }));
  assert.deepEqual(tags.Tags, [{ Key: "role", Value: "reader" }]);
  await kinesis().send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumerArn }));
  await rejectsWith(kinesis().send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn })), "ResourceNotFoundException", 400);
  await rejectsWith(kinesis().send(new DescribeStreamConsumerCommand({ StreamARN: streamArn })), "InvalidArgumentException", 400);
  // A stream with consumers is deleted only with EnforceConsumerDeletion.
  await rejectsWith(kinesis().send(new DeleteStreamCommand({ StreamName: "fanout" })), "ResourceInUseException", 400);
  await kinesis().send(new DeleteStreamCommand({ StreamName: "fanout", EnforceConsumerDeletion: true }));
});

test("resource policies: put, get, delete on a stream", async () => {
  await kinesis().send(new CreateStreamCommand({ StreamName: "shared", ShardCount: 1 }));
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kinesis:GetRecords", Resource: arnOf("shared") },
    ],
  });
  const empty = await kinesis().send(new GetResourcePolicyCommand({ ResourceARN: arnOf("shared") }));
  assert.equal(empty.Policy, "{}");
  await kinesis().send(new PutResourcePolicyCommand({ ResourceARN: arnOf("shared"), Policy: policy }));
  const got = await kinesis().send(new GetResourcePolicyCommand({ ResourceARN: arnOf("shared") }));
  assert.equal(got.Policy, policy);
  await rejectsWith(
    kinesis().send(new PutResourcePolicyCommand({ ResourceARN: arnOf("shared"), Policy: "not json" })),
    "InvalidArgumentException",
    400,
  );
  await kinesis().send(new DeleteResourcePolicyCommand({ ResourceARN: arnOf("shared") }));
  await rejectsWith(kinesis().send(new DeleteResourcePolicyCommand({ ResourceARN: arnOf("shared") })), "ResourceNotFoundException", 400);
  await rejectsWith(kinesis().send(new GetResourcePolicyCommand({ ResourceARN: arnOf("unknown") })), "ResourceNotFoundException", 400);
});
