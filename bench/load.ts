import { writeFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/** A request as bytes on the wire: replayed as is, so no SDK work is part of what is measured. */
export interface WireRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface LoadResult {
  completed: number;
  failed: number;
  elapsedMs: number;
  /** Count of responses per status code. */
  statuses: Map<number, number>;
}

const REQUEST_TIMEOUT_MS = 5_000;

/** Sends one request on `agent` and buffers the response. */
export function send(endpoint: string, request: WireRequest, agent?: http.Agent): Promise<WireResponse> {
  const url = new URL(endpoint);
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost" && url.hostname !== "[::1]") {
    return Promise.reject(new Error(`refusing to load a non-loopback address: ${endpoint}`));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: { ...request.headers, host: url.host },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = String(value);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(request.body);
  });
}

/**
 * Replays `request` `count` times over `connections` keep-alive connections, stopping early at
 * `timeLimitMs`. Bounded on both counts so a slow server cannot stretch the run.
 */
export async function replay(
  endpoint: string,
  request: WireRequest,
  count: number,
  connections: number,
  timeLimitMs: number,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const statuses = new Map<number, number>();
  let issued = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + timeLimitMs;
  const worker = async () => {
    while (issued < count && performance.now() < deadline) {
      issued++;
      try {
        const { status } = await send(endpoint, request, agent);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const completed = [...statuses.values()].reduce((a, b) => a + b, 0);
  return { completed, failed, elapsedMs, statuses };
}

/**
 * Saves a response for bench/reference-server.ts to serve (the same status, headers and body bytes) and
 * returns the file's path.
 */
export function saveFixedResponse(dir: string, name: string, response: WireResponse): string {
  const hopByHop = ["date", "connection", "keep-alive", "transfer-encoding"];
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([h]) => !hopByHop.includes(h)));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ status: response.status, headers, body: response.body.toString("base64") }));
  return file;
}
