import { createHash } from "node:crypto";
import type {
  CancellationReason,
  TransactGetItemsInput,
  TransactGetItemsOutput,
  TransactWriteItem,
  TransactWriteItemsInput,
  TransactWriteItemsOutput,
} from "@aws-sdk/client-dynamodb";
import type { RequestContext } from "../types.js";
import { consumedCapacity, mergeCapacity, readCapacity, writeCapacity } from "./capacity.js";
import { ConstraintChecker, IdempotentParameterMismatchException, TransactionCanceledException, ValidationException } from "./errors.js";
import { evaluate, project } from "./expressions/evaluate.js";
import { checkTransactionSize } from "./limits.js";
import { type PreparedWrite, commit, prepareDelete, preparePut, prepareUpdate, readItem, tableOf } from "./items.js";
import { checkUnused, decodeItem, optionalCondition, optionalProjection, placeholdersOf } from "./request.js";
import { itemsOf, storageKey, validateKey } from "./storage.js";
import { itemSize, itemToWire } from "./values.js";

const MAX_ITEMS = 100;
const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;

interface TokenRecord {
  digest: string;
  at: number;
}

const sameItem = () => new ValidationException("Transaction request cannot include multiple operations on one item");

/** TransactWriteItems: everything is validated, then every condition checked, then all writes made together. */
export function transactWriteItems(input: TransactWriteItemsInput, ctx: RequestContext): TransactWriteItemsOutput {
  const items = input.TransactItems ?? [];
  new ConstraintChecker()
    .length("transactItems", items, 1, MAX_ITEMS)
    .length("clientRequestToken", input.ClientRequestToken, 1, 36)
    .throwIfAny();
  const tokens = ctx.store.collection<TokenRecord>("transaction-tokens");
  const digest = createHash("sha256").update(JSON.stringify(items)).digest("hex");
  const now = ctx.runtime.now();
  const previous = input.ClientRequestToken ? tokens.get(input.ClientRequestToken) : undefined;
  const replay = previous && now - previous.at < IDEMPOTENCY_WINDOW_MS;
  if (replay && previous.digest !== digest) {
    throw new IdempotentParameterMismatchException(
      "Specified idempotency token was used with different request parameters within the idempotency window.",
    );
  }
  const writes = items.map((item) => prepareTransactItem(ctx, item));
  checkTransactionSize(writes.map(({ write }) => itemSize(write.next ?? write.old ?? {})));
  if (new Set(writes.map((w) => `${w.write.table.name}\n${w.write.key}`)).size !== writes.length) throw sameItem();
  const reports = mergeCapacity(writes.map(({ write }) => writeCapacity(write.table, write.old, write.next, 2)));
  const capacity = reports.map((r) => consumedCapacity(r, input.ReturnConsumedCapacity)).filter((c) => c !== undefined);
  const result = capacity.length ? { ConsumedCapacity: capacity } : {};
  if (replay) return result;
  const reasons = writes.map(({ write, returnOnFailure }) => reasonFor(write, returnOnFailure));
  if (reasons.some((r) => r.Code !== "None")) {
    throw new TransactionCanceledException(
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`,
      { fields: { CancellationReasons: reasons } },
    );
  }
  ctx.runtime.state.transaction(() => {
    for (const { write, checkOnly } of writes) if (!checkOnly) commit(ctx, write);
    if (input.ClientRequestToken) tokens.set(input.ClientRequestToken, { digest, at: now });
  });
  return result;
}

function prepareTransactItem(
  ctx: RequestContext,
  item: TransactWriteItem,
): { write: PreparedWrite; checkOnly: boolean; returnOnFailure?: string } {
  const set = [item.ConditionCheck, item.Put, item.Delete, item.Update].filter((x) => x !== undefined);
  if (set.length !== 1) {
    throw new ValidationException("TransactItems can only contain one of Check, Put, Update or Delete");
  }
  if (item.Put)
    return { write: preparePut(ctx, item.Put), checkOnly: false, returnOnFailure: item.Put.ReturnValuesOnConditionCheckFailure };
  if (item.Delete)
    return { write: prepareDelete(ctx, item.Delete), checkOnly: false, returnOnFailure: item.Delete.ReturnValuesOnConditionCheckFailure };
  if (item.Update)
    return { write: prepareUpdate(ctx, item.Update), checkOnly: false, returnOnFailure: item.Update.ReturnValuesOnConditionCheckFailure };
  const check = item.ConditionCheck as NonNullable<TransactWriteItem["ConditionCheck"]>;
  const table = tableOf(ctx, check.TableName);
  const placeholders = placeholdersOf(check, [check.ConditionExpression]);
  const condition = optionalCondition(check.ConditionExpression, "ConditionExpression", placeholders);
  checkUnused(placeholders);
  const key = storageKey(table.keySchema, validateKey(table, decodeItem(check.Key as Record<string, unknown>)));
  const old = itemsOf(ctx, table).get(key);
  return { write: { table, key, old, next: old, condition }, checkOnly: true, returnOnFailure: check.ReturnValuesOnConditionCheckFailure };
}

function reasonFor(write: PreparedWrite, returnOnFailure: string | undefined): CancellationReason {
  if (!write.condition || evaluate(write.condition, write.old ?? {})) return { Code: "None" };
  return {
    Code: "ConditionalCheckFailed",
    Message: "The conditional request failed",
    ...(returnOnFailure === "ALL_OLD" && write.old ? { Item: itemToWire(write.old) as CancellationReason["Item"] } : {}),
  };
}

export function transactGetItems(input: TransactGetItemsInput, ctx: RequestContext): TransactGetItemsOutput {
  const items = input.TransactItems ?? [];
  new ConstraintChecker().length("transactItems", items, 1, MAX_ITEMS).throwIfAny();
  const reads = items.map(({ Get: get }) => {
    if (!get)
      throw new ValidationException(
        "1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null",
      );
    const table = tableOf(ctx, get.TableName);
    const placeholders = placeholdersOf(get, [get.ProjectionExpression]);
    const projection = optionalProjection(get.ProjectionExpression, placeholders);
    checkUnused(placeholders);
    const key = storageKey(table.keySchema, validateKey(table, decodeItem(get.Key as Record<string, unknown>)));
    return { table, key, projection };
  });
  if (new Set(reads.map((r) => `${r.table.name}\n${r.key}`)).size !== reads.length) throw sameItem();
  const found = reads.map((r) => ({ ...r, item: readItem(ctx, r.table, r.key) }));
  checkTransactionSize(found.map((r) => (r.item ? itemSize(r.item) : 0)));
  const reports = mergeCapacity(found.map((r) => readCapacity(r.table, r.item ? itemSize(r.item) : 0, true, undefined, 2)));
  const capacity = reports.map((r) => consumedCapacity(r, input.ReturnConsumedCapacity)).filter((c) => c !== undefined);
  return {
    Responses: found.map(({ item, projection }) =>
      item ? { Item: itemToWire(projection ? project(item, projection) : item) } : {},
    ) as TransactGetItemsOutput["Responses"],
    ...(capacity.length ? { ConsumedCapacity: capacity } : {}),
  };
}
