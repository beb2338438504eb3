import type { LogLevel } from "../config.js";

/** One access line per request (`sqs.SendMessage 200 0.3ms`), printed at log level info and above. */
export function accessLog(level: LogLevel, label: string, status: number, started: bigint): void {
  if (level === "quiet" && status < 500) return;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${label} ${status} ${ms.toFixed(1)}ms`);
}
