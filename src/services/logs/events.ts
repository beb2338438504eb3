import { createHash } from "node:crypto";
import type {
  FilteredLogEvent,
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  OutputLogEvent,
  PutLogEventsRequest,
  PutLogEventsResponse,
  RejectedLogEventsInfo,
} from "@aws-sdk/client-cloudwatch-logs";
import { ValidationFailure, type ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { compileFilterPattern } from "./filter-pattern.js";
import { InvalidParameterException, type LogGroupRecord, requireGroup } from "./groups.js";
import { groupStreams, type LogStreamRecord, requireStream, streamKey, streams } from "./streams.js";

/** One stored event; its key (`group NUL stream NUL position`) orders it within its stream. */
interface LogEventRecord {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
const MAX_BATCH_EVENTS = 10_000;

function events(ctx: RequestContext) {
  return ctx.store.collection<LogEventRecord>("events", { sorted: true });
}

/** Timestamp then sequence number, fixed width, so key order is chronological order. */
function position(timestamp: number, sequence: number): string {
  return `${String(timestamp).padStart(15, "0")}${String(sequence).padStart(10, "0")}`;
}

export function putLogEvents(input: PutLogEventsRequest, ctx: RequestContext): PutLogEventsResponse {
  const batch = input.logEvents ?? [];
  checkBatchShape(batch);
  const bytes = batch.reduce((sum, e) => sum + Buffer.byteLength(e.message ?? "", "utf8") + EVENT_OVERHEAD_BYTES, 0);
  if (bytes > MAX_BATCH_BYTES) throw new InvalidParameterException(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  const group = requireGroup(ctx, input.logGroupName);
  const stream = requireStream(ctx, group.name, input.logStreamName as string);
  const stamps = batch.map((e) => e.timestamp as number);
  if (stamps.some((t, i) => i > 0 && t < stamps[i - 1])) {
    throw new InvalidParameterException("Log events in a single PutLogEvents request must be in chronological order.");
  }
  if (stamps[stamps.length - 1] - stamps[0] > DAY) {
    throw new InvalidParameterException("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
  const now = ctx.runtime.now();
  const rejected = rejections(stamps, now, group);
  const first = Math.max(rejected.tooOldLogEventEndIndex ?? -1, rejected.expiredLogEventEndIndex ?? -1) + 1;
  appendEvents(ctx, stream, batch.slice(first, rejected.tooNewLogEventStartIndex ?? batch.length), now);
  return {
    nextSequenceToken: String(stream.eventCount).padStart(56, "0"),
    rejectedLogEventsInfo: Object.keys(rejected).length ? rejected : undefined,
  };
}

function checkBatchShape(batch: PutLogEventsRequest["logEvents"] & object): void {
  const issues: ValidationIssue[] = [];
  if (batch.length < 1 || batch.length > MAX_BATCH_EVENTS) {
    const constraint =
      batch.length < 1
        ? "Member must have length greater than or equal to 1"
        : `Member must have length less than or equal to ${MAX_BATCH_EVENTS}`;
    issues.push({ path: "logEvents", value: `[${batch.length} events]`, constraint, kind: "length" });
  }
  batch.forEach((event, i) => {
    if (event.timestamp === undefined)
      issues.push({ path: `logEvents.${i + 1}.member.timestamp`, value: null, constraint: "Member must not be null", kind: "required" });
    if (event.message === undefined)
      issues.push({ path: `logEvents.${i + 1}.member.message`, value: null, constraint: "Member must not be null", kind: "required" });
    else if (event.message.length < 1)
      issues.push({
        path: `logEvents.${i + 1}.member.message`,
        value: "",
        constraint: "Member must have length greater than or equal to 1",
        kind: "length",
      });
  });
  if (issues.length) throw new ValidationFailure(issues);
}

/** Events more than 2 h ahead, older than 14 days, or older than the group's retention are skipped and reported. */
function rejections(stamps: number[], now: number, group: LogGroupRecord): RejectedLogEventsInfo {
  const info: RejectedLogEventsInfo = {};
  const tooNew = stamps.findIndex((t) => t > now + 2 * HOUR);
  if (tooNew >= 0) info.tooNewLogEventStartIndex = tooNew;
  const tooOld = lastIndexWhere(stamps, (t) => t < now - 14 * DAY);
  if (tooOld >= 0) info.tooOldLogEventEndIndex = tooOld;
  if (group.retentionInDays !== undefined) {
    const expired = lastIndexWhere(stamps, (t) => t < now - group.retentionInDays! * DAY);
    if (expired >= 0) info.expiredLogEventEndIndex = expired;
  }
  return info;
}

function lastIndexWhere(values: number[], predicate: (v: number) => boolean): number {
  for (let i = values.length - 1; i >= 0; i--) if (predicate(values[i])) return i;
  return -1;
}

function appendEvents(ctx: RequestContext, stream: LogStreamRecord, batch: { timestamp?: number; message?: string }[], now: number): void {
  const store = events(ctx);
  const prefix = `${streamKey(stream.group, stream.name)}\u0000`;
  for (const event of batch) {
    const timestamp = event.timestamp as number;
    store.set(prefix + position(timestamp, stream.eventCount++), { timestamp, message: event.message as string, ingestionTime: now });
    stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? timestamp, timestamp);
    stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? timestamp, timestamp);
  }
  if (batch.length) stream.lastIngestionTime = now;
  streams(ctx).set(streamKey(stream.group, stream.name), stream);
}

/** Events of one stream in chronological order, as [position, event]. */
function* streamEvents(ctx: RequestContext, stream: LogStreamRecord, after = ""): Iterable<[string, LogEventRecord]> {
  const prefix = `${streamKey(stream.group, stream.name)}\u0000`;
  for (const [key, event] of events(ctx).entriesFrom(prefix + after)) {
    if (!key.startsWith(prefix)) return;
    const at = key.slice(prefix.length);
    if (at !== after) yield [at, event];
  }
}

// ---- GetLogEvents ------------------------------------------------------------------------------------

const TOKEN = /^([fb])\/(\d{56})$/;
const token = (direction: "f" | "b", at: string) => `${direction}/${at.padStart(56, "0")}`;

export function getLogEvents(input: GetLogEventsRequest, ctx: RequestContext): GetLogEventsResponse {
  const limit = checkLimit(input.limit);
  if (input.logGroupName && input.logGroupIdentifier) {
    throw new InvalidParameterException("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  const group = requireGroup(ctx, input.logGroupName ?? input.logGroupIdentifier);
  const stream = requireStream(ctx, group.name, input.logStreamName as string);
  const parsed = input.nextToken !== undefined ? TOKEN.exec(input.nextToken) : undefined;
  if (parsed === null) throw new InvalidParameterException("The specified nextToken is invalid.");
  const mark = parsed ? parsed[2].slice(-25) : undefined;
  const forward = parsed ? parsed[1] === "f" : input.startFromHead === true;
  const inRange = (e: LogEventRecord) =>
    (input.startTime === undefined || e.timestamp >= input.startTime) && (input.endTime === undefined || e.timestamp < input.endTime);
  const page: [string, LogEventRecord][] = [];
  if (forward) {
    for (const entry of streamEvents(ctx, stream, mark)) {
      if (!inRange(entry[1])) continue;
      if (page.push(entry) === limit) break;
    }
  } else {
    for (const entry of streamEvents(ctx, stream)) {
      if (mark !== undefined && entry[0] >= mark) break;
      if (!inRange(entry[1])) continue;
      if (page.push(entry) > limit) page.shift();
    }
  }
  const edge = mark ?? "0";
  return {
    events: page.map(([, e]): OutputLogEvent => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: token("f", page.length ? page[page.length - 1][0] : edge),
    nextBackwardToken: token("b", page.length ? page[0][0] : edge),
  };
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return MAX_BATCH_EVENTS;
  if (limit < 1 || limit > MAX_BATCH_EVENTS) {
    const constraint = `Member must have value ${limit < 1 ? "greater than or equal to 1" : `less than or equal to ${MAX_BATCH_EVENTS}`}`;
    throw new ValidationFailure([{ path: "limit", value: limit, constraint, kind: "range" }]);
  }
  return limit;
}

// ---- FilterLogEvents ---------------------------------------------------------------------------------

export function filterLogEvents(input: FilterLogEventsRequest, ctx: RequestContext): FilterLogEventsResponse {
  const limit = checkLimit(input.limit);
  if (input.logGroupName && input.logGroupIdentifier) {
    throw new InvalidParameterException("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (input.logStreamNames && input.logStreamNamePrefix !== undefined) {
    throw new InvalidParameterException("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  }
  const group = requireGroup(ctx, input.logGroupName ?? input.logGroupIdentifier);
  const matches = compileFilterPattern(input.filterPattern);
  const resumeAfter = input.nextToken !== undefined ? decodeFilterToken(input.nextToken) : "";
  const found: [string, FilteredLogEvent][] = [];
  for (const stream of selectedStreams(ctx, group, input)) {
    const streamTag = streamHash(stream.name);
    for (const [at, event] of streamEvents(ctx, stream)) {
      if (input.startTime !== undefined && event.timestamp < input.startTime) continue;
      if (input.endTime !== undefined && event.timestamp > input.endTime) continue;
      const order = `${at.slice(0, 15)}\u0000${stream.name}\u0000${at.slice(15)}`;
      if (order <= resumeAfter || !matches(event.message)) continue;
      found.push([
        order,
        {
          logStreamName: stream.name,
          timestamp: event.timestamp,
          message: event.message,
          ingestionTime: event.ingestionTime,
          eventId: `${at.slice(0, 15)}${streamTag}${at.slice(15)}`,
        },
      ]);
    }
  }
  found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const page = found.slice(0, limit);
  return {
    events: page.map(([, e]) => e),
    nextToken: found.length > limit ? Buffer.from(page[page.length - 1][0], "utf8").toString("base64url") : undefined,
  };
}

function selectedStreams(ctx: RequestContext, group: LogGroupRecord, input: FilterLogEventsRequest): LogStreamRecord[] {
  if (!input.logStreamNames) return [...groupStreams(ctx, group.name, input.logStreamNamePrefix ?? "")];
  const issues: ValidationIssue[] = [];
  if (input.logStreamNames.length < 1 || input.logStreamNames.length > 100) {
    issues.push({
      path: "logStreamNames",
      value: `[${input.logStreamNames.length} names]`,
      constraint: "Member must have length between 1 and 100",
      kind: "length",
    });
  }
  if (issues.length) throw new ValidationFailure(issues);
  return input.logStreamNames.flatMap((name) => {
    const stream = streams(ctx).get(streamKey(group.name, name));
    return stream ? [stream] : [];
  });
}

/** A stable per-stream number, so event ids of equal timestamps in different streams differ. */
function streamHash(name: string): string {
  return String(Number.parseInt(createHash("sha256").update(name).digest("hex").slice(0, 8), 16)).padStart(10, "0");
}

function decodeFilterToken(value: string): string {
  const decoded = Buffer.from(value, "base64url").toString("utf8");
  const [at, stream, sequence, extra] = decoded.split("\u0000");
  const valid = /^\d{15}$/.test(at) && stream !== undefined && /^\d{10}$/.test(sequence ?? "") && extra === undefined;
  if (!valid) throw new InvalidParameterException("The specified nextToken is invalid.");
  return decoded;
}
