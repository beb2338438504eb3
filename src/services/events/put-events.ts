import { randomUUID } from "node:crypto";
import type { PutEventsRequest, PutEventsRequestEntry, PutEventsResponse, PutEventsResultEntry } from "@aws-sdk/client-eventbridge";
import { isObject, type Json, type JsonObject, matchesPattern, parsePattern } from "../../internal/event-pattern.js";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { deliverToTarget } from "./delivery.js";
import { checkCount, throwIssues, ValidationException } from "./errors.js";
import { archiveEvent } from "./archives.js";
import { busArn, findBus, guarded, parseBusReference, type RuleRecord, ruleArn, type Scope } from "./model.js";
import { allowsPutEvents } from "./permissions.js";
import { rulesOf } from "./rules.js";

/** PutEvents' limit on the summed size of its entries (AWS's own way of counting, see entrySize). */
const MAX_REQUEST_BYTES = 256 * 1024;

/** The event as targets receive it. */
export interface EventEnvelope extends JsonObject {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: JsonObject;
}

/** Where an event goes: a bus in an account and region. */
export interface BusAddress extends Scope {
  name: string;
}

export function putEvents(input: PutEventsRequest, ctx: RequestContext): PutEventsResponse {
  const issues: ValidationIssue[] = [];
  checkCount("entries", input.Entries, 1, 10, issues);
  throwIssues(issues);
  const entries = input.Entries as PutEventsRequestEntry[];
  if (entries.reduce((sum, entry) => sum + entrySize(entry), 0) > MAX_REQUEST_BYTES) {
    throw new ValidationException("Total size of the entries in the request is over the limit.");
  }
  const now = ctx.runtime.now();
  const accepted: { bus: BusAddress; event: EventEnvelope }[] = [];
  const results = entries.map((entry): PutEventsResultEntry => {
    const failure = entryFailure(entry, ctx);
    if (failure) return failure;
    const bus = { ...parseBusReference(ctx, entry.EventBusName) };
    const event = envelope(entry, ctx, now);
    accepted.push({ bus, event });
    return { EventId: event.id };
  });
  // Delivery never holds up the response.
  if (accepted.length) {
    const route = () => {
      for (const { bus, event } of accepted) routeEvent(ctx.runtime, bus, event, ctx.account);
    };
    ctx.runtime.setTimer(guarded("routing events", route), 0);
  }
  return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
}

/** AWS's size of an entry: its strings' UTF-8 bytes, plus 14 for a Time. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, "utf8"));
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

/** Per-entry problems fail only their entry, with AWS's code and message. */
function entryFailure(entry: PutEventsRequestEntry, ctx: RequestContext): PutEventsResultEntry | undefined {
  const invalid = (member: string) => ({
    ErrorCode: "InvalidArgument",
    ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
  });
  if (!entry.Source) return invalid("Source");
  if (!entry.DetailType) return invalid("DetailType");
  if (entry.Detail === undefined) return invalid("Detail");
  if (!isObject(parseJson(entry.Detail))) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  // Sources named aws.* belong to AWS services; accounts cannot impersonate them.
  if (entry.Source.startsWith("aws.") && ctx.principal.type !== "service") {
    return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." };
  }
  return undefined;
}

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Event times are whole seconds, `2024-01-02T03:04:05Z`. */
export const eventTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

function envelope(entry: PutEventsRequestEntry, ctx: RequestContext, now: number): EventEnvelope {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": entry.DetailType as string,
    source: entry.Source as string,
    account: ctx.account,
    time: eventTime(entry.Time ? entry.Time.getTime() : now),
    region: ctx.region,
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail as string) as JsonObject,
  };
}

/**
 * Hands an event to every target of every enabled rule of the bus whose pattern matches (of the given
 * rules only, for replays) and keeps it in the bus's archives. An event from another account reaches the
 * bus only where the bus's policy lets that account put events; a bus that does not exist drops it, as AWS does.
 */
export function routeEvent(
  runtime: ServiceRuntime,
  address: BusAddress,
  event: EventEnvelope,
  sender: string,
  onlyRules?: Set<string>,
): void {
  const store = runtime.storeFor(address.account, address.region);
  const bus = findBus(store, address.name, runtime.now());
  if (!bus) return;
  if (sender !== address.account && !allowsPutEvents(bus.policy, sender)) return;
  for (const rule of rulesOf({ store }, bus.name)) {
    if (rule.state === "DISABLED" || !rule.eventPattern || !rule.targets.length) continue;
    if (onlyRules && !onlyRules.has(ruleArn(address, bus.name, rule.name))) continue;
    if (matchesPattern(parsePattern(rule.eventPattern), event)) sendToRuleTargets(runtime, address, rule, event);
  }
  archiveEvent(runtime, store, busArn(address, bus.name), event);
}

export function sendToRuleTargets(runtime: ServiceRuntime, scope: Scope, rule: RuleRecord, event: EventEnvelope): void {
  const ingestionTime = new Date(runtime.now()).toISOString();
  const arn = ruleArn(scope, rule.bus, rule.name);
  for (const target of rule.targets) {
    deliverToTarget(runtime, { scope, ruleArn: arn, ruleName: rule.name, target, event, ingestionTime });
  }
}
