import { trackItemCollection } from "./limits.js";
import { journalChange } from "./pitr.js";
import type { TableRecord } from "./storage.js";
import { replicateChange } from "./replicas.js";
import { type ChangeContext, appendStreamRecord } from "./streams.js";
import { type Item, valuesEqual } from "./values.js";

export type { ChangeContext };

/**
 * Every item change of every write path (PutItem, UpdateItem, DeleteItem, batches, transactions, PartiQL,
 * the TTL sweep, replication) passes here exactly once, after storage.writeItem stored it: the one place
 * where change consumers hook in.
 */
export function recordChange(
  ctx: ChangeContext,
  table: TableRecord,
  key: string,
  oldItem: Item | undefined,
  newItem: Item | undefined,
): void {
  if (!oldItem && !newItem) return;
  journalChange(ctx, table, key, oldItem);
  trackItemCollection(ctx, table, oldItem, newItem);
  if (table.stream?.enabled || table.replicas) publishChange(ctx, table, key, oldItem, newItem);
}

/** A write that changes nothing (a no-op update, the same item put again) is no change: AWS writes no stream record for it. */
function publishChange(ctx: ChangeContext, table: TableRecord, key: string, oldItem: Item | undefined, newItem: Item | undefined): void {
  if (oldItem && newItem && valuesEqual({ M: oldItem }, { M: newItem })) return;
  appendStreamRecord(ctx, table, oldItem, newItem);
  replicateChange(ctx, table, key, newItem);
}
