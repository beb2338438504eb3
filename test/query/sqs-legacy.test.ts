import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { useServer } from "../helpers.js";
import { CLIENTS, runAws, runPython } from "./clients.js";

/**
 * SQS through the query protocol, as clients from before SQS's JSON protocol speak it: Debian's boto3 1.26
 * and AWS CLI 2.9 send form-encoded Action requests and parse XML answers. Neither reads AWS_ENDPOINT_URL,
 * so the endpoint is passed explicitly.
 */

const server = useServer();

test("boto3 1.26 creates a queue with attributes and tags, finds it, lists it", async () => {
  const script = `
import boto3, json, os
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
url = sqs.create_queue(QueueName="legacy-py", Attributes={"DelaySeconds": "5", "VisibilityTimeout": "45"}, tags={"team": "core"})["QueueUrl"]
again = sqs.create_queue(QueueName="legacy-py", Attributes={"DelaySeconds": "5"})["QueueUrl"]
try:
    sqs.create_queue(QueueName="legacy-py", Attributes={"DelaySeconds": "6"})
    conflict = None
except sqs.exceptions.ClientError as e:
    conflict = e.response["Error"]
found = sqs.get_queue_url(QueueName="legacy-py")["QueueUrl"]
sqs.create_queue(QueueName="legacy-py-2")
listed = sqs.list_queues(QueueNamePrefix="legacy-py")["QueueUrls"]
page = sqs.list_queues(QueueNamePrefix="legacy-py", MaxResults=1)
print(json.dumps({"url": url, "again": again, "conflict": conflict, "found": found, "listed": listed,
                  "page": page["QueueUrls"], "next": page.get("NextToken")}))
`;
  const out = await runPython<Record<string, unknown>>(CLIENTS.debianPython, script, server.endpoint);
  const base = `${server.endpoint}/000000000000`;
  assert.equal(out.url, `${base}/legacy-py`);
  assert.equal(out.again, out.url);
  assert.deepEqual(out.conflict, {
    Type: "Sender",
    Code: "QueueAlreadyExists",
    Message: "A queue already exists with the same name and a different value for attribute DelaySeconds",
    Detail: null,
  });
  assert.equal(out.found, out.url);
  assert.deepEqual(out.listed, [`${base}/legacy-py`, `${base}/legacy-py-2`]);
  assert.deepEqual(out.page, [`${base}/legacy-py`]);
  assert.ok(out.next, "a NextToken for the second page");
});

test("boto3 1.26 sees a missing queue as AWS.SimpleQueueService.NonExistentQueue", async () => {
  const script = `
import boto3, json, os
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
try:
    sqs.get_queue_url(QueueName="no-such-queue")
    print(json.dumps(None))
except sqs.exceptions.QueueDoesNotExist as e:
    print(json.dumps({"error": e.response["Error"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}))
`;
  const out = await runPython<{ error: Record<string, unknown>; status: number }>(CLIENTS.debianPython, script, server.endpoint);
  assert.equal(out.status, 400);
  assert.equal(out.error.Code, "AWS.SimpleQueueService.NonExistentQueue");
  assert.equal(out.error.Type, "Sender");
  assert.equal(out.error.Message, "The specified queue does not exist.");
});

test("boto3 1.26 gets MissingParameter for a queue without a name", async () => {
  const script = `
import boto3, json, os
from botocore.config import Config
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=Config(parameter_validation=False))
try:
    sqs.get_queue_url()
    print(json.dumps(None))
except sqs.exceptions.ClientError as e:
    print(json.dumps(e.response["Error"]))
`;
  const error = await runPython<Record<string, string>>(CLIENTS.debianPython, script, server.endpoint);
  assert.equal(error.Code, "MissingParameter");
  assert.equal(error.Message, "The request must contain the parameter QueueName.");
});

test("AWS CLI 2.9 create-queue with attributes, get-queue-url, list-queues", async () => {
  const created = await runAws(
    CLIENTS.debianAws,
    ["sqs", "create-queue", "--queue-name", "legacy-cli", "--attributes", "DelaySeconds=3,MaximumMessageSize=2048"],
    server.endpoint,
  );
  assert.equal(created.code, 0, created.stderr);
  const url = `${server.endpoint}/000000000000/legacy-cli`;
  assert.deepEqual(JSON.parse(created.stdout), { QueueUrl: url });
  const conflict = await runAws(
    CLIENTS.debianAws,
    ["sqs", "create-queue", "--queue-name", "legacy-cli", "--attributes", "DelaySeconds=4"],
    server.endpoint,
  );
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /QueueAlreadyExists/);
  const found = await runAws(CLIENTS.debianAws, ["sqs", "get-queue-url", "--queue-name", "legacy-cli"], server.endpoint);
  assert.equal(found.code, 0, found.stderr);
  assert.deepEqual(JSON.parse(found.stdout), { QueueUrl: url });
  const listed = await runAws(CLIENTS.debianAws, ["sqs", "list-queues", "--queue-name-prefix", "legacy-cli"], server.endpoint);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(JSON.parse(listed.stdout), { QueueUrls: [url] });
});

test("AWS CLI 2.9 reports a missing queue as AWS.SimpleQueueService.NonExistentQueue", async () => {
  const run = await runAws(CLIENTS.debianAws, ["sqs", "get-queue-url", "--queue-name", "missing-cli"], server.endpoint);
  assert.notEqual(run.code, 0);
  assert.match(
    run.stderr,
    /An error occurred \(AWS\.SimpleQueueService\.NonExistentQueue\) when calling the GetQueueUrl operation: The specified queue does not exist\./,
  );
});

test("boto3 1.26 sends, receives with attributes, changes visibility, deletes in batches, reads queue attributes", async () => {
  const script = `
import boto3, json, os, hashlib
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
url = sqs.create_queue(QueueName="legacy-flow", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
sent = sqs.send_message(QueueUrl=url, MessageBody="hello",
    MessageAttributes={"colour": {"DataType": "String", "StringValue": "blue"}, "raw": {"DataType": "Binary", "BinaryValue": b"\\x00\\x01"}})
batch = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "two"}, {"Id": "b", "MessageBody": "three", "DelaySeconds": 0}])
attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"])["Messages"]
first = [m for m in got if m["Body"] == "hello"][0]
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
changed = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[{"Id": "x", "ReceiptHandle": "bogus", "VisibilityTimeout": 1}])
deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got) if m["Body"] != "hello"])
again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
sqs.delete_message(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"])
after = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
sqs.tag_queue(QueueUrl=url, Tags={"team": "core"})
tags = sqs.list_queue_tags(QueueUrl=url)["Tags"]
sqs.purge_queue(QueueUrl=url)
try:
    sqs.purge_queue(QueueUrl=url)
    purge_error = None
except sqs.exceptions.ClientError as e:
    purge_error = e.response["Error"]["Code"]
print(json.dumps({
    "md5ok": sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest(),
    "md5attrs": sent["MD5OfMessageAttributes"],
    "batch": sorted(e["Id"] for e in batch["Successful"]),
    "visible": attrs["ApproximateNumberOfMessages"], "vt": attrs["VisibilityTimeout"], "arn": attrs["QueueArn"],
    "received": sorted(m["Body"] for m in got),
    "colour": first["MessageAttributes"]["colour"]["StringValue"],
    "raw": list(first["MessageAttributes"]["raw"]["BinaryValue"]),
    "md5received": first["MD5OfMessageAttributes"],
    "count": first["Attributes"]["ApproximateReceiveCount"],
    "changedFailed": [f["Code"] for f in changed["Failed"]],
    "deleted": len(deleted["Successful"]),
    "again": again[0]["Body"], "againCount": again[0].get("Attributes"),
    "after": after, "tags": tags, "purge": purge_error,
}))
`;
  const out = await runPython<Record<string, unknown>>(CLIENTS.debianPython, script, server.endpoint);
  assert.equal(out.md5ok, true);
  assert.equal(out.md5received, out.md5attrs);
  assert.deepEqual(out.batch, ["a", "b"]);
  assert.equal(out.visible, "3");
  assert.equal(out.vt, "60");
  assert.equal(out.arn, "arn:aws:sqs:us-east-1:000000000000:legacy-flow");
  assert.deepEqual(out.received, ["hello", "three", "two"]);
  assert.equal(out.colour, "blue");
  assert.deepEqual(out.raw, [0, 1]);
  assert.equal(out.count, "1");
  assert.deepEqual(out.changedFailed, ["ReceiptHandleIsInvalid"]);
  assert.equal(out.deleted, 2);
  assert.equal(out.again, "hello");
  assert.deepEqual(out.after, { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  assert.deepEqual(out.tags, { team: "core" });
  assert.equal(out.purge, "AWS.SimpleQueueService.PurgeQueueInProgress");
});

test("boto3 1.26 sees SQS's batch and attribute errors with their query codes", async () => {
  const script = `
import boto3, json, os
sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
url = sqs.create_queue(QueueName="legacy-errors.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
def code(fn):
    try:
        fn()
        return None
    except sqs.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({
    "many": code(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "e%d" % i, "MessageBody": "x", "MessageGroupId": "g"} for i in range(11)])),
    "repeated": code(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x", "MessageGroupId": "g"}] * 2)),
    "attr": code(lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "99999"})),
    "name": code(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Nope"])),
    "group": code(lambda: sqs.send_message(QueueUrl=url, MessageBody="x")),
    "handle": code(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="bad")),
}))
`;
  const out = await runPython<Record<string, unknown>>(CLIENTS.debianPython, script, server.endpoint);
  assert.deepEqual(out.many, [
    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "Maximum number of entries per request are 10. You have sent 11.",
    400,
  ]);
  assert.deepEqual(out.repeated, ["AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.", 400]);
  assert.deepEqual(out.attr, ["InvalidAttributeValue", "Invalid value for the parameter VisibilityTimeout.", 400]);
  assert.deepEqual(out.name, ["InvalidAttributeName", "Unknown Attribute Nope.", 400]);
  assert.deepEqual(out.group, ["MissingParameter", "The request must contain the parameter MessageGroupId.", 400]);
  assert.deepEqual(out.handle, ["ReceiptHandleIsInvalid", 'The input receipt handle "bad" is not a valid receipt handle.', 404]);
});

test("AWS CLI 2.9 send-message, receive-message, delete-message", async () => {
  const created = await runAws(CLIENTS.debianAws, ["sqs", "create-queue", "--queue-name", "legacy-cli-flow"], server.endpoint);
  assert.equal(created.code, 0, created.stderr);
  const url = JSON.parse(created.stdout).QueueUrl as string;
  const sent = await runAws(
    CLIENTS.debianAws,
    [
      "sqs",
      "send-message",
      "--queue-url",
      url,
      "--message-body",
      "from the cli",
      "--message-attributes",
      "k={DataType=String,StringValue=v}",
    ],
    server.endpoint,
  );
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(JSON.parse(sent.stdout).MD5OfMessageBody, createHash("md5").update("from the cli").digest("hex"));
  const received = await runAws(
    CLIENTS.debianAws,
    ["sqs", "receive-message", "--queue-url", url, "--message-attribute-names", "All", "--wait-time-seconds", "1"],
    server.endpoint,
  );
  assert.equal(received.code, 0, received.stderr);
  const [message] = JSON.parse(received.stdout).Messages;
  assert.equal(message.Body, "from the cli");
  assert.deepEqual(message.MessageAttributes, { k: { StringValue: "v", DataType: "String" } });
  const deleted = await runAws(
    CLIENTS.debianAws,
    ["sqs", "delete-message", "--queue-url", url, "--receipt-handle", message.ReceiptHandle],
    server.endpoint,
  );
  assert.equal(deleted.code, 0, deleted.stderr);
  const empty = await runAws(CLIENTS.debianAws, ["sqs", "receive-message", "--queue-url", url], server.endpoint);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout.trim(), "");
});

test("boto3 1.43 (JSON protocol) round trip with attributes", async () => {
  const script = `
import boto3, json, os
sqs = boto3.client("sqs")
url = sqs.create_queue(QueueName="modern-py")["QueueUrl"]
sqs.send_message(QueueUrl=url, MessageBody="json", MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}})
m = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["SentTimestamp"])["Messages"][0]
sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
print(json.dumps({"body": m["Body"], "n": m["MessageAttributes"]["n"]["StringValue"], "attrs": list(m["Attributes"].keys())}))
`;
  const out = await runPython<Record<string, unknown>>(CLIENTS.python, script, server.endpoint);
  assert.deepEqual(out, { body: "json", n: "7", attrs: ["SentTimestamp"] });
});
