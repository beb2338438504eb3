import type { ConsumedCapacity } from "@aws-sdk/client-dynamodb";
import { errorClass } from "../../protocol/errors.js";
import type { Handler, RequestContext, ServiceRuntime } from "../types.js";
import { tableOfStatement } from "./partiql/ast.js";
import { parseStatement } from "./partiql/parser.js";
import { type TableRecord, tableNameOf, tables } from "./storage.js";

/**
 * Optional throttling (--dynamodb-throttling): a PROVISIONED table gets a token bucket per direction,
 * refilled at its provisioned units per second and holding at most 300 seconds of them (DynamoDB's
 * burst capacity). A request is refused while the bucket holds less than one unit; once served, it is
 * charged what it consumed, so a large request can take the bucket below zero, as in DynamoDB.
 */
const ProvisionedThroughputExceededException = errorClass("ProvisionedThroughputExceededException", 400);
const THROTTLED =
  "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
const BURST_SECONDS = 300;

type Direction = "read" | "write";
type Kind = Direction | "statement" | "statements";

const KINDS: Record<string, Kind> = {
  GetItem: "read",
  Query: "read",
  Scan: "read",
  BatchGetItem: "read",
  TransactGetItems: "read",
  PutItem: "write",
  UpdateItem: "write",
  DeleteItem: "write",
  BatchWriteItem: "write",
  TransactWriteItems: "write",
  ExecuteStatement: "statement",
  BatchExecuteStatement: "statements",
  ExecuteTransaction: "statements",
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets live with the runtime (not in state): throughput is a property of the running server. */
const bucketsByRuntime = new WeakMap<ServiceRuntime, Map<string, Bucket>>();

function bucketOf(ctx: RequestContext, table: TableRecord, direction: Direction): { bucket: Bucket; rate: number } | undefined {
  const rate = direction === "read" ? table.throughput.read : table.throughput.write;
  if (table.billingMode !== "PROVISIONED" || !rate) return undefined;
  const buckets = bucketsByRuntime.get(ctx.runtime) ?? new Map<string, Bucket>();
  bucketsByRuntime.set(ctx.runtime, buckets);
  const key = `${ctx.account}/${ctx.region}/${table.name}/${table.generation}/${direction}`;
  const now = ctx.runtime.now();
  const bucket = buckets.get(key) ?? { tokens: rate * BURST_SECONDS, at: now };
  buckets.set(key, bucket);
  bucket.tokens = Math.min(rate * BURST_SECONDS, bucket.tokens + (rate * (now - bucket.at)) / 1000);
  bucket.at = now;
  return { bucket, rate };
}

interface Target {
  table: TableRecord;
  direction: Direction;
}

type Input = Record<string, unknown>;

/** The tables a request uses, and in which direction, read off its input before it runs. */
function targetsOf(ctx: RequestContext, kind: Kind, input: Input): Target[] {
  const names: [string | undefined, Direction][] = [];
  if (kind === "read" || kind === "write") {
    names.push([input.TableName as string | undefined, kind]);
    for (const name of Object.keys((input.RequestItems as object | undefined) ?? {})) names.push([name, kind]);
    for (const item of (input.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? []) {
      for (const part of Object.values(item)) names.push([part?.TableName, kind]);
    }
  } else {
    const statements = kind === "statement" ? [input] : ((input.Statements ?? input.TransactStatements ?? []) as Input[]);
    for (const s of statements) {
      try {
        const parsed = parseStatement(String(s.Statement ?? ""), s.Parameters as unknown[] | undefined);
        names.push([tableOfStatement(parsed), parsed.kind === "select" ? "read" : "write"]);
      } catch {
        // An unparseable statement fails on its own in the handler.
      }
    }
  }
  const found: Target[] = [];
  for (const [name, direction] of names) {
    const table = name === undefined ? undefined : tables(ctx).get(tableNameOf(name) as string);
    if (table) found.push({ table, direction });
  }
  return found;
}

function charge(ctx: RequestContext, consumed: ConsumedCapacity[]): void {
  for (const c of consumed) {
    const table = tables(ctx).get(c.TableName as string);
    if (!table) continue;
    for (const direction of ["read", "write"] as const) {
      const units = direction === "read" ? c.Table?.ReadCapacityUnits : c.Table?.WriteCapacityUnits;
      const slot = units ? bucketOf(ctx, table, direction) : undefined;
      if (slot) slot.bucket.tokens -= units as number;
    }
  }
}

/** Gives the caller the ConsumedCapacity it asked for from the INDEXES-level figures the throttle needed. */
function asRequested(consumed: ConsumedCapacity, mode: unknown): ConsumedCapacity | undefined {
  if (mode === "INDEXES") return consumed;
  if (mode !== "TOTAL") return undefined;
  const { Table: _table, GlobalSecondaryIndexes: _gsis, LocalSecondaryIndexes: _lsis, ...total } = consumed;
  return total;
}

function throttled(kind: Kind, handler: Handler): Handler {
  // Off (the default), the handler runs as registered: no extra promise, no capacity figures.
  return (input: Input, ctx: RequestContext) =>
    ctx.runtime.options.dynamodbThrottling ? throttledCall(kind, handler, input, ctx) : handler(input, ctx);
}

async function throttledCall(kind: Kind, handler: Handler, input: Input, ctx: RequestContext): Promise<Input> {
  for (const { table, direction } of targetsOf(ctx, kind, input)) {
    const slot = bucketOf(ctx, table, direction);
    if (slot && slot.bucket.tokens < 1) throw new ProvisionedThroughputExceededException(THROTTLED);
  }
  const output = (await handler({ ...input, ReturnConsumedCapacity: "INDEXES" }, ctx)) as Input;
  const consumed = output.ConsumedCapacity as ConsumedCapacity | ConsumedCapacity[] | undefined;
  if (consumed === undefined) return output;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  charge(ctx, list);
  const shown = list.map((c) => asRequested(c, input.ReturnConsumedCapacity)).filter((c) => c !== undefined);
  const { ConsumedCapacity: _consumed, ...rest } = output;
  if (!shown.length) return rest;
  return { ...rest, ConsumedCapacity: Array.isArray(consumed) ? shown : shown[0] };
}

/** Wraps the data-plane operations so that, when the option is on, they throttle as described above. */
export function withThrottling(operations: Record<string, Handler>): Record<string, Handler> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, handler]) => [name, KINDS[name] ? throttled(KINDS[name], handler) : handler]),
  );
}
