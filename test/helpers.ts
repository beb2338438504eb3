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
