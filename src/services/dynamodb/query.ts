import type { QueryInput, QueryOutput, ScanInput, ScanOutput } from "@aws-sdk/client-dynamodb";
import type { RequestContext } from "../types.js";
import { consumedCapacity, readCapacity } from "./capacity.js";
import { ConstraintChecker, ValidationException } from "./errors.js";
import type { Condition, Path } from "./expressions/ast.js";
import { evaluate, project } from "./expressions/evaluate.js";
import { isExpired, tableOf } from "./items.js";
import { type KeyRange, inRange, keyRange, legacyKeyConditions, pastRange } from "./key-condition.js";
import { filterCondition } from "./legacy.js";
import { attributesToGet, checkNoMix, checkUnused, decodeItem, optionalCondition, optionalProjection, placeholdersOf } from "./request.js";
import {
  type IndexRecord,
  type TableRecord,
  attributeType,
  hashKeyOf,
  indexEntriesOf,
  itemsOf,
  keyNames,
  partitionPrefix,
  projectForIndex,
  storageKey,
} from "./storage.js";
import { type Item, itemSize, itemToWire, keySortText, typeOf } from "./values.js";

const PAGE_BYTES = 1024 * 1024;

export interface ReadPlan {
  table: TableRecord;
  index?: IndexRecord;
  filter?: Condition;
  projection?: Path[];
  select: string;
  limit?: number;
  consistent: boolean;
  startKey?: string;
}

export interface Entry {
  storageKey: string;
  item: Item;
}

export function findIndex(table: TableRecord, name: string | undefined): IndexRecord | undefined {
  if (name === undefined) return undefined;
  const index = table.indexes.find((i) => i.name === name);
  if (!index) throw new ValidationException(`The table does not have the specified index: ${name}`);
  return index;
}

type ReadInput = QueryInput | ScanInput;

/** What Query and Scan share: index, Select, projection, filter, Limit and start key validation. */
function plan(
  ctx: RequestContext,
  input: ReadInput,
  expressions: (string | undefined)[],
  legacyFilter: Condition | undefined,
  filterText: string | undefined,
  kind: "Query" | "Scan",
): ReadPlan & { placeholders: ReturnType<typeof placeholdersOf> } {
  const table = tableOf(ctx, input.TableName);
  new ConstraintChecker().range("limit", input.Limit, 1).tableName("indexName", input.IndexName).throwIfAny();
  const index = findIndex(table, input.IndexName);
  if (index?.global && input.ConsistentRead)
    throw new ValidationException("Consistent reads are not supported on global secondary indexes");
  const placeholders = placeholdersOf(input, expressions);
  const projection = optionalProjection(input.ProjectionExpression, placeholders) ?? attributesToGet(input.AttributesToGet);
  const select = checkSelect(input, index, projection !== undefined, kind);
  const filter = optionalCondition(filterText, "FilterExpression", placeholders) ?? legacyFilter;
  return { table, index, filter, projection, select, limit: input.Limit, consistent: !!input.ConsistentRead, placeholders };
}

function checkSelect(input: ReadInput, index: IndexRecord | undefined, projected: boolean, kind: string): string {
  const select = input.Select ?? (projected ? "SPECIFIC_ATTRIBUTES" : index ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES");
  if (select === "ALL_PROJECTED_ATTRIBUTES" && !index)
    throw new ValidationException(
      `ALL_PROJECTED_ATTRIBUTES can be used only when ${kind === "Query" ? "Querying" : "Scanning"} using an IndexName`,
    );
  if (select !== "SPECIFIC_ATTRIBUTES" && projected) {
    const what = input.ProjectionExpression !== undefined ? "ProjectionExpression" : "AttributesToGet";
    throw new ValidationException(`Cannot specify the ${what} when choosing to get ${select}`);
  }
  if (select === "SPECIFIC_ATTRIBUTES" && !projected) {
    // Query reports this inside the generic validation envelope, Scan bare, as DynamoDB does.
    const message = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES";
    throw new ValidationException(kind === "Query" ? `1 validation error detected: ${message}` : message);
  }
  if (select === "ALL_ATTRIBUTES" && index?.global && index.projection.ProjectionType !== "ALL") {
    throw new ValidationException(
      `One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${index.name} because its projection type is not ALL`,
    );
  }
  return select;
}

/** The storage key of ExclusiveStartKey, which must hold the table's and (for index reads) the index's key. */
export function startKeyOf(
  table: TableRecord,
  index: IndexRecord | undefined,
  raw: Record<string, unknown> | undefined,
): string | undefined {
  if (!raw) return undefined;
  const key = decodeItem(raw);
  const names = new Set([...keyNames(table.keySchema), ...(index ? keyNames(index.keySchema) : [])]);
  const valid = Object.keys(key).length === names.size && [...names].every((n) => key[n] && typeOf(key[n]) === attributeType(table, n));
  if (!valid) throw new ValidationException("The provided starting key is invalid: The provided key element does not match the schema");
  const tableKey = storageKey(table.keySchema, key);
  return index ? `${storageKey(index.keySchema, key)} ${tableKey}` : tableKey;
}

/** The item for an entry of the table or of an index (index entries hold the table's storage key), in either direction. */
export function entries(ctx: RequestContext, p: ReadPlan, from: string | undefined, descending = false): Iterable<Entry> {
  const items = itemsOf(ctx, p.table);
  if (!p.index) {
    const source = descending ? items.entriesReversed(from) : items.entriesFrom(from);
    return (function* () {
      for (const [k, item] of source) yield { storageKey: k, item };
    })();
  }
  const indexEntries = indexEntriesOf(ctx, p.table, p.index.name);
  const source = descending ? indexEntries.entriesReversed(from) : indexEntries.entriesFrom(from);
  return (function* () {
    for (const [k, tableKey] of source) {
      const item = items.get(tableKey);
      if (item) yield { storageKey: k, item };
    }
  })();
}

export interface Page {
  items: Item[];
  count: number;
  scanned: number;
  bytes: number;
  last?: Item;
}

/** Applies Limit and the 1 MB cap to what was read (before the filter, as AWS), then filter and projection. */
export function paginate(ctx: RequestContext, p: ReadPlan, source: Iterable<Entry>): Page {
  const page: Page = { items: [], count: 0, scanned: 0, bytes: 0 };
  const now = ctx.runtime.now();
  let stopped: Item | undefined;
  for (const { item } of source) {
    if (isExpired(p.table, item, now)) continue;
    page.scanned++;
    page.bytes += itemSize(item);
    const visible = p.index?.global ? projectForIndex(p.table, p.index, item) : item;
    if (!p.filter || evaluate(p.filter, visible)) {
      page.count++;
      if (p.select !== "COUNT") page.items.push(shape(p, visible));
    }
    if (page.scanned === p.limit || page.bytes >= PAGE_BYTES) {
      stopped = item;
      break;
    }
  }
  if (stopped) page.last = lastKey(p, stopped);
  return page;
}

function shape(p: ReadPlan, item: Item): Item {
  if (p.projection) return project(item, p.projection);
  if (p.select === "ALL_PROJECTED_ATTRIBUTES") return projectForIndex(p.table, p.index, item);
  return item;
}

function lastKey(p: ReadPlan, item: Item): Item {
  const names = [...keyNames(p.table.keySchema), ...(p.index ? keyNames(p.index.keySchema) : [])];
  return Object.fromEntries(names.map((n) => [n, item[n]]));
}

function output(p: ReadPlan, page: Page, mode: string | undefined) {
  const consumed = consumedCapacity(readCapacity(p.table, page.bytes, p.consistent, p.index), mode);
  return {
    ...(p.select !== "COUNT" ? { Items: page.items.map((i) => itemToWire(i)) } : {}),
    Count: page.count,
    ScannedCount: page.scanned,
    ...(page.last ? { LastEvaluatedKey: itemToWire(page.last) } : {}),
    ...(consumed ? { ConsumedCapacity: consumed } : {}),
  };
}

export function query(input: QueryInput, ctx: RequestContext): QueryOutput {
  checkNoMix(
    input,
    ["KeyConditions", "QueryFilter", "AttributesToGet"],
    ["KeyConditionExpression", "FilterExpression", "ProjectionExpression"],
  );
  const legacyFilter = filterCondition(input.QueryFilter, input.ConditionalOperator);
  const p = plan(
    ctx,
    input,
    [input.KeyConditionExpression, input.FilterExpression, input.ProjectionExpression],
    legacyFilter,
    input.FilterExpression,
    "Query",
  );
  let keyCondition = optionalCondition(input.KeyConditionExpression, "KeyConditionExpression", p.placeholders);
  if (!keyCondition && input.KeyConditions) keyCondition = legacyKeyConditions(input.KeyConditions);
  if (!keyCondition)
    throw new ValidationException("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  checkUnused(p.placeholders);
  const schema = p.index?.keySchema ?? p.table.keySchema;
  const range = keyRange(p.table, schema, keyCondition);
  const start = startKeyOf(p.table, p.index, input.ExclusiveStartKey as Record<string, unknown>);
  if (start && !start.startsWith(partitionPrefix(range.hashValue)) && schema.length > 1) {
    throw new ValidationException("The provided starting key is invalid: The provided key element does not match the schema");
  }
  const source = keyRangeEntries(ctx, p, schema, range, start, input.ScanIndexForward === false);
  return output(p, paginate(ctx, p, source), input.ReturnConsumedCapacity);
}

/** The sort key's text inside a storage key (after the partition prefix, before any table-key suffix). */
const sortText = (key: string, prefix: string) => key.slice(prefix.length).split(" ")[0];

/** A Query's entries in key order from the key range's seek point: O(log n) to the first, then one step each. */
export function keyRangeEntries(
  ctx: RequestContext,
  p: ReadPlan,
  schema: IndexRecord["keySchema"],
  range: KeyRange,
  start: string | undefined,
  descending: boolean,
): Iterable<Entry> {
  return descending ? backward(ctx, p, schema, range, start) : forward(ctx, p, schema, range, start);
}

function* forward(
  ctx: RequestContext,
  p: ReadPlan,
  schema: IndexRecord["keySchema"],
  range: KeyRange,
  start: string | undefined,
): Iterable<Entry> {
  const hashOnly = schema.length === 1;
  const prefix = hashOnly ? keySortText(range.hashValue) : partitionPrefix(range.hashValue);
  const seek = start ?? (range.lower ? prefix + range.lower.text : prefix);
  for (const entry of entries(ctx, p, seek)) {
    if (entry.storageKey === start) continue;
    if (hashOnly) {
      if (entry.storageKey !== prefix && !(p.index && entry.storageKey.startsWith(`${prefix} `))) return;
      yield entry;
      continue;
    }
    if (!entry.storageKey.startsWith(prefix)) return;
    const text = sortText(entry.storageKey, prefix);
    if (pastRange(range, text)) return;
    if (inRange(range, text)) yield entry;
  }
}

/** Above every character of a storage key: seeking backwards from `x + TOP` starts at the last key beginning with x. */
const TOP = "\u{10ffff}";

/** Descending order: a reverse seek from the range's upper end, stopping below its lower end. */
function* backward(
  ctx: RequestContext,
  p: ReadPlan,
  schema: IndexRecord["keySchema"],
  range: KeyRange,
  start: string | undefined,
): Iterable<Entry> {
  const hashOnly = schema.length === 1;
  const hash = keySortText(range.hashValue);
  const prefix = hashOnly ? hash : partitionPrefix(range.hashValue);
  // begins_with: every extension of the prefix is in range; an upper bound: only its own text (plus an index entry's table key).
  const top = range.prefix !== undefined ? range.prefix + TOP : range.upper ? `${range.upper.text} ${TOP}` : TOP;
  const seek = start ?? (hashOnly ? `${hash} ${TOP}` : prefix + top);
  for (const entry of entries(ctx, p, seek, true)) {
    if (entry.storageKey === start) continue;
    if (hashOnly) {
      if (entry.storageKey !== hash && !entry.storageKey.startsWith(`${hash} `)) return;
      yield entry;
      continue;
    }
    if (!entry.storageKey.startsWith(prefix)) return;
    const text = sortText(entry.storageKey, prefix);
    if (belowRange(range, text)) return;
    if (inRange(range, text)) yield entry;
  }
}

/** Whether no earlier text (in sort order) can be in range: the reverse scan may stop. */
function belowRange(range: KeyRange, text: string): boolean {
  const lower = range.lower;
  return lower !== undefined && (text < lower.text || (!lower.inclusive && text === lower.text));
}

export function scan(input: ScanInput, ctx: RequestContext): ScanOutput {
  checkNoMix(input, ["ScanFilter", "AttributesToGet"], ["FilterExpression", "ProjectionExpression"]);
  checkSegments(input.Segment, input.TotalSegments);
  const legacyFilter = filterCondition(input.ScanFilter, input.ConditionalOperator);
  const p = plan(ctx, input, [input.FilterExpression, input.ProjectionExpression], legacyFilter, input.FilterExpression, "Scan");
  checkUnused(p.placeholders);
  const start = startKeyOf(p.table, p.index, input.ExclusiveStartKey as Record<string, unknown>);
  const hashName = hashKeyOf(p.index?.keySchema ?? p.table.keySchema);
  const source = (function* () {
    for (const entry of entries(ctx, p, start)) {
      if (entry.storageKey === start) continue;
      if (input.TotalSegments && segmentOf(keySortText(entry.item[hashName]), input.TotalSegments) !== input.Segment) continue;
      yield entry;
    }
  })();
  return output(p, paginate(ctx, p, source), input.ReturnConsumedCapacity);
}

function checkSegments(segment: number | undefined, total: number | undefined): void {
  new ConstraintChecker().range("segment", segment, 0, 999999).range("totalSegments", total, 1, 1000000).throwIfAny();
  if (segment !== undefined && total === undefined) {
    throw new ValidationException(
      "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
    );
  }
  if (total !== undefined && segment === undefined) {
    throw new ValidationException(
      "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
    );
  }
  if (segment !== undefined && total !== undefined && segment >= total) {
    throw new ValidationException(
      `The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`,
    );
  }
}

/** Items of one partition always fall in the same segment, as in DynamoDB's hash-partitioned scans. */
function segmentOf(hashText: string, total: number): number {
  let h = 2166136261;
  for (let i = 0; i < hashText.length; i++) h = Math.imul(h ^ hashText.charCodeAt(i), 16777619);
  return (h >>> 0) % total;
}
