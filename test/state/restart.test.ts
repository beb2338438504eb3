import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { credentials, rejectsWith } from "../helpers.js";
import { type Overcast, startOvercast } from "../../src/index.js";
import { tempDir } from "./fixtures.js";

const config = (cloud: Overcast, region = "us-east-1") => ({ endpoint: cloud.endpoint, region, credentials, maxAttempts: 1 });
const queueNames = (urls: string[] | undefined) => (urls ?? []).map((u) => u.split("/").pop());

test("SQS queues and CloudWatch Logs groups survive a stop and a start on the same data dir", async (t) => {
  const dataDir = tempDir(t);
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  let before: unknown;
  try {
    const sqs = new SQSClient(config(first));
    await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { DelaySeconds: "5" } }));
    await sqs.send(new CreateQueueCommand({ QueueName: "jobs.fifo", Attributes: { FifoQueue: "true" } }));
    await sqs.send(new CreateQueueCommand({ QueueName: "alpha" }));
    await new SQSClient(config(first, "eu-west-1")).send(new CreateQueueCommand({ QueueName: "european" }));
    const logs = new CloudWatchLogsClient(config(first));
    for (const name of ["/app/web", "/app/api", "/tmp/gone"])
      await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: { team: "core" } }));
    await logs.send(new DeleteLogGroupCommand({ logGroupName: "/tmp/gone" }));
    before = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups;
  } finally {
    await first.stop();
  }

  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const sqs = new SQSClient(config(second));
  const listed = await sqs.send(new ListQueuesCommand({}));
  assert.deepEqual(queueNames(listed.QueueUrls), ["alpha", "jobs.fifo", "orders"]);
  assert.equal(listed.QueueUrls?.[0], `${second.endpoint}/000000000000/alpha`);
  const west = await new SQSClient(config(second, "eu-west-1")).send(new ListQueuesCommand({}));
  assert.deepEqual(queueNames(west.QueueUrls), ["european"]);
  await rejectsWith(sqs.send(new GetQueueUrlCommand({ QueueName: "european" })), "QueueDoesNotExist", 400);
  // The stored attributes came back too: a conflicting re-create is still detected.
  await rejectsWith(sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { DelaySeconds: "6" } })), "QueueNameExists", 400);
  await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { DelaySeconds: "5" } }));

  const logs = new CloudWatchLogsClient(config(second));
  const after = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups;
  assert.equal(after?.length, 2);
  assert.deepEqual(after, before);
  await rejectsWith(logs.send(new CreateLogGroupCommand({ logGroupName: "/app/web" })), "ResourceAlreadyExistsException", 400);
  await rejectsWith(logs.send(new DeleteLogGroupCommand({ logGroupName: "/tmp/gone" })), "ResourceNotFoundException", 400);
});

test("state reset through one server is still reset after a restart", async (t) => {
  const dataDir = tempDir(t);
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  try {
    await new SQSClient(config(first)).send(new CreateQueueCommand({ QueueName: "temporary" }));
    await new CloudWatchLogsClient(config(first)).send(new CreateLogGroupCommand({ logGroupName: "kept" }));
    const reset = await fetch(`${first.endpoint}/_overcast/reset?service=sqs`, { method: "POST" });
    assert.ok(reset.ok, `reset answered ${reset.status}`);
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const listed = await new SQSClient(config(second)).send(new ListQueuesCommand({}));
  assert.deepEqual(queueNames(listed.QueueUrls), []);
  const groups = await new CloudWatchLogsClient(config(second)).send(new DescribeLogGroupsCommand({}));
  assert.deepEqual(
    groups.logGroups?.map((g) => g.logGroupName),
    ["kept"],
  );
});
