import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateTableCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { rejectsWith, useServer } from "../helpers.js";

const throttling = useServer({ dynamodbThrottling: true });
const plain = useServer();

const big = { S: "x".repeat(300 * 1024) };

async function provisionedTable(client: DynamoDBClient, name: string, units: number) {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      ProvisionedThroughput: { ReadCapacityUnits: units, WriteCapacityUnits: units },
    }),
  );
}

test("with --dynamodb-throttling, a provisioned table throttles once its 300 s of burst is spent", async () => {
  const ddb = new DynamoDBClient(throttling.clientConfig());
  await provisionedTable(ddb, "thr", 1);
  // 1 WCU × 300 s of burst: one 300 KB write (300 units) spends it all.
  const first = await ddb.send(new PutItemCommand({ TableName: "thr", Item: { pk: { S: "a" }, data: big } }));
  assert.equal(first.ConsumedCapacity, undefined, "capacity is only reported when asked for");
  const err = await rejectsWith(
    ddb.send(new PutItemCommand({ TableName: "thr", Item: { pk: { S: "b" } } })),
    "ProvisionedThroughputExceededException",
    400,
  );
  assert.match(err.message, /^The level of configured provisioned throughput for the table was exceeded/);
  // Reads have their own bucket: 300 RCU of burst; a consistent read of the item (just over 300 KB) costs 76.
  for (let i = 0; i < 4; i++) {
    const read = await ddb.send(
      new GetItemCommand({ TableName: "thr", Key: { pk: { S: "a" } }, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
    );
    assert.deepEqual(read.ConsumedCapacity, { TableName: "thr", CapacityUnits: 76, ReadCapacityUnits: 76 });
  }
  await rejectsWith(
    ddb.send(new GetItemCommand({ TableName: "thr", Key: { pk: { S: "a" } }, ConsistentRead: true })),
    "ProvisionedThroughputExceededException",
    400,
  );
  // PartiQL draws on the same buckets.
  await rejectsWith(
    ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "thr" WHERE pk = 'a'` })),
    "ProvisionedThroughputExceededException",
    400,
  );
  // The bucket refills at the provisioned rate: after raising it to 1000 WCU, one second pays off the debt.
  await ddb.send(
    new UpdateTableCommand({ TableName: "thr", ProvisionedThroughput: { ReadCapacityUnits: 1000, WriteCapacityUnits: 1000 } }),
  );
  await new Promise((r) => setTimeout(r, 1100));
  await ddb.send(new PutItemCommand({ TableName: "thr", Item: { pk: { S: "c" } } }));
});

test("on-demand tables never throttle, and throttling is off by default", async () => {
  const ddb = new DynamoDBClient(throttling.clientConfig());
  await ddb.send(
    new CreateTableCommand({
      TableName: "ondemand",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (let i = 0; i < 3; i++) await ddb.send(new PutItemCommand({ TableName: "ondemand", Item: { pk: { S: `k${i}` }, data: big } }));
  const off = new DynamoDBClient(plain.clientConfig());
  await provisionedTable(off, "thr", 1);
  for (let i = 0; i < 3; i++) await off.send(new PutItemCommand({ TableName: "thr", Item: { pk: { S: `k${i}` }, data: big } }));
});
