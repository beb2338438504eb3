import { type ChildProcess, spawn } from "node:child_process";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";

/** A server started as a child process, known once it printed its "… ready on http://…" line. */
export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  endpoint: string;
  /** The start-up time the server itself printed ("ready on … in N ms"), if it did. */
  printedReadyMs?: number;
  /** performance.now() at spawn. */
  spawnedAt: number;
}

const READY = /ready on (http:\/\/\S+?)(?: in (\d+(?:\.\d+)?) ms)?\s*$/m;

/** Spawns `node <script> <args>` and resolves once it announces its endpoint (bounded by `timeoutMs`). */
export function startServer(script: string, args: string[], timeoutMs = 10_000): Promise<ServerProcess> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: "1" },
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`${script} did not get ready within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`${script} exited (${code}) before getting ready:\n${output}`)));
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const m = READY.exec(output);
      if (!m || child.pid === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.removeAllListeners("error");
      child.stdout?.removeAllListeners("data");
      child.stdout?.resume(); // keep draining so a chatty server never blocks on a full pipe
      resolve({ child, pid: child.pid, endpoint: m[1], printedReadyMs: m[2] === undefined ? undefined : Number(m[2]), spawnedAt });
    });
  });
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
export function stopServer(server: ServerProcess, graceMs = 3_000): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

type StartServer = (script: string, args: string[]) => Promise<ServerProcess>;

/**
 * Runs one benchmark: prints the machine, hands `body` a server starter whose servers are all stopped at
 * the end, and kills them and exits if the whole run goes past `limitMs`.
 */
export async function benchmark(limitMs: number, body: (start: StartServer) => Promise<void>): Promise<void> {
  // The SDK only signs requests here: its Node-version notice would just clutter the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const started: ServerProcess[] = [];
  const watchdog = setTimeout(() => {
    for (const s of started) s.child.kill("SIGKILL");
    console.error("bench: time limit exceeded");
    process.exit(2);
  }, limitMs);
  try {
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}\n`);
    await body(async (script, args) => {
      const server = await startServer(script, args);
      started.push(server);
      return server;
    });
  } finally {
    clearTimeout(watchdog);
    await Promise.all(started.map((s) => stopServer(s)));
  }
}
