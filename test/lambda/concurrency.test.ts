import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
} from "@aws-sdk/client-lambda";
import { rejectsWith, useServer } from "../helpers.js";
import { createFunction, decode } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const invoke = (FunctionName: string, event: unknown = {}) =>
  lambda().send(new InvokeCommand({ FunctionName, Payload: Buffer.from(JSON.stringify(event)) }));
const SLOW = {
  "index.js": "exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return { pid: process.pid }; };",
};

test("Put/Get/DeleteFunctionConcurrency and the account's unreserved concurrency", async () => {
  await createFunction(lambda(), "reserved", SLOW);
  assert.equal(
    (await lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: "reserved" }))).ReservedConcurrentExecutions,
    undefined,
  );
  const put = await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "reserved", ReservedConcurrentExecutions: 250 }));
  assert.equal(put.ReservedConcurrentExecutions, 250);
  const got = await lambda().send(
    new GetFunctionConcurrencyCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:reserved" }),
  );
  assert.equal(got.ReservedConcurrentExecutions, 250);
  assert.deepEqual((await lambda().send(new GetFunctionCommand({ FunctionName: "reserved" }))).Concurrency, {
    ReservedConcurrentExecutions: 250,
  });
  const settings = await lambda().send(new GetAccountSettingsCommand({}));
  assert.equal(settings.AccountLimit?.ConcurrentExecutions, 1000);
  assert.equal(settings.AccountLimit?.UnreservedConcurrentExecutions, 750);
  assert.equal(settings.AccountLimit?.CodeSizeUnzipped, 262_144_000);
  assert.equal(settings.AccountLimit?.CodeSizeZipped, 52_428_800);
  assert.ok((settings.AccountUsage?.FunctionCount ?? 0) >= 1);
  assert.ok((settings.AccountUsage?.TotalCodeSize ?? 0) > 0);

  // 1000 - 250 - 700 = 50 would leave less than the 100 unreserved Lambda insists on.
  await createFunction(lambda(), "greedy", SLOW);
  const err = await rejectsWith(
    lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "greedy", ReservedConcurrentExecutions: 700 })),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(
    err.message,
    "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
  );
  // Changing a function's own reservation counts only the new value.
  await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "reserved", ReservedConcurrentExecutions: 900 }));
  await lambda().send(new DeleteFunctionConcurrencyCommand({ FunctionName: "reserved" }));
  assert.equal(
    (await lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: "reserved" }))).ReservedConcurrentExecutions,
    undefined,
  );
  assert.equal((await lambda().send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions, 1000);
  assert.equal((await lambda().send(new GetFunctionCommand({ FunctionName: "reserved" }))).Concurrency, undefined);
});

test("concurrency settings: missing functions, negative values, qualified names; deleting the function drops its reservation", async () => {
  await rejectsWith(
    lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "nope", ReservedConcurrentExecutions: 1 })),
    "ResourceNotFoundException",
    404,
  );
  await rejectsWith(lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: "nope" })), "ResourceNotFoundException", 404);
  await createFunction(lambda(), "bounded", SLOW);
  await rejectsWith(
    lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "bounded", ReservedConcurrentExecutions: -1 })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "bounded:$LATEST", ReservedConcurrentExecutions: 1 })),
    "InvalidParameterValueException",
    400,
  );
  await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "bounded", ReservedConcurrentExecutions: 5 }));
  await lambda().send(new DeleteFunctionCommand({ FunctionName: "bounded" }));
  await createFunction(lambda(), "bounded", SLOW);
  assert.equal(
    (await lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: "bounded" }))).ReservedConcurrentExecutions,
    undefined,
  );
});

test("reserved concurrency 0 throttles every invocation with TooManyRequestsException", async () => {
  await createFunction(lambda(), "off", SLOW);
  await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "off", ReservedConcurrentExecutions: 0 }));
  const err = (await rejectsWith(invoke("off"), "TooManyRequestsException", 429)) as Error & { Reason?: string; Type?: string };
  assert.equal(err.message, "Rate Exceeded.");
  assert.equal(err.Reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
  assert.equal(err.Type, "User");
  await lambda().send(new DeleteFunctionConcurrencyCommand({ FunctionName: "off" }));
  assert.equal((await invoke("off")).StatusCode, 200);
});

test("a reservation of 1 admits one invocation at a time; unreserved functions scale out to concurrent environments", async () => {
  await createFunction(lambda(), "single", SLOW);
  await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: "single", ReservedConcurrentExecutions: 1 }));
  const slow = invoke("single", { ms: 1500 });
  await new Promise((r) => setTimeout(r, 300));
  await rejectsWith(invoke("single"), "TooManyRequestsException", 429);
  assert.equal((await slow).StatusCode, 200);
  assert.equal((await invoke("single")).StatusCode, 200); // the slot is free again

  await createFunction(lambda(), "wide", SLOW);
  const results = await Promise.all([1, 2, 3].map(() => invoke("wide", { ms: 1000 })));
  const pids = new Set(results.map((r) => decode(r.Payload).pid));
  assert.equal(pids.size, 3, "three concurrent invocations run in three environments");
  // Afterwards the warm environments are reused rather than new ones started.
  const again = await Promise.all([1, 2].map(() => invoke("wide", { ms: 200 })));
  for (const r of again) assert.ok(pids.has(decode(r.Payload).pid));
});
