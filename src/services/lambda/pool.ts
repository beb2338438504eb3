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
import { Environment, type EnvironmentResult, type LogLine } from "./environment.js";
import { FunctionLogs } from "./function-logs.js";

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

const IDLE_LIFETIME_MS = 5 * 60_000;
const ACCOUNT_CONCURRENCY = 1000;

/**
 * The execution environments of one Overcast instance: started on demand, reused while warm, reaped when
 * idle, killed when their function changes or goes away. Also serves Code.Location downloads.
 */
export class EnvironmentPool {
  private readonly environments = new Map<string, Environment[]>();
  private readonly logs: FunctionLogs;
  private codePort = 0;

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
    writeFileSync(join(runtimeDir, "node-bootstrap.mjs"), NODE_BOOTSTRAP);
    writeFileSync(join(runtimeDir, "python-bootstrap.py"), PYTHON_BOOTSTRAP);
    const server = http.createServer();
    const pool = new EnvironmentPool(runtime, root, server);
    server.on("request", (req, res) => pool.serveCode(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    server.unref();
    pool.codePort = (server.address() as AddressInfo).port;
    runtime.setTimer(() => pool.reapIdle(), 30_000, true);
    return pool;
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
    const env = await this.acquire(target);
    const requestId = randomUUID();
    const config = target.config;
    const startLine = `START RequestId: ${requestId} Version: ${target.version}`;
    const initLogs = env.takeLogs();
    const started = Date.now();
    const result = await env.invoke({ requestId, payload, invokedArn: target.invokedArn, timeoutMs: (config.Timeout ?? 3) * 1000 });
    if (!env.alive || result.fatal) this.discard(target, env);
    const lines: LogLine[] = [
      ...initLogs,
      { timestamp: started, message: startLine },
      ...env.takeLogs(),
      ...this.closingLines(requestId, env, result, config),
    ];
    const firstInvocation = !env.initReported;
    env.initReported = true;
    if (firstInvocation && env.initDurationMs !== undefined)
      lines[lines.length - 1].message += `\tInit Duration: ${env.initDurationMs.toFixed(2)} ms`;
    lines[lines.length - 1].message += "\t";
    await this.logs.write(target, env, lines);
    return { ...result, requestId, log: lines.map((l) => `${l.message}\n`).join("") };
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
    if (this.busyCount(target.account) >= ACCOUNT_CONCURRENCY) {
      throw new TooManyRequestsException("Rate Exceeded.", { fields: { Type: "User", Reason: "ConcurrentInvocationLimitExceeded" } });
    }
    const env = await this.create(target, revision);
    env.busy = true;
    list.push(env);
    this.environments.set(key, list);
    return env;
  }

  private busyCount(account: string): number {
    let count = 0;
    for (const [key, list] of this.environments) if (key.startsWith(`${account}/`)) count += list.filter((e) => e.busy).length;
    return count;
  }

  private async create(target: InvocationTarget, revision: string): Promise<Environment> {
    const config = target.config;
    const name = config.FunctionName as string;
    const codeDir = await extractedCode(this.runtime, join(this.root, "code"), target.code);
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
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        AWS_LAMBDA_LOG_GROUP_NAME: config.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`,
        AWS_LAMBDA_LOG_STREAM_NAME: logStream,
        AWS_REGION: target.region,
        AWS_DEFAULT_REGION: target.region,
        AWS_ACCESS_KEY_ID: target.account === DEFAULT_ACCOUNT ? "test" : target.account,
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_SESSION_TOKEN: "test",
        AWS_ENDPOINT_URL: target.endpoint,
      },
    });
    env.revision = revision;
    env.logGroup = config.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`;
    env.logStream = logStream;
    await env.start();
    return env;
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
    const cutoff = Date.now() - IDLE_LIFETIME_MS;
    for (const [key, list] of this.environments) {
      const keep = list.filter((env) => env.busy || env.lastUsed > cutoff);
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
