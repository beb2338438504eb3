import assert from "node:assert/strict";
import { test } from "node:test";
import { useServer } from "../helpers.js";
import { CLIENTS, runAws, runPython } from "../query/clients.js";

const server = useServer();

test("boto3: topic, SQS subscription, filtered publish, batch and errors", async () => {
  const script = `
import boto3, json, os
sns = boto3.client("sns", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
topic = sns.create_topic(Name="boto-topic", Tags=[{"Key": "k", "Value": "v"}])["TopicArn"]
url = sqs.create_queue(QueueName="boto-q")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": json.dumps({"kind": ["keep"]})})["SubscriptionArn"]
sns.publish(TopicArn=topic, Message="dropped", MessageAttributes={"kind": {"DataType": "String", "StringValue": "drop"}})
mid = sns.publish(TopicArn=topic, Message="kept", Subject="Hi", MessageAttributes={"kind": {"DataType": "String", "StringValue": "keep"}})["MessageId"]
batch = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "b", "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "keep"}}}])
msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
bodies = [json.loads(m["Body"]) for m in msgs]
try:
    sns.get_topic_attributes(TopicArn=topic + "-missing")
    err = None
except sns.exceptions.NotFoundException as e:
    err = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
print(json.dumps({
  "topics": [t["TopicArn"] for t in sns.list_topics()["Topics"]],
  "subs": [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]],
  "attrs": sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"],
  "tags": sns.list_tags_for_resource(ResourceArn=topic)["Tags"],
  "mid": mid, "batch": len(batch["Successful"]),
  "messages": sorted([[b["MessageId"] == mid, b["Message"], b.get("Subject")] for b in bodies]),
  "err": err,
}))
`;
  const out = await runPython<Record<string, unknown>>(CLIENTS.python, script, server.endpoint);
  assert.deepEqual(out.topics, ["arn:aws:sns:us-east-1:000000000000:boto-topic"]);
  assert.equal((out.subs as string[]).length, 1);
  assert.equal((out.attrs as Record<string, string>).FilterPolicy, '{"kind": ["keep"]}');
  assert.deepEqual(out.tags, [{ Key: "k", Value: "v" }]);
  assert.equal(out.batch, 1);
  assert.deepEqual(out.messages, [
    [false, "b", null],
    [true, "kept", "Hi"],
  ]);
  assert.deepEqual(out.err, ["NotFound", 404, "Topic does not exist"]);
});

test("AWS CLI v1: create, subscribe, publish, list and an error", async () => {
  const create = await runAws(CLIENTS.awsV1, ["sns", "create-topic", "--name", "cli-topic"], server.endpoint);
  assert.equal(create.code, 0, create.stderr);
  const { TopicArn } = JSON.parse(create.stdout);
  assert.equal(TopicArn, "arn:aws:sns:us-east-1:000000000000:cli-topic");
  const sub = await runAws(
    CLIENTS.awsV1,
    ["sns", "subscribe", "--topic-arn", TopicArn, "--protocol", "email", "--notification-endpoint", "cli@example.com"],
    server.endpoint,
  );
  assert.equal(sub.code, 0, sub.stderr);
  assert.equal(JSON.parse(sub.stdout).SubscriptionArn, "pending confirmation");
  const publish = await runAws(CLIENTS.awsV1, ["sns", "publish", "--topic-arn", TopicArn, "--message", "from the cli"], server.endpoint);
  assert.equal(publish.code, 0, publish.stderr);
  assert.match(JSON.parse(publish.stdout).MessageId, /^[0-9a-f-]{36}$/);
  const list = await runAws(CLIENTS.awsV1, ["sns", "list-subscriptions-by-topic", "--topic-arn", TopicArn], server.endpoint);
  assert.equal(JSON.parse(list.stdout).Subscriptions[0].Endpoint, "cli@example.com");
  const bad = await runAws(CLIENTS.awsV1, ["sns", "create-topic", "--name", "bad name"], server.endpoint);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /InvalidParameter.*Invalid parameter: Topic Name/);
});
