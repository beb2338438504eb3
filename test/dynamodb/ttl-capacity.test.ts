import assert from "node:assert/strict";
import { test } from "node:test";
import { DescribeTableCommand, PutItemCommand, UpdateItemCommand, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { useServer } from "../helpers.js";
import { clients, createTable } from "./fixtures.js";

const server = useServer();
const c = () => clients(server);

test("expired items vanish from reads at once and are swept from the table", async () => {
  await createTable(server, "sessions");
  const { ddb, doc } = c();
  const now = Math.floor(Date.now() / 1000);
  await doc.send(new PutCommand({ TableName: "sessions", Item: { pk: "old", exp: now - 60 } }));
  await doc.send(new PutCommand({ TableName: "sessions", Item: { pk: "new", exp: now + 3600 } }));
  await doc.send(new PutCommand({ TableName: "sessions", Item: { pk: "ancient", exp: now - 6 * 365 * 24 * 3600 } }));
  assert.ok((await doc.send(new GetCommand({ TableName: "sessions", Key: { pk: "old" } }))).Item, "TTL is not enabled yet");
  await ddb.send(new UpdateTimeToLiveCommand({ TableName: "sessions", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } }));
  assert.equal((await doc.send(new GetCommand({ TableName: "sessions", Key: { pk: "old" } }))).Item, undefined);
  const { Items } = await doc.send(new ScanCommand({ TableName: "sessions" }));
  assert.deepEqual(Items?.map((i) => i.pk).sort(), ["ancient", "new"], "values over five years old are ignored, as AWS does");
  let count: number | undefined;
  for (let i = 0; i < 40 && count !== 2; i++) {
    await new Promise((r) => setTimeout(r, 250));
    count = (await ddb.send(new DescribeTableCommand({ TableName: "sessions" }))).Table?.ItemCount;
  }
  assert.equal(count, 2);
});

test("ConsumedCapacity follows AWS's unit rules, with INDEXES detail and item collection metrics", async () => {
  await createTable(server, "cap", "S", {
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "g", AttributeType: "S" },
    ],
    GlobalSecondaryIndexes: [
      { IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: "byPkG",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "g", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" },
      },
    ],
  });
  const { ddb, doc } = c();
  const big = "x".repeat(1500);
  const put = await ddb.send(
    new PutItemCommand({
      TableName: "cap",
      Item: { pk: { S: "p" }, sk: { S: "s" }, g: { S: "g" }, body: { S: big } },
      ReturnConsumedCapacity: "INDEXES",
      ReturnItemCollectionMetrics: "SIZE",
    }),
  );
  assert.equal(put.ConsumedCapacity?.Table?.CapacityUnits, 2);
  assert.equal(put.ConsumedCapacity?.GlobalSecondaryIndexes?.byG.CapacityUnits, 2);
  assert.equal(put.ConsumedCapacity?.LocalSecondaryIndexes?.byPkG.CapacityUnits, 1);
  assert.equal(put.ConsumedCapacity?.CapacityUnits, 5);
  assert.deepEqual(put.ItemCollectionMetrics, { ItemCollectionKey: { pk: { S: "p" } }, SizeEstimateRangeGB: [0, 1] });
  const eventual = await doc.send(new GetCommand({ TableName: "cap", Key: { pk: "p", sk: "s" }, ReturnConsumedCapacity: "TOTAL" }));
  assert.equal(eventual.ConsumedCapacity?.CapacityUnits, 0.5);
  const strong = await doc.send(
    new GetCommand({ TableName: "cap", Key: { pk: "p", sk: "s" }, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
  );
  assert.equal(strong.ConsumedCapacity?.CapacityUnits, 1);
  const update = await ddb.send(
    new UpdateItemCommand({
      TableName: "cap",
      Key: { pk: { S: "p" }, sk: { S: "s" } },
      UpdateExpression: "REMOVE body",
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  assert.equal(update.ConsumedCapacity?.CapacityUnits, 2 + 2 + 1, "writes are charged on the larger of old and new");
});
