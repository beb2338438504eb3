import type { RequestContext } from "../../types.js";
import { invalidParameter, ValidationException } from "../errors.js";
import type { Condition } from "../expressions/ast.js";
import { applyUpdate, checkPathOverlaps, evaluate, project } from "../expressions/evaluate.js";
import { type PreparedWrite, isExpired, prepareDelete, preparePut, tableOf } from "../items.js";
import { checkItemCollection } from "../limits.js";
import { itemsOf, keyNames, storageKey, validateItemKeys, validateKey } from "../storage.js";
import { type Item, checkItemSize, itemToWire } from "../values.js";
import type { Delete, Exists, Insert, Returning, Update } from "./ast.js";
import { duplicateItem } from "./errors.js";
import { keyFromWhere } from "./keys.js";

/** Why a prepared statement may not be applied: the per-statement codes of batches and transactions. */
export interface Failure {
  code: "ConditionalCheckFailed" | "DuplicateItem";
  message: string;
  item?: Item;
}

/** A validated INSERT/UPDATE/DELETE (or EXISTS check) on the single write path, with its own precondition. */
export interface StatementWrite {
  write: PreparedWrite;
  /** False for EXISTS checks and DELETEs of absent items: nothing to commit. */
  changes: boolean;
  failure?: Failure;
  returning?: Returning;
}

const conditionFailed = (old: Item | undefined, returnOnFailure: string | undefined): Failure => ({
  code: "ConditionalCheckFailed",
  message: "The conditional request failed",
  ...(returnOnFailure === "ALL_OLD" && old ? { item: old } : {}),
});

export function prepareStatementWrite(
  ctx: RequestContext,
  s: Insert | Update | Delete | Exists,
  returnOnFailure: string | undefined,
): StatementWrite {
  switch (s.kind) {
    case "insert":
      return prepareInsert(ctx, s);
    case "update":
      return prepareUpdateStatement(ctx, s, returnOnFailure);
    case "delete":
      return prepareDeleteStatement(ctx, s, returnOnFailure);
    case "exists":
      return prepareExists(ctx, s, returnOnFailure);
  }
}

/** INSERT never overwrites: an existing (unexpired) item is a DuplicateItem failure. */
function prepareInsert(ctx: RequestContext, s: Insert): StatementWrite {
  const write = preparePut(ctx, { TableName: s.table, Item: itemToWire(s.item) });
  const exists = write.old !== undefined && !isExpired(write.table, write.old, ctx.runtime.now());
  return { write, changes: true, ...(exists ? { failure: { code: "DuplicateItem", message: duplicateItem().message } } : {}) };
}

/** UPDATE changes an existing item only: the WHERE clause (its key included) is the write's condition. */
function prepareUpdateStatement(ctx: RequestContext, s: Update, returnOnFailure: string | undefined): StatementWrite {
  const table = tableOf(ctx, s.table);
  const key = validateKey(table, keyFromWhere(table, s.where));
  checkPathOverlaps(s.actions.map((a) => a.path));
  for (const action of s.actions) {
    const first = action.path[0] as { name: string };
    if (keyNames(table.keySchema).includes(first.name)) {
      throw invalidParameter(`Cannot update attribute ${first.name}. This attribute is part of the key`);
    }
  }
  const storage = storageKey(table.keySchema, key);
  const old = liveItem(ctx, table, storage);
  const write: PreparedWrite = { table, key: storage, old, next: undefined, updatedPaths: s.actions.map((a) => a.path) };
  if (!old || !matches(s.where, old)) return { write, changes: false, failure: conditionFailed(old, returnOnFailure) };
  write.next = applyUpdate(old, s.actions);
  validateItemKeys(table, write.next);
  checkItemSize(write.next);
  checkItemCollection(ctx, table, old, write.next);
  return { write, changes: true, returning: s.returning };
}

/** DELETE of an absent item succeeds without writing; other WHERE terms are the delete's condition. */
function prepareDeleteStatement(ctx: RequestContext, s: Delete, returnOnFailure: string | undefined): StatementWrite {
  if (s.returning && s.returning !== "ALL_OLD") {
    const clause = s.returning.replace("UPDATED", "MODIFIED").replace("_", " ");
    throw new ValidationException(
      `Invalid returning clause: RETURNING ${clause} *. Only RETURNING ALL OLD * is allowed in DELETE statements.`,
    );
  }
  const table = tableOf(ctx, s.table);
  const key = validateKey(table, keyFromWhere(table, s.where));
  const write = prepareDelete(ctx, { TableName: s.table, Key: itemToWire(key) });
  write.old = liveItem(ctx, table, write.key);
  if (!write.old) return { write, changes: false, returning: s.returning };
  if (!matches(s.where, write.old)) return { write, changes: false, failure: conditionFailed(write.old, returnOnFailure) };
  return { write, changes: true, returning: s.returning };
}

/** EXISTS(SELECT … WHERE key AND condition): a condition check on one item inside a transaction. */
function prepareExists(ctx: RequestContext, s: Exists, returnOnFailure: string | undefined): StatementWrite {
  const table = tableOf(ctx, s.select.table);
  const key = validateKey(table, keyFromWhere(table, s.select.where));
  const storage = storageKey(table.keySchema, key);
  const old = liveItem(ctx, table, storage);
  const write: PreparedWrite = { table, key: storage, old, next: old };
  const ok = old !== undefined && matches(s.select.where, old);
  return { write, changes: false, ...(ok ? {} : { failure: conditionFailed(old, returnOnFailure) }) };
}

function liveItem(ctx: RequestContext, table: PreparedWrite["table"], key: string): Item | undefined {
  const item = itemsOf(ctx, table).get(key);
  return item && !isExpired(table, item, ctx.runtime.now()) ? item : undefined;
}

const matches = (where: Condition | undefined, item: Item) => !where || evaluate(where, item);

/** What RETURNING asks for, as ExecuteStatement's Items. */
export function returnedItems(prepared: StatementWrite): Item[] {
  const { write, returning } = prepared;
  const paths = write.updatedPaths ?? [];
  let item: Item | undefined;
  if (returning === "ALL_OLD") item = write.old;
  else if (returning === "ALL_NEW") item = write.next;
  else if (returning === "UPDATED_OLD") item = write.old && project(write.old, paths);
  else if (returning === "UPDATED_NEW") item = write.next && project(write.next, paths);
  return item && Object.keys(item).length ? [item] : [];
}
