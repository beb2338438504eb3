import { errorClass } from "../../protocol/errors.js";
import { ValidationException } from "./errors.js";
import { type StoreHolder, type TableRecord, hashKeyOf } from "./storage.js";
import { type Item, itemSize, keySortText } from "./values.js";

/** TransactWriteItems, TransactGetItems and ExecuteTransaction: the items of one transaction total 4 MB at most. */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

/** A partition of a table with local secondary indexes holds 10 GB at most. */
export const ITEM_COLLECTION_LIMIT_BYTES = 10 * 1024 ** 3;

export const ItemCollectionSizeLimitExceededException = errorClass("ItemCollectionSizeLimitExceededException", 400);

export function checkTransactionSize(itemSizes: number[]): void {
  const total = itemSizes.reduce((a, b) => a + b, 0);
  if (total > MAX_TRANSACTION_BYTES) throw new ValidationException("The aggregate size of the items in the transaction exceeded 4 MB");
}

const hasLocalIndexes = (table: TableRecord) => table.indexes.some((i) => !i.global);

/** Running byte totals per partition (tables with LSIs only), so the 10 GB check never walks a partition. */
const collectionSizes = (ctx: StoreHolder, table: TableRecord) =>
  ctx.store.collection<number>(`collection-sizes/${table.name}/${table.generation}`);

/** A deleted table's counters go with it. */
export const dropItemCollectionSizes = (ctx: StoreHolder, table: TableRecord) => collectionSizes(ctx, table).clear();

const partitionOf = (table: TableRecord, item: Item) => keySortText(item[hashKeyOf(table.keySchema)]);

/** The item collection's size in bytes: the partition's items, as ItemCollectionMetrics estimates it. */
export function itemCollectionSize(ctx: StoreHolder, table: TableRecord, item: Item): number {
  return collectionSizes(ctx, table).get(partitionOf(table, item)) ?? 0;
}

/** Called for every item change (changes.ts): keeps the partition totals of LSI tables current. */
export function trackItemCollection(ctx: StoreHolder, table: TableRecord, old: Item | undefined, next: Item | undefined): void {
  const item = next ?? old;
  if (!item || !hasLocalIndexes(table)) return;
  const delta = (next ? itemSize(next) : 0) - (old ? itemSize(old) : 0);
  if (delta === 0) return;
  const sizes = collectionSizes(ctx, table);
  const partition = partitionOf(table, item);
  const total = (sizes.get(partition) ?? 0) + delta;
  if (total > 0) sizes.set(partition, total);
  else sizes.delete(partition);
}

/**
 * Refuses a write that would grow an LSI table's partition past the limit. `limit` is a parameter so that
 * tests can exercise the check without writing 10 GB; the service always uses ITEM_COLLECTION_LIMIT_BYTES.
 */
export function checkItemCollection(
  ctx: StoreHolder,
  table: TableRecord,
  old: Item | undefined,
  next: Item | undefined,
  limit = ITEM_COLLECTION_LIMIT_BYTES,
): void {
  if (!next || !hasLocalIndexes(table)) return;
  const growth = itemSize(next) - (old ? itemSize(old) : 0);
  if (growth <= 0) return;
  if (itemCollectionSize(ctx, table, next) + growth > limit) {
    throw new ItemCollectionSizeLimitExceededException("Item collection size limit exceeded");
  }
}
