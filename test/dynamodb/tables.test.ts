import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeEndpointsCommand,
  DescribeLimitsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const ddb = () => new DynamoDBClient(server.clientConfig());

const simple = (name: string): CreateTableCommandInput => ({
  TableName: name,
  KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
  BillingMode: "PAY_PER_REQUEST",
});

async function validationMessage(input: CreateTableCommandInput): Promise<string> {
  const err = await rejectsWith(ddb().send(new CreateTableCommand(input)), "ValidationException", 400);
  return err.message;
}

test("CreateTable describes an ACTIVE table with ARN, id, key schema and indexes", async () => {
  const { TableDescription: t } = await ddb().send(
    new CreateTableCommand({
      TableName: "orders",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
        { AttributeName: "gpk", AttributeType: "S" },
        { AttributeName: "lsk", AttributeType: "S" },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 6 },
      GlobalSecondaryIndexes: [
        {
          IndexName: "byG",
          KeySchema: [{ AttributeName: "gpk", KeyType: "HASH" }],
          Projection: { ProjectionType: "KEYS_ONLY" },
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: "byL",
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "lsk", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
      Tags: [{ Key: "team", Value: "a" }],
    }),
  );
  assert.equal(t?.TableStatus, "ACTIVE");
  assert.equal(t?.TableArn, "arn:aws:dynamodb:us-east-1:000000000000:table/orders");
  assert.match(t?.TableId ?? "", /^[0-9a-f-]{36}$/);
  assert.deepEqual(t?.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 5, WriteCapacityUnits: 6 });
  assert.equal(t?.GlobalSecondaryIndexes?.[0].IndexStatus, "ACTIVE");
  assert.equal(t?.GlobalSecondaryIndexes?.[0].IndexArn, `${t?.TableArn}/index/byG`);
  assert.equal(t?.LocalSecondaryIndexes?.[0].IndexName, "byL");
  assert.equal(t?.ItemCount, 0);
  await ddb().send(new PutItemCommand({ TableName: "orders", Item: { pk: { S: "a" }, sk: { N: "1" }, gpk: { S: "g" } } }));
  const { Table } = await ddb().send(new DescribeTableCommand({ TableName: "orders" }));
  assert.equal(Table?.ItemCount, 1);
  assert.equal(Table?.TableSizeBytes, 2 + 1 + 2 + 2 + 3 + 1);
  assert.equal(Table?.GlobalSecondaryIndexes?.[0].ItemCount, 1);
  assert.equal(Table?.LocalSecondaryIndexes?.[0].ItemCount, 0);
  await rejectsWith(ddb().send(new CreateTableCommand(simple("orders"))), "ResourceInUseException", 400);
});

test("CreateTable rejects inconsistent key schemas with AWS's messages", async () => {
  assert.equal(
    await validationMessage({ ...simple("bad1"), AttributeDefinitions: [{ AttributeName: "x", AttributeType: "S" }] }),
    "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [x]",
  );
  assert.equal(
    await validationMessage({
      ...simple("bad2"),
      AttributeDefinitions: [
        { AttributeName: "id", AttributeType: "S" },
        { AttributeName: "x", AttributeType: "S" },
      ],
    }),
    "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
  );
  assert.equal(
    await validationMessage({ ...simple("bad3"), KeySchema: [{ AttributeName: "id", KeyType: "RANGE" }] }),
    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
  );
  assert.equal(
    await validationMessage({ ...simple("bad4"), BillingMode: "PROVISIONED" }),
    "No provisioned throughput specified for the table",
  );
  assert.equal(
    await validationMessage({ ...simple("bad5"), ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }),
    "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
  );
  assert.equal(
    await validationMessage({ ...simple("ab") }),
    "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
  );
  assert.equal(
    await validationMessage({
      ...simple("bad6"),
      LocalSecondaryIndexes: [
        { IndexName: "lsi", KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } },
      ],
    }),
    "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
  );
});

test("ListTables pages with Limit and LastEvaluatedTableName", async () => {
  for (const name of ["page-a", "page-b", "page-c"]) await ddb().send(new CreateTableCommand(simple(name)));
  const first = await ddb().send(new ListTablesCommand({ ExclusiveStartTableName: "orders", Limit: 2 }));
  assert.deepEqual(first.TableNames, ["page-a", "page-b"]);
  assert.equal(first.LastEvaluatedTableName, "page-b");
  const second = await ddb().send(new ListTablesCommand({ ExclusiveStartTableName: "page-b", Limit: 2 }));
  assert.deepEqual(second.TableNames, ["page-c"]);
  assert.equal(second.LastEvaluatedTableName, undefined);
  await rejectsWith(ddb().send(new ListTablesCommand({ Limit: 0 })), "ValidationException", 400);
});

test("DeleteTable removes the table and its items; unknown tables are ResourceNotFoundException", async () => {
  await ddb().send(new CreateTableCommand(simple("gone")));
  await ddb().send(new PutItemCommand({ TableName: "gone", Item: { id: { S: "1" } } }));
  const { TableDescription } = await ddb().send(new DeleteTableCommand({ TableName: "gone" }));
  assert.equal(TableDescription?.TableStatus, "DELETING");
  const err = await rejectsWith(ddb().send(new DescribeTableCommand({ TableName: "gone" })), "ResourceNotFoundException", 400);
  assert.equal(err.message, "Requested resource not found: Table: gone not found");
  await ddb().send(new CreateTableCommand(simple("gone")));
  const { Table } = await ddb().send(new DescribeTableCommand({ TableName: "gone" }));
  assert.equal(Table?.ItemCount, 0);
});

test("UpdateTable switches billing, changes throughput and adds a backfilled GSI", async () => {
  await ddb().send(
    new CreateTableCommand({
      ...simple("upd"),
      BillingMode: "PROVISIONED",
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    }),
  );
  await ddb().send(new PutItemCommand({ TableName: "upd", Item: { id: { S: "1" }, color: { S: "red" } } }));
  const same = await rejectsWith(
    ddb().send(new UpdateTableCommand({ TableName: "upd", ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } })),
    "ValidationException",
    400,
  );
  assert.match(same.message, /^The provisioned throughput for the table will not change/);
  const up = await ddb().send(
    new UpdateTableCommand({ TableName: "upd", ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 1 } }),
  );
  assert.equal(up.TableDescription?.ProvisionedThroughput?.ReadCapacityUnits, 3);
  assert.ok(up.TableDescription?.ProvisionedThroughput?.LastIncreaseDateTime instanceof Date);
  await ddb().send(
    new UpdateTableCommand({
      TableName: "upd",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "color", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [
        {
          Create: { IndexName: "byColor", KeySchema: [{ AttributeName: "color", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } },
        },
      ],
    }),
  );
  const { Table } = await ddb().send(new DescribeTableCommand({ TableName: "upd" }));
  assert.equal(Table?.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
  assert.equal(Table?.GlobalSecondaryIndexes?.[0].ItemCount, 1);
  const { Items } = await ddb().send(
    new QueryCommand({
      TableName: "upd",
      IndexName: "byColor",
      KeyConditionExpression: "color = :c",
      ExpressionAttributeValues: { ":c": { S: "red" } },
    }),
  );
  assert.deepEqual(Items, [{ id: { S: "1" }, color: { S: "red" } }]);
  await ddb().send(new UpdateTableCommand({ TableName: "upd", GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byColor" } }] }));
  const after = await ddb().send(new DescribeTableCommand({ TableName: "upd" }));
  assert.equal(after.Table?.GlobalSecondaryIndexes, undefined);
});

test("tags, limits, endpoints and time to live", async () => {
  const { TableDescription } = await ddb().send(new CreateTableCommand(simple("tagged")));
  const arn = TableDescription?.TableArn as string;
  await ddb().send(
    new TagResourceCommand({
      ResourceArn: arn,
      Tags: [
        { Key: "a", Value: "1" },
        { Key: "b", Value: "2" },
      ],
    }),
  );
  await ddb().send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["a"] }));
  const { Tags } = await ddb().send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
  assert.deepEqual(Tags, [{ Key: "b", Value: "2" }]);
  await rejectsWith(ddb().send(new ListTagsOfResourceCommand({ ResourceArn: `${arn}x` })), "ResourceNotFoundException", 400);
  const limits = await ddb().send(new DescribeLimitsCommand({}));
  assert.equal(limits.TableMaxReadCapacityUnits, 40000);
  const endpoints = await ddb().send(new DescribeEndpointsCommand({}));
  assert.equal(endpoints.Endpoints?.[0].CachePeriodInMinutes, 1440);
  const before = await ddb().send(new DescribeTimeToLiveCommand({ TableName: "tagged" }));
  assert.equal(before.TimeToLiveDescription?.TimeToLiveStatus, "DISABLED");
  await ddb().send(new UpdateTimeToLiveCommand({ TableName: "tagged", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } }));
  const again = await rejectsWith(
    ddb().send(new UpdateTimeToLiveCommand({ TableName: "tagged", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } })),
    "ValidationException",
    400,
  );
  assert.equal(again.message, "TimeToLive is already enabled");
  const after = await ddb().send(new DescribeTimeToLiveCommand({ TableName: "tagged" }));
  assert.deepEqual(after.TimeToLiveDescription, { TimeToLiveStatus: "ENABLED", AttributeName: "exp" });
});
