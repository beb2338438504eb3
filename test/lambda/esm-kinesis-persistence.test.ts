import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { startOvercast } from "../../src/index.js";
import { credentials } from "../helpers.js";
import { createQueue, eventually, receiveMessages, SEND_TO_SEEN_QUEUE } from "./queue-support.js";
import { createFunction } from "./support.js";

const config = (endpoint: string) => ({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

/** Sends the decoded data of each event's records to the queue in SEEN_URL. */
const FORWARDER = {
  "index.js": `
${SEND_TO_SEEN_QUEUE}
exports.handler = async (event) => {
  const body = JSON.stringify(event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8")));
  await send(body);
  return {};
};`,
};

async function delivered(sqs: SQSClient, url: string, timeoutMs?: number): Promise<string[][]> {
  const messages = await receiveMessages(sqs, url, 1, timeoutMs);
  return messages.map((m) => JSON.parse(m.Body as string) as string[]);
}

test("a Kinesis mapping resumes after its checkpoint when a persistent server restarts", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "overcast-kinesis-esm-"));
  try {
    const first = await startOvercast({ port: 0, initDirs: [], dataDir });
    let seenPath = "";
    try {
      const sqs = new SQSClient(config(first.endpoint));
      const kinesis = new KinesisClient(config(first.endpoint));
      const seen = await createQueue(sqs, "seen");
      seenPath = seen.url.replace(first.endpoint, "");
      await kinesis.send(new CreateStreamCommand({ StreamName: "ledger", ShardCount: 1 }));
      await createFunction(new LambdaClient(config(first.endpoint)), "ledger-fn", FORWARDER, {
        Environment: { Variables: { SEEN_URL: seen.url } },
      });
      await kinesis.send(new PutRecordCommand({ StreamName: "ledger", PartitionKey: "k", Data: Buffer.from("entry-1") }));
      const lambda = new LambdaClient(config(first.endpoint));
      const { UUID } = await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: "ledger-fn",
          EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/ledger",
          StartingPosition: "TRIM_HORIZON",
        }),
      );
      assert.deepEqual(await delivered(sqs, seen.url), [["entry-1"]]);
      // The checkpoint is written as the batch's result is: once Lambda reports OK, entry-1 is behind it.
      await eventually(async () => {
        const { LastProcessingResult } = await lambda.send(new GetEventSourceMappingCommand({ UUID }));
        return LastProcessingResult === "OK" ? true : undefined;
      });
    } finally {
      await first.stop();
    }

    const second = await startOvercast({ port: 0, initDirs: [], dataDir });
    try {
      const sqs = new SQSClient(config(second.endpoint));
      const url = `${second.endpoint}${seenPath}`;
      // The queue is the same; only the server's port changed.
      await new LambdaClient(config(second.endpoint)).send(
        new UpdateFunctionConfigurationCommand({ FunctionName: "ledger-fn", Environment: { Variables: { SEEN_URL: url } } }),
      );
      await new KinesisClient(config(second.endpoint)).send(
        new PutRecordCommand({ StreamName: "ledger", PartitionKey: "k", Data: Buffer.from("entry-2") }),
      );
      assert.deepEqual(await delivered(sqs, url), [["entry-2"]]);
      assert.deepEqual(await delivered(sqs, url, 1_500), []);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Forwards each windowed event to SEEN_URL and counts its window's records in the state. */
const COUNTER = {
  "index.js": `
${SEND_TO_SEEN_QUEUE}
exports.handler = async (event) => {
  const texts = event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8"));
  const body = JSON.stringify({ texts, window: event.window, state: event.state, final: event.isFinalInvokeForWindow });
  await send(body);
  return { state: { count: (event.state.count || 0) + texts.length } };
};`,
};

interface WindowedCall {
  texts: string[];
  window: { start: string; end: string };
  state: { count?: number };
  final: boolean;
}

test("a tumbling window's state survives a restart of a persistent server", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "overcast-kinesis-window-"));
  try {
    const first = await startOvercast({ port: 0, initDirs: [], dataDir });
    let seenPath = "";
    let firstWindow = "";
    try {
      const sqs = new SQSClient(config(first.endpoint));
      const kinesis = new KinesisClient(config(first.endpoint));
      const lambda = new LambdaClient(config(first.endpoint));
      const seen = await createQueue(sqs, "tally-seen");
      seenPath = seen.url.replace(first.endpoint, "");
      await kinesis.send(new CreateStreamCommand({ StreamName: "tally", ShardCount: 1 }));
      await createFunction(lambda, "tally-fn", COUNTER, { Environment: { Variables: { SEEN_URL: seen.url } } });
      for (const text of ["t1", "t2"])
        await kinesis.send(new PutRecordCommand({ StreamName: "tally", PartitionKey: "k", Data: Buffer.from(text) }));
      // A 15-minute window stays open across the restart.
      const { UUID } = await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: "tally-fn",
          EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/tally",
          StartingPosition: "TRIM_HORIZON",
          TumblingWindowInSeconds: 900,
        }),
      );
      const [call] = (await receiveMessages(sqs, seen.url)).map((m) => JSON.parse(m.Body as string) as WindowedCall);
      assert.deepEqual(call.texts, ["t1", "t2"]);
      assert.deepEqual(call.state, {});
      firstWindow = call.window.start;
      // The window's state is saved with the checkpoint, as the batch's result is recorded.
      await eventually(async () => {
        const { LastProcessingResult } = await lambda.send(new GetEventSourceMappingCommand({ UUID }));
        return LastProcessingResult === "OK" ? true : undefined;
      });
    } finally {
      await first.stop();
    }

    const second = await startOvercast({ port: 0, initDirs: [], dataDir });
    try {
      const sqs = new SQSClient(config(second.endpoint));
      const url = `${second.endpoint}${seenPath}`;
      await new LambdaClient(config(second.endpoint)).send(
        new UpdateFunctionConfigurationCommand({ FunctionName: "tally-fn", Environment: { Variables: { SEEN_URL: url } } }),
      );
      await new KinesisClient(config(second.endpoint)).send(
        new PutRecordCommand({ StreamName: "tally", PartitionKey: "k", Data: Buffer.from("t3") }),
      );
      const calls: WindowedCall[] = [];
      await eventually(async () => {
        calls.push(...(await receiveMessages(sqs, url, 1, 2_000)).map((m) => JSON.parse(m.Body as string) as WindowedCall));
        return calls.some((c) => c.texts.includes("t3")) ? true : undefined;
      }, 30_000);
      const t3 = calls.find((c) => c.texts.includes("t3")) as WindowedCall;
      if (t3.window.start === firstWindow) {
        // Same window: t3's invocation continues from the state t1 and t2 left.
        assert.deepEqual(t3.state, { count: 2 });
      } else {
        // The window ended meanwhile: its final invocation still carried the restored state.
        const closing = calls.find((c) => c.final && c.window.start === firstWindow);
        assert.deepEqual(closing?.state, { count: 2 });
      }
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
