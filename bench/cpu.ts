import type { ServerProcess } from "./child.js";
import { type LoadResult, replay, type WireRequest } from "./load.js";
import { cpuMicros } from "./proc.js";

export interface LoadSettings {
  warmup: number;
  count: number;
  connections: number;
  timeLimitMs: number;
}

export interface ServerFigures {
  load: LoadResult;
  requestsPerSecond: number;
  /** Server CPU (user + system) per completed request, in microseconds. */
  cpuMicrosPerRequest: number;
}

/**
 * Warms the server up (JIT, lazy service loading), then replays the request a fixed number of times and
 * charges the server process's own CPU time to the requests it answered.
 */
export async function measureServer(
  server: ServerProcess,
  request: WireRequest,
  settings: LoadSettings,
  ticksPerSecond: number,
): Promise<ServerFigures> {
  await replay(server.endpoint, request, settings.warmup, settings.connections, settings.timeLimitMs);
  const cpuBefore = cpuMicros(server.pid, ticksPerSecond);
  const load = await replay(server.endpoint, request, settings.count, settings.connections, settings.timeLimitMs);
  const cpu = cpuMicros(server.pid, ticksPerSecond) - cpuBefore;
  const answered = Math.max(load.completed, 1);
  return { load, requestsPerSecond: (load.completed * 1000) / load.elapsedMs, cpuMicrosPerRequest: cpu / answered };
}
