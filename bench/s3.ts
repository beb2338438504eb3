import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { capture, clientConfig } from "./capture.js";
import { benchmark, type ServerProcess } from "./child.js";
import type { LoadSettings } from "./cpu.js";
import { send, type WireRequest } from "./load.js";
import { clockTicksPerSecond, cpuMicros } from "./proc.js";
import { rawReplay } from "./raw-client.js";
import { printTable } from "./report.js";

/**
 * S3 object speed, Overcast against s3rver (the npm fake S3) in one run: 1 KiB and 8 MiB PUT and GET of
 * one key, each request signed once by the SDK v3 for its server and replayed as the same bytes over
 * keep-alive connections by one minimal raw-socket client (bench/raw-client.ts). Figures: operations and megabytes per second,
 * and the server process's own CPU per operation, in all and on its main thread (large bodies are hashed on worker threads).
 */
const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const S3RVER = fileURLToPath(new URL("./s3rver-server.js", import.meta.url));
const BUCKET = "bench";
const KIB = 1024;
const MIB = 1024 * 1024;
const SMALL: LoadSettings = { warmup: 1_000, count: 10_000, connections: 8, timeLimitMs: 15_000 };
const LARGE: LoadSettings = { warmup: 20, count: 400, connections: 4, timeLimitMs: 15_000 };
const WHOLE_RUN_LIMIT_MS = 240_000;
/** s3rver accepts only its own dummy key pair. */
const CREDENTIALS = {
  overcast: { accessKeyId: "test", secretAccessKey: "test" },
  s3rver: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
};

type Target = keyof typeof CREDENTIALS;
interface Figures {
  ops: number;
  mbPerSecond: number;
  /** The whole server process (event loop, hashing threads, V8's GC threads, kernel time on its behalf). */
  cpuMicros: number;
  /** The main thread alone: the serial part, which worker threads cannot spread over cores. */
  eventLoopMicros: number;
  failed: number;
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "overcast-bench-s3-"));
  try {
    await benchmark(WHOLE_RUN_LIMIT_MS, async (start) => {
      const overcast = await start(CLI, ["--port", "0"]);
      const s3rver = await start(S3RVER, [join(scratch, "s3rver"), BUCKET]);
      await signed("overcast", overcast, (c) => c.send(new CreateBucketCommand({ Bucket: BUCKET }))).then((r) => expectOk(overcast, r));
      const ticks = clockTicksPerSecond();
      const rows: string[][] = [];
      for (const size of [KIB, 8 * MIB]) {
        const settings = size === KIB ? SMALL : LARGE;
        const label = size === KIB ? "1 KiB" : "8 MiB";
        const body = Buffer.alloc(size, 7);
        const key = `object-${label.replace(" ", "")}`;
        for (const op of ["PUT", "GET"] as const) {
          const figures = {} as Record<Target, Figures>;
          for (const [target, server] of [
            ["overcast", overcast],
            ["s3rver", s3rver],
          ] as const) {
            const request = await signed(target, server, (c) =>
              op === "PUT"
                ? c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }))
                : c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })),
            );
            if (op === "GET")
              await expectOk(
                server,
                await signed(target, server, (c) => c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }))),
              );
            await expectOk(server, request);
            figures[target] = await measure(server, request, settings, ticks, size);
          }
          rows.push(...figureRows(`${op} ${label}`, figures, size));
        }
      }
      printTable(["workload", "Overcast", "s3rver", "ratio", "target"], rows);
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Warm-up, then the measured run; the server's own CPU is charged to the operations it answered. */
async function measure(server: ServerProcess, request: WireRequest, settings: LoadSettings, ticks: number, size: number): Promise<Figures> {
  const { warmup, count, connections, timeLimitMs } = settings;
  await rawReplay(server.endpoint, request, warmup, connections, timeLimitMs);
  const before = cpuMicros(server.pid, ticks);
  const loopBefore = cpuMicros(server.pid, ticks, server.pid);
  const load = await rawReplay(server.endpoint, request, count, connections, timeLimitMs);
  const cpu = cpuMicros(server.pid, ticks) - before;
  const loop = cpuMicros(server.pid, ticks, server.pid) - loopBefore;
  const ops = (load.completed * 1000) / load.elapsedMs;
  const errors = [...load.statuses].filter(([status]) => status >= 300).reduce((sum, [, n]) => sum + n, 0);
  const completed = Math.max(load.completed, 1);
  return {
    ops,
    mbPerSecond: (ops * size) / 1e6,
    cpuMicros: cpu / completed,
    eventLoopMicros: loop / completed,
    failed: load.failed + errors,
  };
}

const capacity = (size: number, cpuMicros: number) => (size / cpuMicros).toFixed(0);

function figureRows(name: string, f: Record<Target, Figures>, size: number): string[][] {
  const small = size < MIB;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const failures = f.overcast.failed || f.s3rver.failed ? ` (failed: ${f.overcast.failed}/${f.s3rver.failed})` : "";
  return [
    [
      `${name}: ops/s${failures}`,
      f.overcast.ops.toFixed(0),
      f.s3rver.ops.toFixed(0),
      ratio(f.overcast.ops, f.s3rver.ops),
      small ? "≥ 3×" : "",
    ],
    [
      `${name}: MB/s`,
      f.overcast.mbPerSecond.toFixed(1),
      f.s3rver.mbPerSecond.toFixed(1),
      ratio(f.overcast.mbPerSecond, f.s3rver.mbPerSecond),
      small ? "" : "≥ 1000",
    ],
    [
      `${name}: server CPU per op`,
      `${f.overcast.cpuMicros.toFixed(0)} µs`,
      `${f.s3rver.cpuMicros.toFixed(0)} µs`,
      ratio(f.s3rver.cpuMicros, f.overcast.cpuMicros),
      "",
    ],
    [
      `${name}: event-loop CPU per op`,
      `${f.overcast.eventLoopMicros.toFixed(0)} µs`,
      `${f.s3rver.eventLoopMicros.toFixed(0)} µs`,
      ratio(f.s3rver.eventLoopMicros, f.overcast.eventLoopMicros),
      "",
    ],
    // What the server could sustain if the client were free: object size over CPU per operation, for all of the
    // process on one core, and for its event loop alone (the bound once hashing runs on other cores).
    [
      `${name}: one server core's MB/s`,
      capacity(size, f.overcast.cpuMicros),
      capacity(size, f.s3rver.cpuMicros),
      ratio(f.s3rver.cpuMicros, f.overcast.cpuMicros),
      "",
    ],
    [
      `${name}: event loop's MB/s`,
      capacity(size, f.overcast.eventLoopMicros),
      capacity(size, f.s3rver.eventLoopMicros),
      ratio(f.s3rver.eventLoopMicros, f.overcast.eventLoopMicros),
      "",
    ],
  ];
}

/** The request the SDK would send to `server`, signed with that server's credentials. */
function signed(target: Target, server: ServerProcess, call: (client: S3Client) => Promise<unknown>): Promise<WireRequest> {
  const client = new S3Client({
    ...clientConfig,
    endpoint: server.endpoint,
    credentials: CREDENTIALS[target],
    forcePathStyle: true,
    // Neither server is asked to compute an additional checksum: both do the same work (MD5 ETags).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return capture(() => call(client));
}

async function expectOk(server: ServerProcess, request: WireRequest): Promise<void> {
  const response = await send(server.endpoint, request);
  if (response.status >= 300)
    throw new Error(`${request.method} ${request.path} → ${response.status}: ${response.body.toString().slice(0, 300)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
