import type {
  CreateLogStreamRequest,
  DeleteLogStreamRequest,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  LogStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { ValidationFailure, type ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidParameterException, ResourceAlreadyExistsException, ResourceNotFoundException, groupArn, requireGroup } from "./groups.js";

export interface LogStreamRecord {
  group: string;
  name: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
  /** Events appended so far: the next event's sequence number within the stream. */
  eventCount: number;
}

/** Streams and events are keyed under their group, NUL-separated, so a prefix scan finds a group's part. */
export const streamKey = (group: string, stream: string) => `${group}\u0000${stream}`;

export function streams(ctx: RequestContext) {
  return ctx.store.collection<LogStreamRecord>("streams", { sorted: true });
}

const STREAM_NAME = /^[^:*]*$/;

function checkStreamName(name: string | undefined, path: string, issues: ValidationIssue[]): void {
  if (name === undefined) return;
  if (name.length < 1 || name.length > 512) {
    const constraint =
      name.length < 1 ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 512";
    issues.push({ path, value: name, constraint, kind: "length" });
  } else if (!STREAM_NAME.test(name)) {
    issues.push({ path, value: name, constraint: "Member must satisfy regular expression pattern: [^:*]*", kind: "pattern" });
  }
}

export function createLogStream(input: CreateLogStreamRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkStreamName(input.logStreamName, "logStreamName", issues);
  if (issues.length) throw new ValidationFailure(issues);
  const group = requireGroup(ctx, input.logGroupName as string);
  const key = streamKey(group.name, input.logStreamName as string);
  if (streams(ctx).has(key)) throw new ResourceAlreadyExistsException("The specified log stream already exists");
  streams(ctx).set(key, {
    group: group.name,
    name: input.logStreamName as string,
    creationTime: ctx.runtime.now(),
    storedBytes: 0,
    eventCount: 0,
  });
}

export function requireStream(ctx: RequestContext, group: string, stream: string): LogStreamRecord {
  const record = streams(ctx).get(streamKey(group, stream));
  if (!record) throw new ResourceNotFoundException("The specified log stream does not exist.");
  return record;
}

export function deleteLogStream(input: DeleteLogStreamRequest, ctx: RequestContext): void {
  const group = requireGroup(ctx, input.logGroupName as string);
  const stream = requireStream(ctx, group.name, input.logStreamName as string);
  deleteStreamData(ctx, stream);
}

/** Removes a stream and every event in it. */
export function deleteStreamData(ctx: RequestContext, stream: LogStreamRecord): void {
  const key = streamKey(stream.group, stream.name);
  const events = ctx.store.collection("events", { sorted: true });
  const doomed: string[] = [];
  for (const [eventKey] of events.entriesFrom(`${key}\u0000`)) {
    if (!eventKey.startsWith(`${key}\u0000`)) break;
    doomed.push(eventKey);
  }
  for (const eventKey of doomed) events.delete(eventKey);
  streams(ctx).delete(key);
}

/** Streams of one group, in name order. */
export function* groupStreams(ctx: RequestContext, group: string, prefix = ""): Iterable<LogStreamRecord> {
  const start = streamKey(group, prefix);
  for (const [key, stream] of streams(ctx).entriesFrom(start)) {
    if (!key.startsWith(start)) return;
    yield stream;
  }
}

export function describeLogStreams(input: DescribeLogStreamsRequest, ctx: RequestContext): DescribeLogStreamsResponse {
  const issues: ValidationIssue[] = [];
  checkStreamName(input.logStreamNamePrefix, "logStreamNamePrefix", issues);
  const limit = input.limit ?? 50;
  if (limit < 1 || limit > 50) {
    const constraint = `Member must have value ${limit < 1 ? "greater than or equal to 1" : "less than or equal to 50"}`;
    issues.push({ path: "limit", value: limit, constraint, kind: "range" });
  }
  if (issues.length) throw new ValidationFailure(issues);
  if (input.logGroupName && input.logGroupIdentifier) {
    throw new InvalidParameterException("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (input.orderBy === "LastEventTime" && input.logStreamNamePrefix) {
    throw new InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  const group = requireGroup(ctx, input.logGroupName ?? input.logGroupIdentifier);
  const all = [...groupStreams(ctx, group.name, input.logStreamNamePrefix ?? "")];
  if (input.orderBy === "LastEventTime")
    all.sort((a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || compare(a.name, b.name));
  if (input.descending) all.reverse();
  const offset = input.nextToken !== undefined ? decodeOffset(input.nextToken) : 0;
  const page = all.slice(offset, offset + limit);
  const more = offset + limit < all.length;
  return {
    logStreams: page.map((s) => describeStream(s, groupArn(ctx, group.name))),
    nextToken: more ? Buffer.from(`streams/${offset + limit}`).toString("base64url") : undefined,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function decodeOffset(token: string): number {
  const match = /^streams\/(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!match) throw new InvalidParameterException("The specified nextToken is invalid.");
  return Number(match[1]);
}

function describeStream(stream: LogStreamRecord, groupArnText: string): LogStream {
  return {
    logStreamName: stream.name,
    creationTime: stream.creationTime,
    firstEventTimestamp: stream.firstEventTimestamp,
    lastEventTimestamp: stream.lastEventTimestamp,
    lastIngestionTime: stream.lastIngestionTime,
    uploadSequenceToken: String(stream.eventCount).padStart(56, "0"),
    arn: `${groupArnText}:log-stream:${stream.name}`,
    storedBytes: 0,
  };
}
