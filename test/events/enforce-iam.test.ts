import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, receiveAll, sqsClient } from "./helpers.js";

const server = useServer({ enforceIam: true });
const ACCOUNT = "000000000000";

const allowRule = (queueArn: string, ruleArn: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
    ],
  });

test("with IAM enforced, a rule reaches a queue only when the queue policy lets the rule's events in", async () => {
  const events = new EventBridgeClient(server.clientConfig());
  const sqs = sqsClient(server.clientConfig());
  const target = await createQueue(sqs, "guarded");
  const dlq = await createQueue(sqs, "guarded-dlq");
  const { RuleArn } = await events.send(new PutRuleCommand({ Name: "guarded", EventPattern: JSON.stringify({ source: ["iam.test"] }) }));
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: dlq.url, Attributes: { Policy: allowRule(dlq.arn, RuleArn as string) } }));
  await events.send(
    new PutTargetsCommand({ Rule: "guarded", Targets: [{ Id: "q", Arn: target.arn, DeadLetterConfig: { Arn: dlq.arn } }] }),
  );
  const entry = { Source: "iam.test", DetailType: "t" };

  await events.send(new PutEventsCommand({ Entries: [{ ...entry, Detail: '{"n":1}' }] }));
  const refused = await receiveAll(sqs, dlq.url, 1);
  assert.deepEqual(
    refused.map((m) => JSON.parse(m.Body as string).detail),
    [{ n: 1 }],
  );
  assert.equal(refused[0].MessageAttributes?.ERROR_CODE?.StringValue, "AccessDenied");
  assert.equal((await receiveAll(sqs, target.url, 0)).length, 0);

  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: target.url, Attributes: { Policy: allowRule(target.arn, RuleArn as string) } }));
  await events.send(new PutEventsCommand({ Entries: [{ ...entry, Detail: '{"n":2}' }] }));
  const delivered = await receiveAll(sqs, target.url, 1);
  assert.deepEqual(
    delivered.map((m) => JSON.parse(m.Body as string).detail),
    [{ n: 2 }],
  );
  assert.equal(JSON.parse(delivered[0].Body as string).account, ACCOUNT);
});

test("with IAM enforced, another account puts events on a bus only when the bus policy allows it", async () => {
  const OTHER = "111122223333";
  const owner = new EventBridgeClient(server.clientConfig());
  const other = new EventBridgeClient({ ...server.clientConfig(), credentials: { accessKeyId: OTHER, secretAccessKey: "x" } });
  const sqs = sqsClient(server.clientConfig());
  const queue = await createQueue(sqs, "shared-bus-target");
  await owner.send(new CreateEventBusCommand({ Name: "shared" }));
  const { RuleArn } = await owner.send(
    new PutRuleCommand({ Name: "shared-rule", EventBusName: "shared", EventPattern: '{"source":["partner"]}' }),
  );
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { Policy: allowRule(queue.arn, RuleArn as string) } }));
  await owner.send(new PutTargetsCommand({ Rule: "shared-rule", EventBusName: "shared", Targets: [{ Id: "q", Arn: queue.arn }] }));
  const entry = { EventBusName: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/shared`, Source: "partner", DetailType: "t" };

  await rejectsWith(other.send(new PutEventsCommand({ Entries: [{ ...entry, Detail: '{"n":1}' }] })), "AccessDeniedException", 400);
  await owner.send(
    new PutPermissionCommand({ EventBusName: "shared", Action: "events:PutEvents", Principal: OTHER, StatementId: "partner" }),
  );
  const out = await other.send(new PutEventsCommand({ Entries: [{ ...entry, Detail: '{"n":2}' }] }));
  assert.equal(out.FailedEntryCount, 0);
  const [message] = await receiveAll(sqs, queue.url, 1);
  const event = JSON.parse(message.Body as string);
  assert.deepEqual(event.detail, { n: 2 });
  assert.equal(event.account, OTHER, "the event names the account that sent it");
});
