import type {
  CancelReplayRequest,
  CancelReplayResponse,
  DescribeReplayRequest,
  DescribeReplayResponse,
  ListReplaysRequest,
  ListReplaysResponse,
  Replay,
  ReplayDestination,
  ReplayState,
  StartReplayRequest,
  StartReplayResponse,
} from "@aws-sdk/client-eventbridge";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { archivedEntries, archivesIn } from "./archives.js";
import {
  type Constraint,
  checkCount,
  checkMember,
  checkRange,
  IllegalStatus,
  NEXT_TOKEN,
  ResourceAlreadyExists,
  ResourceNotFound,
  throwIssues,
  ValidationException,
} from "./errors.js";
import { guarded, pageByPrefix, parseBusReference, type Scope } from "./model.js";
import { routeEvent } from "./put-events.js";

export interface ReplayRecord {
  name: string;
  description?: string;
  /** The archive's ARN. */
  source: string;
  archive: string;
  destination: ReplayDestination;
  eventStart: number;
  eventEnd: number;
  state: ReplayState;
  stateReason?: string;
  startedAt: number;
  endedAt?: number;
  lastReplayed?: number;
}

const REPLAY_NAME: Constraint = { min: 1, max: 64, pattern: "[\\.\\-_A-Za-z0-9]+" };
const ARCHIVE_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):archive\/(.+)$/;
const FINISHED = new Set<ReplayState>(["COMPLETED", "CANCELLED", "FAILED"]);

export const replaysIn = (store: ScopeStore) => store.collection<ReplayRecord>("replays", { sorted: true });
const replayArn = (ctx: Scope, name: string) => `arn:aws:events:${ctx.region}:${ctx.account}:replay/${name}`;

function requireReplay(ctx: RequestContext, name: string): ReplayRecord {
  const replay = replaysIn(ctx.store).get(name);
  if (!replay) throw new ResourceNotFound(`Replay ${name} does not exist.`);
  return replay;
}

/** Replays an archive's events from a time window onto the archive's own bus, to all its rules or only to FilterArns. */
export function startReplay(input: StartReplayRequest, ctx: RequestContext): StartReplayResponse {
  const issues: ValidationIssue[] = [];
  checkMember("replayName", input.ReplayName, REPLAY_NAME, issues);
  checkMember("description", input.Description, { max: 512 }, issues);
  checkMember("eventSourceArn", input.EventSourceArn, { min: 1, max: 1600 }, issues);
  checkMember("destination.arn", input.Destination?.Arn, { min: 1, max: 1600 }, issues);
  checkCount("destination.filterArns", input.Destination?.FilterArns, 0, 100, issues);
  throwIssues(issues);
  const name = input.ReplayName as string;
  if (replaysIn(ctx.store).has(name)) throw new ResourceAlreadyExists(`Replay ${name} already exists.`);
  const archiveName = ARCHIVE_ARN.exec(input.EventSourceArn as string)?.[3];
  const archive = archiveName ? archivesIn(ctx.store).get(archiveName) : undefined;
  if (!archive) throw new ResourceNotFound(`Archive ${archiveName ?? input.EventSourceArn} does not exist.`);
  const destination = input.Destination as ReplayDestination;
  if (destination.Arn !== archive.source) {
    throw new ValidationException("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.");
  }
  const [start, end] = [(input.EventStartTime as Date).getTime(), (input.EventEndTime as Date).getTime()];
  if (start >= end)
    throw new ValidationException("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.");
  const now = ctx.runtime.now();
  if (end > now) throw new ValidationException("Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.");
  const replay: ReplayRecord = {
    name,
    description: input.Description,
    source: input.EventSourceArn as string,
    archive: archive.name,
    destination,
    eventStart: start,
    eventEnd: end,
    state: "STARTING",
    startedAt: now,
  };
  replaysIn(ctx.store).set(name, replay);
  const scope = { account: ctx.account, region: ctx.region };
  ctx.runtime.setTimer(
    guarded("replaying", () => runReplay(ctx.runtime, scope, name)),
    0,
  );
  return { ReplayArn: replayArn(ctx, name), State: "STARTING", ReplayStartTime: new Date(now) };
}

/** Sends the window's events in event-time order, unless the replay was cancelled meanwhile. */
export function runReplay(runtime: ServiceRuntime, scope: Scope, name: string): void {
  const store = runtime.storeFor(scope.account, scope.region);
  const replays = replaysIn(store);
  const replay = replays.get(name);
  if (!replay || FINISHED.has(replay.state)) return;
  if (replay.state === "CANCELLING") {
    replays.set(name, { ...replay, state: "CANCELLED", endedAt: runtime.now() });
    return;
  }
  const bus = parseBusReference(scope, replay.destination.Arn);
  const onlyRules = replay.destination.FilterArns?.length ? new Set(replay.destination.FilterArns) : undefined;
  let last = replay.lastReplayed;
  for (const [, kept] of archivedEntries(store, replay.archive, replay.eventStart, replay.eventEnd)) {
    routeEvent(runtime, bus, { ...kept.event, "replay-name": name }, scope.account, onlyRules);
    last = Date.parse(kept.event.time);
  }
  replays.set(name, { ...replay, state: "COMPLETED", lastReplayed: last, endedAt: runtime.now() });
}

/** Replays still running when Overcast stopped are run again at start-up. */
export function resumeReplays(runtime: ServiceRuntime): void {
  for (const scope of runtime.state.scopes("events")) {
    for (const replay of replaysIn(runtime.storeFor(scope.account, scope.region)).values()) {
      if (!FINISHED.has(replay.state))
        runtime.setTimer(
          guarded("replaying", () => runReplay(runtime, scope, replay.name)),
          0,
        );
    }
  }
}

export function describeReplay(input: DescribeReplayRequest, ctx: RequestContext): DescribeReplayResponse {
  const issues: ValidationIssue[] = [];
  checkMember("replayName", input.ReplayName, REPLAY_NAME, issues);
  throwIssues(issues);
  const replay = requireReplay(ctx, input.ReplayName as string);
  return { ...summary(replay), ReplayArn: replayArn(ctx, replay.name), Description: replay.description, Destination: replay.destination };
}

export function cancelReplay(input: CancelReplayRequest, ctx: RequestContext): CancelReplayResponse {
  const issues: ValidationIssue[] = [];
  checkMember("replayName", input.ReplayName, REPLAY_NAME, issues);
  throwIssues(issues);
  const replay = requireReplay(ctx, input.ReplayName as string);
  if (replay.state !== "STARTING" && replay.state !== "RUNNING") {
    throw new IllegalStatus(`Replay ${replay.name} is not in a valid state for this operation.`);
  }
  replaysIn(ctx.store).set(replay.name, { ...replay, state: "CANCELLING" });
  return { ReplayArn: replayArn(ctx, replay.name), State: "CANCELLING" };
}

export function listReplays(input: ListReplaysRequest, ctx: RequestContext): ListReplaysResponse {
  const issues: ValidationIssue[] = [];
  checkMember("namePrefix", input.NamePrefix, REPLAY_NAME, issues);
  checkMember("eventSourceArn", input.EventSourceArn, { min: 1, max: 1600 }, issues);
  checkMember("nextToken", input.NextToken, NEXT_TOKEN, issues);
  checkRange("limit", input.Limit, 1, 100, issues);
  throwIssues(issues);
  const { items, nextToken } = pageByPrefix(
    replaysIn(ctx.store),
    input.NamePrefix,
    input,
    (replay) =>
      (input.EventSourceArn === undefined || replay.source === input.EventSourceArn) &&
      (input.State === undefined || replay.state === input.State),
    summary,
  );
  return { Replays: items, NextToken: nextToken };
}

function summary(replay: ReplayRecord): Replay {
  const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
  return {
    ReplayName: replay.name,
    EventSourceArn: replay.source,
    State: replay.state,
    StateReason: replay.stateReason,
    EventStartTime: date(replay.eventStart),
    EventEndTime: date(replay.eventEnd),
    EventLastReplayedTime: date(replay.lastReplayed),
    ReplayStartTime: date(replay.startedAt),
    ReplayEndTime: date(replay.endedAt),
  };
}
