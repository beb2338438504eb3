import { performance } from "node:perf_hooks";
import { type ServerProcess, startServer, stopServer } from "./child.js";
import { send } from "./load.js";
import { rssBytes } from "./proc.js";

export interface StartSample {
  /** Spawn → first answer to GET /_localstack/health. */
  readyMs: number;
  /** What the server printed as its own start-up time. */
  printedMs?: number;
  /** RSS once started and idle. */
  idleRss: number;
}

const HEALTH = { method: "GET", path: "/_localstack/health", headers: {}, body: Buffer.alloc(0) };

/** Polls the health route until it answers (bounded): the moment a client could start working. */
export async function waitUntilServing(server: ServerProcess, timeoutMs = 10_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await send(server.endpoint, HEALTH);
      if (res.status === 200) return performance.now() - server.spawnedAt;
    } catch (err) {
      if (performance.now() > deadline) throw err;
    }
    if (performance.now() > deadline) throw new Error(`${server.endpoint} did not answer health within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Starts the server `runs` times, one after another, measuring each start; every process is stopped again. */
export async function measureStarts(script: string, args: string[], runs: number, settleMs: number): Promise<StartSample[]> {
  const samples: StartSample[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await startServer(script, args);
    try {
      const readyMs = await waitUntilServing(server);
      await sleep(settleMs); // let start-up garbage be collected lazily, as it would be on an idle server
      samples.push({ readyMs, printedMs: server.printedReadyMs, idleRss: rssBytes(server.pid) });
    } finally {
      await stopServer(server);
    }
  }
  return samples;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
