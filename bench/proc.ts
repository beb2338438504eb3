import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Per-process figures from Linux's /proc, so that each server's own cost is measured apart from the
 * load generator sharing the machine.
 */

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat (almost always 100). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 2_000 }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** User + system CPU time consumed so far, in microseconds: by the whole process, or by one of its threads. */
export function cpuMicros(pid: number, ticksPerSecond: number, thread?: number): number {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]); // field 14
  const stime = Number(fields[12]); // field 15
  return ((utime + stime) * 1_000_000) / ticksPerSecond;
}
