import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const CLI = join(import.meta.dirname, "..", "..", "src", "cli.js");

/** Starts the real CLI and resolves with its endpoint once it prints the ready line. */
function startCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, "--port", "0", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 10_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d;
      const m = /Overcast ready on (http:\/\/\S+) in \d+ ms/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, endpoint: m[1], output: () => out });
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d;
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

test("the CLI serves, lists its services, runs ready hooks, and exits 0 on SIGTERM", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "overcast-init-"));
  const marker = join(dir, "marker.txt");
  const script = join(dir, "01-ready.sh");
  writeFileSync(script, `#!/bin/sh\necho "$AWS_ENDPOINT_URL" > "${marker}"\n`);
  chmodSync(script, 0o755);
  writeFileSync(join(dir, "02-not-executable.sh"), `#!/bin/sh\necho no > "${marker}.2"\n`);
  const { child, endpoint, output } = await startCli(["--init-dir", dir]);
  t.after(() => child.kill("SIGKILL"));
  assert.match(output(), /services: s3, sqs, sts, lambda, ec2, logs, sns, dynamodb, dynamodbstreams, kms, secretsmanager, ssm, iam/);
  const health = await fetch(`${endpoint}/_localstack/health`);
  assert.equal(health.status, 200);
  for (let i = 0; i < 50 && !safeRead(marker); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(safeRead(marker)?.trim(), endpoint);
  assert.equal(safeRead(`${marker}.2`), undefined);
  const exited = exitOf(child);
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
  assert.match(output(), /SIGTERM: stopping/);
});

test("environment variables configure the server (LocalStack names too)", async (t) => {
  const { child, endpoint, output } = await startCli([], { SERVICES: "sqs,logs", OVERCAST_LOG: "info" });
  t.after(() => child.kill("SIGKILL"));
  assert.match(output(), /services: sqs, logs\n/);
  const health = (await (await fetch(`${endpoint}/_overcast/health`)).json()) as { services: Record<string, string> };
  assert.deepEqual(Object.keys(health.services).sort(), ["logs", "sqs"]);
  const res = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: { "x-amz-target": "AmazonSQS.ListQueues", "content-type": "application/x-amz-json-1.0" },
    body: "{}",
  });
  assert.equal(res.status, 200);
  for (let i = 0; i < 50 && !/sqs\.ListQueues 200/.test(output()); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(output(), /sqs\.ListQueues 200 \d+\.\dms/);
  const exited = exitOf(child);
  child.kill("SIGINT");
  assert.equal(await exited, 0);
});

test("bad options are refused with a message", async () => {
  const child = spawn(process.execPath, [CLI, "--bogus"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d;
  });
  assert.equal(await exitOf(child), 1);
  assert.match(err, /unknown option --bogus/);
});

test("overcast coverage prints implemented and total operations per service", async () => {
  const child = spawn(process.execPath, [CLI, "coverage"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d;
  });
  assert.equal(await exitOf(child), 0);
  assert.match(out, /^sqs\s+\d+ \/ 23$/m);
  assert.match(out, /^logs\s+\d+ \/ \d+$/m);
});

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
