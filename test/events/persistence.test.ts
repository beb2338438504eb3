import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { type Overcast, startOvercast } from "../../src/index.js";
import { credentials } from "../helpers.js";
import { tempDir } from "../state/fixtures.js";
import { createQueue, receiveAll, sqsClient } from "./helpers.js";

const config = (cloud: Overcast) => ({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

test("buses, rules, targets and schedules survive a restart on the same data dir, and routing resumes", async (t) => {
  const dataDir = tempDir(t);
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  let queueArn: string;
  try {
    const events = new EventBridgeClient(config(first));
    queueArn = (await createQueue(sqsClient(config(first)), "durable-target")).arn;
    await events.send(new CreateEventBusCommand({ Name: "durable" }));
    await events.send(new PutRuleCommand({ Name: "keep", EventBusName: "durable", EventPattern: JSON.stringify({ source: ["keep"] }) }));
    await events.send(
      new PutTargetsCommand({ Rule: "keep", EventBusName: "durable", Targets: [{ Id: "q", Arn: queueArn, InputPath: "$.detail" }] }),
    );
    await events.send(new PutRuleCommand({ Name: "tick", ScheduleExpression: "rate(1 day)", State: "DISABLED" }));
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const events = new EventBridgeClient(config(second));
  assert.equal((await events.send(new DescribeRuleCommand({ Name: "tick" }))).ScheduleExpression, "rate(1 day)");
  assert.deepEqual((await events.send(new ListTargetsByRuleCommand({ Rule: "keep", EventBusName: "durable" }))).Targets, [
    { Id: "q", Arn: queueArn, InputPath: "$.detail" },
  ]);
  await events.send(
    new PutEventsCommand({ Entries: [{ EventBusName: "durable", Source: "keep", DetailType: "t", Detail: '{"after":"restart"}' }] }),
  );
  const sqs = sqsClient(config(second));
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "durable-target" }));
  const [message] = await receiveAll(sqs, QueueUrl as string, 1);
  assert.deepEqual(JSON.parse(message.Body as string), { after: "restart" });
});
