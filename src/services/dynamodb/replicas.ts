import { randomUUID } from "node:crypto";
import type {
  ReplicaDescription,
  ReplicationGroupUpdate,
  TableClass,
  TableDescription,
  UpdateReplicationGroupMemberAction,
} from "@aws-sdk/client-dynamodb";
import { ValidationException, invalidParameter } from "./errors.js";
import { dropItemCollectionSizes } from "./limits.js";
import { dropRecoveryData } from "./pitr.js";
import { type TableRecord, indexEntriesOf, itemsOf, refreshIndexEntries, tables, writeItem } from "./storage.js";
import { type ChangeContext, closeStream, openStream } from "./streams.js";
import type { Item } from "./values.js";

/**
 * Global tables, version 2019.11.21: the same table in several regions of this process. Each replica's
 * record lists every region of the group; a change in one replica is applied to the others at once, through
 * the change hook, so the last write wins everywhere and each replica's stream records it.
 */

export const GLOBAL_TABLE_VERSION = "2019.11.21";
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const regionOf = (table: TableRecord) => table.arn.split(":")[3];
const accountOf = (table: TableRecord) => table.arn.split(":")[4];

/** Deleting a replica that sourced a new one is refused for this long. */
const SOURCE_HOLD_MS = 24 * 3600 * 1000;

/**
 * The table's namesake in another region, with a change context there whose writes are not replicated again.
 * Replicated writes are plain writes there: a TTL delete names DynamoDB's principal only in the region that expired the item.
 */
function replicaIn(ctx: ChangeContext, table: TableRecord, region: string) {
  const holder: ChangeContext = { store: ctx.runtime.storeFor(accountOf(table), region), runtime: ctx.runtime, replicated: true };
  return { holder, replica: tables(holder).get(table.name) };
}

/** Applies a setting AWS keeps the same on every replica (GSIs, TTL, table class…) to the table's other replicas. */
export function syncToReplicas(
  ctx: ChangeContext,
  table: TableRecord,
  change: (replica: TableRecord, holder: ChangeContext) => void,
): void {
  if (!table.replicas) return;
  for (const region of table.replicas) {
    if (region === regionOf(table)) continue;
    const { holder, replica } = replicaIn(ctx, table, region);
    if (!replica) continue;
    const updated = structuredClone(replica);
    change(updated, holder);
    tables(holder).set(updated.name, updated);
  }
}

/** A GSI added, changed or deleted on one replica is so on all, each region backfilling its own copy. */
export function syncIndexes(ctx: ChangeContext, table: TableRecord): void {
  syncToReplicas(ctx, table, (replica, holder) => {
    const before = new Set(replica.indexes.map((i) => i.name));
    replica.attributeDefinitions = structuredClone(table.attributeDefinitions);
    replica.indexes = structuredClone(table.indexes);
    refreshIndexEntries(holder, replica, before);
  });
}

/** Replicas write each other's changes: their write capacity must follow the load, so provisioned mode needs auto scaling, which this cloud does not run. */
export function checkBillingMode(table: TableRecord, mode: string): void {
  if (table.replicas && mode !== "PAY_PER_REQUEST") throw capacityNotScalable();
}

const capacityNotScalable = () => new ValidationException("Table write capacity should either be Pay-Per-Request or AutoScaled.");

/**
 * Whether a replica may leave its group (DeleteTable in its region, or ReplicaUpdates Delete from another): not while
 * it has deletion protection, nor within 24 hours of sourcing a replica that still exists. A regional table is not concerned.
 */
export function checkReplicaDeletable(ctx: ChangeContext, table: TableRecord): void {
  if (!table.replicas) return;
  if (table.deletionProtection) {
    throw new ValidationException(
      `Cannot delete table ${table.name} in region ${regionOf(table)} because it has deletion protection enabled. Disable deletion protection first.`,
    );
  }
  const now = ctx.runtime.now();
  const members = table.replicas;
  if (Object.entries(table.sourced ?? {}).some(([region, at]) => members.includes(region) && now - at < SOURCE_HOLD_MS)) {
    throw new ValidationException(
      "Replica cannot be deleted because it has acted as a source region for new replica(s) being added to the table in the last 24 hours.",
    );
  }
}

/** Applies a change of one replica to the others. */
export function replicateChange(ctx: ChangeContext, table: TableRecord, key: string, newItem: Item | undefined): void {
  if (!table.replicas || ctx.replicated) return;
  for (const region of table.replicas) {
    if (region === regionOf(table)) continue;
    const { holder, replica } = replicaIn(ctx, table, region);
    if (replica) writeItem(holder, replica, key, itemsOf(holder, replica).get(key), newItem);
  }
}

/** DescribeTable's members of a global table: the other replicas, with their GSIs and table class. */
export function replicaDescription(ctx: ChangeContext, table: TableRecord): Partial<TableDescription> {
  if (!table.replicas) return {};
  const own = regionOf(table);
  const others = table.replicas.filter((r) => r !== own);
  const describeReplica = (RegionName: string): ReplicaDescription => {
    const replica = replicaIn(ctx, table, RegionName).replica ?? table;
    const gsis = replica.indexes.filter((i) => i.global).map((i) => ({ IndexName: i.name }));
    return {
      RegionName,
      ReplicaStatus: "ACTIVE",
      ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
      ...(replica.tableClass !== "STANDARD" ? { ReplicaTableClassSummary: { TableClass: replica.tableClass as TableClass } } : {}),
    };
  };
  return { GlobalTableVersion: GLOBAL_TABLE_VERSION, Replicas: others.map(describeReplica) };
}

/** UpdateTable's ReplicaUpdates: validated first, then applied to this table (a copy the caller stores) and the others. */
export function updateReplicas(ctx: ChangeContext, table: TableRecord, requested: ReplicationGroupUpdate[]): void {
  if (!requested.length) throw noActions();
  // AWS applies a repeated identical action once.
  const updates = [...new Map(requested.map((u) => [JSON.stringify(u), u])).values()];
  if (updates.filter((u) => u.Create || u.Delete).length > 1)
    throw new ValidationException("Update table operation with more than one create or delete replica actions not allowed");
  for (const update of updates) {
    const actions = [update.Create, update.Update, update.Delete, update.Disassociate].filter((a) => a !== undefined);
    if (!actions.length) throw noActions();
    if (actions.length > 1) throw new ValidationException("Update table operation with more than one type of replica actions not allowed.");
    const region = actions[0].RegionName as string;
    if (!REGION_NAME.test(region)) throw invalidParameter(`Invalid region: ${region}`);
    if (region === regionOf(table)) {
      throw new ValidationException(
        "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.",
      );
    }
    // Keys are AWS-owned here: a table without a customer managed key takes no per-replica key.
    if ((update.Create ?? update.Update)?.KMSMasterKeyId !== undefined)
      throw invalidParameter("KMSMasterKeyId must be specified for each replica.");
    if (update.Create) addReplica(ctx, table, region, update.Create.TableClassOverride);
    else if (update.Delete) removeReplica(ctx, table, region);
    else if (update.Update) overrideReplica(ctx, table, update.Update);
    else throw notInGroup(region);
  }
}

const noActions = () => new ValidationException("There are no actions specified in the Replica Update Action of the request.");

const notInGroup = (region: string) =>
  new ValidationException(
    `Update global table operation failed because one or more replicas were not part of the global table. Please retry the request without these replicas: [${region}].`,
  );

function addReplica(ctx: ChangeContext, table: TableRecord, region: string, tableClass: TableClass | undefined): void {
  const { holder, replica: existing } = replicaIn(ctx, table, region);
  if (existing) {
    throw new ValidationException(
      `Failed to create a the new replica of table with name: ‘${table.name}’ because one or more replicas already existed as tables.`,
    );
  }
  if (table.billingMode !== "PAY_PER_REQUEST") throw capacityNotScalable();
  // An enabled stream of any view type is kept, and the replica gets the same; a table without one gets
  // NEW_AND_OLD_IMAGES, as AWS's replication reads it.
  const viewType = table.stream?.enabled ? table.stream.viewType : "NEW_AND_OLD_IMAGES";
  if (!table.stream?.enabled) openStream(ctx, table, viewType);
  const regions = [...(table.replicas ?? [regionOf(table)]), region];
  const now = ctx.runtime.now();
  const replica: TableRecord = {
    ...structuredClone(table),
    id: randomUUID(),
    arn: table.arn.replace(`:${regionOf(table)}:`, `:${region}:`),
    createdAt: now / 1000,
    generation: now / 1000,
    // Tags and deletion protection are each replica's own; GSIs, TTL and the rest come with the copy.
    tags: {},
    deletionProtection: false,
    tableClass: tableClass ?? table.tableClass,
    stream: undefined,
    replicas: regions,
    sourced: undefined,
  };
  // The existing items are copied before the replica's stream opens: they are its starting state, not changes.
  for (const [key, item] of itemsOf(ctx, table).entries()) writeItem(holder, replica, key, undefined, item);
  openStream(holder, replica, viewType);
  tables(holder).set(replica.name, replica);
  table.sourced = { ...table.sourced, [region]: now };
  setGroup(ctx, table, regions);
}

function removeReplica(ctx: ChangeContext, table: TableRecord, region: string): void {
  if (!table.replicas?.includes(region)) throw notInGroup(region);
  const { holder, replica } = replicaIn(ctx, table, region);
  if (replica) checkReplicaDeletable(ctx, replica);
  if (replica) dropTable(holder, replica);
  setGroup(
    ctx,
    table,
    table.replicas.filter((r) => r !== region),
  );
}

/** ReplicaUpdates Update: a replica's own settings. */
function overrideReplica(ctx: ChangeContext, table: TableRecord, update: UpdateReplicationGroupMemberAction): void {
  const region = update.RegionName as string;
  const { holder, replica } = replicaIn(ctx, table, region);
  if (!table.replicas?.includes(region) || !replica) throw notInGroup(region);
  const indexOverrides = (update.GlobalSecondaryIndexes ?? []).filter(
    (i) => i.ProvisionedThroughputOverride || i.OnDemandThroughputOverride,
  );
  const provisioned = update.ProvisionedThroughputOverride || indexOverrides.some((i) => i.ProvisionedThroughputOverride);
  if (!update.TableClassOverride && !update.OnDemandThroughputOverride && !provisioned && !indexOverrides.length) throw noActions();
  if (provisioned && table.billingMode === "PAY_PER_REQUEST") {
    throw new ValidationException("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  if (update.TableClassOverride) tables(holder).set(replica.name, { ...replica, tableClass: update.TableClassOverride });
}

/** A deleted replica leaves its global table. */
export function leaveGroup(ctx: ChangeContext, table: TableRecord): void {
  if (!table.replicas) return;
  const own = regionOf(table);
  const others = table.replicas.filter((r) => r !== own);
  const first = others[0] && replicaIn(ctx, table, others[0]).replica;
  if (first) setGroup(ctx, first, others);
}

/** Gives every replica the group's region list (a group of one is a regional table again); `table` too, unstored. */
function setGroup(ctx: ChangeContext, table: TableRecord, regions: string[]): void {
  const replicas = regions.length > 1 ? regions : undefined;
  // A replica that left no longer holds its source.
  const sourcedIn = (member: TableRecord) =>
    member.sourced && Object.fromEntries(Object.entries(member.sourced).filter(([region]) => regions.includes(region)));
  table.replicas = replicas;
  table.sourced = sourcedIn(table);
  for (const region of regions) {
    const { holder, replica } = replicaIn(ctx, table, region);
    if (replica) tables(holder).set(replica.name, { ...replica, replicas, sourced: sourcedIn(replica) });
  }
}

function dropTable(ctx: ChangeContext, table: TableRecord): void {
  closeStream(ctx, table);
  itemsOf(ctx, table).clear();
  for (const index of table.indexes) indexEntriesOf(ctx, table, index.name).clear();
  dropItemCollectionSizes(ctx, table);
  dropRecoveryData(ctx, table);
  tables(ctx).delete(table.name);
}
