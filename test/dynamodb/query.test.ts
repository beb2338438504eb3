import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchWriteItemCommand, PutItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand as DocQuery, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { useServer } from "../helpers.js";
import { clients, createTable, validationMessage } from "./fixtures.js";

const server = useServer();
const c = () => clients(server);

test("numeric sort keys order numerically, in both directions, with key conditions", async () => {
  await createTable(server, "nums", "N");
  const { doc } = c();
  const values = [-10.5, -2, 0, 0.001, 1, 2, 10, 100, 12345.678];
  for (const sk of values) await doc.send(new PutCommand({ TableName: "nums", Item: { pk: "p", sk } }));
  await doc.send(new PutCommand({ TableName: "nums", Item: { pk: "other", sk: 5 } }));
  const sks = async (KeyConditionExpression: string, values: Record<string, unknown>, forward = true) => {
    const { Items } = await doc.send(
      new DocQuery({ TableName: "nums", KeyConditionExpression, ExpressionAttributeValues: values, ScanIndexForward: forward }),
    );
    return (Items ?? []).map((i) => i.sk);
  };
  assert.deepEqual(await sks("pk = :p", { ":p": "p" }), values);
  assert.deepEqual(await sks("pk = :p", { ":p": "p" }, false), [...values].reverse());
  assert.deepEqual(await sks("pk = :p AND sk BETWEEN :a AND :b", { ":p": "p", ":a": -2, ":b": 2 }), [-2, 0, 0.001, 1, 2]);
  assert.deepEqual(await sks("pk = :p AND sk > :a", { ":p": "p", ":a": 10 }), [100, 12345.678]);
  assert.deepEqual(await sks("pk = :p AND sk <= :a", { ":p": "p", ":a": 0 }, false), [0, -2, -10.5]);
});

test("string sort keys order by UTF-8 bytes and support begins_with", async () => {
  await createTable(server, "strs", "S");
  const { doc } = c();
  const keys = ["a", "ab", "abc", "b", "B", "é", "😀", "\uffff"];
  for (const sk of keys) await doc.send(new PutCommand({ TableName: "strs", Item: { pk: "p", sk } }));
  const { Items } = await doc.send(
    new DocQuery({ TableName: "strs", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "p" } }),
  );
  assert.deepEqual(
    Items?.map((i) => i.sk),
    [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
  );
  const prefixed = await doc.send(
    new DocQuery({
      TableName: "strs",
      KeyConditionExpression: "pk = :p AND begins_with(sk, :a)",
      ExpressionAttributeValues: { ":p": "p", ":a": "ab" },
    }),
  );
  assert.deepEqual(
    prefixed.Items?.map((i) => i.sk),
    ["ab", "abc"],
  );
});

test("Limit applies before the filter; pages chain through LastEvaluatedKey; Select COUNT", async () => {
  await createTable(server, "pages", "N");
  const { ddb, doc } = c();
  for (let i = 0; i < 10; i++) await doc.send(new PutCommand({ TableName: "pages", Item: { pk: "p", sk: i, even: i % 2 === 0 } }));
  const first = await doc.send(
    new DocQuery({
      TableName: "pages",
      KeyConditionExpression: "pk = :p",
      FilterExpression: "even = :t",
      ExpressionAttributeValues: { ":p": "p", ":t": true },
      Limit: 3,
    }),
  );
  assert.equal(first.ScannedCount, 3);
  assert.equal(first.Count, 2);
  assert.deepEqual(first.LastEvaluatedKey, { pk: "p", sk: 2 });
  const all: number[] = [];
  for await (const page of paginateQuery(
    { client: doc, pageSize: 4 },
    { TableName: "pages", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "p" }, ScanIndexForward: false },
  )) {
    all.push(...(page.Items ?? []).map((i) => i.sk));
  }
  assert.deepEqual(all, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  const count = await ddb.send(
    new QueryCommand({
      TableName: "pages",
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": { S: "p" } },
      Select: "COUNT",
    }),
  );
  assert.equal(count.Count, 10);
  assert.equal(count.Items, undefined);
});

test("a Query reads at most 1 MB per page", async () => {
  await createTable(server, "big", "N");
  const { ddb } = c();
  const blob = "x".repeat(100 * 1024);
  for (let batch = 0; batch < 2; batch++) {
    const requests = Array.from({ length: 12 }, (_, i) => ({
      PutRequest: { Item: { pk: { S: "p" }, sk: { N: String(batch * 12 + i) }, blob: { S: blob } } },
    }));
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { big: requests } }));
  }
  const page = await ddb.send(
    new QueryCommand({
      TableName: "big",
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": { S: "p" } },
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  assert.equal(page.Count, 11);
  assert.ok(page.LastEvaluatedKey);
  assert.equal(page.ConsumedCapacity?.CapacityUnits, Math.ceil((11 * (100 * 1024 + 4 + 2 + 2 + 2)) / 4096) / 2);
});

test("GSI and LSI queries with projections; sparse index; no consistent reads on GSIs", async () => {
  await createTable(server, "indexed", "S", {
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "status", AttributeType: "S" },
      { AttributeName: "when", AttributeType: "N" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: "byStatus",
        KeySchema: [
          { AttributeName: "status", KeyType: "HASH" },
          { AttributeName: "when", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["title"] },
      },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: "byWhen",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "when", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" },
      },
    ],
  });
  const { ddb, doc } = c();
  await doc.send(new PutCommand({ TableName: "indexed", Item: { pk: "u1", sk: "a", status: "open", when: 3, title: "t1", body: "b1" } }));
  await doc.send(new PutCommand({ TableName: "indexed", Item: { pk: "u1", sk: "b", status: "open", when: 1, title: "t2", body: "b2" } }));
  await doc.send(new PutCommand({ TableName: "indexed", Item: { pk: "u2", sk: "c", when: 2, title: "t3" } }));
  const gsi = await doc.send(
    new DocQuery({
      TableName: "indexed",
      IndexName: "byStatus",
      KeyConditionExpression: "#s = :o",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":o": "open" },
    }),
  );
  assert.deepEqual(gsi.Items, [
    { pk: "u1", sk: "b", status: "open", when: 1, title: "t2" },
    { pk: "u1", sk: "a", status: "open", when: 3, title: "t1" },
  ]);
  const lsi = await doc.send(
    new DocQuery({
      TableName: "indexed",
      IndexName: "byWhen",
      KeyConditionExpression: "pk = :u AND #w > :z",
      ExpressionAttributeNames: { "#w": "when" },
      ExpressionAttributeValues: { ":u": "u1", ":z": 0 },
    }),
  );
  assert.deepEqual(lsi.Items, [
    { pk: "u1", sk: "b", when: 1 },
    { pk: "u1", sk: "a", when: 3 },
  ]);
  assert.equal(
    await validationMessage(
      ddb.send(new PutItemCommand({ TableName: "indexed", Item: { pk: { S: "u3" }, sk: { S: "d" }, status: { N: "1" } } })),
    ),
    "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: N IndexName: byStatus",
  );
  assert.equal(
    await validationMessage(
      ddb.send(new PutItemCommand({ TableName: "indexed", Item: { pk: { S: "u3" }, sk: { S: "d" }, status: { S: "" } } })),
    ),
    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byStatus, IndexKey: status",
  );
  assert.equal(
    await validationMessage(
      ddb.send(
        new QueryCommand({
          TableName: "indexed",
          KeyConditionExpression: "pk = :u",
          ExpressionAttributeValues: { ":u": { S: "u1" } },
          ExclusiveStartKey: { pk: { S: "u1" } },
        }),
      ),
    ),
    "The provided starting key is invalid: The provided key element does not match the schema",
  );
  const scanned = await ddb.send(new ScanCommand({ TableName: "indexed", IndexName: "byStatus" }));
  assert.equal(scanned.Count, 2, "the GSI is sparse");
  assert.equal(
    await validationMessage(
      ddb.send(
        new QueryCommand({
          TableName: "indexed",
          IndexName: "byStatus",
          ConsistentRead: true,
          KeyConditionExpression: "#s = :o",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":o": { S: "open" } },
        }),
      ),
    ),
    "Consistent reads are not supported on global secondary indexes",
  );
  assert.equal(
    await validationMessage(
      ddb.send(
        new QueryCommand({
          TableName: "indexed",
          IndexName: "nope",
          KeyConditionExpression: "pk = :o",
          ExpressionAttributeValues: { ":o": { S: "open" } },
        }),
      ),
    ),
    "The table does not have the specified index: nope",
  );
  assert.equal(
    await validationMessage(ddb.send(new ScanCommand({ TableName: "indexed", Select: "SPECIFIC_ATTRIBUTES" }))),
    "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
  );
  assert.equal(
    await validationMessage(ddb.send(new ScanCommand({ TableName: "indexed", Select: "ALL_ATTRIBUTES", ProjectionExpression: "pk" }))),
    "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
  );
  assert.equal(
    await validationMessage(ddb.send(new ScanCommand({ TableName: "indexed", Select: "ALL_PROJECTED_ATTRIBUTES" }))),
    "ALL_PROJECTED_ATTRIBUTES can be used only when Scanning using an IndexName",
  );
});

test("key condition errors", async () => {
  await createTable(server, "keyconds", "S");
  const { ddb } = c();
  const q = (KeyConditionExpression: string, values: Record<string, unknown>) =>
    validationMessage(
      ddb.send(new QueryCommand({ TableName: "keyconds", KeyConditionExpression, ExpressionAttributeValues: values as never })),
    );
  const s = { ":a": { S: "a" } };
  assert.equal(await q("sk = :a", s), "Query condition missed key schema element: pk");
  assert.equal(await q("pk = :a OR sk = :a", s), "Invalid operator used in KeyConditionExpression: OR");
  assert.equal(await q("pk > :a", s), "Query key condition not supported");
  assert.equal(await q("pk = :a AND colour = :a", s), "Query condition missed key schema element: sk");
  assert.equal(
    await q("pk = :n", { ":n": { N: "1" } }),
    "One or more parameter values were invalid: Condition parameter type does not match schema type",
  );
  assert.equal(
    await validationMessage(ddb.send(new QueryCommand({ TableName: "keyconds" }))),
    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
  );
});

test("parallel Scan segments partition the table; segment validation", async () => {
  await createTable(server, "par");
  const { ddb, doc } = c();
  for (let i = 0; i < 30; i++) await doc.send(new PutCommand({ TableName: "par", Item: { pk: `k${i}` } }));
  const seen: string[] = [];
  for (let Segment = 0; Segment < 3; Segment++) {
    const { Items } = await ddb.send(new ScanCommand({ TableName: "par", Segment, TotalSegments: 3 }));
    seen.push(...(Items ?? []).map((i) => i.pk.S as string));
  }
  assert.equal(seen.length, 30);
  assert.equal(new Set(seen).size, 30);
  assert.equal(
    await validationMessage(ddb.send(new ScanCommand({ TableName: "par", Segment: 3, TotalSegments: 3 }))),
    "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3",
  );
  assert.equal(
    await validationMessage(ddb.send(new ScanCommand({ TableName: "par", Segment: 1 }))),
    "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
  );
  const page = await ddb.send(new ScanCommand({ TableName: "par", Limit: 7 }));
  const rest = await ddb.send(new ScanCommand({ TableName: "par", ExclusiveStartKey: page.LastEvaluatedKey }));
  assert.equal((page.Count ?? 0) + (rest.Count ?? 0), 30);
});
