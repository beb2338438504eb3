import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { credentials } from "../helpers.js";
import { createFunction } from "./support.js";

const CLI = fileURLToPath(new URL("../../src/cli.js", import.meta.url));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill("SIGKILL");
});

/** Starts the CLI as users do, collecting its console output; resolves with the endpoint it announces. */
function startCli(env: Record<string, string>): Promise<{ endpoint: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, "--port", "0"], {
    env: { ...process.env, ...env, OVERCAST_INIT_DIRS: "/nonexistent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 20 s:\n${output}`)), 20_000);
    const poll = setInterval(() => {
      const endpoint = /ready on (http:\/\/\S+?)(?: in|\s*$)/m.exec(output)?.[1];
      if (!endpoint) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ endpoint, output: () => output });
    }, 20);
  });
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return check();
}

test("OVERCAST_LAMBDA_LOG_TAIL=1 prints every line functions write, prefixed with the function name", async () => {
  const cli = await startCli({ OVERCAST_LAMBDA_LOG_TAIL: "1" });
  const lambda = new LambdaClient({ endpoint: cli.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
  await createFunction(lambda, "tailed", {
    "index.js": "exports.handler = async (e) => { console.log('tailing', e.n); process.stderr.write('raw stderr line\\n'); return 1; };",
  });
  await lambda.send(new InvokeCommand({ FunctionName: "tailed", Payload: Buffer.from('{"n":42}') }));
  assert.ok(await eventually(() => /^\[lambda:tailed\] REPORT RequestId: /m.test(cli.output())), cli.output());
  const out = cli.output();
  assert.match(out, /^\[lambda:tailed\] START RequestId: \S+ Version: \$LATEST$/m);
  assert.match(out, /^\[lambda:tailed\] \S+\t\S+\tINFO\ttailing 42$/m);
  assert.match(out, /^\[lambda:tailed\] raw stderr line$/m);
  assert.match(out, /^\[lambda:tailed\] END RequestId: \S+$/m);
});

test("without the option, function output stays out of the console", async () => {
  const cli = await startCli({ OVERCAST_LAMBDA_LOG_TAIL: "0" });
  const lambda = new LambdaClient({ endpoint: cli.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
  await createFunction(lambda, "quiet", { "index.js": "exports.handler = async () => { console.log('should not show'); return 1; };" });
  const res = await lambda.send(new InvokeCommand({ FunctionName: "quiet", LogType: "Tail" }));
  assert.match(Buffer.from(res.LogResult ?? "", "base64").toString(), /should not show/);
  assert.doesNotMatch(cli.output(), /should not show|\[lambda:/);
});
