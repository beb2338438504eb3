import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { rejectsWith, useServer } from "../helpers.js";
import { createQueue, sleep, sqsClient } from "./support.js";

const server = useServer();
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

test("RedrivePolicy moves a message after maxReceiveCount receives", async () => {
  const sqs = sqsClient(server);
  const dlq = await createQueue(sqs, "dlq");
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn("dlq"), maxReceiveCount: "2" });
  const source = await createQueue(sqs, "source", { RedrivePolicy, VisibilityTimeout: "0" });
  const stored = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: source, AttributeNames: ["RedrivePolicy"] }));
  assert.equal(stored.Attributes?.RedrivePolicy, JSON.stringify({ deadLetterTargetArn: arn("dlq"), maxReceiveCount: 2 }));
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: "poison" }));
  for (let i = 1; i <= 2; i++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: source, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }),
    );
    assert.equal(Messages?.[0].Attributes?.ApproximateReceiveCount, String(i));
  }
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source }))).Messages, undefined);
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ["All"] }));
  assert.equal(Messages?.[0].MessageId, sent.MessageId);
  assert.equal(Messages?.[0].Body, "poison");
  assert.equal(Messages?.[0].Attributes?.DeadLetterQueueSourceArn, arn("source"));
  const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
  assert.deepEqual(sources.queueUrls, [source]);
});

test("RedrivePolicy validation and RedriveAllowPolicy", async () => {
  const sqs = sqsClient(server);
  const QueueUrl = await createQueue(sqs, "checked");
  const set = (RedrivePolicy: string) => sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy } }));
  let err = await rejectsWith(
    set(JSON.stringify({ deadLetterTargetArn: arn("missing"), maxReceiveCount: 1 })),
    "InvalidParameterValue",
    400,
  );
  assert.match(err.message, /Dead letter target does not exist/);
  await createQueue(sqs, "target");
  err = await rejectsWith(set(JSON.stringify({ deadLetterTargetArn: arn("target"), maxReceiveCount: 1001 })), "InvalidParameterValue", 400);
  assert.match(err.message, /valid values are from 1 to 1000 both inclusive/);
  await rejectsWith(set("not json"), "InvalidParameterValue", 400);
  await rejectsWith(set(JSON.stringify({ maxReceiveCount: 3 })), "InvalidParameterValue", 400);
  await createQueue(sqs, "target.fifo");
  err = await rejectsWith(
    set(JSON.stringify({ deadLetterTargetArn: arn("target.fifo"), maxReceiveCount: 3 })),
    "InvalidParameterValue",
    400,
  );
  assert.match(err.message, /same type of queue/);

  const locked = await createQueue(sqs, "locked", { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }) });
  await rejectsWith(set(JSON.stringify({ deadLetterTargetArn: arn("locked"), maxReceiveCount: 3 })), "InvalidParameterValue", 400);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: locked,
      Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn("checked")] }) },
    }),
  );
  await set(JSON.stringify({ deadLetterTargetArn: arn("locked"), maxReceiveCount: 3 }));
  await rejectsWith(
    sqs.send(
      new CreateQueueCommand({
        QueueName: "bad-allow",
        Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue" }) },
      }),
    ),
    "InvalidParameterValue",
    400,
  );
  // An empty RedrivePolicy removes it.
  await set("");
  const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["RedrivePolicy"] }));
  assert.equal(after.Attributes, undefined);
});

test("StartMessageMoveTask moves dead letters back to their source; list and cancel", async () => {
  const sqs = sqsClient(server);
  const dlq = await createQueue(sqs, "move-dlq");
  const source = await createQueue(sqs, "move-source", {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("move-dlq"), maxReceiveCount: 1 }),
    VisibilityTimeout: "0",
  });
  for (const body of ["m1", "m2", "m3"]) await sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: body }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10 }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10 })); // moves all three
  const counts = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["ApproximateNumberOfMessages"] }));
  assert.equal(counts.Attributes?.ApproximateNumberOfMessages, "3");

  await rejectsWith(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn("move-source") })), "InvalidParameterValue", 400);
  await rejectsWith(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn("nothing") })), "ResourceNotFoundException", 404);
  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn("move-dlq") }));
  assert.ok(TaskHandle);
  let task = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn("move-dlq") }))).Results?.[0];
  for (let i = 0; i < 50 && task?.Status === "RUNNING"; i++) {
    await sleep(200);
    task = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn("move-dlq") }))).Results?.[0];
  }
  assert.equal(task?.Status, "COMPLETED");
  assert.equal(task?.ApproximateNumberOfMessagesMoved, 3);
  assert.equal(task?.TaskHandle, undefined);
  const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10 }));
  assert.deepEqual(back.Messages?.map((m) => m.Body).sort(), ["m1", "m2", "m3"]);
  await rejectsWith(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })), "InvalidParameterValue", 400);
  await rejectsWith(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: "bogus" })), "ResourceNotFoundException", 404);
});
