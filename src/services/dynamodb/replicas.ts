import { randomUUID } from "node:crypto";
import type { ReplicationGroupUpdate, TableClass, TableDescription } from "@aws-sdk/client-dynamodb";
import { ValidationException, invalidParameter } from "./errors.js";
import { type TableRecord, indexEntriesOf, itemsOf, tables, writeItem } from "./storage.js";
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

/** The table's namesake in another region, with a change context there whose writes are not replicated again. */
function replicaIn(ctx: ChangeContext, table: TableRecord, region: string) {
  const holder: ChangeContext = {
    store: ctx.runtime.storeFor(accountOf(table), region),
    runtime: ctx.runtime,
    replicated: true,
    ...(ctx.servicePrincipal ? { servicePrincipal: ctx.servicePrincipal } : {}),
  };
  return { holder, replica: tables(holder).get(table.name) };
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

/** DescribeTable's members of a global table: the other replicas. */
export function replicaDescription(table: TableRecord): Partial<TableDescription> {
  if (!table.replicas) return {};
  const own = regionOf(table);
  const others = table.replicas.filter((r) => r !== own);
  return { GlobalTableVersion: GLOBAL_TABLE_VERSION, Replicas: others.map((RegionName) => ({ RegionName, ReplicaStatus: "ACTIVE" })) };
}

/** UpdateTable's ReplicaUpdates: validated first, then applied to this table (a copy the caller stores) and the others. */
export function updateReplicas(ctx: ChangeContext, table: TableRecord, updates: ReplicationGroupUpdate[], otherChanges: boolean): void {
  if (otherChanges) throw invalidParameter("Replica modification must be the only operation in the request");
  if (!updates.length) throw new ValidationException("There are no actions specified in the Replica Update Action of the request.");
  const groupChanges = updates.filter((u) => u.Create || u.Delete);
  if (groupChanges.length > 1)
    throw new ValidationException("Update table operation with more than one create or delete replica actions not allowed");
  for (const update of updates) {
    const actions = [update.Create, update.Update, update.Delete, update.Disassociate].filter((a) => a !== undefined);
    if (actions.length !== 1) throw new ValidationException("There are no actions specified in the Replica Update Action of the request.");
    const region = actions[0].RegionName as string;
    if (!REGION_NAME.test(region)) throw invalidParameter(`Invalid region: ${region}`);
    if (region === regionOf(table)) {
      throw invalidParameter(
        "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.",
      );
    }
    if (update.Create) addReplica(ctx, table, region, update.Create.TableClassOverride);
    else if (update.Delete) removeReplica(ctx, table, region);
    else if (update.Update) overrideReplica(ctx, table, region, update.Update.TableClassOverride);
    else throw notInGroup(region);
  }
}

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
  if (table.billingMode !== "PAY_PER_REQUEST")
    throw new ValidationException("Table write capacity should either be Pay-Per-Request or AutoScaled.");
  if (table.stream?.enabled && table.stream.viewType !== "NEW_AND_OLD_IMAGES") {
    throw invalidParameter(
      `Table already has an enabled stream with StreamViewType ${table.stream.viewType}; global tables need NEW_AND_OLD_IMAGES`,
    );
  }
  // Replication reads the table's changes, as AWS's does from its NEW_AND_OLD_IMAGES stream.
  if (!table.stream?.enabled) openStream(ctx, table, "NEW_AND_OLD_IMAGES");
  const regions = [...(table.replicas ?? [regionOf(table)]), region];
  const now = ctx.runtime.now();
  const replica: TableRecord = {
    ...structuredClone(table),
    id: randomUUID(),
    arn: table.arn.replace(`:${regionOf(table)}:`, `:${region}:`),
    createdAt: now / 1000,
    generation: now / 1000,
    tags: {},
    tableClass: tableClass ?? table.tableClass,
    stream: undefined,
    replicas: regions,
  };
  // The existing items are copied before the replica's stream opens: they are its starting state, not changes.
  for (const [key, item] of itemsOf(ctx, table).entries()) writeItem(holder, replica, key, undefined, item);
  openStream(holder, replica, "NEW_AND_OLD_IMAGES");
  tables(holder).set(replica.name, replica);
  setGroup(ctx, table, regions);
}

function removeReplica(ctx: ChangeContext, table: TableRecord, region: string): void {
  if (!table.replicas?.includes(region)) throw notInGroup(region);
  const { holder, replica } = replicaIn(ctx, table, region);
  if (replica) dropTable(holder, replica);
  setGroup(
    ctx,
    table,
    table.replicas.filter((r) => r !== region),
  );
}

function overrideReplica(ctx: ChangeContext, table: TableRecord, region: string, tableClass: TableClass | undefined): void {
  const { holder, replica } = replicaIn(ctx, table, region);
  if (!table.replicas?.includes(region) || !replica) throw notInGroup(region);
  if (tableClass) tables(holder).set(replica.name, { ...replica, tableClass });
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
  table.replicas = replicas;
  for (const region of regions) {
    const { holder, replica } = replicaIn(ctx, table, region);
    if (replica) tables(holder).set(replica.name, { ...replica, replicas });
  }
}

function dropTable(ctx: ChangeContext, table: TableRecord): void {
  closeStream(ctx, table);
  itemsOf(ctx, table).clear();
  for (const index of table.indexes) indexEntriesOf(ctx, table, index.name).clear();
  tables(ctx).delete(table.name);
}
