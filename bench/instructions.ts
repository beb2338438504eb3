import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerProcess, startServer, stopServer } from "./child.js";
import { replay, type WireRequest } from "./load.js";

/**
 * Instructions a server executes per request, counted by valgrind's callgrind: unlike CPU time, the count
 * does not move with what else the machine is doing, so small differences (what a feature adds) show up
 * reliably. User-space instructions only (the kernel's socket work is the same for both sides of a
 * comparison). Valgrind runs the server ~50× slower, so runs are short.
 */
export interface CallgrindServer {
  server: ServerProcess;
  directory: string;
}

export function valgrindAvailable(): boolean {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Starts `node <script> <args>` under callgrind, uninstrumented until a measurement turns instrumentation on. */
export async function startUnderCallgrind(script: string, args: string[]): Promise<CallgrindServer> {
  const directory = mkdtempSync(join(tmpdir(), "overcast-callgrind-"));
  const wrapper = [
    "valgrind",
    "--tool=callgrind",
    "--smc-check=all-non-file", // V8 generates and patches code at run time
    "--instr-atstart=no", // instrumented only while measuring: warm-up runs at near full speed
    `--callgrind-out-file=${join(directory, "callgrind.out")}`,
  ];
  const server = await startServer(script, args, 120_000, wrapper);
  return { server, directory };
}

/** Warms the server up, then counts the instructions of `count` replays of the request. */
export async function instructionsPerRequest(
  { server, directory }: CallgrindServer,
  request: WireRequest,
  warmup: number,
  count: number,
): Promise<number> {
  const control = (...args: string[]) => execFileSync("callgrind_control", [...args, String(server.pid)], { stdio: "ignore" });
  await replay(server.endpoint, request, warmup, 2, 600_000);
  control("--zero");
  control("--instr=on");
  const load = await replay(server.endpoint, request, count, 2, 600_000);
  control("--instr=off");
  control("--dump");
  const dumps = readdirSync(directory).filter((f) => f.startsWith("callgrind.out"));
  const latest = dumps.sort((a, b) => dumpNumber(a) - dumpNumber(b)).at(-1);
  if (!latest) throw new Error("callgrind wrote no dump");
  const totals = /^totals: (\d+)/m.exec(readFileSync(join(directory, latest), "utf8"));
  if (!totals) throw new Error(`no instruction total in ${latest}`);
  return Number(totals[1]) / Math.max(load.completed, 1);
}

function dumpNumber(file: string): number {
  return Number(/\.(\d+)$/.exec(file)?.[1] ?? 0);
}

export async function stopCallgrind({ server, directory }: CallgrindServer): Promise<void> {
  await stopServer(server, 20_000);
  rmSync(directory, { recursive: true, force: true });
}
