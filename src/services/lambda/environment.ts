import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** Everything a new execution environment needs to start: one function version's code and settings. */
export interface EnvironmentSpec {
  runtime: string;
  handler: string;
  codeDir: string;
  /** Directory holding Overcast's runtime clients (LAMBDA_RUNTIME_DIR). */
  runtimeDir: string;
  /** The environment's private scratch space (/tmp). */
  scratchDir: string;
  memoryMb: number;
  /** Variables besides AWS_LAMBDA_RUNTIME_API, which only the environment knows. */
  variables: Record<string, string>;
  /** The interpreter for python runtimes, resolved once (a pyenv shim would add ~100 ms to every start). */
  pythonExecutable?: string;
  /** Sees each line the process writes as it is written (the live log tail). */
  onLine?: (line: LogLine) => void;
}

/** One invocation as the runtime sees it. */
export interface EnvironmentInvocation {
  requestId: string;
  payload: Buffer;
  invokedArn: string;
  timeoutMs: number;
}

export interface EnvironmentResult {
  payload: Buffer;
  /** Set when the function failed: the runtime's error document is the payload. */
  failed: boolean;
  /** The process is gone (timeout, crash, init failure): the environment must not be reused. */
  fatal: boolean;
  timedOut: boolean;
  durationMs: number;
}

/** A log line with the time it was written. */
export interface LogLine {
  timestamp: number;
  message: string;
}

type Pending = { invocation: EnvironmentInvocation; resolve: (r: EnvironmentResult) => void; startedAt: number; delivered: boolean };

const INIT_LIMIT_MS = 10_000;

/**
 * An execution environment: an OS process running a runtime client, and the Runtime API server it talks
 * to (one per environment, so requests need no routing and a crashed process cannot confuse others).
 */
export class Environment {
  readonly id = randomBytes(16).toString("hex");
  private process?: ChildProcess;
  private server?: http.Server;
  private waitingForNext?: http.ServerResponse;
  private current?: Pending;
  private initDone = false;
  private initStarted = 0;
  private initWaiters: ((error?: Buffer) => void)[] = [];
  private initError?: Buffer;
  private logLines: LogLine[] = [];
  private exited = false;
  busy = false;
  /** Kept initialised for provisioned concurrency: never reaped while set. */
  provisioned = false;
  lastUsed = Date.now();
  /** Function revision and code hash it runs: a changed function never reuses it. */
  revision = "";
  logGroup = "";
  logStream = "";
  logStreamCreated = false;
  initReported = false;
  /** Set after the first invocation: the REPORT line carries Init Duration only once. */
  initDurationMs?: number;
  /** The environment's log shipping so far: batches reach CloudWatch Logs in order, off the response path. */
  logsShipped: Promise<void> = Promise.resolve();

  constructor(private readonly spec: EnvironmentSpec) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.serve(req, res));
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 0;
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const port = (this.server.address() as AddressInfo).port;
    mkdirSync(this.spec.scratchDir, { recursive: true });
    const [command, args] = this.command();
    this.initStarted = performance.now();
    const child = spawn(command, args, {
      cwd: this.spec.codeDir,
      env: { ...this.spec.variables, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process = child;
    this.captureLines(child.stdout);
    this.captureLines(child.stderr);
    child.on("error", (err) => this.onExit(`Error: ${err.message}`, (err as NodeJS.ErrnoException).code === "ENOENT"));
    child.on("exit", (code, signal) => this.onExit(signal ? `signal: ${signal}` : `exit status ${code}`, false));
  }

  private command(): [string, string[]] {
    const { runtime, runtimeDir, codeDir, memoryMb } = this.spec;
    if (runtime.startsWith("nodejs")) {
      return [
        process.execPath,
        [`--max-old-space-size=${Math.max(32, Math.floor(memoryMb * 0.9))}`, join(runtimeDir, "node-bootstrap.cjs")],
      ];
    }
    if (runtime.startsWith("python")) return [this.spec.pythonExecutable ?? "python3", ["-u", join(runtimeDir, "python-bootstrap.py")]];
    return [join(codeDir, "bootstrap"), []];
  }

  private captureLines(stream: NodeJS.ReadableStream | null): void {
    let rest = "";
    stream?.setEncoding?.("utf8");
    stream?.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) this.addLine(line);
    });
    stream?.on("end", () => {
      if (rest) this.addLine(rest);
      rest = "";
    });
  }

  private addLine(message: string): void {
    const line = { timestamp: Date.now(), message };
    this.logLines.push(line);
    this.spec.onLine?.(line);
  }

  /** Log lines written since the last call. */
  takeLogs(): LogLine[] {
    const lines = this.logLines;
    this.logLines = [];
    return lines;
  }

  get alive(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Peak resident memory of the runtime process in MB (VmHWM), where /proc exposes it. */
  maxMemoryMb(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.process?.pid}/status`, "utf8");
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
      return Number.isFinite(kb) ? Math.ceil(kb / 1024) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Runs one invocation: waits for the runtime to ask for work, hands the event over, waits for its answer. */
  async invoke(invocation: EnvironmentInvocation): Promise<EnvironmentResult> {
    this.busy = true;
    try {
      const initFailure = await this.waitForInit();
      if (initFailure) return { payload: initFailure, failed: true, fatal: true, timedOut: false, durationMs: 0 };
      return await new Promise<EnvironmentResult>((resolve) => {
        const startedAt = performance.now();
        const timer = setTimeout(() => this.timeOut(), invocation.timeoutMs);
        this.current = {
          invocation,
          startedAt,
          delivered: false,
          resolve: (result) => {
            clearTimeout(timer);
            this.current = undefined;
            resolve(result);
          },
        };
        this.deliver();
      });
    } finally {
      this.busy = false;
      this.lastUsed = Date.now();
    }
  }

  /** Resolves once the runtime has initialised (undefined) or failed to (its error document). */
  waitForInit(): Promise<Buffer | undefined> {
    if (this.initDone) return Promise.resolve(undefined);
    if (this.initError) return Promise.resolve(this.initError);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.failInit(runtimeError("Runtime.Unknown", "Init timed out after 10.00 seconds")), INIT_LIMIT_MS);
      this.initWaiters.push((error) => {
        clearTimeout(timer);
        resolve(error);
      });
    });
  }

  private failInit(error: Buffer): void {
    if (this.initDone || this.initError) return;
    this.initError = error;
    this.kill();
    for (const waiter of this.initWaiters.splice(0)) waiter(error);
  }

  private timeOut(): void {
    const pending = this.current;
    if (!pending) return;
    const seconds = (pending.invocation.timeoutMs / 1000).toFixed(2);
    const message = `${new Date().toISOString()} ${pending.invocation.requestId} Task timed out after ${seconds} seconds`;
    this.addLine(message);
    this.kill();
    pending.resolve({
      payload: Buffer.from(JSON.stringify({ errorMessage: message })),
      failed: true,
      fatal: true,
      timedOut: true,
      durationMs: pending.invocation.timeoutMs,
    });
  }

  private deliver(): void {
    const pending = this.current;
    const res = this.waitingForNext;
    if (!pending || pending.delivered || !res) return;
    this.waitingForNext = undefined;
    pending.delivered = true;
    const { invocation } = pending;
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(invocation.payload.length),
      "lambda-runtime-aws-request-id": invocation.requestId,
      "lambda-runtime-deadline-ms": String(Date.now() + invocation.timeoutMs),
      "lambda-runtime-invoked-function-arn": invocation.invokedArn,
      "lambda-runtime-trace-id": `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")};Sampled=0`,
    });
    res.end(invocation.payload);
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => this.route(req.method ?? "GET", req.url ?? "/", req.headers, Buffer.concat(chunks), res));
  }

  private route(method: string, url: string, headers: http.IncomingHttpHeaders, body: Buffer, res: http.ServerResponse): void {
    const path = url.split("?")[0];
    if (method === "GET" && path === "/2018-06-01/runtime/invocation/next") {
      this.markInitialized();
      this.waitingForNext = res;
      this.deliver();
      return;
    }
    if (method === "POST" && path === "/2018-06-01/runtime/init/error") {
      accepted(res);
      this.failInit(errorDocument(body, headers));
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const pending = this.current;
    if (method === "POST" && match) {
      if (!pending || pending.invocation.requestId !== decodeURIComponent(match[1])) {
        reply(res, 400, { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });
        return;
      }
      if (match[2] === "response" && body.length > 6 * 1024 * 1024) {
        reply(res, 413, { errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).", errorType: "RequestEntityTooLarge" });
        const message = `Response payload size exceeded maximum allowed payload size (6291556 bytes).`;
        pending.resolve(this.outcome(pending, runtimeError("Function.ResponseSizeTooLarge", message), true));
        return;
      }
      accepted(res);
      pending.resolve(this.outcome(pending, match[2] === "error" ? errorDocument(body, headers) : body, match[2] === "error"));
      return;
    }
    reply(res, 404, { errorMessage: "Not found", errorType: "NotFound" });
  }

  private outcome(pending: Pending, payload: Buffer, failed: boolean): EnvironmentResult {
    return { payload, failed, fatal: false, timedOut: false, durationMs: performance.now() - pending.startedAt };
  }

  private markInitialized(): void {
    if (this.initDone) return;
    this.initDone = true;
    this.initDurationMs = performance.now() - this.initStarted;
    for (const waiter of this.initWaiters.splice(0)) waiter(undefined);
  }

  private onExit(reason: string, missingExecutable: boolean): void {
    if (this.exited) return;
    this.exited = true;
    const error = missingExecutable
      ? runtimeError("Runtime.InvalidEntrypoint", `Error: Couldn't find valid bootstrap(s): [${join(this.spec.codeDir, "bootstrap")}]`)
      : runtimeError("Runtime.ExitError", `Error: Runtime exited with error: ${reason}`);
    if (!this.initDone) this.failInit(this.initError ?? error);
    const pending = this.current;
    if (pending)
      pending.resolve({ payload: error, failed: true, fatal: true, timedOut: false, durationMs: performance.now() - pending.startedAt });
    this.server?.close();
    this.server?.closeAllConnections();
  }

  kill(): void {
    if (!this.exited) this.process?.kill("SIGKILL");
    this.server?.close();
    this.server?.closeAllConnections();
  }

  /** Kills the process and removes its scratch space. */
  dispose(): void {
    this.kill();
    rmSync(this.spec.scratchDir, { recursive: true, force: true });
  }
}

function runtimeError(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

/** The runtime's error document, or one built from its error-type header when the body is not JSON. */
function errorDocument(body: Buffer, headers: http.IncomingHttpHeaders): Buffer {
  try {
    JSON.parse(body.toString("utf8"));
    return body;
  } catch {
    const type = String(headers["lambda-runtime-function-error-type"] ?? "Runtime.Unknown");
    return runtimeError(type, body.toString("utf8"));
  }
}

function accepted(res: http.ServerResponse): void {
  reply(res, 202, { status: "OK" });
}

function reply(res: http.ServerResponse, status: number, document: unknown): void {
  const body = JSON.stringify(document);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}
