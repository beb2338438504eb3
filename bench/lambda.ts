import { execFile, spawn } from "node:child_process";
import { cpus } from "node:os";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  CreateFunctionCommand,
  type InvocationType,
  InvokeCommand,
  LambdaClient,
  type Runtime,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { HttpRequest } from "@smithy/core/protocols";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";
import { strToU8, zipSync } from "fflate";
import { type ServerProcess, startServer, stopServer } from "./child.js";
import { send, type WireRequest } from "./load.js";
import { median, sleep, waitUntilServing } from "./ready.js";
import { ms, percentile, printTable } from "./report.js";

/**
 * Lambda invocation speed: cold start (a new execution environment: process spawn + handler init + the
 * invocation) and warm invocations of an echo function, for Node and Python, through the AWS SDK v3 and
 * as a pre-signed request replayed by a plain HTTP client (no SDK cost). Overcast runs as a child process
 * exactly as users start it; everything talks to 127.0.0.1 and is stopped at the end.
 */
const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const COLD_RUNS = 7;
const WARM_SDK = { warmup: 500, count: 2_000 };
const WARM_WIRE = { warmup: 500, count: 3_000 };
const THROUGHPUT = { count: 4_000, connections: 4 };
const PHASE_LIMIT_MS = 20_000;
const WHOLE_RUN_LIMIT_MS = 240_000;
const ROLE = "arn:aws:iam::000000000000:role/bench";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

interface EchoFunction {
  label: string;
  name: string;
  runtime: string;
  handler: string;
  files: Record<string, string>;
}

const FUNCTIONS: EchoFunction[] = [
  {
    label: "Node (nodejs20.x)",
    name: "echo-node",
    runtime: "nodejs20.x",
    handler: "index.handler",
    files: { "index.mjs": "export const handler = async (event) => event;\n" },
  },
  {
    label: "Python (python3.12)",
    name: "echo-python",
    runtime: "python3.12",
    handler: "app.handler",
    files: { "app.py": "def handler(event, context):\n    return event\n" },
  },
];

class Sha256 extends Hash {
  constructor(secret?: SourceData) {
    super("sha256", secret);
  }
}

type Row = [measure: string, value: string, target: string];

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  let overcast: ServerProcess | undefined;
  const watchdog = setTimeout(() => {
    console.error(`bench: exceeded ${WHOLE_RUN_LIMIT_MS / 1000} s, stopping`);
    overcast?.child.kill("SIGKILL");
    process.exit(2);
  }, WHOLE_RUN_LIMIT_MS);
  process.once("SIGINT", () => {
    overcast?.child.kill("SIGKILL");
    process.exit(130);
  });
  try {
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}`);
    overcast = await startServer(CLI, ["--port", "0"]);
    await waitUntilServing(overcast);
    const client = new LambdaClient({ endpoint: overcast.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    const rows: Row[] = [];
    for (const fn of FUNCTIONS) rows.push(...(await functionRows(client, overcast.endpoint, fn)));
    printTable(["measure", "value", "target"], rows);
  } finally {
    clearTimeout(watchdog);
    if (overcast) await stopServer(overcast);
  }
}

async function functionRows(client: LambdaClient, endpoint: string, fn: EchoFunction): Promise<Row[]> {
  await client.send(
    new CreateFunctionCommand({
      FunctionName: fn.name,
      Runtime: fn.runtime as Runtime,
      Handler: fn.handler,
      Role: ROLE,
      Code: { ZipFile: zipSync(Object.fromEntries(Object.entries(fn.files).map(([k, v]) => [k, strToU8(v)]))) },
    }),
  );
  const cold = await coldStarts(client, fn.name);
  const sdk = await sdkLatencies(client, fn.name, "RequestResponse");
  const sdkFloor = await sdkLatencies(client, fn.name, "DryRun");
  const request = await signedInvoke(endpoint, fn.name);
  const wire = await wireLatencies(endpoint, request);
  const rate = await throughput(endpoint, request);
  const isNode = fn.runtime.startsWith("nodejs");
  const bare = await bareStarts(isNode ? [process.execPath, "-e", "0"] : [await pythonExecutable(), "-c", "pass"]);
  return [
    [`${fn.label}: cold start, client-observed (median of ${COLD_RUNS})`, ms(median(cold.wall)), isNode ? "< 150 ms" : ""],
    [`${fn.label}: cold start, Init Duration reported (median)`, ms(median(cold.init)), ""],
    [`${fn.label}: for comparison, the bare interpreter's start → exit (median)`, ms(median(bare)), ""],
    [`${fn.label}: warm invoke via SDK v3, p50`, ms(percentile(sdk, 50)), isNode ? "< 2 ms" : ""],
    [`${fn.label}: warm invoke via SDK v3, p99`, ms(percentile(sdk, 99)), ""],
    [`${fn.label}: SDK v3 Invoke DryRun (no function runs: SDK + gateway floor), p50`, ms(percentile(sdkFloor, 50)), ""],
    [`${fn.label}: warm invoke, bare round trip (pre-signed, node:http), p50`, ms(percentile(wire, 50)), isNode ? "< 2 ms" : ""],
    [`${fn.label}: warm invoke, bare round trip, p99`, ms(percentile(wire, 99)), ""],
    [`${fn.label}: throughput (${THROUGHPUT.connections} connections)`, `${rate.toFixed(0)} inv/s`, ""],
  ];
}

/** Each run changes the configuration, which retires the warm environment, so the next invoke starts a new one. */
async function coldStarts(client: LambdaClient, name: string): Promise<{ wall: number[]; init: number[] }> {
  const wall: number[] = [];
  const init: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { RUN: String(i) } } }));
    await sleep(50);
    const started = performance.now();
    const res = await client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"cold":true}'), LogType: "Tail" }));
    wall.push(performance.now() - started);
    if (res.FunctionError) throw new Error(`${name} failed: ${Buffer.from(res.Payload ?? []).toString()}`);
    const tail = Buffer.from(res.LogResult ?? "", "base64").toString("utf8");
    const reported = /Init Duration: ([\d.]+) ms/.exec(tail)?.[1];
    if (reported) init.push(Number(reported));
  }
  return { wall, init };
}

/** Sequential invocations; DryRun answers 204 without running the function, which isolates the SDK's and the gateway's share. */
/** How long the interpreter alone takes to start and exit right now: the floor under any cold start. */
async function bareStarts(command: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command[0], command.slice(1), { stdio: "ignore" });
      child.once("error", reject);
      child.once("exit", () => resolve());
    });
    times.push(performance.now() - started);
  }
  return times;
}

/** The real python3 behind any shim, as Overcast itself runs it. */
function pythonExecutable(): Promise<string> {
  return new Promise((resolve) => {
    execFile("python3", ["-c", "import sys; print(sys.executable)"], { timeout: 10_000 }, (err, stdout) =>
      resolve(!err && stdout.trim() ? stdout.trim() : "python3"),
    );
  });
}

async function sdkLatencies(client: LambdaClient, name: string, type: InvocationType): Promise<number[]> {
  const payload = Buffer.from(JSON.stringify({ hello: "world", n: 1 }));
  const times: number[] = [];
  const deadline = performance.now() + PHASE_LIMIT_MS;
  for (let i = 0; i < WARM_SDK.warmup + WARM_SDK.count && performance.now() < deadline; i++) {
    const started = performance.now();
    const res = await client.send(new InvokeCommand({ FunctionName: name, Payload: payload, InvocationType: type }));
    if (i >= WARM_SDK.warmup) times.push(performance.now() - started);
    if (res.StatusCode !== (type === "DryRun" ? 204 : 200) || res.FunctionError)
      throw new Error(`${name}: unexpected answer ${res.StatusCode} ${res.FunctionError}`);
  }
  return times;
}

/** The Invoke request the SDK would send, signed once, so replaying it costs the client almost nothing. */
async function signedInvoke(endpoint: string, name: string): Promise<WireRequest> {
  const url = new URL(endpoint);
  const body = JSON.stringify({ hello: "world", n: 1 });
  const signer = new SignatureV4({ service: "lambda", region: "us-east-1", credentials, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: `/2015-03-31/functions/${name}/invocations`,
      headers: { host: url.host, "content-type": "application/octet-stream", "content-length": String(Buffer.byteLength(body)) },
      body,
    }),
  );
  return { method: "POST", path: signed.path, headers: signed.headers, body: Buffer.from(body) };
}

async function wireLatencies(endpoint: string, request: WireRequest): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  const deadline = performance.now() + PHASE_LIMIT_MS;
  try {
    for (let i = 0; i < WARM_WIRE.warmup + WARM_WIRE.count && performance.now() < deadline; i++) {
      const started = performance.now();
      const res = await send(endpoint, request, agent);
      if (i >= WARM_WIRE.warmup) times.push(performance.now() - started);
      if (res.status !== 200 || res.headers["x-amz-function-error"]) throw new Error(`unexpected answer ${res.status}: ${res.body}`);
    }
  } finally {
    agent.destroy();
  }
  return times;
}

/** Invocations per second over several connections: the pool scales out to one environment per concurrent request. */
async function throughput(endpoint: string, request: WireRequest): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: THROUGHPUT.connections });
  const warm = Array.from({ length: THROUGHPUT.connections }, () => send(endpoint, request, agent));
  await Promise.all(warm); // the extra environments start here, outside the measured run
  let issued = 0;
  let completed = 0;
  const started = performance.now();
  const deadline = started + PHASE_LIMIT_MS;
  const worker = async () => {
    while (issued < THROUGHPUT.count && performance.now() < deadline) {
      issued++;
      const res = await send(endpoint, request, agent);
      if (res.status === 200) completed++;
    }
  };
  await Promise.all(Array.from({ length: THROUGHPUT.connections }, worker));
  agent.destroy();
  return (completed * 1000) / (performance.now() - started);
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
