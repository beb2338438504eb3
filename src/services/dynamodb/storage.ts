import type { AttributeDefinition, KeySchemaElement, Projection } from "@aws-sdk/client-dynamodb";
import type { Collection, ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { type ChangeContext, recordChange } from "./changes.js";
import { ResourceNotFoundException, ValidationException, invalidParameter, tableNotFound } from "./errors.js";
import type { TableStream } from "./streams.js";
import { type Item, type Value, keySortText, typeOf, valueSize } from "./values.js";

export interface IndexRecord {
  name: string;
  keySchema: KeySchemaElement[];
  projection: Projection;
  /** GSIs only: provisioned throughput of a PROVISIONED table's index. */
  throughput?: { read: number; write: number };
  global: boolean;
  createdAt: number;
}

export interface TableRecord {
  name: string;
  id: string;
  arn: string;
  createdAt: number;
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  billingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  throughput: { read: number; write: number; lastIncrease?: number; lastDecrease?: number; decreasesToday: number };
  indexes: IndexRecord[];
  tags: Record<string, string>;
  tableClass: string;
  deletionProtection: boolean;
  ttl?: { attribute: string; enabled: boolean };
  /** The latest stream (enabled, or disabled and still readable). */
  stream?: TableStream;
  /** Global tables: the regions of the table's replicas, this one included. */
  replicas?: string[];
  /** Global tables: the regions of replicas added through this one, with when (ms): it cannot leave for 24 hours while they exist. */
  sourced?: Record<string, number>;
  /** Bumped on recreation so that a deleted table's leftovers never leak into its successor. */
  generation: number;
}

/** Anything holding a service store: a request context, or a background sweep's stand-in. */
export type StoreHolder = { store: ScopeStore };

export const tables = (ctx: StoreHolder) => ctx.store.collection<TableRecord>("tables", { sorted: true });

export function getTable(ctx: RequestContext, name: string | undefined): TableRecord {
  const table = name === undefined ? undefined : tables(ctx).get(name);
  if (!table) throw tableNotFound();
  return table;
}

/** The table's name from a name or an ARN (DynamoDB accepts both in TableName). */
export function tableNameOf(nameOrArn: string | undefined): string | undefined {
  if (nameOrArn?.startsWith("arn:")) return nameOrArn.slice(nameOrArn.indexOf(":table/") + 7);
  return nameOrArn;
}

export function tableByArn(ctx: RequestContext, arn: string | undefined): TableRecord {
  const table = arn?.includes(":table/") ? tables(ctx).get(tableNameOf(arn) as string) : undefined;
  if (!table || table.arn !== arn?.split("/index/")[0]) {
    throw new ResourceNotFoundException(`Requested resource not found: ResourcArn: ${arn} not found`);
  }
  return table;
}

export const itemsOf = (ctx: StoreHolder, table: TableRecord): Collection<Item> =>
  ctx.store.collection<Item>(`items/${table.name}/${table.generation}`, { sorted: true });

/** Index entries map `indexKey tableKey` to the table's storage key, so index reads are ordered seeks too. */
export const indexEntriesOf = (ctx: StoreHolder, table: TableRecord, index: string): Collection<string> =>
  ctx.store.collection<string>(`index/${table.name}/${table.generation}/${index}`, { sorted: true });

export const hashKeyOf = (schema: KeySchemaElement[]) => schema.find((k) => k.KeyType === "HASH")?.AttributeName as string;
export const rangeKeyOf = (schema: KeySchemaElement[]) => schema.find((k) => k.KeyType === "RANGE")?.AttributeName;
export const keyNames = (schema: KeySchemaElement[]) => schema.map((k) => k.AttributeName as string);

export function attributeType(table: TableRecord, name: string): string {
  return table.attributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType as string;
}

/** Storage key: sort texts of hash and range joined by " ", which sorts below every character they use. */
export function storageKey(schema: KeySchemaElement[], item: Item): string {
  const hash = keySortText(item[hashKeyOf(schema)]);
  const range = rangeKeyOf(schema);
  return range ? `${hash} ${keySortText(item[range])}` : hash;
}

export const partitionPrefix = (hashValue: Value) => `${keySortText(hashValue)} `;

/** Validates a Key parameter: exactly the table's key attributes with the defined types. */
export function validateKey(table: TableRecord, key: Item | undefined): Item {
  const names = keyNames(table.keySchema);
  const given = Object.keys(key ?? {});
  if (given.length !== names.length || !names.every((n) => key?.[n] && typeOf(key[n]) === attributeType(table, n))) {
    throw new ValidationException("The provided key element does not match the schema");
  }
  for (const n of names) checkKeyValue(n, (key as Item)[n], n !== hashKeyOf(table.keySchema));
  return key as Item;
}

function checkKeyValue(name: string, value: Value, isRange: boolean): void {
  const type = typeOf(value);
  const text = (value as Record<string, string>)[type];
  if ((type === "S" || type === "B") && text.length === 0) {
    const kind = type === "S" ? "string" : "binary";
    throw new ValidationException(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${kind} value. Key: ${name}`,
    );
  }
  const size = valueSize(value);
  if (!isRange && size > 2048) throw invalidParameter("Size of hashkey has exceeded the maximum size limit of2048 bytes");
  if (isRange && size > 1024) throw invalidParameter("Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
}

/** Validates a full item's table and index keys, as PutItem does. */
export function validateItemKeys(table: TableRecord, item: Item): void {
  for (const name of keyNames(table.keySchema)) {
    const value = item[name];
    if (!value) throw invalidParameter(`Missing the key ${name} in the item`);
    const expected = attributeType(table, name);
    if (typeOf(value) !== expected) throw invalidParameter(`Type mismatch for key ${name} expected: ${expected} actual: ${typeOf(value)}`);
    checkKeyValue(name, value, name !== hashKeyOf(table.keySchema));
  }
  for (const index of table.indexes) {
    for (const name of keyNames(index.keySchema)) {
      const value = item[name];
      if (!value) continue;
      const expected = attributeType(table, name);
      if (typeOf(value) !== expected) {
        throw invalidParameter(
          `Type mismatch for Index Key ${name} Expected: ${expected} Actual: ${typeOf(value)} IndexName: ${index.name}`,
        );
      }
      const text = (value as Record<string, string>)[expected];
      if (text === "") {
        throw new ValidationException(
          `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: ${index.name}, IndexKey: ${name}`,
        );
      }
    }
  }
}

export const keyOf = (table: TableRecord, item: Item): Item => Object.fromEntries(keyNames(table.keySchema).map((n) => [n, item[n]]));

/** The index's entry key for an item, or undefined when the item lacks an index key (sparse indexes). */
export function indexEntryKey(table: TableRecord, index: IndexRecord, item: Item): string | undefined {
  if (!keyNames(index.keySchema).every((n) => item[n])) return undefined;
  return `${storageKey(index.keySchema, item)} ${storageKey(table.keySchema, item)}`;
}

/** Writes or deletes (item undefined) one item, keeps every index in step and reports the change. */
export function writeItem(ctx: ChangeContext, table: TableRecord, key: string, old: Item | undefined, item: Item | undefined): void {
  const items = itemsOf(ctx, table);
  for (const index of table.indexes) {
    const entries = indexEntriesOf(ctx, table, index.name);
    const before = old && indexEntryKey(table, index, old);
    const after = item && indexEntryKey(table, index, item);
    if (before && before !== after) entries.delete(before);
    if (after && after !== before) entries.set(after, key);
  }
  if (item) items.set(key, item);
  else items.delete(key);
  recordChange(ctx, table, key, old, item);
}

/** After an index change: fills the indexes not in `before` from the table's items at once (AWS backfills in the background) and drops removed ones' entries. */
export function refreshIndexEntries(ctx: StoreHolder, table: TableRecord, before: Set<string>): void {
  const after = new Set(table.indexes.map((i) => i.name));
  for (const name of before) if (!after.has(name)) indexEntriesOf(ctx, table, name).clear();
  for (const index of table.indexes) {
    if (before.has(index.name)) continue;
    const entries = indexEntriesOf(ctx, table, index.name);
    entries.clear();
    for (const [key, item] of itemsOf(ctx, table).entries()) {
      const entry = indexEntryKey(table, index, item);
      if (entry) entries.set(entry, key);
    }
  }
}

/** Attributes an index projects (undefined = all). */
export function projectedAttributes(table: TableRecord, index: IndexRecord): Set<string> | undefined {
  const type = index.projection.ProjectionType;
  if (type === "ALL") return undefined;
  const names = new Set([...keyNames(table.keySchema), ...keyNames(index.keySchema)]);
  if (type === "INCLUDE") for (const n of index.projection.NonKeyAttributes ?? []) names.add(n);
  return names;
}

export function projectForIndex(table: TableRecord, index: IndexRecord | undefined, item: Item): Item {
  const names = index && projectedAttributes(table, index);
  if (!names) return item;
  return Object.fromEntries(Object.entries(item).filter(([n]) => names.has(n)));
}
