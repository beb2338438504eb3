import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { DEFAULT_ACCOUNT } from "../../auth/principal.js";
import { errorClass } from "../../protocol/errors.js";
import type { ServiceRuntime } from "../types.js";
import { NODE_BOOTSTRAP, PYTHON_BOOTSTRAP } from "./bootstraps.js";
import { extractedCode, type StoredCode } from "./code.js";
import { reservedConcurrency, unreservedConcurrency } from "./concurrency.js";
import { Environment, type EnvironmentResult, type LogLine } from "./environment.js";
import { FunctionLogs } from "./function-logs.js";
import { layerVariables, mergedLayers } from "./function-layers.js";

const TooManyRequestsException = errorClass("TooManyRequestsException", 429);

/** What to run: one resolved function version, for one caller. */
export interface InvocationTarget {
  account: string;
  region: string;
  config: FunctionConfiguration;
  code: StoredCode;
  version: string;
  /** The ARN the caller used (with its qualifier), given to the runtime. */
  invokedArn: string;
  /** Overcast's endpoint as the caller reached it: functions' SDK calls come back here. */
  endpoint: string;
}

export interface InvocationOutcome extends EnvironmentResult {
  requestId: string;
  /** The invocation's log text (START … REPORT), for LogType=Tail. */
  log: string;
}

/** How long an unused environment stays warm unless OVERCAST_LAMBDA_IDLE_MS says otherwise. */
export const DEFAULT_IDLE_MS = 10 * 60_000;
const MAX_REAP_INTERVAL_MS = 30_000;

/**
 * The execution environments of one Overcast instance: started on demand, reused while warm, reaped when
 * idle, killed when their function changes or goes away. Also serves Code.Location downloads.
 */
export class EnvironmentPool {
  private readonly environments = new Map<string, Environment[]>();
  /** Invocations running or starting, per function (`account/region/name`) and per account and region. */
  private readonly inFlight = new Map<string, number>();
  private readonly logs: FunctionLogs;
  private codePort = 0;
  private pythonExecutable?: Promise<string>;
  private stopped = false;

  private constructor(
    private readonly runtime: ServiceRuntime,
    private readonly root: string,
    private readonly codeServer: http.Server,
  ) {
    this.logs = new FunctionLogs(runtime);
  }

  static async start(runtime: ServiceRuntime): Promise<EnvironmentPool> {
    const root = mkdtempSync(join(tmpdir(), "overcast-lambda-"));
    const runtimeDir = join(root, "runtime");
    mkdirSync(runtimeDir);
    writeFileSync(join(runtimeDir, "node-bootstrap.cjs"), NODE_BOOTSTRAP);
    writeFileSync(join(runtimeDir, "python-bootstrap.py"), PYTHON_BOOTSTRAP);
    const server = http.createServer();
    const pool = new EnvironmentPool(runtime, root, server);
    server.on("request", (req, res) => pool.serveCode(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    server.unref();
    pool.codePort = (server.address() as AddressInfo).port;
    const idleMs = pool.idleMs();
    runtime.setTimer(() => pool.reapIdle(), Math.min(MAX_REAP_INTERVAL_MS, Math.max(10, idleMs / 2)), true);
    return pool;
  }

  private idleMs(): number {
    return this.runtime.options.lambdaIdleMs ?? DEFAULT_IDLE_MS;
  }

  codeUrl(blobId: string): string {
    return `http://127.0.0.1:${this.codePort}/code/${blobId}`;
  }

  private serveCode(req: http.IncomingMessage, res: http.ServerResponse): void {
    const blobId = /^\/code\/([0-9a-f-]+)$/.exec(req.url ?? "")?.[1];
    if (req.method !== "GET" || !blobId || this.runtime.blobs.size(blobId) === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/zip", "content-length": String(this.runtime.blobs.size(blobId)) });
    this.runtime.blobs.read(blobId).pipe(res);
  }

  async invoke(target: InvocationTarget, payload: Buffer): Promise<InvocationOutcome> {
    const release = this.admit(target);
    try {
      return await this.run(target, payload);
    } finally {
      release();
    }
  }

  private async run(target: InvocationTarget, payload: Buffer): Promise<InvocationOutcome> {
    const env = await this.acquire(target);
    const requestId = randomUUID();
    const config = target.config;
    const startLine = `START RequestId: ${requestId} Version: ${target.version}`;
    const initLogs = env.takeLogs();
    const started = Date.now();
    this.tail(config, startLine);
    const result = await env.invoke({ requestId, payload, invokedArn: target.invokedArn, timeoutMs: (config.Timeout ?? 3) * 1000 });
    if (!env.alive || result.fatal) this.discard(target, env);
    // Output and result come on two channels (the stdout pipe, the Runtime API): the result can be handled
    // in the same event-loop turn before output written ahead of it is read. One turn lets that output in.
    await new Promise((resolve) => setImmediate(resolve));
    const closing = this.closingLines(requestId, env, result, config);
    const lines: LogLine[] = [...initLogs, { timestamp: started, message: startLine }, ...env.takeLogs(), ...closing];
    const firstInvocation = !env.initReported;
    env.initReported = true;
    if (firstInvocation && env.initDurationMs !== undefined)
      lines[lines.length - 1].message += `\tInit Duration: ${env.initDurationMs.toFixed(2)} ms`;
    lines[lines.length - 1].message += "\t";
    for (const line of closing) this.tail(config, line.message);
    await this.shipLogs(target, env, lines);
    return { ...result, requestId, log: lines.map((l) => `${l.message}\n`).join("") };
  }

  /**
   * Ships the lines to CloudWatch Logs in order. A new environment's first batch creates its stream and is
   * awaited (so the stream exists once the caller has its answer); warm invocations do not wait for it.
   */
  private async shipLogs(target: InvocationTarget, env: Environment, lines: LogLine[]): Promise<void> {
    const awaited = !env.logStreamCreated;
    env.logsShipped = env.logsShipped
      .then(() => this.logs.write(target, env, lines))
      .catch((err) => console.error("[overcast] lambda logs:", err));
    if (awaited) await env.logsShipped;
  }

  /** With --lambda-log-tail, every line a function's environments write, prefixed with the function's name. */
  private tail(config: FunctionConfiguration, message: string): void {
    if (this.runtime.options.lambdaLogTail) process.stdout.write(`[lambda:${config.FunctionName}] ${message.trimEnd()}\n`);
  }

  /**
   * Counts the invocation against its function's reserved concurrency, or against what the account's
   * reservations leave unreserved; returns the release. Throttled calls get AWS's 429.
   */
  private admit(target: InvocationTarget): () => void {
    const name = target.config.FunctionName as string;
    const scope = `${target.account}/${target.region}`;
    const store = this.runtime.storeFor(target.account, target.region);
    const reserved = reservedConcurrency(store, name);
    const fnKey = `${scope}/${name}`;
    const poolKey = reserved === undefined ? `${scope}/` : fnKey;
    const limit = reserved ?? unreservedConcurrency(store);
    const reason = reserved === undefined ? "ConcurrentInvocationLimitExceeded" : "ReservedFunctionConcurrentInvocationLimitExceeded";
    if ((this.inFlight.get(poolKey) ?? 0) >= limit) {
      throw new TooManyRequestsException("Rate Exceeded.", { fields: { Type: "User", Reason: reason, retryAfterSeconds: "1" } });
    }
    this.inFlight.set(poolKey, (this.inFlight.get(poolKey) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(poolKey) ?? 1) - 1;
      if (left > 0) this.inFlight.set(poolKey, left);
      else this.inFlight.delete(poolKey);
    };
  }

  private closingLines(requestId: string, env: Environment, result: EnvironmentResult, config: FunctionConfiguration): LogLine[] {
    const now = Date.now();
    const duration = result.durationMs;
    const fields = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${duration.toFixed(2)} ms`,
      `Billed Duration: ${Math.max(1, Math.ceil(duration))} ms`,
      `Memory Size: ${config.MemorySize ?? 128} MB`,
      `Max Memory Used: ${env.maxMemoryMb() ?? 0} MB`,
    ];
    const lines = [
      { timestamp: now, message: `END RequestId: ${requestId}` },
      { timestamp: now, message: fields.join("\t") },
    ];
    if (result.timedOut) lines[1].message += "\tStatus: timeout";
    return lines;
  }

  private key(target: { account: string; region: string; version: string }, name: string): string {
    return `${target.account}/${target.region}/${name}/${target.version}`;
  }

  /** A warm idle environment running this exact code and configuration, or a new one. */
  private async acquire(target: InvocationTarget): Promise<Environment> {
    const key = this.key(target, target.config.FunctionName as string);
    const revision = `${target.config.RevisionId}/${target.code.sha256}`;
    const list = this.environments.get(key) ?? [];
    const warm = list.find((e) => !e.busy && e.alive && e.revision === revision);
    if (warm) {
      warm.busy = true;
      return warm;
    }
    const env = this.register(key, await this.create(target, revision));
    env.busy = true;
    return env;
  }

  /** Adds a started environment to its version's list (re-read: concurrent cold starts each add theirs). */
  private register(key: string, env: Environment): Environment {
    if (this.stopped) {
      env.dispose();
      throw new Error("the lambda service stopped while an environment was starting");
    }
    const current = this.environments.get(key) ?? [];
    current.push(env);
    this.environments.set(key, current);
    return env;
  }

  /**
   * Provisioned concurrency: keeps `count` initialised environments of the version (started now, with
   * AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency) out of idle reaping; extra ones are released.
   * Rejects with the runtime's error document when initialisation fails.
   */
  async provision(target: InvocationTarget, count: number): Promise<void> {
    const key = this.key(target, target.config.FunctionName as string);
    const revision = `${target.config.RevisionId}/${target.code.sha256}`;
    const held = (this.environments.get(key) ?? []).filter((e) => e.provisioned && e.alive && e.revision === revision);
    for (const env of held.slice(count)) env.provisioned = false;
    const missing = Math.max(0, count - held.length);
    const started = await Promise.all(Array.from({ length: missing }, () => this.create(target, revision, "provisioned-concurrency")));
    for (const env of started) {
      this.register(key, env);
      env.provisioned = true;
      env.initReported = true; // invocations of provisioned environments report no Init Duration
    }
    const failures = (await Promise.all(started.map((e) => e.waitForInit()))).filter((f) => f !== undefined);
    if (failures.length) {
      for (const env of started) this.discard(target, env);
      throw new Error(failures[0].toString("utf8"));
    }
  }

  /** Ends provisioned concurrency for a version: its environments become ordinary warm ones. */
  unprovision(account: string, region: string, name: string, version: string): void {
    for (const env of this.environments.get(`${account}/${region}/${name}/${version}`) ?? []) env.provisioned = false;
  }

  private async create(target: InvocationTarget, revision: string, initType = "on-demand"): Promise<Environment> {
    const config = target.config;
    const name = config.FunctionName as string;
    const codeDir = await extractedCode(this.runtime, join(this.root, "code"), target.code);
    const layerDir = await mergedLayers(this.runtime, this.root, config.Layers ?? []);
    const streamId = randomBytes(16).toString("hex");
    const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[${target.version}]${streamId}`;
    const scratchDir = join(this.root, "tmp", streamId);
    const env = new Environment({
      runtime: config.Runtime as string,
      handler: config.Handler as string,
      codeDir,
      runtimeDir: join(this.root, "runtime"),
      scratchDir,
      memoryMb: config.MemorySize ?? 128,
      pythonExecutable: config.Runtime?.startsWith("python") ? await this.python() : undefined,
      onLine: this.runtime.options.lambdaLogTail ? (line) => this.tail(config, line.message) : undefined,
      variables: {
        ...(config.Environment?.Variables ?? {}),
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        LANG: "en_US.UTF-8",
        TZ: ":UTC",
        TMPDIR: scratchDir,
        PYTHONUNBUFFERED: "1",
        LAMBDA_TASK_ROOT: codeDir,
        LAMBDA_RUNTIME_DIR: join(this.root, "runtime"),
        _HANDLER: config.Handler as string,
        AWS_EXECUTION_ENV: `AWS_Lambda_${config.Runtime}`,
        AWS_LAMBDA_FUNCTION_NAME: name,
        AWS_LAMBDA_FUNCTION_VERSION: target.version,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.MemorySize ?? 128),
        AWS_LAMBDA_INITIALIZATION_TYPE: initType,
        AWS_LAMBDA_LOG_GROUP_NAME: config.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`,
        AWS_LAMBDA_LOG_STREAM_NAME: logStream,
        AWS_REGION: target.region,
        AWS_DEFAULT_REGION: target.region,
        AWS_ACCESS_KEY_ID: target.account === DEFAULT_ACCOUNT ? "test" : target.account,
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_SESSION_TOKEN: "test",
        AWS_ENDPOINT_URL: target.endpoint,
        ...layerVariables(layerDir, config.Runtime as string, process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"),
      },
    });
    env.revision = revision;
    env.logGroup = config.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`;
    env.logStream = logStream;
    await env.start();
    return env;
  }

  /** The real python3 behind any shim (pyenv's adds ~100 ms per start), resolved once. */
  private python(): Promise<string> {
    this.pythonExecutable ??= new Promise((resolve) => {
      execFile("python3", ["-c", "import sys; print(sys.executable)"], { timeout: 10_000 }, (err, stdout) => {
        resolve(!err && stdout.trim() ? stdout.trim() : "python3");
      });
    });
    return this.pythonExecutable;
  }

  private discard(target: InvocationTarget, env: Environment): void {
    const key = this.key(target, target.config.FunctionName as string);
    const list = (this.environments.get(key) ?? []).filter((e) => e !== env);
    if (list.length) this.environments.set(key, list);
    else this.environments.delete(key);
    env.dispose();
  }

  /** Kills the environments of a function (one version, or all) after it changed or was deleted. */
  retire(account: string, region: string, name: string, version?: string): void {
    const prefix = `${account}/${region}/${name}/`;
    for (const [key, list] of this.environments) {
      if (!key.startsWith(prefix) || (version !== undefined && key !== prefix + version)) continue;
      for (const env of list) env.dispose();
      this.environments.delete(key);
    }
  }

  private reapIdle(): void {
    const cutoff = Date.now() - this.idleMs();
    for (const [key, list] of this.environments) {
      const keep = list.filter((env) => env.busy || env.provisioned || env.lastUsed > cutoff);
      for (const env of list) if (!keep.includes(env)) env.dispose();
      if (keep.length) this.environments.set(key, keep);
      else this.environments.delete(key);
    }
  }

  /** Number of live environments of a function version (tests and diagnostics). */
  count(account: string, region: string, name: string, version = "$LATEST"): number {
    return this.environments.get(`${account}/${region}/${name}/${version}`)?.length ?? 0;
  }

  killAll(): void {
    for (const list of this.environments.values()) for (const env of list) env.dispose();
    this.environments.clear();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.killAll();
    await new Promise<void>((resolve) => this.codeServer.close(() => resolve()));
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** One pool per Overcast instance, found through the runtime its handlers and lifecycle hooks receive. */
const pools = new WeakMap<ServiceRuntime, EnvironmentPool>();

export function registerPool(runtime: ServiceRuntime, pool: EnvironmentPool): void {
  pools.set(runtime, pool);
}

export function poolOf(runtime: ServiceRuntime): EnvironmentPool {
  const pool = pools.get(runtime);
  if (!pool) throw new Error("lambda service was not started");
  return pool;
}

/** Stops and forgets the pool of one Overcast instance. */
export async function stopPool(runtime: ServiceRuntime): Promise<void> {
  const pool = pools.get(runtime);
  pools.delete(runtime);
  await pool?.stop();
}

export function killEnvironments(runtime: ServiceRuntime): void {
  pools.get(runtime)?.killAll();
}
