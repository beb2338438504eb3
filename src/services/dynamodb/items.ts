import type {
  DeleteItemInput,
  DeleteItemOutput,
  GetItemInput,
  GetItemOutput,
  PutItemInput,
  PutItemOutput,
  UpdateItemInput,
  UpdateItemOutput,
} from "@aws-sdk/client-dynamodb";
import type { RequestContext } from "../types.js";
import { consumedCapacity, readCapacity, writeCapacity } from "./capacity.js";
import { ConditionalCheckFailedException, ConstraintChecker, ValidationException, invalidParameter } from "./errors.js";
import type { Condition, Path, UpdateAction } from "./expressions/ast.js";
import { applyUpdate, checkPathOverlaps, evaluate, project } from "./expressions/evaluate.js";
import { type Placeholders, parseUpdate } from "./expressions/parser.js";
import { expectedCondition, legacyUpdates } from "./legacy.js";
import { checkItemCollection } from "./limits.js";
import { attributesToGet, checkNoMix, checkUnused, decodeItem, optionalCondition, optionalProjection, placeholdersOf } from "./request.js";
import {
  type TableRecord,
  getTable,
  itemsOf,
  keyNames,
  storageKey,
  tableNameOf,
  hashKeyOf,
  partitionPrefix,
  validateItemKeys,
  validateKey,
  writeItem,
} from "./storage.js";
import { type Item, checkItemSize, itemSize as itemSizeOf, itemToWire } from "./values.js";

/** A validated write, ready to be checked against its condition and committed. */
export interface PreparedWrite {
  table: TableRecord;
  key: string;
  old: Item | undefined;
  next: Item | undefined;
  condition?: Condition;
  /** For UpdateItem's UPDATED_* return values. */
  updatedPaths?: Path[];
}

/** Reads skip items whose TTL has passed, as if the background sweep had already removed them. */
export function isExpired(table: TableRecord, item: Item, now: number): boolean {
  if (!table.ttl?.enabled) return false;
  const value = item[table.ttl.attribute] as { N?: string } | undefined;
  if (value?.N === undefined) return false;
  const seconds = Number(value.N);
  return seconds < now / 1000 && seconds > now / 1000 - 5 * 365 * 24 * 3600;
}

export function readItem(ctx: RequestContext, table: TableRecord, key: string): Item | undefined {
  const item = itemsOf(ctx, table).get(key);
  return item && !isExpired(table, item, ctx.runtime.now()) ? item : undefined;
}

export function tableOf(ctx: RequestContext, name: string | undefined): TableRecord {
  new ConstraintChecker().tableName("tableName", tableNameOf(name)).throwIfAny();
  return getTable(ctx, tableNameOf(name));
}

type WriteInput = Pick<
  PutItemInput,
  "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues" | "Expected" | "ConditionalOperator"
>;

function writeCondition(input: WriteInput, placeholders: Placeholders): Condition | undefined {
  checkNoMix(input, ["Expected"], ["ConditionExpression"]);
  return (
    optionalCondition(input.ConditionExpression, "ConditionExpression", placeholders) ??
    expectedCondition(input.Expected, input.ConditionalOperator)
  );
}

export function preparePut(ctx: RequestContext, input: PutItemInput): PreparedWrite {
  const table = tableOf(ctx, input.TableName);
  const placeholders = placeholdersOf(input, [input.ConditionExpression]);
  const condition = writeCondition(input, placeholders);
  checkUnused(placeholders);
  const item = decodeItem(input.Item as Record<string, unknown>);
  validateItemKeys(table, item);
  checkItemSize(item);
  const key = storageKey(table.keySchema, item);
  const old = itemsOf(ctx, table).get(key);
  checkItemCollection(ctx, table, old, item);
  return { table, key, old, next: item, condition };
}

export function prepareDelete(ctx: RequestContext, input: DeleteItemInput): PreparedWrite {
  const table = tableOf(ctx, input.TableName);
  const placeholders = placeholdersOf(input, [input.ConditionExpression]);
  const condition = writeCondition(input, placeholders);
  checkUnused(placeholders);
  const key = storageKey(table.keySchema, validateKey(table, decodeItem(input.Key as Record<string, unknown>)));
  return { table, key, old: itemsOf(ctx, table).get(key), next: undefined, condition };
}

export function prepareUpdate(ctx: RequestContext, input: UpdateItemInput): PreparedWrite {
  const table = tableOf(ctx, input.TableName);
  checkNoMix(input, ["AttributeUpdates", "Expected"], ["UpdateExpression", "ConditionExpression"]);
  const placeholders = placeholdersOf(input, [input.UpdateExpression, input.ConditionExpression]);
  const actions =
    input.UpdateExpression !== undefined ? parseUpdate(input.UpdateExpression, placeholders) : legacyUpdates(input.AttributeUpdates);
  const condition = writeCondition(input, placeholders);
  checkUnused(placeholders);
  const keyItem = validateKey(table, decodeItem(input.Key as Record<string, unknown>));
  checkUpdateTargets(table, actions);
  const key = storageKey(table.keySchema, keyItem);
  const old = itemsOf(ctx, table).get(key);
  const next = applyUpdate(old ?? keyItem, actions);
  validateItemKeys(table, next);
  checkItemSize(next);
  checkItemCollection(ctx, table, old, next);
  return { table, key, old, next, condition, updatedPaths: actions.map((a) => a.path) };
}

function checkUpdateTargets(table: TableRecord, actions: UpdateAction[]): void {
  checkPathOverlaps(actions.map((a) => a.path));
  const keys = keyNames(table.keySchema);
  for (const action of actions) {
    const first = action.path[0] as { name: string };
    if (keys.includes(first.name)) throw invalidParameter(`Cannot update attribute ${first.name}. This attribute is part of the key`);
  }
}

/** Throws ConditionalCheckFailedException, with the old item when the caller asked for it. */
export function checkCondition(write: PreparedWrite, returnOnFailure?: string): void {
  if (!write.condition || evaluate(write.condition, write.old ?? {})) return;
  const fields = returnOnFailure === "ALL_OLD" && write.old ? { Item: itemToWire(write.old) } : {};
  throw new ConditionalCheckFailedException("The conditional request failed", { fields });
}

export const commit = (ctx: RequestContext, write: PreparedWrite) => writeItem(ctx, write.table, write.key, write.old, write.next);

function checkReturnValues(value: string | undefined, allowed: string[]): void {
  if (value !== undefined && !allowed.includes(value)) throw new ValidationException("ReturnValues can only be ALL_OLD or NONE");
}

export function putItem(input: PutItemInput, ctx: RequestContext): PutItemOutput {
  checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD"]);
  const write = preparePut(ctx, input);
  checkCondition(write, input.ReturnValuesOnConditionCheckFailure);
  commit(ctx, write);
  return {
    ...(input.ReturnValues === "ALL_OLD" && write.old ? { Attributes: itemToWire(write.old) } : {}),
    ...capacityOf(write, input.ReturnConsumedCapacity),
    ...collectionMetrics(ctx, write, input.ReturnItemCollectionMetrics),
  };
}

export function deleteItem(input: DeleteItemInput, ctx: RequestContext): DeleteItemOutput {
  checkReturnValues(input.ReturnValues, ["NONE", "ALL_OLD"]);
  const write = prepareDelete(ctx, input);
  checkCondition(write, input.ReturnValuesOnConditionCheckFailure);
  if (write.old) commit(ctx, write);
  return {
    ...(input.ReturnValues === "ALL_OLD" && write.old ? { Attributes: itemToWire(write.old) } : {}),
    ...capacityOf(write, input.ReturnConsumedCapacity),
    ...collectionMetrics(ctx, write, input.ReturnItemCollectionMetrics),
  };
}

export function updateItem(input: UpdateItemInput, ctx: RequestContext): UpdateItemOutput {
  const write = prepareUpdate(ctx, input);
  checkCondition(write, input.ReturnValuesOnConditionCheckFailure);
  commit(ctx, write);
  const attributes = updateReturnValues(write, input.ReturnValues);
  return {
    ...(attributes && Object.keys(attributes).length ? { Attributes: itemToWire(attributes) } : {}),
    ...capacityOf(write, input.ReturnConsumedCapacity),
    ...collectionMetrics(ctx, write, input.ReturnItemCollectionMetrics),
  };
}

function updateReturnValues(write: PreparedWrite, mode: string | undefined): Item | undefined {
  switch (mode) {
    case "ALL_OLD":
      return write.old;
    case "ALL_NEW":
      return write.next;
    case "UPDATED_OLD":
      return write.old && project(write.old, write.updatedPaths ?? []);
    case "UPDATED_NEW":
      return write.next && project(write.next, write.updatedPaths ?? []);
    default:
      return undefined;
  }
}

/** ItemCollectionMetrics (tables with local indexes): the size of the written item's partition, in 1 GB steps. */
function collectionMetrics(ctx: RequestContext, write: PreparedWrite, mode: string | undefined) {
  const item = write.next ?? write.old;
  if (mode !== "SIZE" || !item || !write.table.indexes.some((i) => !i.global)) return {};
  const hashName = hashKeyOf(write.table.keySchema);
  const prefix = partitionPrefix(item[hashName]);
  let bytes = 0;
  for (const [key, member] of itemsOf(ctx, write.table).entriesFrom(prefix)) {
    if (!key.startsWith(prefix)) break;
    bytes += itemSizeOf(member);
  }
  const gb = Math.floor(bytes / 2 ** 30);
  return { ItemCollectionMetrics: { ItemCollectionKey: itemToWire({ [hashName]: item[hashName] }), SizeEstimateRangeGB: [gb, gb + 1] } };
}

function capacityOf(write: PreparedWrite, mode: string | undefined) {
  const consumed = consumedCapacity(writeCapacity(write.table, write.old, write.next), mode);
  return consumed ? { ConsumedCapacity: consumed } : {};
}

export function getItem(input: GetItemInput, ctx: RequestContext): GetItemOutput {
  const table = tableOf(ctx, input.TableName);
  checkNoMix(input, ["AttributesToGet"], ["ProjectionExpression"]);
  const placeholders = placeholdersOf(input, [input.ProjectionExpression]);
  const projection = optionalProjection(input.ProjectionExpression, placeholders) ?? attributesToGet(input.AttributesToGet);
  checkUnused(placeholders);
  const key = storageKey(table.keySchema, validateKey(table, decodeItem(input.Key as Record<string, unknown>)));
  const item = readItem(ctx, table, key);
  const consumed = consumedCapacity(readCapacity(table, item ? itemSizeOf(item) : 0, !!input.ConsistentRead), input.ReturnConsumedCapacity);
  return {
    ...(item ? { Item: itemToWire(projection ? project(item, projection) : item) } : {}),
    ...(consumed ? { ConsumedCapacity: consumed } : {}),
  };
}
