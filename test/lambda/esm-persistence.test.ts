import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CreateEventSourceMappingCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { credentials } from "../helpers.js";
import { startOvercast } from "../../src/index.js";
import { createQueue, eventually, queueDepth } from "./queue-support.js";
import { createFunction } from "./support.js";

const config = (endpoint: string) => ({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

test("event source mappings resume polling after a restart with persistent state", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "overcast-esm-"));
  try {
    const first = await startOvercast({ port: 0, initDirs: [], dataDir });
    const queue = await createQueue(new SQSClient(config(first.endpoint)), "jobs");
    await createFunction(new LambdaClient(config(first.endpoint)), "jobs-fn", { "index.js": "exports.handler = async () => ({});" });
    const { UUID } = await new LambdaClient(config(first.endpoint)).send(
      new CreateEventSourceMappingCommand({ FunctionName: "jobs-fn", EventSourceArn: queue.arn }),
    );
    await first.stop();

    const second = await startOvercast({ port: 0, initDirs: [], dataDir });
    try {
      const lambda = new LambdaClient(config(second.endpoint));
      const sqs = new SQSClient(config(second.endpoint));
      const listed = await lambda.send(new ListEventSourceMappingsCommand({}));
      assert.deepEqual(
        listed.EventSourceMappings?.map((m) => [m.UUID, m.State]),
        [[UUID, "Enabled"]],
      );
      const QueueUrl = `${second.endpoint}/000000000000/jobs`;
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "after restart" }));
      await eventually(async () => {
        const depth = await queueDepth(sqs, QueueUrl);
        return depth.visible === 0 && depth.inFlight === 0 ? true : undefined;
      });
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
