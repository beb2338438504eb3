import type { Capacity, ConsumedCapacity, ReturnConsumedCapacity } from "@aws-sdk/client-dynamodb";
import { type IndexRecord, type TableRecord, indexEntryKey, projectForIndex } from "./storage.js";
import { type Item, itemSize } from "./values.js";

/** Read units: 4 KB steps of the bytes read (at least one step), halved for eventually consistent reads. */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

/** Write units: 1 KB steps of the larger of the old and new item (at least one). */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** Index writes: putting and removing an index entry each cost units of the projected item's size. */
function indexWriteUnits(table: TableRecord, index: IndexRecord, old: Item | undefined, item: Item | undefined): number {
  const before = old && indexEntryKey(table, index, old);
  const after = item && indexEntryKey(table, index, item);
  if (!before && !after) return 0;
  const size = (i: Item | undefined) => (i ? itemSize(projectForIndex(table, index, i)) : 0);
  if (before && after && before !== after) return writeUnits(size(old)) + writeUnits(size(item));
  return writeUnits(Math.max(size(old), size(item)));
}

export interface CapacityReport {
  table: TableRecord;
  tableUnits: number;
  indexUnits: Record<string, number>;
  kind: "read" | "write";
}

export function writeCapacity(table: TableRecord, old: Item | undefined, item: Item | undefined, multiplier = 1): CapacityReport {
  const indexUnits: Record<string, number> = {};
  for (const index of table.indexes) {
    const units = indexWriteUnits(table, index, old, item);
    if (units) indexUnits[index.name] = units * multiplier;
  }
  const tableUnits = writeUnits(Math.max(old ? itemSize(old) : 0, item ? itemSize(item) : 0)) * multiplier;
  return { table, tableUnits, indexUnits, kind: "write" };
}

export function readCapacity(table: TableRecord, bytes: number, consistent: boolean, index?: IndexRecord, multiplier = 1): CapacityReport {
  const units = readUnits(bytes, consistent) * multiplier;
  return index
    ? { table, tableUnits: 0, indexUnits: { [index.name]: units }, kind: "read" }
    : { table, tableUnits: units, indexUnits: {}, kind: "read" };
}

/** Merges reports of the same table (batches, transactions). */
export function mergeCapacity(reports: CapacityReport[]): CapacityReport[] {
  const byTable = new Map<string, CapacityReport>();
  for (const r of reports) {
    const existing = byTable.get(r.table.name);
    if (!existing) byTable.set(r.table.name, { ...r, indexUnits: { ...r.indexUnits } });
    else {
      existing.tableUnits += r.tableUnits;
      for (const [k, v] of Object.entries(r.indexUnits)) existing.indexUnits[k] = (existing.indexUnits[k] ?? 0) + v;
    }
  }
  return [...byTable.values()];
}

/** ConsumedCapacity as AWS reports it for TOTAL (sum) or INDEXES (plus the per-table/index split). */
export function consumedCapacity(report: CapacityReport, mode: ReturnConsumedCapacity | string | undefined): ConsumedCapacity | undefined {
  if (mode !== "TOTAL" && mode !== "INDEXES") return undefined;
  const indexTotal = Object.values(report.indexUnits).reduce((a, b) => a + b, 0);
  const total = report.tableUnits + indexTotal;
  const split = report.kind === "read" ? { ReadCapacityUnits: total } : { WriteCapacityUnits: total };
  const result: ConsumedCapacity = { TableName: report.table.name, CapacityUnits: total, ...split };
  if (mode === "INDEXES") {
    const capacity = (units: number): Capacity => ({
      CapacityUnits: units,
      ...(report.kind === "read" ? { ReadCapacityUnits: units } : { WriteCapacityUnits: units }),
    });
    result.Table = capacity(report.tableUnits);
    const groups: Record<"GlobalSecondaryIndexes" | "LocalSecondaryIndexes", Record<string, Capacity>> = {
      GlobalSecondaryIndexes: {},
      LocalSecondaryIndexes: {},
    };
    for (const [name, units] of Object.entries(report.indexUnits)) {
      const index = report.table.indexes.find((i) => i.name === name);
      groups[index?.global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"][name] = capacity(units);
    }
    if (Object.keys(groups.GlobalSecondaryIndexes).length) result.GlobalSecondaryIndexes = groups.GlobalSecondaryIndexes;
    if (Object.keys(groups.LocalSecondaryIndexes).length) result.LocalSecondaryIndexes = groups.LocalSecondaryIndexes;
  }
  return result;
}
