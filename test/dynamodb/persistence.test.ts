import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { type Overcast, startOvercast } from "../../src/index.js";
import { credentials } from "../helpers.js";
import { tempDir } from "../state/fixtures.js";

const doc = (cloud: Overcast) =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1 }));

test("tables, items and index entries survive a restart on the same data dir", async (t) => {
  const dataDir = tempDir(t);
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  try {
    const client = doc(first);
    await client.send(
      new CreateTableCommand({
        TableName: "durable",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "N" },
          { AttributeName: "g", AttributeType: "S" },
        ],
        GlobalSecondaryIndexes: [
          { IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } },
        ],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    for (const sk of [10, 2, -1])
      await client.send(new PutCommand({ TableName: "durable", Item: { pk: "p", sk, g: "x", bin: new Uint8Array([sk & 255]) } }));
    await client.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: "durable", Item: { pk: "p", sk: 5 } } }] }));
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const client = doc(second);
  const { Items } = await client.send(
    new QueryCommand({ TableName: "durable", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "p" } }),
  );
  assert.deepEqual(
    Items?.map((i) => i.sk),
    [-1, 2, 5, 10],
  );
  assert.deepEqual(Items?.[0].bin, new Uint8Array([255]));
  const byG = await client.send(
    new QueryCommand({
      TableName: "durable",
      IndexName: "byG",
      KeyConditionExpression: "g = :g",
      ExpressionAttributeValues: { ":g": "x" },
    }),
  );
  assert.equal(byG.Count, 3);
});
