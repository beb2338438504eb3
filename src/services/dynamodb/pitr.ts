import type {
  ContinuousBackupsDescription,
  DescribeContinuousBackupsInput,
  DescribeContinuousBackupsOutput,
  RestoreTableToPointInTimeInput,
  RestoreTableToPointInTimeOutput,
  UpdateContinuousBackupsInput,
  UpdateContinuousBackupsOutput,
} from "@aws-sdk/client-dynamodb";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { restoreTable, sourceTable } from "./backups.js";
import { ConstraintChecker, ValidationException } from "./errors.js";
import { type StoreHolder, type TableRecord, itemsOf } from "./storage.js";
import type { Item } from "./values.js";

const PointInTimeRecoveryUnavailableException = errorClass("PointInTimeRecoveryUnavailableException", 400);
const InvalidRestoreTimeException = errorClass("InvalidRestoreTimeException", 400);

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_PERIOD_DAYS = 35;

/** PITR settings of one table generation; the journal lives only while they say enabled. */
interface RecoverySettings {
  generation: number;
  enabledAt: number;
  periodDays: number;
}

/**
 * The journal: for each change, the item as it was before (absent = did not exist). A table's state at
 * time T is its current state with every key changed after T put back to its value before the first
 * such change, so no full copy is ever taken. Keys `<ms, 15 digits> <storage key>` sort by time.
 */
interface JournalEntry {
  key: string;
  before?: Item;
}

const settingsOf = (ctx: StoreHolder) => ctx.store.collection<RecoverySettings>("pitr-settings");
const journalOf = (ctx: StoreHolder, table: TableRecord) =>
  ctx.store.collection<JournalEntry>(`pitr-journal/${table.name}/${table.generation}`, { sorted: true });

/** A deleted table's journal and recovery settings go with it (restoring deleted tables is not offered). */
export function dropRecoveryData(ctx: StoreHolder, table: TableRecord): void {
  journalOf(ctx, table).clear();
  settingsOf(ctx).delete(table.name);
}

function activeSettings(ctx: StoreHolder, table: TableRecord): RecoverySettings | undefined {
  const settings = settingsOf(ctx).get(table.name);
  return settings?.generation === table.generation ? settings : undefined;
}

/** Called for every item change (changes.ts): journals it while PITR is on, and drops entries past the window. */
export function journalChange(
  ctx: StoreHolder & { runtime: { now(): number } },
  table: TableRecord,
  key: string,
  before: Item | undefined,
): void {
  const settings = activeSettings(ctx, table);
  if (!settings) return;
  const now = ctx.runtime.now();
  const journal = journalOf(ctx, table);
  const at = `${String(now).padStart(15, "0")} ${key}`;
  // Two changes of one key in the same millisecond: the first one's "before" is the state before both.
  if (!journal.has(at)) journal.set(at, before ? { key, before } : { key });
  const horizon = String(now - settings.periodDays * DAY_MS).padStart(15, "0");
  for (const [entryKey] of journal.entriesFrom()) {
    if (entryKey >= horizon) break;
    journal.delete(entryKey);
  }
}

function recoveryWindow(settings: RecoverySettings, now: number) {
  return { earliest: Math.max(settings.enabledAt, now - settings.periodDays * DAY_MS), latest: now };
}

function continuousBackups(ctx: RequestContext, table: TableRecord): ContinuousBackupsDescription {
  const settings = activeSettings(ctx, table);
  if (!settings) {
    return { ContinuousBackupsStatus: "ENABLED", PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" } };
  }
  const window = recoveryWindow(settings, ctx.runtime.now());
  return {
    ContinuousBackupsStatus: "ENABLED",
    PointInTimeRecoveryDescription: {
      PointInTimeRecoveryStatus: "ENABLED",
      RecoveryPeriodInDays: settings.periodDays,
      EarliestRestorableDateTime: new Date(window.earliest),
      LatestRestorableDateTime: new Date(window.latest),
    },
  };
}

export function describeContinuousBackups(input: DescribeContinuousBackupsInput, ctx: RequestContext): DescribeContinuousBackupsOutput {
  return { ContinuousBackupsDescription: continuousBackups(ctx, sourceTable(ctx, input.TableName)) };
}

export function updateContinuousBackups(input: UpdateContinuousBackupsInput, ctx: RequestContext): UpdateContinuousBackupsOutput {
  const spec = input.PointInTimeRecoverySpecification;
  new ConstraintChecker().range("pointInTimeRecoverySpecification.recoveryPeriodInDays", spec?.RecoveryPeriodInDays, 1, 35).throwIfAny();
  const table = sourceTable(ctx, input.TableName);
  const current = activeSettings(ctx, table);
  if (spec?.PointInTimeRecoveryEnabled) {
    if (!current) journalOf(ctx, table).clear();
    const periodDays = spec.RecoveryPeriodInDays ?? current?.periodDays ?? DEFAULT_PERIOD_DAYS;
    settingsOf(ctx).set(table.name, { generation: table.generation, enabledAt: current?.enabledAt ?? ctx.runtime.now(), periodDays });
  } else {
    if (spec?.RecoveryPeriodInDays !== undefined) {
      throw new ValidationException("RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true");
    }
    ctx.runtime.state.transaction(() => {
      settingsOf(ctx).delete(table.name);
      journalOf(ctx, table).clear();
    });
  }
  return { ContinuousBackupsDescription: continuousBackups(ctx, table) };
}

export function restoreTableToPointInTime(input: RestoreTableToPointInTimeInput, ctx: RequestContext): RestoreTableToPointInTimeOutput {
  new ConstraintChecker().tableName("targetTableName", input.TargetTableName).throwIfAny();
  if (!input.SourceTableArn && !input.SourceTableName) {
    throw new ValidationException("Either SourceTableArn or SourceTableName must be specified");
  }
  const table = sourceTable(ctx, input.SourceTableArn ?? input.SourceTableName);
  const settings = activeSettings(ctx, table);
  if (!settings) throw new PointInTimeRecoveryUnavailableException(`Point in time recovery is not enabled for table '${table.name}'`);
  const now = ctx.runtime.now();
  const window = recoveryWindow(settings, now);
  if (input.UseLatestRestorableTime && input.RestoreDateTime) {
    throw new ValidationException("Only one of RestoreDateTime or UseLatestRestorableTime can be specified");
  }
  const at = input.UseLatestRestorableTime || !input.RestoreDateTime ? window.latest : input.RestoreDateTime.getTime();
  if (at < window.earliest || at > window.latest) {
    throw new InvalidRestoreTimeException(
      `Restore time ${new Date(at).toISOString()} is outside the restorable window: EarliestRestorableDateTime ${new Date(window.earliest).toISOString()}, LatestRestorableDateTime ${new Date(window.latest).toISOString()}`,
    );
  }
  const description = restoreTable(ctx, table, stateAt(ctx, table, at), input);
  return {
    TableDescription: {
      ...description,
      RestoreSummary: { SourceTableArn: table.arn, RestoreDateTime: new Date(at), RestoreInProgress: false },
    },
  };
}

/** The table's items as of `at` (ms): current items, with keys changed later rolled back to their earlier value. */
function* stateAt(ctx: StoreHolder, table: TableRecord, at: number): Iterable<Item> {
  const rolledBack = new Map<string, Item | undefined>();
  for (const [, entry] of journalOf(ctx, table).entriesFrom(`${String(at + 1).padStart(15, "0")}`)) {
    if (!rolledBack.has(entry.key)) rolledBack.set(entry.key, entry.before);
  }
  for (const [key, item] of itemsOf(ctx, table).entries()) if (!rolledBack.has(key)) yield item;
  for (const item of rolledBack.values()) if (item) yield item;
}
