import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { rejectsWith, useServer } from "../helpers.js";
import { createFunction, decode } from "./support.js";

const server = useServer({ lambdaIdleMs: 400 });
const lambda = () => new LambdaClient(server.clientConfig());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("idle environments are reaped after the configured idle time; the next invocation is a cold start", async () => {
  await createFunction(lambda(), "idle", { "index.js": "exports.handler = async () => ({ pid: process.pid });" });
  const first = await lambda().send(new InvokeCommand({ FunctionName: "idle", LogType: "Tail" }));
  const pid = decode(first.Payload).pid as number;
  assert.ok(alive(pid));
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(pid), false, "the idle environment's process was ended");
  const second = await lambda().send(new InvokeCommand({ FunctionName: "idle", LogType: "Tail" }));
  assert.notEqual(decode(second.Payload).pid, pid);
  assert.match(Buffer.from(second.LogResult ?? "", "base64").toString(), /Init Duration: [\d.]+ ms/);
});

test("environments from concurrent cold starts are all tracked, and all reaped", async () => {
  await createFunction(lambda(), "burst", {
    "index.js": "exports.handler = async () => { await new Promise((r) => setTimeout(r, 500)); return { pid: process.pid }; };",
  });
  const results = await Promise.all([1, 2, 3].map(() => lambda().send(new InvokeCommand({ FunctionName: "burst" }))));
  const pids = results.map((r) => decode(r.Payload).pid as number);
  assert.equal(new Set(pids).size, 3);
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(pids.filter(alive), [], "every environment was reaped");
});

async function settled(FunctionName: string, Qualifier: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const config = await lambda().send(new GetProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier }));
    if (config.Status !== "IN_PROGRESS" || Date.now() > deadline) return config;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("provisioned concurrency keeps initialised environments of a version past the idle time", async () => {
  await createFunction(lambda(), "warm", {
    "index.js": "exports.handler = async () => ({ pid: process.pid, init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE });",
  });
  await lambda().send(new PublishVersionCommand({ FunctionName: "warm" }));
  await rejectsWith(
    lambda().send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "$LATEST", ProvisionedConcurrentExecutions: 1 }),
    ),
    "InvalidParameterValueException",
    400,
  );
  await rejectsWith(
    lambda().send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" })),
    "ProvisionedConcurrencyConfigNotFoundException",
    404,
  );
  const put = await lambda().send(
    new PutProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1", ProvisionedConcurrentExecutions: 2 }),
  );
  assert.equal(put.$metadata.httpStatusCode, 202);
  assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);
  assert.equal(put.Status, "IN_PROGRESS");
  const ready = await settled("warm", "1");
  assert.equal(ready.Status, "READY");
  assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 2);
  assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);
  const listed = await lambda().send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "warm" }));
  assert.deepEqual(
    listed.ProvisionedConcurrencyConfigs?.map((c) => [c.FunctionArn, c.Status]),
    [["arn:aws:lambda:us-east-1:000000000000:function:warm:1", "READY"]],
  );

  await new Promise((r) => setTimeout(r, 1500)); // well past the 400 ms idle time
  const res = await lambda().send(new InvokeCommand({ FunctionName: "warm", Qualifier: "1", LogType: "Tail" }));
  const body = decode(res.Payload);
  assert.equal(body.init, "provisioned-concurrency");
  assert.doesNotMatch(Buffer.from(res.LogResult ?? "", "base64").toString(), /Init Duration/);
  assert.ok(alive(body.pid));

  await lambda().send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" }));
  const deadline = Date.now() + 10_000;
  while (alive(body.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(body.pid), false, "released environments are reaped like any other");

  await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "warm", ReservedConcurrentExecutions: 1 }));
  await rejectsWith(
    lambda().send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1", ProvisionedConcurrentExecutions: 2 })),
    "InvalidParameterValueException",
    400,
  );
});

test("provisioned concurrency of a function whose init fails ends FAILED", async () => {
  await createFunction(lambda(), "broken-init", { "index.js": "throw new Error('cannot start');" });
  await lambda().send(new PublishVersionCommand({ FunctionName: "broken-init" }));
  await lambda().send(
    new PutProvisionedConcurrencyConfigCommand({ FunctionName: "broken-init", Qualifier: "1", ProvisionedConcurrentExecutions: 1 }),
  );
  const failed = await settled("broken-init", "1");
  assert.equal(failed.Status, "FAILED");
  assert.match(failed.StatusReason ?? "", /cannot start/);
});
