import type { ConsumedCapacity, KeySchemaElement } from "@aws-sdk/client-dynamodb";
import type { RequestContext } from "../../types.js";
import { consumedCapacity, readCapacity } from "../capacity.js";
import { ValidationException } from "../errors.js";
import type { Condition, Path } from "../expressions/ast.js";
import { evaluate, project, resolvePath } from "../expressions/evaluate.js";
import { readItem, tableOf } from "../items.js";
import { type KeyRange, keyRange } from "../key-condition.js";
import { type Entry, type ReadPlan, entries, findIndex, keyRangeEntries, paginate, startKeyOf } from "../query.js";
import { type TableRecord, attributeType, hashKeyOf, keyNames, rangeKeyOf, storageKey, validateKey } from "../storage.js";
import { type Item, type Value, itemSize, itemToWire } from "../values.js";
import type { Select } from "./ast.js";
import { fitsKey, keyFromWhere, partitionValues, sortKeyTerm } from "./keys.js";

export interface SelectOptions {
  limit?: number;
  nextToken?: string;
  consistent: boolean;
  returnConsumedCapacity?: string;
}

export interface SelectResult {
  items: Item[];
  nextToken?: string;
  lastKey?: Item;
  consumed?: ConsumedCapacity;
}

/** Where a paginated SELECT resumes: the partition (for IN lists) and the last key read. */
interface Cursor {
  partition: number;
  key: Record<string, unknown>;
}

const invalidToken = () => new ValidationException("Invalid NextToken");

function decodeToken(token: string | undefined): Cursor | undefined {
  if (token === undefined) return undefined;
  try {
    const cursor = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as Cursor;
    if (typeof cursor.partition !== "number" || typeof cursor.key !== "object" || cursor.key === null) throw invalidToken();
    return cursor;
  } catch {
    throw invalidToken();
  }
}

const encodeToken = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64");

/** SELECT: a Query over the partitions the WHERE clause pins (key-range seeks), otherwise a Scan; the whole WHERE filters. */
export function runSelect(ctx: RequestContext, s: Select, options: SelectOptions): SelectResult {
  const table = tableOf(ctx, s.table);
  const index = findIndex(table, s.index);
  if (index?.global && options.consistent) throw new ValidationException("Consistent reads are not supported on global secondary indexes");
  const plan: ReadPlan = {
    table,
    index,
    filter: s.where,
    select: index ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES",
    limit: options.limit,
    consistent: options.consistent,
  };
  const schema = index?.keySchema ?? table.keySchema;
  const partitions = partitionValues(s.where, hashKeyOf(schema));
  const descending = orderDirection(table, schema, s, partitions !== undefined);
  const cursor = decodeToken(options.nextToken);
  let current = cursor?.partition ?? 0;
  const start = cursor && startKeyOf(table, index, cursor.key);
  const source = partitions
    ? (function* (): Iterable<Entry> {
        for (; current < partitions.length; current++) {
          const range = partitionRange(table, schema, partitions[current], s.where);
          if (!range) continue;
          yield* keyRangeEntries(ctx, plan, schema, range, current === cursor?.partition ? start : undefined, descending);
        }
      })()
    : (function* (): Iterable<Entry> {
        for (const entry of entries(ctx, plan, start)) if (entry.storageKey !== start) yield entry;
      })();
  const page = paginate(ctx, plan, source);
  const consumed = consumedCapacity(readCapacity(table, page.bytes, options.consistent, index), options.returnConsumedCapacity);
  return {
    items: page.items.map((item) => projectSelect(item, s.projection)),
    ...(page.last ? { nextToken: encodeToken({ partition: current, key: itemToWire(page.last) }), lastKey: page.last } : {}),
    ...(consumed ? { consumed } : {}),
  };
}

/** The partition's key range, narrowed by a sort key term when there is one; undefined if the value cannot match. */
function partitionRange(table: TableRecord, schema: KeySchemaElement[], hash: Value, where: Condition | undefined): KeyRange | undefined {
  const hashName = hashKeyOf(schema);
  if (!fitsKey(table, hashName, hash)) return undefined;
  const hashTerm: Condition = {
    kind: "compare",
    operator: "=",
    left: { kind: "path", path: [{ name: hashName }] },
    right: { kind: "value", value: hash, placeholder: "?" },
  };
  const rangeName = rangeKeyOf(schema);
  const sortTerm = rangeName && sortKeyTerm(where, rangeName, attributeType(table, rangeName));
  if (!sortTerm) return keyRange(table, schema, hashTerm);
  try {
    return keyRange(table, schema, { kind: "and", left: hashTerm, right: sortTerm });
  } catch {
    // Bounds a key condition rejects (BETWEEN high < low…) select nothing in PartiQL; the filter decides.
    return keyRange(table, schema, hashTerm);
  }
}

/** ORDER BY names key attributes and needs a Query (a partition) to order within. */
function orderDirection(table: TableRecord, schema: KeySchemaElement[], s: Select, queried: boolean): boolean {
  if (!s.orderBy.length) return false;
  if (!queried) throw new ValidationException("Must have WHERE clause in the statement when using ORDER BY clause.");
  const keys = keyNames(schema);
  const bad = s.orderBy.find((o) => !keys.includes(o.attribute));
  if (bad)
    throw new ValidationException(`Order by is supported only on key attributes; ${bad.attribute} is not a key attribute of ${table.name}`);
  const range = rangeKeyOf(schema);
  return (s.orderBy.find((o) => o.attribute === range) ?? s.orderBy[0]).descending;
}

/** Projected paths come back under their last attribute name; paths ending in a list index keep their nesting. */
export function projectSelect(item: Item, paths: Path[] | undefined): Item {
  if (!paths) return item;
  const result: Item = {};
  for (const path of paths) {
    const last = path[path.length - 1];
    if ("index" in last) {
      Object.assign(result, project(item, [path]));
      continue;
    }
    const value = resolvePath(item, path);
    if (value) result[last.name] = value;
  }
  return result;
}

/** A SELECT inside a batch or transaction reads exactly one item, named by its full key. */
export function getByKey(ctx: RequestContext, s: Select): { table: TableRecord; key: string; item?: Item; size: number } {
  const table = tableOf(ctx, s.table);
  if (s.index) throw new ValidationException("Batch and transaction reads cannot use an index");
  const key = validateKey(table, keyFromWhere(table, s.where));
  const storage = storageKey(table.keySchema, key);
  const item = readItem(ctx, table, storage);
  const matches = item && (!s.where || evaluate(s.where, item));
  return { table, key: storage, item: matches ? projectSelect(item, s.projection) : undefined, size: item ? itemSize(item) : 0 };
}
