import http from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { capture, clientConfig } from "./capture.js";
import { benchmark, type ServerProcess } from "./child.js";
import { measureServer } from "./cpu.js";
import { send, type WireRequest } from "./load.js";
import { clockTicksPerSecond, cpuMicros } from "./proc.js";
import { sleep, waitUntilServing } from "./ready.js";
import { ms, percentile, printTable, ratio, rps, us } from "./report.js";

/**
 * SQS messaging speed against a bare Node server: SendMessage replayed as pre-signed bytes (server CPU
 * per request and throughput, as in run.ts), receive + delete through the SDK (messages per second and
 * server CPU per message), and the latency from a SendMessage to the answer of a long poll that was
 * already waiting for it, next to a plain request round trip on the bare server.
 */
const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const REFERENCE = fileURLToPath(new URL("./reference-server.js", import.meta.url));
const SEND_LOAD = { warmup: 2_000, count: 20_000, connections: 8, timeLimitMs: 15_000 };
const RECEIVERS = 4;
const WAKE_RUNS = 300;
const WHOLE_RUN_LIMIT_MS = 150_000;
const QUEUE = "http://127.0.0.1:4566/000000000000/bench";
const WAKE_QUEUE = "http://127.0.0.1:4566/000000000000/bench-wake";
const BODY = "x".repeat(256);

const sqsCapture = (call: (client: SQSClient) => Promise<unknown>) => capture(() => call(new SQSClient(clientConfig)));

async function main(): Promise<void> {
  await benchmark(WHOLE_RUN_LIMIT_MS, async (start) => {
    const overcast = await start(CLI, ["--port", "0"]);
    await waitUntilServing(overcast);
    for (const QueueName of ["bench", "bench-wake"])
      await expectOk(overcast.endpoint, await sqsCapture((c) => c.send(new CreateQueueCommand({ QueueName }))));
    const sendRequest = await sqsCapture((c) => c.send(new SendMessageCommand({ QueueUrl: QUEUE, MessageBody: BODY })));
    const reference = await start(REFERENCE, [await referenceResponse(overcast.endpoint, sendRequest)]);
    const rows: string[][] = [];
    rows.push(...(await sendRows(overcast, reference, sendRequest)));
    rows.push(...(await receiveRows(overcast)));
    rows.push(...(await wakeRows(overcast, reference, sendRequest)));
    printTable(["measure", "Overcast", "bare Node", "ratio", "target"], rows);
  });
}

async function expectOk(endpoint: string, request: WireRequest): Promise<Buffer> {
  const res = await send(endpoint, request);
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.toString()}`);
  return res.body;
}

/** The bare server answers every request with Overcast's own SendMessage response bytes. */
async function referenceResponse(endpoint: string, request: WireRequest): Promise<string> {
  const res = await send(endpoint, request);
  const file = join(mkdtempSync(join(tmpdir(), "overcast-sqs-bench-")), "send.json");
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([h]) => !["date", "connection", "keep-alive"].includes(h)));
  writeFileSync(file, JSON.stringify({ status: res.status, headers, body: res.body.toString("base64") }));
  return file;
}

async function sendRows(overcast: ServerProcess, reference: ServerProcess, request: WireRequest): Promise<string[][]> {
  const ticks = clockTicksPerSecond();
  const ours = await measureServer(overcast, request, SEND_LOAD, ticks);
  const bare = await measureServer(reference, request, SEND_LOAD, ticks);
  return [
    [
      "SendMessage: server CPU per request",
      us(ours.cpuMicrosPerRequest),
      us(bare.cpuMicrosPerRequest),
      ratio(ours.cpuMicrosPerRequest, bare.cpuMicrosPerRequest),
      "≤ 3×",
    ],
    [
      "SendMessage: throughput",
      rps(ours.requestsPerSecond),
      rps(bare.requestsPerSecond),
      ratio(ours.requestsPerSecond, bare.requestsPerSecond),
      "",
    ],
  ];
}

/** Drains the queue the send phase filled: ReceiveMessage (10) + DeleteMessageBatch, through the SDK. */
async function receiveRows(overcast: ServerProcess): Promise<string[][]> {
  const ticks = clockTicksPerSecond();
  const agent = new http.Agent({ keepAlive: true, maxSockets: RECEIVERS });
  const client = new SQSClient({ ...clientConfig, requestHandler: { httpAgent: agent }, endpoint: overcast.endpoint });
  const queueUrl = QUEUE.replace("http://127.0.0.1:4566", overcast.endpoint);
  let messages = 0;
  const deadline = performance.now() + 20_000;
  const cpuBefore = cpuMicros(overcast.pid, ticks);
  const begun = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const got = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      const batch = got.Messages ?? [];
      if (batch.length === 0) return;
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      messages += batch.length;
    }
  };
  await Promise.all(Array.from({ length: RECEIVERS }, worker));
  const elapsed = performance.now() - begun;
  const cpu = cpuMicros(overcast.pid, ticks) - cpuBefore;
  agent.destroy();
  return [
    [`receive (10) + delete batch, SDK, ${RECEIVERS} consumers: messages/s`, rps((messages * 1000) / elapsed), "", "", ""],
    ["receive + delete: server CPU per message", us(cpu / Math.max(messages, 1)), "", "", ""],
  ];
}

/**
 * A long poll is parked first; then a message is sent, and the time from sending it to the long poll's
 * answer is the wake-up latency. The reference is one round trip of the same SendMessage bytes to the
 * bare server: the least any send-then-deliver path could cost.
 */
async function wakeRows(overcast: ServerProcess, reference: ServerProcess, sendRequest: WireRequest): Promise<string[][]> {
  const poll = await sqsCapture((c) =>
    c.send(new ReceiveMessageCommand({ QueueUrl: WAKE_QUEUE, WaitTimeSeconds: 20, MaxNumberOfMessages: 1 })),
  );
  const wakeSend = await sqsCapture((c) => c.send(new SendMessageCommand({ QueueUrl: WAKE_QUEUE, MessageBody: "wake" })));
  const pollAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sendAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const wake: number[] = [];
  for (let i = 0; i < WAKE_RUNS; i++) {
    const answered = send(overcast.endpoint, poll, pollAgent).then((res) => ({ res, at: performance.now() }));
    await sleep(5); // let the poll park
    const sentAt = performance.now();
    await send(overcast.endpoint, wakeSend, sendAgent);
    const { res, at } = await answered;
    if (!res.body.toString().includes('"Messages"')) throw new Error(`the long poll came back empty: ${res.body.toString()}`);
    wake.push(at - sentAt);
  }
  const roundTrip: number[] = [];
  for (let i = 0; i < WAKE_RUNS; i++) {
    const at = performance.now();
    await send(reference.endpoint, sendRequest, sendAgent);
    roundTrip.push(performance.now() - at);
  }
  pollAgent.destroy();
  sendAgent.destroy();
  return [
    [
      `long-poll wake-up after SendMessage: p50 (${WAKE_RUNS} runs)`,
      ms(percentile(wake, 50)),
      ms(percentile(roundTrip, 50)),
      ratio(percentile(wake, 50), percentile(roundTrip, 50)),
      "< 5 ms",
    ],
    [
      "long-poll wake-up after SendMessage: p99",
      ms(percentile(wake, 99)),
      ms(percentile(roundTrip, 99)),
      ratio(percentile(wake, 99), percentile(roundTrip, 99)),
      "",
    ],
  ];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
