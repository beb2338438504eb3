import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetDataProtectionPolicyCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PutDataProtectionPolicyCommand,
  SetTopicAttributesCommand,
  SNSClient,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sns = (region = "us-east-1") => new SNSClient(server.clientConfig(region));

test("CreateTopic returns the topic ARN and is idempotent", async () => {
  const first = await sns().send(new CreateTopicCommand({ Name: "orders" }));
  assert.equal(first.TopicArn, "arn:aws:sns:us-east-1:000000000000:orders");
  const again = await sns().send(new CreateTopicCommand({ Name: "orders" }));
  assert.equal(again.TopicArn, first.TopicArn);
});

test("CreateTopic rejects invalid names and FIFO mismatches", async () => {
  const bad = await rejectsWith(sns().send(new CreateTopicCommand({ Name: "bad name" })), "InvalidParameterException", 400);
  assert.equal(bad.message, "Invalid parameter: Topic Name");
  await rejectsWith(sns().send(new CreateTopicCommand({ Name: "x".repeat(257) })), "InvalidParameterException", 400);
  await rejectsWith(sns().send(new CreateTopicCommand({ Name: "plain.fifo" })), "InvalidParameterException", 400);
  const fifo = await rejectsWith(
    sns().send(new CreateTopicCommand({ Name: "nofifo", Attributes: { FifoTopic: "true" } })),
    "InvalidParameterException",
    400,
  );
  assert.match(fifo.message, /Fifo Topic names must end with \.fifo/);
  await rejectsWith(
    sns().send(new CreateTopicCommand({ Name: "cbd", Attributes: { ContentBasedDeduplication: "true" } })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(
    sns().send(new CreateTopicCommand({ Name: "unknown-attr", Attributes: { Colour: "red" } })),
    "InvalidParameterException",
    400,
  );
});

test("CreateTopic with different attributes for an existing name is InvalidParameter", async () => {
  await sns().send(new CreateTopicCommand({ Name: "named", Attributes: { DisplayName: "one" } }));
  const err = await rejectsWith(
    sns().send(new CreateTopicCommand({ Name: "named", Attributes: { DisplayName: "two" } })),
    "InvalidParameterException",
    400,
  );
  assert.match(err.message, /Topic already exists with different attributes/);
});

test("GetTopicAttributes reports defaults, counters and FIFO attributes", async () => {
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: "attrs" }));
  const { Attributes } = await sns().send(new GetTopicAttributesCommand({ TopicArn }));
  assert.equal(Attributes?.TopicArn, TopicArn);
  assert.equal(Attributes?.Owner, "000000000000");
  assert.equal(Attributes?.DisplayName, "");
  assert.equal(Attributes?.SubscriptionsConfirmed, "0");
  assert.equal(Attributes?.SubscriptionsPending, "0");
  assert.equal(Attributes?.SubscriptionsDeleted, "0");
  const policy = JSON.parse(Attributes?.Policy ?? "{}");
  assert.equal(policy.Statement[0].Resource, TopicArn);
  assert.deepEqual(policy.Statement[0].Condition, { StringEquals: { "AWS:SourceOwner": "000000000000" } });
  assert.equal(JSON.parse(Attributes?.EffectiveDeliveryPolicy ?? "{}").http.defaultHealthyRetryPolicy.numRetries, 3);
  assert.equal(Attributes?.FifoTopic, undefined);

  const fifo = await sns().send(
    new CreateTopicCommand({ Name: "attrs.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }),
  );
  const fifoAttrs = (await sns().send(new GetTopicAttributesCommand({ TopicArn: fifo.TopicArn }))).Attributes;
  assert.equal(fifoAttrs?.FifoTopic, "true");
  assert.equal(fifoAttrs?.ContentBasedDeduplication, "true");
});

test("SetTopicAttributes stores values and validates names", async () => {
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: "settable" }));
  await sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DisplayName", AttributeValue: "Shown" }));
  const policy = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5 } } });
  await sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DeliveryPolicy", AttributeValue: policy }));
  const { Attributes } = await sns().send(new GetTopicAttributesCommand({ TopicArn }));
  assert.equal(Attributes?.DisplayName, "Shown");
  assert.equal(Attributes?.DeliveryPolicy, policy);
  const effective = JSON.parse(Attributes?.EffectiveDeliveryPolicy ?? "{}").http.defaultHealthyRetryPolicy;
  assert.equal(effective.numRetries, 5);
  assert.equal(effective.minDelayTarget, 20, "unset fields keep SNS's defaults");
  const err = await rejectsWith(
    sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Bogus", AttributeValue: "x" })),
    "InvalidParameterException",
    400,
  );
  assert.equal(err.message, "Invalid parameter: AttributeName");
  await rejectsWith(
    sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: "{not json" })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(
    sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "FifoTopic", AttributeValue: "true" })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(
    sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "ContentBasedDeduplication", AttributeValue: "true" })),
    "InvalidParameterException",
    400,
  );
});

test("operations on a missing topic are NotFound; a malformed ARN is InvalidParameter", async () => {
  const missing = "arn:aws:sns:us-east-1:000000000000:missing";
  const err = await rejectsWith(sns().send(new GetTopicAttributesCommand({ TopicArn: missing })), "NotFoundException", 404);
  assert.equal(err.message, "Topic does not exist");
  await rejectsWith(sns().send(new GetTopicAttributesCommand({ TopicArn: "not-an-arn" })), "InvalidParameterException", 400);
  await rejectsWith(
    sns().send(new SetTopicAttributesCommand({ TopicArn: missing, AttributeName: "DisplayName", AttributeValue: "x" })),
    "NotFoundException",
    404,
  );
});

test("DeleteTopic removes the topic and is idempotent", async () => {
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: "doomed" }));
  await sns().send(new DeleteTopicCommand({ TopicArn }));
  await rejectsWith(sns().send(new GetTopicAttributesCommand({ TopicArn })), "NotFoundException", 404);
  await sns().send(new DeleteTopicCommand({ TopicArn }));
});

test("ListTopics pages by 100 with NextToken, per region", async () => {
  const client = sns("eu-central-1");
  const names = Array.from({ length: 130 }, (_, i) => `t-${String(i).padStart(3, "0")}`);
  for (const Name of names) await client.send(new CreateTopicCommand({ Name }));
  const first = await client.send(new ListTopicsCommand({}));
  assert.equal(first.Topics?.length, 100);
  assert.ok(first.NextToken);
  const second = await client.send(new ListTopicsCommand({ NextToken: first.NextToken }));
  assert.equal(second.Topics?.length, 30);
  assert.equal(second.NextToken, undefined);
  const all = [...(first.Topics ?? []), ...(second.Topics ?? [])].map((t) => t.TopicArn?.split(":")[5]);
  assert.deepEqual(all, names);
  const elsewhere = await sns("ap-south-1").send(new ListTopicsCommand({}));
  assert.deepEqual(elsewhere.Topics ?? [], []);
  await rejectsWith(client.send(new ListTopicsCommand({ NextToken: "garbage!" })), "InvalidParameterException", 400);
});

test("tags: tag, list, untag, limits and missing resources", async () => {
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: "tagged", Tags: [{ Key: "team", Value: "a" }] }));
  await sns().send(
    new TagResourceCommand({
      ResourceArn: TopicArn,
      Tags: [
        { Key: "env", Value: "dev" },
        { Key: "team", Value: "b" },
      ],
    }),
  );
  let { Tags } = await sns().send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
  assert.deepEqual(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value])), { team: "b", env: "dev" });
  await sns().send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ["team"] }));
  ({ Tags } = await sns().send(new ListTagsForResourceCommand({ ResourceArn: TopicArn })));
  assert.deepEqual(Tags, [{ Key: "env", Value: "dev" }]);
  const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
  await rejectsWith(sns().send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: many })), "TagLimitExceededException", 400);
  const missing = "arn:aws:sns:us-east-1:000000000000:nope";
  await rejectsWith(sns().send(new ListTagsForResourceCommand({ ResourceArn: missing })), "ResourceNotFoundException", 404);
});

test("data protection policy is stored and validated", async () => {
  const { TopicArn } = await sns().send(new CreateTopicCommand({ Name: "protected" }));
  const empty = await sns().send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }));
  assert.equal(empty.DataProtectionPolicy, undefined);
  const policy = JSON.stringify({ Name: "p", Version: "2021-06-01", Statement: [] });
  await sns().send(new PutDataProtectionPolicyCommand({ ResourceArn: TopicArn, DataProtectionPolicy: policy }));
  const stored = await sns().send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }));
  assert.equal(stored.DataProtectionPolicy, policy);
  await rejectsWith(
    sns().send(new PutDataProtectionPolicyCommand({ ResourceArn: TopicArn, DataProtectionPolicy: "nope" })),
    "InvalidParameterException",
    400,
  );
});

test("a missing required parameter is a ValidationError", async () => {
  await rejectsWith(sns().send(new CreateTopicCommand({} as never)), "ValidationError", 400);
});
