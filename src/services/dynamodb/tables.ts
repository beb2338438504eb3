import { randomUUID } from "node:crypto";
import { dropItemCollectionSizes } from "./limits.js";
import { dropRecoveryData } from "./pitr.js";
import type {
  CreateTableInput,
  CreateTableOutput,
  DeleteTableInput,
  DeleteTableOutput,
  DescribeTableInput,
  DescribeTableOutput,
  GlobalSecondaryIndex,
  KeySchemaElement,
  ListTablesInput,
  ListTablesOutput,
  LocalSecondaryIndex,
  TableDescription,
  UpdateTableInput,
  UpdateTableOutput,
} from "@aws-sdk/client-dynamodb";
import type { RequestContext } from "../types.js";
import {
  ConstraintChecker,
  LimitExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  ValidationException,
  invalidParameter,
} from "./errors.js";
import {
  type IndexRecord,
  type TableRecord,
  indexEntriesOf,
  itemsOf,
  keyNames,
  refreshIndexEntries,
  tableNameOf,
  tables,
} from "./storage.js";
import {
  checkBillingMode,
  checkReplicaDeletable,
  leaveGroup,
  replicaDescription,
  syncIndexes,
  syncToReplicas,
  updateReplicas,
} from "./replicas.js";
import { closeStream, createStreamViewType, openStream, streamDescription, updateStream } from "./streams.js";
import { itemSize } from "./values.js";

const TABLE_LIMIT = 2500;

export function createTable(input: CreateTableInput, ctx: RequestContext): CreateTableOutput {
  new ConstraintChecker().tableName("tableName", input.TableName).length("keySchema", input.KeySchema, 1, 2).throwIfAny();
  const billingMode = (input.BillingMode ?? "PROVISIONED") as TableRecord["billingMode"];
  validateKeySchema(input.KeySchema ?? [], input.AttributeDefinitions ?? []);
  const throughput = validateThroughput(billingMode, input.ProvisionedThroughput);
  const indexes = validateIndexes(input, billingMode);
  checkDefinitionsUsed(input, indexes);
  const streamViewType = createStreamViewType(input.StreamSpecification);
  const name = input.TableName as string;
  if (tables(ctx).has(name)) throw new ResourceInUseException(`Table already exists: ${name}`);
  if (tables(ctx).size >= TABLE_LIMIT) throw new LimitExceededException(`Subscriber limit exceeded: Table limit of ${TABLE_LIMIT} reached`);
  const now = ctx.runtime.now() / 1000;
  const table: TableRecord = {
    name,
    id: randomUUID(),
    arn: `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${name}`,
    createdAt: now,
    keySchema: input.KeySchema as KeySchemaElement[],
    attributeDefinitions: input.AttributeDefinitions ?? [],
    billingMode,
    throughput: { ...throughput, decreasesToday: 0 },
    indexes: indexes.map((i) => ({ ...i, createdAt: now })),
    tags: Object.fromEntries((input.Tags ?? []).map((t) => [t.Key as string, t.Value as string])),
    tableClass: input.TableClass ?? "STANDARD",
    deletionProtection: input.DeletionProtectionEnabled ?? false,
    generation: now,
  };
  if (streamViewType) openStream(ctx, table, streamViewType);
  tables(ctx).set(name, table);
  return { TableDescription: describe(ctx, table) };
}

function validateKeySchema(schema: KeySchemaElement[], definitions: { AttributeName?: string }[]): void {
  const defined = definitions.map((d) => d.AttributeName as string);
  const keys = keyNames(schema);
  if (keys.length === 2 && (keys.some((k) => !defined.includes(k)) || (keys[0] === keys[1] && defined.length === 1))) {
    throw new ValidationException("Invalid KeySchema: Some index key attribute have no definition");
  }
  if (keys.some((k) => !defined.includes(k))) {
    throw invalidParameter(
      `Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(", ")}], AttributeDefinitions: [${defined.join(", ")}]`,
    );
  }
  if (keys.length === 2 && keys[0] === keys[1])
    throw new ValidationException("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  if (schema[0].KeyType !== "HASH") throw new ValidationException("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (schema[1] && schema[1].KeyType !== "RANGE")
    throw new ValidationException("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
}

function validateThroughput(mode: string, throughput: CreateTableInput["ProvisionedThroughput"]) {
  if (mode === "PAY_PER_REQUEST") {
    if (throughput)
      throw invalidParameter("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    return { read: 0, write: 0 };
  }
  if (!throughput) throw new ValidationException("No provisioned throughput specified for the table");
  new ConstraintChecker()
    .range("provisionedThroughput.readCapacityUnits", throughput.ReadCapacityUnits, 1)
    .range("provisionedThroughput.writeCapacityUnits", throughput.WriteCapacityUnits, 1)
    .throwIfAny();
  for (const [name, value] of [
    ["ReadCapacityUnits", throughput.ReadCapacityUnits],
    ["WriteCapacityUnits", throughput.WriteCapacityUnits],
  ] as const) {
    if ((value as number) > 1e12) throw new ValidationException(`Given value ${value} for ${name} is out of bounds`);
  }
  return { read: throughput.ReadCapacityUnits as number, write: throughput.WriteCapacityUnits as number };
}

type NewIndex = Omit<IndexRecord, "createdAt">;

function validateIndexes(input: CreateTableInput, billingMode: string): NewIndex[] {
  const defined = (input.AttributeDefinitions ?? []).map((d) => d.AttributeName as string);
  const tableHash = input.KeySchema?.[0]?.AttributeName;
  const result: NewIndex[] = [];
  const lsis = input.LocalSecondaryIndexes;
  if (lsis) {
    if (!lsis.length) throw invalidParameter("List of LocalSecondaryIndexes is empty");
    if (input.KeySchema?.length !== 2)
      throw invalidParameter("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
    for (const lsi of lsis) {
      const index = validateIndex(lsi, defined, result, false, billingMode);
      if (lsi.KeySchema?.length !== 2) throw invalidParameter(`Index KeySchema does not have a range key for index: ${lsi.IndexName}`);
      const hash = lsi.KeySchema[0].AttributeName;
      if (hash !== tableHash) {
        throw invalidParameter(
          `Index KeySchema does not have the same leading hash key as table KeySchema for index: ${lsi.IndexName}. index hash key: ${hash}, table hash key: ${tableHash}`,
        );
      }
      result.push(index);
    }
    if (lsis.length > 5) throw invalidParameter("Number of LocalSecondaryIndexes exceeds per-table limit of 5");
  }
  const gsis = input.GlobalSecondaryIndexes;
  if (gsis) {
    if (!gsis.length) throw invalidParameter("List of GlobalSecondaryIndexes is empty");
    for (const gsi of gsis) result.push(validateIndex(gsi, defined, result, true, billingMode));
    if (gsis.length > 20) throw invalidParameter("GlobalSecondaryIndex count exceeds the per-table limit of 20");
  }
  return result;
}

function validateIndex(
  index: GlobalSecondaryIndex | LocalSecondaryIndex,
  defined: string[],
  seen: NewIndex[],
  global: boolean,
  billingMode: string,
): NewIndex {
  new ConstraintChecker().tableName("indexName", index.IndexName).throwIfAny();
  const keys = keyNames(index.KeySchema ?? []);
  if (keys.some((k) => !defined.includes(k))) {
    throw invalidParameter(
      `Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(", ")}], AttributeDefinitions: [${defined.join(", ")}]`,
    );
  }
  validateKeySchema(
    index.KeySchema ?? [],
    defined.map((AttributeName) => ({ AttributeName })),
  );
  const projection = index.Projection ?? {};
  if (!projection.ProjectionType) throw invalidParameter("Unknown ProjectionType: null");
  if (projection.NonKeyAttributes && projection.ProjectionType !== "INCLUDE") {
    throw invalidParameter(`ProjectionType is ${projection.ProjectionType}, but NonKeyAttributes is specified`);
  }
  if (seen.some((i) => i.name === index.IndexName)) throw invalidParameter(`Duplicate index name: ${index.IndexName}`);
  const record: NewIndex = { name: index.IndexName as string, keySchema: index.KeySchema ?? [], projection, global };
  if (global) {
    const throughput = (index as GlobalSecondaryIndex).ProvisionedThroughput;
    if (billingMode === "PROVISIONED" && !throughput)
      throw invalidParameter(`ProvisionedThroughput must be specified for index: ${index.IndexName}`);
    if (billingMode === "PAY_PER_REQUEST" && throughput) {
      throw invalidParameter(
        `ProvisionedThroughput should not be specified for index: ${index.IndexName} when BillingMode is PAY_PER_REQUEST`,
      );
    }
    if (throughput) record.throughput = validateThroughput("PROVISIONED", throughput);
  }
  return record;
}

function checkDefinitionsUsed(input: CreateTableInput, indexes: NewIndex[]): void {
  const defined = (input.AttributeDefinitions ?? []).map((d) => d.AttributeName as string);
  const used = new Set([...keyNames(input.KeySchema ?? []), ...indexes.flatMap((i) => keyNames(i.keySchema))]);
  if (defined.length === used.size && defined.every((d) => used.has(d))) return;
  if (!indexes.length)
    throw invalidParameter("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
  throw invalidParameter(
    `Some AttributeDefinitions are not used. AttributeDefinitions: [${defined.join(", ")}], keys used: [${[...used].join(", ")}]`,
  );
}

function throughputDescription(t: { read: number; write: number; lastIncrease?: number; lastDecrease?: number; decreasesToday?: number }) {
  return {
    ...(t.lastIncrease ? { LastIncreaseDateTime: new Date(t.lastIncrease * 1000) } : {}),
    ...(t.lastDecrease ? { LastDecreaseDateTime: new Date(t.lastDecrease * 1000) } : {}),
    NumberOfDecreasesToday: t.decreasesToday ?? 0,
    ReadCapacityUnits: t.read,
    WriteCapacityUnits: t.write,
  };
}

export function describe(ctx: RequestContext, table: TableRecord, status = "ACTIVE"): TableDescription {
  const items = itemsOf(ctx, table);
  let size = 0;
  for (const item of items.values()) size += itemSize(item);
  const indexDescription = (index: IndexRecord) => {
    const entries = indexEntriesOf(ctx, table, index.name);
    let indexSize = 0;
    for (const key of entries.values()) indexSize += itemSize(items.get(key) ?? {});
    return {
      IndexName: index.name,
      KeySchema: index.keySchema,
      Projection: index.projection,
      IndexSizeBytes: indexSize,
      ItemCount: entries.size,
      IndexArn: `${table.arn}/index/${index.name}`,
      ...(index.global
        ? { IndexStatus: "ACTIVE" as const, ProvisionedThroughput: throughputDescription(index.throughput ?? { read: 0, write: 0 }) }
        : {}),
    };
  };
  const lsis = table.indexes.filter((i) => !i.global).map(indexDescription);
  const gsis = table.indexes.filter((i) => i.global).map(indexDescription);
  return {
    AttributeDefinitions: table.attributeDefinitions,
    TableName: table.name,
    KeySchema: table.keySchema,
    TableStatus: status as TableDescription["TableStatus"],
    CreationDateTime: new Date(table.createdAt * 1000),
    ProvisionedThroughput: throughputDescription(table.throughput),
    TableSizeBytes: size,
    ItemCount: items.size,
    TableArn: table.arn,
    TableId: table.id,
    ...(table.billingMode === "PAY_PER_REQUEST"
      ? { BillingModeSummary: { BillingMode: "PAY_PER_REQUEST", LastUpdateToPayPerRequestDateTime: new Date(table.createdAt * 1000) } }
      : {}),
    ...(lsis.length ? { LocalSecondaryIndexes: lsis } : {}),
    ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(table.tableClass !== "STANDARD" ? { TableClassSummary: { TableClass: table.tableClass as "STANDARD_INFREQUENT_ACCESS" } } : {}),
    DeletionProtectionEnabled: table.deletionProtection,
    ...streamDescription(table),
    ...replicaDescription(ctx, table),
  };
}

function tableFor(ctx: RequestContext, nameOrArn: string | undefined): TableRecord {
  const name = tableNameOf(nameOrArn);
  new ConstraintChecker().tableName("tableName", name).throwIfAny();
  const table = tables(ctx).get(name as string);
  if (!table) throw new ResourceNotFoundException(`Requested resource not found: Table: ${name} not found`);
  return table;
}

export function describeTable(input: DescribeTableInput, ctx: RequestContext): DescribeTableOutput {
  return { Table: describe(ctx, tableFor(ctx, input.TableName)) };
}

export function deleteTable(input: DeleteTableInput, ctx: RequestContext): DeleteTableOutput {
  const table = tableFor(ctx, input.TableName);
  checkReplicaDeletable(ctx, table);
  if (table.deletionProtection) {
    throw new ValidationException(
      `Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.`,
    );
  }
  const description = describe(ctx, table, "DELETING");
  ctx.runtime.state.transaction(() => {
    closeStream(ctx, table);
    leaveGroup(ctx, table);
    itemsOf(ctx, table).clear();
    for (const index of table.indexes) indexEntriesOf(ctx, table, index.name).clear();
    dropItemCollectionSizes(ctx, table);
    dropRecoveryData(ctx, table);
    tables(ctx).delete(table.name);
  });
  return { TableDescription: description };
}

export function listTables(input: ListTablesInput, ctx: RequestContext): ListTablesOutput {
  new ConstraintChecker()
    .range("limit", input.Limit, 1, 100)
    .tableName("exclusiveStartTableName", input.ExclusiveStartTableName)
    .throwIfAny();
  const limit = input.Limit ?? 100;
  const names: string[] = [];
  let more = false;
  for (const [name] of tables(ctx).entriesFrom(input.ExclusiveStartTableName)) {
    if (name === input.ExclusiveStartTableName) continue;
    if (names.length === limit) {
      more = true;
      break;
    }
    names.push(name);
  }
  return { TableNames: names, ...(more ? { LastEvaluatedTableName: names[names.length - 1] } : {}) };
}

export function updateTable(input: UpdateTableInput, ctx: RequestContext): UpdateTableOutput {
  const table = structuredClone(tableFor(ctx, input.TableName));
  const now = ctx.runtime.now() / 1000;
  const changes = [
    input.ProvisionedThroughput,
    input.BillingMode,
    input.GlobalSecondaryIndexUpdates,
    input.StreamSpecification,
    input.SSESpecification,
    input.ReplicaUpdates,
    input.TableClass,
    input.DeletionProtectionEnabled,
  ];
  if (changes.every((c) => c === undefined)) {
    throw new ValidationException(
      "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
    );
  }
  // Checked before any other rule, as AWS does.
  if (input.ReplicaUpdates && changes.filter((c) => c !== undefined).length > 1) {
    throw invalidParameter("Replica modification must be the only operation in the request");
  }
  if (input.BillingMode) checkBillingMode(table, input.BillingMode);
  if (input.BillingMode) table.billingMode = input.BillingMode;
  if (input.BillingMode === "PAY_PER_REQUEST" && input.ProvisionedThroughput) {
    throw invalidParameter("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  if (input.BillingMode === "PAY_PER_REQUEST") table.throughput = { read: 0, write: 0, decreasesToday: 0 };
  if (input.ProvisionedThroughput) updateThroughput(table, validateThroughput("PROVISIONED", input.ProvisionedThroughput), now);
  else if (input.BillingMode === "PROVISIONED" && table.throughput.read === 0) {
    throw invalidParameter("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  }
  if (input.TableClass) table.tableClass = input.TableClass;
  if (input.DeletionProtectionEnabled !== undefined) table.deletionProtection = input.DeletionProtectionEnabled;
  for (const d of input.AttributeDefinitions ?? []) {
    if (!table.attributeDefinitions.some((e) => e.AttributeName === d.AttributeName)) table.attributeDefinitions.push(d);
  }
  // Every index change is validated on the copy first, so a bad one leaves no half-built index behind.
  const before = new Set(table.indexes.map((i) => i.name));
  for (const update of input.GlobalSecondaryIndexUpdates ?? []) {
    if (update.Create) createIndex(table, update.Create, now);
    else if (update.Delete) deleteIndex(table, update.Delete.IndexName as string);
    else if (update.Update) {
      const index = table.indexes.find((i) => i.global && i.name === update.Update?.IndexName);
      if (!index) throw new ResourceNotFoundException(`Requested resource not found: Index: ${update.Update.IndexName} not found`);
      if (update.Update.ProvisionedThroughput) index.throughput = validateThroughput("PROVISIONED", update.Update.ProvisionedThroughput);
    }
  }
  ctx.runtime.state.transaction(() => {
    // Validates before its first write, so a refused stream change leaves the table as it was.
    if (input.StreamSpecification) updateStream(ctx, table, input.StreamSpecification, !!input.GlobalSecondaryIndexUpdates?.length);
    if (input.ReplicaUpdates) updateReplicas(ctx, table, input.ReplicaUpdates);
    refreshIndexEntries(ctx, table, before);
    // The settings AWS keeps the same on every replica of a global table reach the others too.
    if (input.GlobalSecondaryIndexUpdates?.length) syncIndexes(ctx, table);
    if (input.TableClass) syncToReplicas(ctx, table, (replica) => (replica.tableClass = table.tableClass));
    tables(ctx).set(table.name, table);
  });
  return { TableDescription: describe(ctx, table) };
}

function updateThroughput(table: TableRecord, requested: { read: number; write: number }, now: number): void {
  const current = table.throughput;
  if (table.billingMode === "PROVISIONED" && current.read === requested.read && current.write === requested.write) {
    throw new ValidationException(
      `The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: ${current.read}. Requested ReadCapacityUnits: ${requested.read}. Current WriteCapacityUnits provisioned for the table: ${current.write}. Requested WriteCapacityUnits: ${requested.write}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.`,
    );
  }
  const increase = requested.read > current.read || requested.write > current.write;
  const decrease = requested.read < current.read || requested.write < current.write;
  table.throughput = {
    ...requested,
    lastIncrease: increase ? now : current.lastIncrease,
    lastDecrease: decrease ? now : current.lastDecrease,
    decreasesToday: current.decreasesToday + (decrease ? 1 : 0),
  };
}

function createIndex(table: TableRecord, create: GlobalSecondaryIndex, now: number): void {
  const defined = table.attributeDefinitions.map((d) => d.AttributeName as string);
  if (table.indexes.some((i) => i.name === create.IndexName)) {
    throw invalidParameter(`Attempting to create an index which already exists: ${create.IndexName}`);
  }
  table.indexes.push({ ...validateIndex(create, defined, [], true, table.billingMode), createdAt: now });
}

function deleteIndex(table: TableRecord, name: string): void {
  const position = table.indexes.findIndex((i) => i.global && i.name === name);
  if (position < 0) throw new ResourceNotFoundException(`Requested resource not found: Index: ${name} not found`);
  table.indexes.splice(position, 1);
}
