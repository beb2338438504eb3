import type { DeadLetterConfig, Target } from "@aws-sdk/client-eventbridge";
import type { Collection, ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { busNotFound, ManagedRule, ruleNotFound, ValidationException } from "./errors.js";

export const DEFAULT_BUS = "default";

export interface BusRecord {
  name: string;
  description?: string;
  kmsKeyIdentifier?: string;
  deadLetterConfig?: DeadLetterConfig;
  /** The bus's resource policy document (PutPermission statements or a whole policy). */
  policy?: string;
  createdAt: number;
  modifiedAt: number;
  tags: Record<string, string>;
}

export interface RuleRecord {
  name: string;
  bus: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: "ENABLED" | "DISABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
  description?: string;
  roleArn?: string;
  createdBy: string;
  createdAt: number;
  tags: Record<string, string>;
  /** In the order they were first put. */
  targets: Target[];
  /** Scheduled rules: when the schedule fires next (ms since the epoch). */
  nextFire?: number;
  /** Rules AWS creates for a feature (an archive's rule): "events.amazonaws.com". */
  managedBy?: string;
}

export interface Scope {
  account: string;
  region: string;
}

export const busesIn = (store: ScopeStore) => store.collection<BusRecord>("buses", { sorted: true });
/** Keyed `bus|name`, so one bus's rules are a contiguous, name-ordered range. */
export const rulesIn = (store: ScopeStore) => store.collection<RuleRecord>("rules", { sorted: true });
export const ruleKey = (bus: string, name: string) => `${bus}|${name}`;

export const busArn = (scope: Scope, name: string) => `arn:aws:events:${scope.region}:${scope.account}:event-bus/${name}`;

export function ruleArn(scope: Scope, bus: string, name: string): string {
  const path = bus === DEFAULT_BUS ? name : `${bus}/${name}`;
  return `arn:aws:events:${scope.region}:${scope.account}:rule/${path}`;
}

const BUS_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/;

/** An EventBusName member as a name or an ARN; a missing one is the default bus. */
export function parseBusReference(ctx: Scope, nameOrArn: string | undefined): Scope & { name: string } {
  const m = BUS_ARN.exec(nameOrArn ?? "");
  if (m) return { region: m[1], account: m[2], name: m[3] };
  return { account: ctx.account, region: ctx.region, name: nameOrArn ?? DEFAULT_BUS };
}

/** The default bus exists in every account and region without being created: it is stored when first seen. */
export function findBus(store: ScopeStore, name: string, now: number): BusRecord | undefined {
  const stored = busesIn(store).get(name);
  if (stored || name !== DEFAULT_BUS) return stored;
  const created: BusRecord = { name, createdAt: now, modifiedAt: now, tags: {} };
  busesIn(store).set(name, created);
  return created;
}

/** The bus a request names, in the caller's own account and region (rules and targets live there). */
export function requireBus(ctx: RequestContext, nameOrArn: string | undefined): BusRecord {
  const ref = parseBusReference(ctx, nameOrArn);
  const bus = ref.account === ctx.account && ref.region === ctx.region ? findBus(ctx.store, ref.name, ctx.runtime.now()) : undefined;
  if (!bus) throw busNotFound(ref.name);
  return bus;
}

export function requireRule(ctx: RequestContext, name: string, busNameOrArn: string | undefined): RuleRecord {
  const bus = requireBus(ctx, busNameOrArn);
  const rule = rulesIn(ctx.store).get(ruleKey(bus.name, name));
  if (!rule) throw ruleNotFound(name, bus.name);
  return rule;
}

/** Managed rules change only with their feature (or, for deletions, with Force). */
export function refuseManaged(rule: RuleRecord | undefined, force = false): void {
  if (rule?.managedBy && !force) {
    throw new ManagedRule(`Rule ${rule.name} is managed by ${rule.managedBy} and cannot be modified without Force.`);
  }
}

export const encodeToken = (after: string) => Buffer.from(JSON.stringify({ after })).toString("base64");

/** Tokens we did not issue are a client error, not a crash. */
export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw new ValidationException("The NextToken provided is invalid.");
}

/** One page of `items` (already in order, each with its sort key) after the token's key. */
export function page<T>(items: Iterable<[string, T]>, nextToken: string | undefined, limit: number | undefined) {
  const after = decodeToken(nextToken);
  const max = limit ?? 100;
  const out: T[] = [];
  let last: string | undefined;
  for (const [key, item] of items) {
    if (after !== undefined && key <= after) continue;
    if (out.length === max) return { items: out, nextToken: encodeToken(last as string) };
    out.push(item);
    last = key;
  }
  return { items: out, nextToken: undefined };
}

/** One page of the records whose names start with `prefix` (a sorted collection), those `keep` accepts, as `view` shows them. */
export function pageByPrefix<R, V>(
  records: Collection<R>,
  prefix: string | undefined,
  input: { NextToken?: string; Limit?: number },
  keep: (record: R) => boolean,
  view: (record: R) => V,
) {
  const from = prefix ?? "";
  const matching: [string, V][] = [];
  for (const [name, record] of records.entriesFrom(from)) {
    if (!name.startsWith(from)) break;
    if (keep(record)) matching.push([name, view(record)]);
  }
  return page(matching, input.NextToken, input.Limit);
}

/** Background work (timers) must never throw into the event loop: a failure there is our bug, reported, not a crash. */
export function guarded(what: string, fn: () => void): () => void {
  return () => {
    try {
      fn();
    } catch (err) {
      console.error(`[overcast] events: ${what} failed:`, err);
    }
  };
}
