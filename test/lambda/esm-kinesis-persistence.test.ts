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
import { createQueue, eventually, receiveMessages } from "./queue-support.js";
import { createFunction } from "./support.js";

const config = (endpoint: string) => ({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

/** Sends the decoded data of each event's records to the queue in SEEN_URL. */
const FORWARDER = {
  "index.js": `
const http = require("node:http");
exports.handler = async (event) => {
  const body = JSON.stringify(event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8")));
  const form = new URLSearchParams({ Action: "SendMessage", MessageBody: body }).toString();
  await new Promise((resolve, reject) => {
    const req = http.request(new URL(process.env.SEEN_URL), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded",
      authorization: "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x" } }, (res) => { res.resume(); res.on("end", resolve); });
    req.on("error", reject);
    req.end(form);
  });
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
