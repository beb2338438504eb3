import assert from "node:assert/strict";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { test } from "node:test";
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateQueueCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type Overcast, startOvercast } from "../../src/index.js";
import { modelOperationNames } from "../../src/protocol/model.js";
import { SERVICES } from "../../src/services/registry.js";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

/** The gateway as HTTP sees it: one port for HTTP/1.1 and h2c, our operations routes, graceful stop. */
const server = useServer();

const LIST_QUEUES = { "x-amz-target": "AmazonSQS.ListQueues", "content-type": "application/x-amz-json-1.0" };

const request = rawRequest;

const get = (path: string) => request(server.endpoint, "GET", path);
const post = (path: string) => request(server.endpoint, "POST", path);

/** One HTTP/2 request on an open session; resolves with the status and the body. */
function h2Request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: string,
): Promise<{ status: number; text: string; contentType?: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    let contentType: string | undefined;
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      contentType = h["content-type"] as string | undefined;
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve({ status, text: Buffer.concat(chunks).toString("utf8"), contentType }));
    stream.on("error", reject);
    stream.setTimeout(10_000, () => stream.destroy(new Error(`no HTTP/2 response to ${String(headers[":path"])}`)));
    stream.end(body);
  });
}

function h2Connect(endpoint: string): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(endpoint);
    session.once("connect", () => resolve(session));
    session.once("error", reject);
  });
}

async function withServer(options: Parameters<typeof startOvercast>[0], fn: (cloud: Overcast) => Promise<void>): Promise<void> {
  const cloud = await startOvercast({ port: 0, initDirs: [], ...options });
  try {
    await fn(cloud);
  } finally {
    await cloud.stop();
  }
}

function health(text: string) {
  return JSON.parse(text) as { services: Record<string, string>; edition: string; version: string };
}

test("HTTP/2 with prior knowledge and HTTP/1.1 are served on the same port", async () => {
  const session = await h2Connect(server.endpoint);
  try {
    const res = await h2Request(session, { ":method": "POST", ":path": "/", ...LIST_QUEUES }, "{}");
    assert.equal(res.status, 200);
    assert.equal(res.contentType, "application/x-amz-json-1.0");
    assert.deepEqual(JSON.parse(res.text), {});
    // Many streams on one session, concurrently.
    const many = await Promise.all(
      Array.from({ length: 10 }, () => h2Request(session, { ":method": "GET", ":path": "/_localstack/health" })),
    );
    for (const r of many) assert.equal(r.status, 200);
    const malformed = await h2Request(session, { ":method": "POST", ":path": "/", ...LIST_QUEUES }, "{");
    assert.equal(malformed.status, 400);
  } finally {
    session.close();
  }
  const h1 = await request(server.endpoint, "POST", "/", { headers: LIST_QUEUES, body: "{}" });
  assert.equal(h1.status, 200);
  assert.deepEqual(JSON.parse(h1.text), {});
});

test("HTTP/1.1 keep-alive connections are reused", async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await request(server.endpoint, "POST", "/", { headers: LIST_QUEUES, body: "{}", agent });
    const second = await request(server.endpoint, "POST", "/", { headers: LIST_QUEUES, body: "{}", agent });
    const third = await request(server.endpoint, "GET", "/_localstack/health", { agent });
    assert.equal(first.reusedSocket, false);
    assert.equal(second.reusedSocket, true);
    assert.equal(third.reusedSocket, true);
    assert.equal(second.localPort, first.localPort);
    assert.equal(third.localPort, first.localPort);
    assert.equal(second.headers.connection, "keep-alive");
    // An error response keeps the connection open too.
    const error = await request(server.endpoint, "POST", "/", { headers: LIST_QUEUES, body: "{", agent });
    assert.equal(error.status, 400);
    assert.equal(error.reusedSocket, true);
  } finally {
    agent.destroy();
  }
});

test("health answers on LocalStack's and our path with LocalStack's shape", async () => {
  for (const path of ["/_localstack/health", "/_overcast/health"]) {
    const res = await get(path);
    assert.equal(res.status, 200);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    const body = health(res.text);
    assert.deepEqual(Object.keys(body.services).sort(), SERVICES.map((s) => s.id).sort());
    for (const state of Object.values(body.services)) assert.ok(state === "available" || state === "running", state);
    assert.equal(body.edition, "community");
    assert.match(body.version, /^\d+\.\d+\.\d+/);
  }
  const head = await request(server.endpoint, "HEAD", "/_localstack/health");
  assert.equal(head.status, 200);
  assert.equal(head.text, "");
});

test("a service is available until its first request, then running; only enabled services are listed", async () => {
  await withServer({ services: ["sqs", "logs"] }, async (cloud) => {
    const before = health((await request(cloud.endpoint, "GET", "/_localstack/health")).text);
    assert.deepEqual(before.services, { sqs: "available", logs: "available" });
    assert.equal((await request(cloud.endpoint, "POST", "/", { headers: LIST_QUEUES, body: "{}" })).status, 200);
    const after = health((await request(cloud.endpoint, "GET", "/_localstack/health")).text);
    assert.deepEqual(after.services, { sqs: "running", logs: "available" });
  });
});

test("reset wipes all state, or one service's with ?service=", async () => {
  const sqs = new SQSClient(server.clientConfig());
  const logs = new CloudWatchLogsClient(server.clientConfig());
  const groupNames = async () => (await logs.send(new DescribeLogGroupsCommand({}))).logGroups?.map((g) => g.logGroupName) ?? [];

  await sqs.send(new CreateQueueCommand({ QueueName: "reset-me" }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "survivor" }));
  const one = await post("/_overcast/reset?service=sqs");
  assert.equal(one.status, 200);
  await rejectsWith(sqs.send(new GetQueueUrlCommand({ QueueName: "reset-me" })), "QueueDoesNotExist", 400);
  assert.ok((await groupNames()).includes("survivor"), "a reset of sqs must not touch logs");

  await sqs.send(new CreateQueueCommand({ QueueName: "reset-me" }));
  const moto = await post("/moto-api/reset");
  assert.equal(moto.status, 200);
  await rejectsWith(sqs.send(new GetQueueUrlCommand({ QueueName: "reset-me" })), "QueueDoesNotExist", 400);
  assert.deepEqual(await groupNames(), []);

  await sqs.send(new CreateQueueCommand({ QueueName: "reset-me" }));
  assert.equal((await post("/_overcast/reset")).status, 200);
  await rejectsWith(sqs.send(new GetQueueUrlCommand({ QueueName: "reset-me" })), "QueueDoesNotExist", 400);
  // The service keeps working after a reset.
  const again = await sqs.send(new CreateQueueCommand({ QueueName: "reset-me" }));
  assert.equal(again.QueueUrl, `${server.endpoint}/000000000000/reset-me`);

  assert.equal((await post("/_overcast/reset?service=no-such-service")).status, 400);
});

test("coverage lists implemented and total operations per service", async () => {
  const res = await get("/_overcast/coverage");
  assert.equal(res.status, 200, res.text);
  const report = JSON.parse(res.text) as { service: string; implemented: string[]; missing: string[]; total: number }[];
  assert.deepEqual(report.map((s) => s.service).sort(), SERVICES.map((s) => s.id).sort());
  for (const s of report) {
    const all = modelOperationNames(s.service);
    assert.equal(s.total, all.length, s.service);
    assert.equal(s.implemented.length + s.missing.length, s.total, s.service);
    for (const op of [...s.implemented, ...s.missing]) assert.ok(all.includes(op), `${s.service}.${op} is not in the model`);
  }
  const sqs = report.find((s) => s.service === "sqs");
  for (const op of ["CreateQueue", "GetQueueUrl", "ListQueues"]) assert.ok(sqs?.implemented.includes(op), op);
});

test("stop() lets a request in flight finish, and refuses new connections", async () => {
  const cloud = await startOvercast({ port: 0, initDirs: [] });
  const url = new URL(cloud.endpoint);
  let stopped = false;
  let stopping: Promise<void> | undefined;
  try {
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method: "POST", path: "/", headers: { ...LIST_QUEUES, "content-length": "2" } },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.write("{");
      // The first half of the body is on the wire: the request is in flight when stop() is called.
      setTimeout(() => {
        stopping = cloud.stop().then(() => {
          stopped = true;
        });
        setTimeout(() => req.end("}"), 200);
      }, 100);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(stopping, "stop() was called");
    assert.equal(stopped, false, "stop() must wait for the request in flight");
    await assert.rejects(
      new Promise((resolve, reject) => net.connect(Number(url.port), url.hostname).once("connect", resolve).once("error", reject)),
      /ECONNREFUSED/,
    );
    const res = await response;
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), {});
    await stopping;
    assert.equal(stopped, true);
  } finally {
    await cloud.stop();
  }
});

test("stop() resolves quickly when only idle keep-alive connections are open", async () => {
  const cloud = await startOvercast({ port: 0, initDirs: [] });
  const agent = new http.Agent({ keepAlive: true });
  const session = await h2Connect(cloud.endpoint);
  try {
    assert.equal((await request(cloud.endpoint, "POST", "/", { headers: LIST_QUEUES, body: "{}", agent })).status, 200);
    assert.equal((await h2Request(session, { ":method": "GET", ":path": "/_localstack/health" })).status, 200);
    const started = Date.now();
    await cloud.stop();
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1_000, `stop() took ${elapsed} ms with idle connections`);
  } finally {
    agent.destroy();
    session.destroy();
    await cloud.stop();
  }
});
