import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { WORKLOADS, type Workload } from "./capture.js";
import { type ServerProcess, startServer, stopServer } from "./child.js";
import { type LoadSettings, measureServer } from "./cpu.js";
import { saveFixedResponse, send } from "./load.js";
import { clockTicksPerSecond, rssBytes } from "./proc.js";
import { measureStarts, median, sleep, waitUntilServing } from "./ready.js";
import { ms, printTable, ratio, rps, us } from "./report.js";

/**
 * Overcast against a bare Node HTTP server: start-up time, memory, and per-request server CPU and
 * throughput for trivial operations replayed as pre-signed bytes. Every loop is bounded by a count
 * and a time limit; both servers are child processes on loopback and are stopped at the end.
 */
const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const REFERENCE = fileURLToPath(new URL("./reference-server.js", import.meta.url));
const STARTS = 5;
const SETTLE_MS = 300;
const LOAD: LoadSettings = { warmup: 2_000, count: 20_000, connections: 8, timeLimitMs: 15_000 };
const WHOLE_RUN_LIMIT_MS = 150_000;
const MB = 1024 * 1024;

type Row = [measure: string, overcast: string, bare: string, ratio: string, target: string];

/** The child processes started so far, so that every exit path can stop them. */
class Fleet {
  private readonly servers = new Set<ServerProcess>();

  async start(script: string, args: string[]): Promise<ServerProcess> {
    const server = await startServer(script, args);
    this.servers.add(server);
    return server;
  }

  async stop(server: ServerProcess): Promise<void> {
    await stopServer(server);
    this.servers.delete(server);
  }

  stopAll(): Promise<unknown> {
    return Promise.all([...this.servers].map((s) => this.stop(s)));
  }

  killAll(): void {
    for (const s of this.servers) s.child.kill("SIGKILL");
  }
}

async function main(): Promise<void> {
  // The SDK only signs requests here: its Node-version notice would just clutter the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const fleet = new Fleet();
  const scratch = mkdtempSync(join(tmpdir(), "overcast-bench-"));
  const watchdog = setTimeout(() => {
    console.error(`bench: exceeded ${WHOLE_RUN_LIMIT_MS / 1000} s, stopping`);
    fleet.killAll();
    process.exit(2);
  }, WHOLE_RUN_LIMIT_MS);
  process.once("SIGINT", () => {
    fleet.killAll();
    process.exit(130);
  });
  try {
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}`);
    console.log(`load: ${LOAD.count} requests after ${LOAD.warmup} warm-up, ${LOAD.connections} keep-alive connections\n`);
    const rows = await startupRows(scratch);
    rows.push(...(await workloadRows(fleet, scratch)));
    printTable(["measure", "Overcast", "bare Node", "ratio", "target"], rows);
  } finally {
    clearTimeout(watchdog);
    await fleet.stopAll();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Start-up time and idle memory, each the median of several fresh starts of both servers. */
async function startupRows(scratch: string): Promise<Row[]> {
  const placeholder = saveFixedResponse(scratch, "placeholder", {
    status: 200,
    headers: { "content-type": "application/json" },
    body: Buffer.from("{}"),
  });
  const ours = await measureStarts(CLI, ["--port", "0"], STARTS, SETTLE_MS);
  const bare = await measureStarts(REFERENCE, [placeholder], STARTS, SETTLE_MS);
  const ourReady = median(ours.map((s) => s.readyMs));
  const bareReady = median(bare.map((s) => s.readyMs));
  const printed = ours.map((s) => s.printedMs).filter((v): v is number => v !== undefined);
  const ourIdle = median(ours.map((s) => s.idleRss));
  const bareIdle = median(bare.map((s) => s.idleRss));
  return [
    [`time to ready (spawn → health answers, median of ${STARTS})`, ms(ourReady), ms(bareReady), ratio(ourReady, bareReady), "< 300 ms"],
    ["ready time the CLI prints (median)", printed.length ? ms(median(printed)) : "n/a", "", "", ""],
    ["idle RSS after start (median)", mb(ourIdle), mb(bareIdle), ratio(ourIdle, bareIdle), "< 80 MB"],
  ];
}

/** Every workload against one long-lived Overcast, then its memory once they are done. */
async function workloadRows(fleet: Fleet, scratch: string): Promise<Row[]> {
  const ticks = clockTicksPerSecond();
  const overcast = await fleet.start(CLI, ["--port", "0"]);
  await waitUntilServing(overcast);
  const rows: Row[] = [];
  for (const workload of WORKLOADS) rows.push(...(await workloadRow(fleet, overcast, workload, scratch, ticks)));
  await sleep(SETTLE_MS);
  rows.push(["RSS after the workloads", mb(rssBytes(overcast.pid)), "", "", "< 80 MB"]);
  await fleet.stop(overcast);
  return rows;
}

/** Captures Overcast's real answer once, serves the same bytes from the bare server, and loads both alike. */
async function workloadRow(fleet: Fleet, overcast: ServerProcess, workload: Workload, scratch: string, ticks: number): Promise<Row[]> {
  const request = await workload.request();
  const firstStarted = performance.now();
  const real = await send(overcast.endpoint, request);
  const firstMs = performance.now() - firstStarted;
  if (real.status < 200 || real.status >= 300) {
    const why = real.headers["x-amzn-errortype"] ?? `HTTP ${real.status}`;
    return [[`${workload.label}: not measured (${why})`, "n/a", "n/a", "n/a", ""]];
  }
  const reference = await fleet.start(REFERENCE, [saveFixedResponse(scratch, workload.label.replace(/\W+/g, "-"), real)]);
  try {
    const a = await measureServer(overcast, request, LOAD, ticks);
    const b = await measureServer(reference, request, LOAD, ticks);
    const failures = a.load.failed + b.load.failed + unexpected(a.load.statuses, real.status) + unexpected(b.load.statuses, real.status);
    const cut = Math.min(a.load.completed, b.load.completed) < LOAD.count;
    const note = `${failures ? ` (${failures} failed/unexpected)` : ""}${cut ? " (time limit hit: fewer requests)" : ""}`;
    const { cpuMicrosPerRequest: cpuA, requestsPerSecond: rpsA } = a;
    const { cpuMicrosPerRequest: cpuB, requestsPerSecond: rpsB } = b;
    return [
      [`${workload.label}: first request (loads the service)`, ms(firstMs), "", "", ""],
      [`${workload.label}: server CPU per request${note}`, us(cpuA), us(cpuB), ratio(cpuA, cpuB), "≤ 3×"],
      [`${workload.label}: throughput`, rps(rpsA), rps(rpsB), ratio(rpsA, rpsB), ""],
    ];
  } finally {
    await fleet.stop(reference);
  }
}

function unexpected(statuses: Map<number, number>, expected: number): number {
  let n = 0;
  for (const [status, count] of statuses) if (status !== expected) n += count;
  return n;
}

const mb = (v: number) => `${(v / MB).toFixed(1)} MB`;

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
