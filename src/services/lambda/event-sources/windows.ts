import type { Json, JsonObject } from "../../../internal/event-pattern.js";
import type { EventRecord } from "./stream-sources.js";

/**
 * A tumbling window of one shard (TumblingWindowInSeconds): windows are aligned to multiples of their length
 * since the epoch, a record belongs to the window of its arrival time, and the state the function returns is
 * handed to its next invocation in the same window.
 */
export interface TumblingWindow {
  /** Epoch seconds. */
  start: number;
  end: number;
  state: Json;
}

export function windowOf(arrival: number, seconds: number): TumblingWindow {
  const start = Math.floor(arrival / seconds) * seconds;
  return { start, end: start + seconds, state: {} };
}

/** Splits records (in arrival order) into runs that share a window. */
export function runsByWindow(records: EventRecord[], seconds: number): EventRecord[][] {
  const runs: EventRecord[][] = [];
  let current = Number.NaN;
  for (const record of records) {
    const start = windowOf(record.arrival, seconds).start;
    if (start === current) runs[runs.length - 1].push(record);
    else runs.push([record]);
    current = start;
  }
  return runs;
}

const windowTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The event of a windowed invocation: the records plus the window, its state so far, and whether it closes it. */
export function windowEvent(
  records: EventRecord[],
  window: TumblingWindow,
  shardId: string,
  streamArn: string,
  final: boolean,
): JsonObject {
  return {
    Records: records.map((r) => r.event),
    window: { start: windowTime(window.start), end: windowTime(window.end) },
    state: window.state,
    shardId,
    eventSourceARN: streamArn,
    isFinalInvokeForWindow: final,
    isWindowTerminatedEarly: false,
  };
}

/** The state a windowed invocation returned; without one the invocation counts as failed, as in Lambda. */
export function returnedState(response: unknown): Json | undefined {
  if (!response || typeof response !== "object" || Array.isArray(response)) return undefined;
  const state = (response as JsonObject).state;
  return state && typeof state === "object" && !Array.isArray(state) ? state : undefined;
}
