import assert from "node:assert/strict";
import { test } from "node:test";
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { rejectsWith, useServer } from "../helpers.js";
import { createFunction, decode } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const invoke = (FunctionName: string, event: unknown = {}, extra: Record<string, unknown> = {}) =>
  lambda().send(new InvokeCommand({ FunctionName, Payload: Buffer.from(JSON.stringify(event)), ...extra }));
const tailOf = (logResult: string | undefined) => Buffer.from(logResult ?? "", "base64").toString("utf8");

test("a CommonJS Node handler gets its event and the context object; LogType Tail returns the log", async () => {
  await createFunction(lambda(), "cjs", {
    "index.js": `exports.handler = async (event, context) => {
      console.log("hello", event.n);
      return { doubled: event.n * 2, id: context.awsRequestId, fn: context.functionName, mem: context.memoryLimitInMB,
        left: context.getRemainingTimeInMillis(), arn: context.invokedFunctionArn, group: context.logGroupName, stream: context.logStreamName };
    };`,
  });
  const res = await invoke("cjs", { n: 21 }, { LogType: "Tail" });
  assert.equal(res.StatusCode, 200);
  assert.equal(res.ExecutedVersion, "$LATEST");
  assert.equal(res.FunctionError, undefined);
  const body = decode(res.Payload);
  assert.equal(body.doubled, 42);
  assert.equal(body.fn, "cjs");
  assert.equal(body.mem, "128");
  assert.ok(body.left > 0 && body.left <= 3000);
  assert.equal(body.arn, "arn:aws:lambda:us-east-1:000000000000:function:cjs");
  assert.equal(body.group, "/aws/lambda/cjs");
  assert.match(body.stream, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  const tail = tailOf(res.LogResult);
  assert.match(tail, new RegExp(`^START RequestId: ${body.id} Version: \\$LATEST$`, "m"));
  assert.match(tail, new RegExp(`\\t${body.id}\\tINFO\\thello 21$`, "m"));
  assert.match(tail, new RegExp(`^END RequestId: ${body.id}$`, "m"));
  assert.match(
    tail,
    /^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/m,
  );

  const logs = new CloudWatchLogsClient(server.clientConfig());
  const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/cjs" }));
  assert.deepEqual(
    streams.logStreams?.map((s) => s.logStreamName),
    [body.stream],
  );
  const events = await logs.send(
    new GetLogEventsCommand({ logGroupName: "/aws/lambda/cjs", logStreamName: body.stream, startFromHead: true }),
  );
  const messages = events.events?.map((e) => e.message) ?? [];
  assert.ok(messages[0]?.startsWith("START RequestId:"));
  assert.ok(messages.some((m) => m?.endsWith("\tINFO\thello 21")));
  assert.ok(messages.at(-1)?.startsWith("REPORT RequestId:"));
});

test("ESM handlers (.mjs, package type module), nested paths and callback handlers", async () => {
  await createFunction(
    lambda(),
    "esm",
    { "src/handlers/app.mjs": "export const handler = async (e) => ({ esm: true, got: e.x });" },
    { Handler: "src/handlers/app.handler" },
  );
  assert.deepEqual(decode((await invoke("esm", { x: 1 })).Payload), { esm: true, got: 1 });
  await createFunction(
    lambda(),
    "typed",
    {
      "package.json": JSON.stringify({ type: "module" }),
      "lib/main.js": "import { sep } from 'node:path'; export async function run() { return { sep, module: typeof require }; }",
    },
    { Handler: "lib/main.run" },
  );
  assert.deepEqual(decode((await invoke("typed")).Payload), { sep: "/", module: "undefined" });
  await createFunction(
    lambda(),
    "cjs-ext",
    { "h.cjs": "module.exports.go = (e, c, cb) => setTimeout(() => cb(null, 'called back ' + e.v), 5);" },
    { Handler: "h.go" },
  );
  assert.equal(decode((await invoke("cjs-ext", { v: 7 })).Payload), "called back 7");
  await createFunction(lambda(), "cb-error", { "index.js": "exports.handler = (e, c, cb) => cb(new TypeError('nope'));" });
  const failed = await invoke("cb-error");
  assert.equal(failed.FunctionError, "Unhandled");
  assert.equal(decode(failed.Payload).errorType, "TypeError");
});

test("handler errors come back as Unhandled with errorType, errorMessage and trace", async () => {
  await createFunction(lambda(), "throws", {
    "index.js": "class Custom extends Error { name = 'CustomError' }; exports.handler = async () => { throw new Custom('it broke'); };",
  });
  const res = await invoke("throws");
  assert.equal(res.StatusCode, 200);
  assert.equal(res.FunctionError, "Unhandled");
  const body = decode(res.Payload);
  assert.equal(body.errorType, "CustomError");
  assert.equal(body.errorMessage, "it broke");
  assert.ok(Array.isArray(body.trace) && body.trace[0].startsWith("CustomError: it broke"));
});

test("bad handlers are init errors: missing module, missing export", async () => {
  await createFunction(lambda(), "no-module", { "index.js": "exports.handler = async () => 1;" }, { Handler: "missing.handler" });
  const missing = await invoke("no-module");
  assert.equal(missing.FunctionError, "Unhandled");
  assert.equal(decode(missing.Payload).errorType, "Runtime.ImportModuleError");
  await createFunction(lambda(), "no-export", { "index.js": "exports.other = async () => 1;" });
  const noExport = await invoke("no-export");
  assert.equal(noExport.FunctionError, "Unhandled");
  assert.deepEqual(decode(noExport.Payload), {
    errorType: "Runtime.HandlerNotFound",
    errorMessage: "index.handler is undefined or not exported",
    trace: decode(noExport.Payload).trace,
  });
});

test("a function that runs past its timeout is killed with AWS's message", async () => {
  await createFunction(
    lambda(),
    "slow",
    { "index.js": "exports.handler = () => new Promise(() => setInterval(() => {}, 1000));" },
    { Timeout: 1 },
  );
  const started = Date.now();
  const res = await invoke("slow", {}, { LogType: "Tail" });
  assert.ok(Date.now() - started < 15_000);
  assert.equal(res.FunctionError, "Unhandled");
  assert.match(decode(res.Payload).errorMessage, /^\d{4}-\d{2}-\d{2}T[\d:.]+Z [0-9a-f-]{36} Task timed out after 1\.00 seconds$/);
  assert.match(tailOf(res.LogResult), /Task timed out after 1\.00 seconds/);
  // The next invocation gets a fresh environment (the old process was killed).
  const again = await invoke("slow", {}, { LogType: "Tail" });
  assert.match(tailOf(again.LogResult), /Init Duration/);
});

test("environments are reused while warm, and a second one starts when all are busy", async () => {
  await createFunction(lambda(), "warm", {
    "index.js":
      "let count = 0; exports.handler = async (e) => { count++; if (e.wait) await new Promise((r) => setTimeout(r, e.wait)); return { pid: process.pid, count, tmp: process.env.TMPDIR }; };",
  });
  const first = decode((await invoke("warm")).Payload);
  const second = decode((await invoke("warm")).Payload);
  assert.equal(second.pid, first.pid);
  assert.equal(second.count, 2);
  const [a, b] = await Promise.all([invoke("warm", { wait: 1500 }), invoke("warm", { wait: 1500 })]);
  const pids = new Set([decode(a.Payload).pid, decode(b.Payload).pid]);
  assert.equal(pids.size, 2, "concurrent invocations run in separate processes");
  assert.notEqual(decode(a.Payload).tmp, decode(b.Payload).tmp, "each environment has its own /tmp");
});

test("reserved and user environment variables", async () => {
  await createFunction(
    lambda(),
    "env",
    { "index.js": "exports.handler = async () => process.env;" },
    { Environment: { Variables: { GREETING: "hi" } }, MemorySize: 256 },
  );
  const env = decode((await invoke("env")).Payload);
  assert.equal(env.GREETING, "hi");
  assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, "env");
  assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
  assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "256");
  assert.equal(env._HANDLER, "index.handler");
  assert.equal(env.AWS_REGION, "us-east-1");
  assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, "/aws/lambda/env");
  assert.equal(env.AWS_ENDPOINT_URL, server.endpoint);
  assert.equal(env.AWS_ACCESS_KEY_ID, "test");
  assert.ok(env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN);
  assert.match(env.AWS_LAMBDA_RUNTIME_API, /^127\.0\.0\.1:\d+$/);
  assert.ok(env.LAMBDA_TASK_ROOT && env.TMPDIR && env.TMPDIR !== "/tmp");
  assert.equal(env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs20.x");
});

test("Invoke's request errors: payload limits, bad JSON, unknown function, qualifiers; DryRun and Event", async () => {
  await createFunction(lambda(), "echo", { "index.js": "exports.handler = async (e) => e;" });
  const tooBig = await rejectsWith(invoke("echo", { big: "x".repeat(6 * 1024 * 1024) }), "RequestTooLargeException", 413);
  assert.match(tooBig.message, /6291456 bytes/);
  await rejectsWith(invoke("echo", { big: "x".repeat(1024 * 1024) }, { InvocationType: "Event" }), "RequestTooLargeException", 413);
  const badJson = await rejectsWith(
    lambda().send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from("{not json") })),
    "InvalidRequestContentException",
    400,
  );
  assert.match(badJson.message, /^Could not parse request body into json/);
  const missing = await rejectsWith(invoke("nope"), "ResourceNotFoundException", 404);
  assert.equal(missing.message, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  await rejectsWith(invoke("echo", {}, { Qualifier: "7" }), "ResourceNotFoundException", 404);
  await rejectsWith(invoke("echo", {}, { Qualifier: "no-such-alias" }), "ResourceNotFoundException", 404);
  await rejectsWith(invoke("echo", {}, { Qualifier: "bad qualifier!" }), "ValidationException", 400);
  await rejectsWith(invoke("echo:1", {}, { Qualifier: "2" }), "InvalidParameterValueException", 400);
  await createFunction(lambda(), "huge", { "index.js": "exports.handler = async () => 'z'.repeat(7 * 1024 * 1024);" });
  const huge = await invoke("huge");
  assert.equal(huge.FunctionError, "Unhandled");
  assert.equal(decode(huge.Payload).errorType, "Function.ResponseSizeTooLarge");
  const big = "y".repeat(5 * 1024 * 1024);
  assert.equal(decode((await invoke("echo", { big })).Payload).big.length, big.length, "5 MB round-trips");
  const dry = await invoke("echo", {}, { InvocationType: "DryRun" });
  assert.equal(dry.StatusCode, 204);
  await rejectsWith(invoke("nope", {}, { InvocationType: "DryRun" }), "ResourceNotFoundException", 404);
  const arn = await invoke("arn:aws:lambda:us-east-1:000000000000:function:echo", { via: "arn" });
  assert.deepEqual(decode(arn.Payload), { via: "arn" });

  await createFunction(lambda(), "async", { "index.js": "exports.handler = async (e) => { console.log('async got ' + e.n); };" });
  const queued = await invoke("async", { n: 5 }, { InvocationType: "Event" });
  assert.equal(queued.StatusCode, 202);
  assert.equal(queued.Payload?.length ?? 0, 0);
  const logs = new CloudWatchLogsClient(server.clientConfig());
  let found = false;
  for (let i = 0; i < 300 && !found; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/async" })).catch(() => undefined);
    for (const s of streams?.logStreams ?? []) {
      const events = await logs.send(new GetLogEventsCommand({ logGroupName: "/aws/lambda/async", logStreamName: s.logStreamName }));
      found ||= (events.events ?? []).some((e) => e.message?.endsWith("async got 5"));
    }
  }
  assert.ok(found, "the asynchronous invocation ran and logged");
});

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntil(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 150 && !condition(); i++) await new Promise((r) => setTimeout(r, 100));
  return condition();
}

test("environments die with their function: on DeleteFunction, code updates and a state reset", async () => {
  const files = { "index.js": "exports.handler = async () => process.pid;" };
  await createFunction(lambda(), "doomed", files);
  const first = decode((await invoke("doomed")).Payload) as number;
  assert.ok(isRunning(first));
  await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: "doomed", Description: "changed" }));
  assert.ok(await waitUntil(() => !isRunning(first)), "a changed configuration retires warm environments");
  const second = decode((await invoke("doomed")).Payload) as number;
  assert.notEqual(second, first);
  await lambda().send(new DeleteFunctionCommand({ FunctionName: "doomed" }));
  assert.ok(await waitUntil(() => !isRunning(second)), "DeleteFunction kills the function's environments");

  await createFunction(lambda(), "reset-me", files);
  const third = decode((await invoke("reset-me")).Payload) as number;
  const reset = await fetch(`${server.endpoint}/_overcast/reset`, { method: "POST" });
  assert.equal(reset.status, 200);
  assert.ok(await waitUntil(() => !isRunning(third)), "a state reset kills every environment");
  await rejectsWith(invoke("reset-me"), "ResourceNotFoundException", 404);
});
