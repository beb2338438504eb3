import { randomBytes, randomUUID } from "node:crypto";
import type {
  BackupDescription,
  BackupSummary,
  CreateBackupInput,
  CreateBackupOutput,
  DeleteBackupInput,
  DeleteBackupOutput,
  DescribeBackupInput,
  DescribeBackupOutput,
  GlobalSecondaryIndex,
  ListBackupsInput,
  ListBackupsOutput,
  LocalSecondaryIndex,
  RestoreTableFromBackupInput,
  RestoreTableFromBackupOutput,
  TableDescription,
} from "@aws-sdk/client-dynamodb";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { ConstraintChecker, ValidationException } from "./errors.js";
import {
  type IndexRecord,
  type StoreHolder,
  type TableRecord,
  itemsOf,
  keyNames,
  storageKey,
  tableNameOf,
  tables,
  writeItem,
} from "./storage.js";
import { describe } from "./tables.js";
import { type Item, itemSize } from "./values.js";

export const TableNotFoundException = errorClass("TableNotFoundException", 400);
export const TableAlreadyExistsException = errorClass("TableAlreadyExistsException", 400);
const BackupNotFoundException = errorClass("BackupNotFoundException", 400);

interface BackupRecord {
  arn: string;
  name: string;
  createdAt: number;
  sizeBytes: number;
  itemCount: number;
  /** The table as it was: schema, indexes, throughput. */
  table: TableRecord;
}

const backups = (ctx: StoreHolder) => ctx.store.collection<BackupRecord>("backups", { sorted: true });
const backupItems = (ctx: StoreHolder, backup: BackupRecord) =>
  ctx.store.collection<Item>(`backup-items/${backup.arn.slice(backup.arn.lastIndexOf("/") + 1)}`, { sorted: true });

/** The source table of a backup or point-in-time restore: missing tables are TableNotFoundException here. */
export function sourceTable(ctx: RequestContext, nameOrArn: string | undefined): TableRecord {
  const name = tableNameOf(nameOrArn);
  new ConstraintChecker().tableName("tableName", name).throwIfAny();
  const table = name === undefined ? undefined : tables(ctx).get(name);
  if (!table) throw new TableNotFoundException(`Table not found: ${name}`);
  return table;
}

export function createBackup(input: CreateBackupInput, ctx: RequestContext): CreateBackupOutput {
  new ConstraintChecker().tableName("backupName", input.BackupName).throwIfAny();
  const table = sourceTable(ctx, input.TableName);
  const now = ctx.runtime.now();
  const id = `${String(now).padStart(14, "0")}-${randomBytes(4).toString("hex")}`;
  const backup: BackupRecord = {
    arn: `${table.arn}/backup/${id}`,
    name: input.BackupName as string,
    createdAt: now / 1000,
    sizeBytes: 0,
    itemCount: 0,
    table: structuredClone(table),
  };
  const copy = backupItems(ctx, backup);
  ctx.runtime.state.transaction(() => {
    for (const [key, item] of itemsOf(ctx, table).entries()) {
      copy.set(key, item);
      backup.sizeBytes += itemSize(item);
      backup.itemCount++;
    }
    backups(ctx).set(backup.arn, backup);
  });
  return { BackupDetails: backupDetails(backup) };
}

const backupDetails = (backup: BackupRecord, status: "AVAILABLE" | "DELETED" = "AVAILABLE") => ({
  BackupArn: backup.arn,
  BackupName: backup.name,
  BackupSizeBytes: backup.sizeBytes,
  BackupStatus: status,
  BackupType: "USER" as const,
  BackupCreationDateTime: new Date(backup.createdAt * 1000),
});

function backupOf(ctx: RequestContext, arn: string | undefined): BackupRecord {
  new ConstraintChecker().length("backupArn", arn, 37, 1024).throwIfAny();
  const backup = arn === undefined ? undefined : backups(ctx).get(arn);
  if (!backup) throw new BackupNotFoundException(`Backup not found: ${arn}`);
  return backup;
}

function description(backup: BackupRecord, status?: "DELETED"): BackupDescription {
  const { table } = backup;
  const indexes = (global: boolean) => table.indexes.filter((i) => i.global === global);
  const indexInfo = (i: IndexRecord) => ({ IndexName: i.name, KeySchema: i.keySchema, Projection: i.projection });
  return {
    BackupDetails: backupDetails(backup, status),
    SourceTableDetails: {
      TableName: table.name,
      TableId: table.id,
      TableArn: table.arn,
      TableSizeBytes: backup.sizeBytes,
      KeySchema: table.keySchema,
      TableCreationDateTime: new Date(table.createdAt * 1000),
      ProvisionedThroughput: { ReadCapacityUnits: table.throughput.read, WriteCapacityUnits: table.throughput.write },
      ItemCount: backup.itemCount,
      BillingMode: table.billingMode,
    },
    SourceTableFeatureDetails: {
      ...(indexes(false).length ? { LocalSecondaryIndexes: indexes(false).map(indexInfo) } : {}),
      ...(indexes(true).length
        ? {
            GlobalSecondaryIndexes: indexes(true).map((i) => ({
              ...indexInfo(i),
              ProvisionedThroughput: { ReadCapacityUnits: i.throughput?.read ?? 0, WriteCapacityUnits: i.throughput?.write ?? 0 },
            })),
          }
        : {}),
      ...(table.ttl
        ? { TimeToLiveDescription: { TimeToLiveStatus: table.ttl.enabled ? "ENABLED" : "DISABLED", AttributeName: table.ttl.attribute } }
        : {}),
    },
  };
}

export function describeBackup(input: DescribeBackupInput, ctx: RequestContext): DescribeBackupOutput {
  return { BackupDescription: description(backupOf(ctx, input.BackupArn)) };
}

export function deleteBackup(input: DeleteBackupInput, ctx: RequestContext): DeleteBackupOutput {
  const backup = backupOf(ctx, input.BackupArn);
  ctx.runtime.state.transaction(() => {
    backupItems(ctx, backup).clear();
    backups(ctx).delete(backup.arn);
  });
  return { BackupDescription: description(backup, "DELETED") };
}

export function listBackups(input: ListBackupsInput, ctx: RequestContext): ListBackupsOutput {
  new ConstraintChecker()
    .range("limit", input.Limit, 1, 100)
    .tableName("tableName", input.TableName)
    .length("exclusiveStartBackupArn", input.ExclusiveStartBackupArn, 37, 1024)
    .throwIfAny();
  const lower = input.TimeRangeLowerBound?.getTime();
  const upper = input.TimeRangeUpperBound?.getTime();
  const wanted = (b: BackupRecord) =>
    (input.TableName === undefined || b.table.name === input.TableName) &&
    (lower === undefined || b.createdAt * 1000 >= lower) &&
    (upper === undefined || b.createdAt * 1000 < upper) &&
    (input.BackupType === undefined || input.BackupType === "USER" || input.BackupType === "ALL");
  const limit = input.Limit ?? 100;
  const summaries: BackupSummary[] = [];
  let more = false;
  for (const [arn, backup] of backups(ctx).entriesFrom(input.ExclusiveStartBackupArn)) {
    if (arn === input.ExclusiveStartBackupArn || !wanted(backup)) continue;
    if (summaries.length === limit) {
      more = true;
      break;
    }
    summaries.push({ TableName: backup.table.name, TableId: backup.table.id, TableArn: backup.table.arn, ...backupDetails(backup) });
  }
  return {
    BackupSummaries: summaries,
    ...(more ? { LastEvaluatedBackupArn: summaries[summaries.length - 1].BackupArn } : {}),
  };
}

export function restoreTableFromBackup(input: RestoreTableFromBackupInput, ctx: RequestContext): RestoreTableFromBackupOutput {
  new ConstraintChecker().tableName("targetTableName", input.TargetTableName).throwIfAny();
  const backup = backupOf(ctx, input.BackupArn);
  const description = restoreTable(ctx, backup.table, backupItems(ctx, backup).values(), input);
  return {
    TableDescription: {
      ...description,
      RestoreSummary: {
        SourceBackupArn: backup.arn,
        SourceTableArn: backup.table.arn,
        RestoreDateTime: new Date(ctx.runtime.now()),
        RestoreInProgress: false,
      },
    },
  };
}

export interface RestoreOverrides {
  TargetTableName?: string;
  BillingModeOverride?: "PROVISIONED" | "PAY_PER_REQUEST";
  ProvisionedThroughputOverride?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexOverride?: GlobalSecondaryIndex[];
  LocalSecondaryIndexOverride?: LocalSecondaryIndex[];
}

/** Creates the target table with the source's schema (and the overrides) holding `items`. */
export function restoreTable(
  ctx: RequestContext,
  source: TableRecord,
  items: Iterable<Item>,
  overrides: RestoreOverrides,
): TableDescription {
  const name = overrides.TargetTableName as string;
  if (tables(ctx).has(name)) throw new TableAlreadyExistsException(`Table already exists: ${name}`);
  const now = ctx.runtime.now() / 1000;
  const billingMode = overrides.BillingModeOverride ?? source.billingMode;
  const throughput = overrides.ProvisionedThroughputOverride;
  if (billingMode === "PROVISIONED" && !throughput && source.billingMode !== "PROVISIONED") {
    throw new ValidationException("Provisioned throughput must be specified when restoring a table in PROVISIONED billing mode");
  }
  const table: TableRecord = {
    ...structuredClone(source),
    name,
    id: randomUUID(),
    arn: `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${name}`,
    createdAt: now,
    billingMode,
    throughput:
      billingMode === "PAY_PER_REQUEST"
        ? { read: 0, write: 0, decreasesToday: 0 }
        : {
            read: throughput?.ReadCapacityUnits ?? source.throughput.read,
            write: throughput?.WriteCapacityUnits ?? source.throughput.write,
            decreasesToday: 0,
          },
    indexes: restoredIndexes(source, overrides, now),
    tags: {},
    ttl: undefined,
    stream: undefined,
    replicas: undefined,
    sourced: undefined,
    deletionProtection: false,
    generation: now,
  };
  const used = new Set([...keyNames(table.keySchema), ...table.indexes.flatMap((i) => keyNames(i.keySchema))]);
  table.attributeDefinitions = source.attributeDefinitions.filter((d) => used.has(d.AttributeName as string));
  ctx.runtime.state.transaction(() => {
    tables(ctx).set(name, table);
    for (const item of items) writeItem(ctx, table, storageKey(table.keySchema, item), undefined, item);
  });
  return describe(ctx, table, "ACTIVE");
}

/** Index overrides replace the source's lists; their keys must be attributes the source defined. */
function restoredIndexes(source: TableRecord, overrides: RestoreOverrides, now: number): IndexRecord[] {
  const defined = new Set(source.attributeDefinitions.map((d) => d.AttributeName as string));
  const convert = (index: GlobalSecondaryIndex | LocalSecondaryIndex, global: boolean): IndexRecord => {
    const keys = keyNames(index.KeySchema ?? []);
    if (!index.IndexName || !keys.length || keys.some((k) => !defined.has(k))) {
      throw new ValidationException(
        `One or more parameter values were invalid: Index ${index.IndexName} has key attributes that are not defined in the source table`,
      );
    }
    const throughput = global ? (index as GlobalSecondaryIndex).ProvisionedThroughput : undefined;
    return {
      name: index.IndexName,
      keySchema: index.KeySchema ?? [],
      projection: index.Projection ?? { ProjectionType: "ALL" },
      global,
      createdAt: now,
      ...(throughput ? { throughput: { read: throughput.ReadCapacityUnits ?? 0, write: throughput.WriteCapacityUnits ?? 0 } } : {}),
    };
  };
  const lsis = overrides.LocalSecondaryIndexOverride?.map((i) => convert(i, false)) ?? source.indexes.filter((i) => !i.global);
  const gsis = overrides.GlobalSecondaryIndexOverride?.map((i) => convert(i, true)) ?? source.indexes.filter((i) => i.global);
  return structuredClone([...lsis, ...gsis]).map((i) => ({ ...i, createdAt: now }));
}
