import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sqs = () => new SQSClient(server.clientConfig());

test("CreateQueue returns a queue URL under the caller's account, and is idempotent", async () => {
  const client = sqs();
  const first = await client.send(new CreateQueueCommand({ QueueName: "orders" }));
  assert.equal(first.QueueUrl, `${server.endpoint}/000000000000/orders`);
  const again = await client.send(new CreateQueueCommand({ QueueName: "orders" }));
  assert.equal(again.QueueUrl, first.QueueUrl);
});

test("CreateQueue with a different attribute value is QueueAlreadyExists", async () => {
  const client = sqs();
  await client.send(new CreateQueueCommand({ QueueName: "attrs", Attributes: { DelaySeconds: "1" } }));
  const err = await rejectsWith(
    client.send(new CreateQueueCommand({ QueueName: "attrs", Attributes: { DelaySeconds: "2" } })),
    "QueueNameExists",
    400,
  );
  assert.match(err.message, /different value for attribute DelaySeconds/);
});

test("CreateQueue rejects invalid names", async () => {
  await rejectsWith(sqs().send(new CreateQueueCommand({ QueueName: "bad name!" })), "InvalidParameterValue", 400);
  await rejectsWith(sqs().send(new CreateQueueCommand({ QueueName: "x".repeat(81) })), "InvalidParameterValue", 400);
});

test("a 12-digit access key id selects that account", async () => {
  const client = new SQSClient({ ...server.clientConfig(), credentials: { accessKeyId: "111122223333", secretAccessKey: "x" } });
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "other-account" }));
  assert.equal(QueueUrl, `${server.endpoint}/111122223333/other-account`);
  await rejectsWith(sqs().send(new GetQueueUrlCommand({ QueueName: "other-account" })), "QueueDoesNotExist", 400);
  const cross = await sqs().send(new GetQueueUrlCommand({ QueueName: "other-account", QueueOwnerAWSAccountId: "111122223333" }));
  assert.equal(cross.QueueUrl, QueueUrl);
});

test("GetQueueUrl finds a queue and reports a missing one", async () => {
  const client = sqs();
  await client.send(new CreateQueueCommand({ QueueName: "lookup" }));
  const found = await client.send(new GetQueueUrlCommand({ QueueName: "lookup" }));
  assert.equal(found.QueueUrl, `${server.endpoint}/000000000000/lookup`);
  const err = await rejectsWith(client.send(new GetQueueUrlCommand({ QueueName: "missing" })), "QueueDoesNotExist", 400);
  assert.equal(err.message, "The specified queue does not exist.");
});

test("queues are per region", async () => {
  const west = new SQSClient(server.clientConfig("eu-west-1"));
  await west.send(new CreateQueueCommand({ QueueName: "regional" }));
  await rejectsWith(sqs().send(new GetQueueUrlCommand({ QueueName: "regional" })), "QueueDoesNotExist", 400);
});

test("ListQueues filters by prefix and paginates", async () => {
  const client = new SQSClient(server.clientConfig("ap-south-1"));
  for (const n of ["page-a", "page-b", "page-c", "other"]) await client.send(new CreateQueueCommand({ QueueName: n }));
  const all = await client.send(new ListQueuesCommand({ QueueNamePrefix: "page-" }));
  assert.deepEqual(
    all.QueueUrls?.map((u) => u.split("/").pop()),
    ["page-a", "page-b", "page-c"],
  );
  assert.equal(all.NextToken, undefined);
  const first = await client.send(new ListQueuesCommand({ QueueNamePrefix: "page-", MaxResults: 2 }));
  assert.equal(first.QueueUrls?.length, 2);
  assert.ok(first.NextToken);
  const second = await client.send(new ListQueuesCommand({ QueueNamePrefix: "page-", MaxResults: 2, NextToken: first.NextToken }));
  assert.deepEqual(
    second.QueueUrls?.map((u) => u.split("/").pop()),
    ["page-c"],
  );
  assert.equal(second.NextToken, undefined);
  await rejectsWith(client.send(new ListQueuesCommand({ MaxResults: 1001 })), "InvalidParameterValue", 400);
});

test("a missing required parameter is MissingParameter", async () => {
  const err = await rejectsWith(sqs().send(new GetQueueUrlCommand({} as never)), "MissingParameter", 400);
  assert.equal(err.message, "The request must contain the parameter QueueName.");
});
