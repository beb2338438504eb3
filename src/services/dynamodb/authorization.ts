import type { ConditionContext } from "../../iam/conditions.js";
import type { ActionCheck, AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { hashKeyOf, tableNameOf, tables } from "./storage.js";

const tableArn = (ctx: RequestContext, nameOrArn: unknown) =>
  typeof nameOrArn === "string" && nameOrArn.startsWith("arn:")
    ? nameOrArn
    : `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${String(nameOrArn)}`;

/** The table, or with IndexName the index (`…:table/T/index/I`), as AWS authorizes queries and scans. */
const targetArn = (i: OperationInput, ctx: RequestContext) =>
  i.IndexName === undefined ? tableArn(ctx, i.TableName) : `${tableArn(ctx, i.TableName)}/index/${i.IndexName}`;

type AttributeMap = Record<string, Record<string, unknown>>;

/** A key attribute's value as condition keys see it: strings and numbers as written, binaries base64. */
function scalarText(value: Record<string, unknown> | undefined): string | undefined {
  if (!value) return undefined;
  const raw = value.S ?? value.N ?? value.B;
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString("base64");
  return raw === undefined ? undefined : String(raw);
}

/** The partition key attribute of the table or of the queried index. */
function partitionKeyName(ctx: RequestContext, tableName: unknown, indexName?: unknown): string | undefined {
  const table = tables(ctx).get(tableNameOf(String(tableName)) ?? "");
  if (!table) return undefined;
  const index = indexName === undefined ? undefined : table.indexes.find((x) => x.name === indexName);
  return hashKeyOf((index ?? table).keySchema);
}

/** The partition key value a query's key condition fixes (`pk = :v`, `#pk = :v` or legacy KeyConditions). */
function queriedPartition(i: OperationInput, hashKey: string): string | undefined {
  const legacy = (i.KeyConditions as Record<string, { AttributeValueList?: Record<string, unknown>[] }> | undefined)?.[hashKey];
  if (legacy) return scalarText(legacy.AttributeValueList?.[0]);
  if (typeof i.KeyConditionExpression !== "string") return undefined;
  const names = (i.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (i.ExpressionAttributeValues ?? {}) as AttributeMap;
  for (const m of i.KeyConditionExpression.matchAll(/([#:]?[\w.-]+)\s*=\s*([#:]?[\w.-]+)/g)) {
    const [left, right] = [m[1], m[2]];
    const nameOf = (token: string) => (token.startsWith("#") ? names[token] : token);
    if (nameOf(left) === hashKey && right.startsWith(":")) return scalarText(values[right]);
    if (nameOf(right) === hashKey && left.startsWith(":")) return scalarText(values[left]);
  }
  return undefined;
}

/** Top-level attribute names a projection or update expression names. */
function expressionAttributes(expression: unknown, names: Record<string, string> | undefined): string[] {
  if (typeof expression !== "string") return [];
  const out: string[] = [];
  for (const m of expression.matchAll(/(?:^|[\s,(=+-])(#?[A-Za-z_][\w]*)(?=[\s.[,)=+-]|$)/g)) {
    const token = m[1];
    if (/^(SET|REMOVE|ADD|DELETE|if_not_exists|list_append|AND|OR|NOT|BETWEEN|IN|size)$/i.test(token)) continue;
    out.push(token.startsWith("#") ? (names?.[token] ?? token) : token);
  }
  return out;
}

/** dynamodb:LeadingKeys, dynamodb:Attributes and the request's option keys, for one item-level request. */
function itemKeys(i: OperationInput, ctx: RequestContext): ConditionContext {
  const hashKey = partitionKeyName(ctx, i.TableName, i.IndexName);
  const item = (i.Item ?? i.Key) as AttributeMap | undefined;
  const leading = hashKey === undefined ? undefined : item ? scalarText(item[hashKey]) : queriedPartition(i, hashKey);
  const names = i.ExpressionAttributeNames as Record<string, string> | undefined;
  const attributes = new Set<string>([
    ...Object.keys(item ?? {}),
    ...(i.AttributesToGet ?? []),
    ...Object.keys(i.AttributeUpdates ?? {}),
    ...expressionAttributes(i.ProjectionExpression, names),
    ...expressionAttributes(i.UpdateExpression, names),
  ]);
  return {
    "dynamodb:leadingkeys": leading === undefined ? undefined : [leading],
    "dynamodb:attributes": attributes.size ? [...attributes] : undefined,
    "dynamodb:select": i.Select,
    "dynamodb:returnvalues": i.ReturnValues,
    "dynamodb:returnconsumedcapacity": i.ReturnConsumedCapacity,
  };
}

const onTable = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [tableArn(ctx, i.TableName ?? i.ResourceArn)],
  resourceTags: (i, ctx) => tables(ctx).get(tableNameOf(String(i.TableName ?? i.ResourceArn)) ?? "")?.tags,
  ...extra,
});

const onBackup = (action: string): OperationAuthorization => ({ action, resources: (i) => [String(i.BackupArn)] });

const onItem = (action: string): OperationAuthorization =>
  onTable(action, { resources: (i, ctx) => [targetArn(i, ctx)], context: itemKeys });

/** Batch requests need the batch action on every table they name; the leading keys of all their items count. */
function batchKeys(i: OperationInput, ctx: RequestContext): ConditionContext {
  const leading = new Set<string>();
  for (const [table, request] of Object.entries((i.RequestItems ?? {}) as Record<string, unknown>)) {
    const hashKey = partitionKeyName(ctx, table);
    const keys = Array.isArray(request)
      ? request.map((w) => (w.PutRequest?.Item ?? w.DeleteRequest?.Key) as AttributeMap)
      : ((request as { Keys?: AttributeMap[] }).Keys ?? []);
    for (const key of keys) {
      const value = hashKey === undefined ? undefined : scalarText(key?.[hashKey]);
      if (value !== undefined) leading.add(value);
    }
  }
  return { "dynamodb:leadingkeys": leading.size ? [...leading] : undefined };
}

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
  Get: "dynamodb:GetItem",
};

/** A transaction needs each element's own item action on its table. */
function transactChecks(i: OperationInput, ctx: RequestContext): ActionCheck[] {
  return ((i.TransactItems ?? []) as Record<string, { TableName?: string }>[]).flatMap((element) =>
    Object.entries(element).map(([kind, body]) => ({
      action: TRANSACT_ACTIONS[kind] ?? `dynamodb:${kind}`,
      resources: [tableArn(ctx, body.TableName)],
    })),
  );
}

function transactKeys(i: OperationInput, ctx: RequestContext): ConditionContext {
  const leading = new Set<string>();
  for (const element of (i.TransactItems ?? []) as Record<string, OperationInput>[]) {
    for (const body of Object.values(element)) {
      const value = itemKeys(body, ctx)["dynamodb:leadingkeys"];
      for (const v of Array.isArray(value) ? value : []) leading.add(v);
    }
  }
  return { "dynamodb:leadingkeys": leading.size ? [...leading] : undefined };
}

/** The declared action names the typical element; the checks are the elements' own (`also`). */
const transaction = (typicalAction: string): OperationAuthorization => ({
  action: typicalAction,
  resources: () => [],
  also: transactChecks,
  context: transactKeys,
});

const PARTIQL_ACTIONS: Record<string, string> = {
  SELECT: "dynamodb:PartiQLSelect",
  INSERT: "dynamodb:PartiQLInsert",
  UPDATE: "dynamodb:PartiQLUpdate",
  DELETE: "dynamodb:PartiQLDelete",
};

/** A PartiQL statement's action (by its verb) and table (`FROM "T"`, `INTO "T"`, `UPDATE "T"`, optionally `."index"`). */
function partiqlCheck(statement: unknown, ctx: RequestContext): ActionCheck {
  const text = String(statement ?? "").trim();
  const verb = /^\w+/.exec(text)?.[0].toUpperCase() ?? "";
  const target =
    /^(?:SELECT\b[\s\S]*?\bFROM|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+("(?:[^"]|"")+"|[\w.-]+)(?:\.("(?:[^"]|"")+"|[\w.-]+))?/i.exec(text);
  const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name);
  const table = target ? tableArn(ctx, unquote(target[1])) : "*";
  const resource = target?.[2] ? `${table}/index/${unquote(target[2])}` : table;
  return { action: PARTIQL_ACTIONS[verb] ?? "dynamodb:PartiQLSelect", resources: [resource] };
}

/** PartiQL requests need each statement's own PartiQL action on its table. */
const partiql = (statements: (i: OperationInput) => unknown[]): OperationAuthorization => ({
  action: "dynamodb:PartiQLSelect",
  resources: () => [],
  also: (i, ctx) => statements(i).map((s) => partiqlCheck(s, ctx)),
});

export const authorization: AuthorizationTable = {
  ExecuteStatement: partiql((i) => [i.Statement]),
  BatchExecuteStatement: partiql((i) => (i.Statements ?? []).map((s: { Statement?: string }) => s.Statement)),
  ExecuteTransaction: partiql((i) => (i.TransactStatements ?? []).map((s: { Statement?: string }) => s.Statement)),
  CreateTable: onTable("dynamodb:CreateTable"),
  DescribeTable: onTable("dynamodb:DescribeTable"),
  ListTables: { action: "dynamodb:ListTables" },
  DeleteTable: onTable("dynamodb:DeleteTable"),
  UpdateTable: onTable("dynamodb:UpdateTable"),
  TagResource: onTable("dynamodb:TagResource"),
  UntagResource: onTable("dynamodb:UntagResource"),
  ListTagsOfResource: onTable("dynamodb:ListTagsOfResource"),
  DescribeLimits: { action: "dynamodb:DescribeLimits" },
  DescribeEndpoints: { action: "dynamodb:DescribeEndpoints" },
  UpdateTimeToLive: onTable("dynamodb:UpdateTimeToLive"),
  DescribeTimeToLive: onTable("dynamodb:DescribeTimeToLive"),
  PutItem: onItem("dynamodb:PutItem"),
  GetItem: onItem("dynamodb:GetItem"),
  UpdateItem: onItem("dynamodb:UpdateItem"),
  DeleteItem: onItem("dynamodb:DeleteItem"),
  Query: onItem("dynamodb:Query"),
  Scan: onItem("dynamodb:Scan"),
  BatchGetItem: {
    action: "dynamodb:BatchGetItem",
    resources: (i, ctx) => Object.keys(i.RequestItems ?? {}).map((t) => tableArn(ctx, t)),
    context: batchKeys,
  },
  BatchWriteItem: {
    action: "dynamodb:BatchWriteItem",
    resources: (i, ctx) => Object.keys(i.RequestItems ?? {}).map((t) => tableArn(ctx, t)),
    context: batchKeys,
  },
  TransactWriteItems: transaction("dynamodb:PutItem"),
  TransactGetItems: transaction("dynamodb:GetItem"),
  CreateBackup: onTable("dynamodb:CreateBackup"),
  DescribeContinuousBackups: onTable("dynamodb:DescribeContinuousBackups"),
  UpdateContinuousBackups: onTable("dynamodb:UpdateContinuousBackups"),
  ListBackups: { action: "dynamodb:ListBackups" },
  DeleteBackup: onBackup("dynamodb:DeleteBackup"),
  DescribeBackup: onBackup("dynamodb:DescribeBackup"),
  // Restores act on the backup (or source table) and create the target table.
  RestoreTableFromBackup: {
    ...onBackup("dynamodb:RestoreTableFromBackup"),
    also: (i, ctx) => [{ action: "dynamodb:RestoreTableFromBackup", resources: [tableArn(ctx, i.TargetTableName)] }],
  },
  RestoreTableToPointInTime: {
    action: "dynamodb:RestoreTableToPointInTime",
    resources: (i, ctx) => [i.SourceTableArn ?? tableArn(ctx, i.SourceTableName), tableArn(ctx, i.TargetTableName)],
  },
};
