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

/** Starts `node <script> <args>` under callgrind. */
export async function startUnderCallgrind(script: string, args: string[]): Promise<CallgrindServer> {
  const directory = mkdtempSync(join(tmpdir(), "overcast-callgrind-"));
  const wrapper = [
    "valgrind",
    "--tool=callgrind",
    "--smc-check=all-non-file", // V8 generates and patches code at run time
    `--callgrind-out-file=${join(directory, "callgrind.out")}`,
  ];
  const server = await startServer(script, args, 120_000, wrapper);
  return { server, directory };
}

/** One request to count on one server under callgrind. */
export interface InstructionMeasure {
  target: CallgrindServer;
  request: WireRequest;
}

/**
 * Instructions per request of each measure: every measure is warmed up, then counted in `rounds` rounds
 * of `count` requests taken in turn (measure 1, 2, …, 1, 2, …), and its lowest round is reported. Under
 * valgrind, V8's background threads (optimizing compiler, concurrent GC) run serially and slowly, so the
 * catch-up work of what came before lands in the first rounds: taking turns spreads it over every
 * measure instead of charging it to whichever is counted first.
 */
export async function instructionsPerRequest(measures: InstructionMeasure[], warmup: number, count: number, rounds = 3): Promise<number[]> {
  for (const { target, request } of measures) await replay(target.server.endpoint, request, warmup, 2, 600_000);
  const lowest = measures.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < rounds; round++) {
    for (const [i, { target, request }] of measures.entries()) {
      const control = (option: string) => execFileSync("callgrind_control", [option, String(target.server.pid)], { stdio: "ignore" });
      control("--zero");
      const load = await replay(target.server.endpoint, request, count, 2, 600_000);
      control("--dump");
      lowest[i] = Math.min(lowest[i], latestTotal(target.directory) / Math.max(load.completed, 1));
    }
  }
  return lowest;
}

/** The instruction total of the newest dump. */
function latestTotal(directory: string): number {
  const dumps = readdirSync(directory).filter((f) => f.startsWith("callgrind.out"));
  const latest = dumps.sort((a, b) => dumpNumber(a) - dumpNumber(b)).at(-1);
  if (!latest) throw new Error("callgrind wrote no dump");
  const totals = /^totals: (\d+)/m.exec(readFileSync(join(directory, latest), "utf8"));
  if (!totals) throw new Error(`no instruction total in ${latest}`);
  return Number(totals[1]);
}

function dumpNumber(file: string): number {
  return Number(/\.(\d+)$/.exec(file)?.[1] ?? 0);
}

export async function stopCallgrind({ server, directory }: CallgrindServer): Promise<void> {
  await stopServer(server, 20_000);
  rmSync(directory, { recursive: true, force: true });
}
