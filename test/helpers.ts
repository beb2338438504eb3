import http from "node:http";
import { after, before } from "node:test";
import { type Overcast, startOvercast } from "../src/index.js";
import type { Options } from "../src/config.js";

export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Starts a fresh server on a free port for the enclosing test file, stopped after it. */
export function useServer(options: Partial<Options> = {}) {
  const state: { cloud?: Overcast } = {};
  before(async () => {
    state.cloud = await startOvercast({ port: 0, initDirs: [], ...options });
  });
  after(async () => {
    await state.cloud?.stop();
  });
  return {
    get cloud(): Overcast {
      if (!state.cloud) throw new Error("server not started");
      return state.cloud;
    },
    get endpoint(): string {
      return this.cloud.endpoint;
    },
    /** Config for any SDK v3 client. */
    clientConfig(region = "us-east-1") {
      return { endpoint: this.endpoint, region, credentials, maxAttempts: 1 };
    },
  };
}

/** Asserts that `promise` rejects with an AWS error of `name` and HTTP `status`; returns the error. */
export async function rejectsWith(
  promise: Promise<unknown>,
  name: string,
  status: number,
): Promise<Error & { $metadata: { httpStatusCode?: number }; $response?: unknown }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata: { httpStatusCode?: number } };
    if (e.name !== name || e.$metadata?.httpStatusCode !== status) {
      throw new Error(`expected ${name}/${status}, got ${e.name}/${e.$metadata?.httpStatusCode}: ${e.message}`);
    }
    return e;
  }
  throw new Error(`expected ${name}, but the call succeeded`);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Whether the request went over a kept-alive socket that had served another request before. */
  reusedSocket: boolean;
  localPort?: number;
}

/** One request over plain HTTP, exactly as given (headers, Host, body): for wire-level tests. */
export function rawRequest(
  endpoint: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers: options.headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
            reusedSocket: req.reusedSocket,
            localPort: res.socket?.localPort,
          }),
        );
        res.on("error", reject);
      },
    );
    const timeout = options.timeoutMs ?? 20_000;
    req.setTimeout(timeout, () => req.destroy(new Error(`no response to ${method} ${path} within ${timeout} ms`)));
    req.on("error", reject);
    req.end(options.body);
  });
}
