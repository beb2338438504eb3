import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";

/** A fresh directory removed after the test. */
export function tempDir(t: TestContext, prefix = "overcast-state-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Direct access to a state.db, to inspect or tamper with it from outside the backend. */
export interface RawDatabase {
  prepare(sql: string): { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
  pragma(sql: string, options?: { simple: boolean }): unknown;
  exec(sql: string): void;
  close(): void;
}

export function openRaw(file: string): RawDatabase {
  const Database: new (file: string) => RawDatabase = createRequire(import.meta.url)("better-sqlite3");
  return new Database(file);
}

export const CLI = fileURLToPath(new URL("../../src/cli.js", import.meta.url));

export interface RunningCli {
  child: ChildProcess;
  endpoint: string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the real CLI on a free port and waits for its "ready" line. */
export function startCli(args: string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, "--port", "0", ...args], {
    env: { ...process.env, OVERCAST_INIT_DIRS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`CLI did not start in time; output:\n${output}`));
    }, 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /Overcast ready on (http:\/\/\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, endpoint: ready[1], exited });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/** Runs the CLI expecting it to fail at start-up; returns its exit code and stderr. */
export function failingCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, "--port", "0", ...args], {
    env: { ...process.env, OVERCAST_INIT_DIRS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // It should never get this far; stop it rather than wait for the timeout.
  child.stdout.on("data", (chunk: Buffer) => {
    if (chunk.toString().includes("Overcast ready")) child.kill("SIGKILL");
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}
