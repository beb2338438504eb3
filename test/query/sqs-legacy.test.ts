import assert from "node:assert/strict";
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
