import type {
  Archive,
  CreateArchiveRequest,
  CreateArchiveResponse,
  DeleteArchiveRequest,
  DescribeArchiveRequest,
  DescribeArchiveResponse,
  ListArchivesRequest,
  ListArchivesResponse,
  UpdateArchiveRequest,
  UpdateArchiveResponse,
} from "@aws-sdk/client-eventbridge";
import { matchesPattern, parsePattern } from "../../internal/event-pattern.js";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import {
  busNotFound,
  type Constraint,
  checkMember,
  checkRange,
  NEXT_TOKEN,
  ResourceAlreadyExists,
  ResourceNotFound,
  throwIssues,
  ValidationException,
} from "./errors.js";
import { busArn, findBus, pageByPrefix, parseBusReference, ruleKey, rulesIn } from "./model.js";
import type { EventEnvelope } from "./put-events.js";
import { eventPattern } from "./rules.js";

export interface ArchiveRecord {
  name: string;
  /** The ARN of the bus whose events it keeps. */
  source: string;
  description?: string;
  eventPattern?: string;
  retentionDays: number;
  kmsKeyIdentifier?: string;
  createdAt: number;
  eventCount: number;
  sizeBytes: number;
}

/** One kept event, keyed `archive|event time|id` so a replay reads a time window in order. */
export interface ArchivedEvent {
  archivedAt: number;
  event: EventEnvelope;
}

export const ARCHIVE_NAME: Constraint = { min: 1, max: 48, pattern: "[\\.\\-_A-Za-z0-9]+" };
const DAY_MS = 86_400_000;

export const archivesIn = (store: ScopeStore) => store.collection<ArchiveRecord>("archives", { sorted: true });
export const archivedEventsIn = (store: ScopeStore) => store.collection<ArchivedEvent>("archived-events", { sorted: true });
export const archiveArn = (ctx: { region: string; account: string }, name: string) =>
  `arn:aws:events:${ctx.region}:${ctx.account}:archive/${name}`;
export const archivedKey = (archive: string, time: number, id: string) => `${archive}|${String(time).padStart(15, "0")}|${id}`;

export function requireArchive(ctx: RequestContext, name: string): ArchiveRecord {
  const archive = archivesIn(ctx.store).get(name);
  if (!archive) throw new ResourceNotFound(`Archive ${name} does not exist.`);
  return archive;
}

export function createArchive(input: CreateArchiveRequest, ctx: RequestContext): CreateArchiveResponse {
  const issues: ValidationIssue[] = [];
  checkMember("archiveName", input.ArchiveName, ARCHIVE_NAME, issues);
  checkMember("eventSourceArn", input.EventSourceArn, { min: 1, max: 1600 }, issues);
  checkMember("description", input.Description, { max: 512 }, issues);
  checkMember("eventPattern", input.EventPattern, { max: 4096 }, issues);
  checkRange("retentionDays", input.RetentionDays, 0, Number.MAX_SAFE_INTEGER, issues);
  throwIssues(issues);
  const source = input.EventSourceArn as string;
  const ref = parseBusReference(ctx, source);
  if (!source.startsWith("arn:")) throw new ValidationException("Parameter EventSourceArn is not valid.");
  if (ref.account !== ctx.account || ref.region !== ctx.region || !findBus(ctx.store, ref.name, ctx.runtime.now())) {
    throw busNotFound(ref.name);
  }
  if (input.EventPattern !== undefined) eventPattern(input.EventPattern);
  const name = input.ArchiveName as string;
  if (archivesIn(ctx.store).has(name)) throw new ResourceAlreadyExists(`Archive ${name} already exists.`);
  const archive: ArchiveRecord = {
    name,
    source: busArn(ctx, ref.name),
    description: input.Description,
    eventPattern: input.EventPattern,
    retentionDays: input.RetentionDays ?? 0,
    kmsKeyIdentifier: input.KmsKeyIdentifier,
    createdAt: ctx.runtime.now(),
    eventCount: 0,
    sizeBytes: 0,
  };
  archivesIn(ctx.store).set(name, archive);
  setArchiveRule(ctx, ref.name, archive);
  return { ArchiveArn: archiveArn(ctx, name), State: "ENABLED", CreationTime: new Date(archive.createdAt) };
}

export function describeArchive(input: DescribeArchiveRequest, ctx: RequestContext): DescribeArchiveResponse {
  const issues: ValidationIssue[] = [];
  checkMember("archiveName", input.ArchiveName, ARCHIVE_NAME, issues);
  throwIssues(issues);
  const archive = requireArchive(ctx, input.ArchiveName as string);
  return {
    ...summary(archive),
    ArchiveArn: archiveArn(ctx, archive.name),
    Description: archive.description,
    EventPattern: archive.eventPattern,
    KmsKeyIdentifier: archive.kmsKeyIdentifier,
  };
}

export function updateArchive(input: UpdateArchiveRequest, ctx: RequestContext): UpdateArchiveResponse {
  const issues: ValidationIssue[] = [];
  checkMember("archiveName", input.ArchiveName, ARCHIVE_NAME, issues);
  checkMember("description", input.Description, { max: 512 }, issues);
  checkMember("eventPattern", input.EventPattern, { max: 4096 }, issues);
  checkRange("retentionDays", input.RetentionDays, 0, Number.MAX_SAFE_INTEGER, issues);
  throwIssues(issues);
  const archive = requireArchive(ctx, input.ArchiveName as string);
  if (input.EventPattern !== undefined) eventPattern(input.EventPattern);
  // Members left out keep their values.
  const updated: ArchiveRecord = {
    ...archive,
    description: input.Description ?? archive.description,
    eventPattern: input.EventPattern ?? archive.eventPattern,
    retentionDays: input.RetentionDays ?? archive.retentionDays,
    kmsKeyIdentifier: input.KmsKeyIdentifier ?? archive.kmsKeyIdentifier,
  };
  archivesIn(ctx.store).set(archive.name, updated);
  setArchiveRule(ctx, busNameOf(archive), updated);
  return { ArchiveArn: archiveArn(ctx, archive.name), State: "ENABLED", CreationTime: new Date(archive.createdAt) };
}

export function deleteArchive(input: DeleteArchiveRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkMember("archiveName", input.ArchiveName, ARCHIVE_NAME, issues);
  throwIssues(issues);
  const archive = requireArchive(ctx, input.ArchiveName as string);
  const events = archivedEventsIn(ctx.store);
  for (const [key] of [...archivedEntries(ctx.store, archive.name)]) events.delete(key);
  archivesIn(ctx.store).delete(archive.name);
  rulesIn(ctx.store).delete(ruleKey(busNameOf(archive), archiveRuleName(archive.name)));
}

export function listArchives(input: ListArchivesRequest, ctx: RequestContext): ListArchivesResponse {
  const issues: ValidationIssue[] = [];
  checkMember("namePrefix", input.NamePrefix, ARCHIVE_NAME, issues);
  checkMember("eventSourceArn", input.EventSourceArn, { min: 1, max: 1600 }, issues);
  checkMember("nextToken", input.NextToken, NEXT_TOKEN, issues);
  checkRange("limit", input.Limit, 1, 100, issues);
  throwIssues(issues);
  const { items, nextToken } = pageByPrefix(
    archivesIn(ctx.store),
    input.NamePrefix,
    input,
    (archive) =>
      (input.EventSourceArn === undefined || archive.source === input.EventSourceArn) && (input.State ?? "ENABLED") === "ENABLED",
    summary,
  );
  return { Archives: items, NextToken: nextToken };
}

const archiveRuleName = (archive: string) => `Events-Archive-${archive}`;
const busNameOf = (archive: ArchiveRecord) => archive.source.slice(archive.source.indexOf(":event-bus/") + ":event-bus/".length);

/**
 * As in AWS, an archive shows as a managed rule on its bus: its pattern plus a condition that keeps
 * replayed events out. (Events are kept by archiveEvent; the rule has no targets of its own.)
 */
function setArchiveRule(ctx: RequestContext, bus: string, archive: ArchiveRecord): void {
  const pattern = { ...(archive.eventPattern ? parsePattern(archive.eventPattern) : {}), "replay-name": [{ exists: false }] };
  const key = ruleKey(bus, archiveRuleName(archive.name));
  const existing = rulesIn(ctx.store).get(key);
  rulesIn(ctx.store).set(key, {
    name: archiveRuleName(archive.name),
    bus,
    eventPattern: JSON.stringify(pattern),
    state: "ENABLED",
    createdBy: ctx.account,
    createdAt: existing?.createdAt ?? ctx.runtime.now(),
    tags: {},
    targets: [],
    managedBy: "events.amazonaws.com",
  });
}

function summary(archive: ArchiveRecord): Archive {
  return {
    ArchiveName: archive.name,
    EventSourceArn: archive.source,
    State: "ENABLED",
    RetentionDays: archive.retentionDays,
    SizeBytes: archive.sizeBytes,
    EventCount: archive.eventCount,
    CreationTime: new Date(archive.createdAt),
  };
}

export function* archivedEntries(store: ScopeStore, archive: string, from = 0, to = Number.MAX_SAFE_INTEGER) {
  for (const entry of archivedEventsIn(store).entriesFrom(archivedKey(archive, from, ""))) {
    if (entry[0] > archivedKey(archive, to, "\uffff")) return;
    yield entry;
  }
}

/** Keeps an event that reached a bus in each of the bus's archives whose pattern it matches (replays are not kept again). */
export function archiveEvent(runtime: ServiceRuntime, store: ScopeStore, busArnOfEvent: string, event: EventEnvelope): void {
  if (event["replay-name"] !== undefined) return;
  const archives = archivesIn(store);
  for (const archive of [...archives.values()]) {
    if (archive.source !== busArnOfEvent) continue;
    if (archive.eventPattern && !matchesPattern(parsePattern(archive.eventPattern), event)) continue;
    const size = Buffer.byteLength(JSON.stringify(event));
    archivedEventsIn(store).set(archivedKey(archive.name, Date.parse(event.time), event.id), { archivedAt: runtime.now(), event });
    archives.set(archive.name, { ...archive, eventCount: archive.eventCount + 1, sizeBytes: archive.sizeBytes + size });
  }
}

/** Drops archived events older than their archive's retention (0 keeps them forever). */
export function expireArchivedEvents(runtime: ServiceRuntime, now: number): void {
  for (const { account, region } of runtime.state.scopes("events")) {
    const store = runtime.storeFor(account, region);
    for (const archive of [...archivesIn(store).values()]) {
      if (!archive.retentionDays) continue;
      const cutoff = now - archive.retentionDays * DAY_MS;
      let { eventCount, sizeBytes } = archive;
      for (const [key, kept] of [...archivedEntries(store, archive.name)]) {
        if (kept.archivedAt >= cutoff) continue;
        archivedEventsIn(store).delete(key);
        eventCount--;
        sizeBytes -= Buffer.byteLength(JSON.stringify(kept.event));
      }
      if (eventCount !== archive.eventCount) archivesIn(store).set(archive.name, { ...archive, eventCount, sizeBytes });
    }
  }
}
