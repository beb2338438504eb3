import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BatchGetItemCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { ITEM_COLLECTION_LIMIT_BYTES, checkItemCollection, itemCollectionSize } from "../../src/services/dynamodb/limits.js";
import { type TableRecord, storageKey, writeItem } from "../../src/services/dynamodb/storage.js";
import { MemoryBackend } from "../../src/state/store.js";
import { useServer } from "../helpers.js";
import { clients, createTable, validationMessage } from "./fixtures.js";

const server = useServer();
const c = () => clients(server);
const big = (n: number) => "x".repeat(n * 1024);
const TRANSACTION_MESSAGE = "The aggregate size of the items in the transaction exceeded 4 MB";

test("TransactWriteItems and TransactGetItems refuse more than 4 MB of items; nothing is written", async () => {
  await createTable(server, "lim-tx");
  const { ddb, doc } = c();
  const puts = Array.from({ length: 11 }, (_, i) => ({
    Put: { TableName: "lim-tx", Item: { pk: { S: `p${i}` }, data: { S: big(390) } } },
  }));
  assert.equal(await validationMessage(ddb.send(new TransactWriteItemsCommand({ TransactItems: puts }))), TRANSACTION_MESSAGE);
  assert.equal((await ddb.send(new GetItemCommand({ TableName: "lim-tx", Key: { pk: { S: "p0" } } }))).Item, undefined);
  // Ten such items (3.9 MB) are fine.
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: puts.slice(0, 10) }));
  await doc.send(new PutCommand({ TableName: "lim-tx", Item: { pk: "p10", data: big(390) } }));
  const gets = Array.from({ length: 11 }, (_, i) => ({ Get: { TableName: "lim-tx", Key: { pk: { S: `p${i}` } } } }));
  assert.equal(await validationMessage(ddb.send(new TransactGetItemsCommand({ TransactItems: gets }))), TRANSACTION_MESSAGE);
  const { Responses } = await ddb.send(new TransactGetItemsCommand({ TransactItems: gets.slice(0, 10) }));
  assert.equal(Responses?.filter((r) => r.Item).length, 10);
  const statements = Array.from({ length: 11 }, (_, i) => ({ Statement: `SELECT * FROM "lim-tx" WHERE pk = 'p${i}'` }));
  assert.equal(await validationMessage(ddb.send(new ExecuteTransactionCommand({ TransactStatements: statements }))), TRANSACTION_MESSAGE);
});

test("BatchGetItem stops at 16 MB of items and returns the rest as UnprocessedKeys", async () => {
  await createTable(server, "lim-batch");
  const { ddb, doc } = c();
  for (let i = 0; i < 45; i++) await doc.send(new PutCommand({ TableName: "lim-batch", Item: { pk: `k${i}`, data: big(390) } }));
  const Keys = Array.from({ length: 45 }, (_, i) => ({ pk: { S: `k${i}` } }));
  const first = await ddb.send(new BatchGetItemCommand({ RequestItems: { "lim-batch": { Keys, ProjectionExpression: "pk" } } }));
  const got = first.Responses?.["lim-batch"]?.length ?? 0;
  const unprocessed = first.UnprocessedKeys?.["lim-batch"]?.Keys ?? [];
  assert.ok(got > 0 && got < 45, `got ${got}`);
  assert.equal(got + unprocessed.length, 45);
  // The limit counts the items read, not the projected response: 16 MB / 390 KB.
  assert.equal(got, Math.ceil((16 * 1024 * 1024) / (390 * 1024 + 6)));
  assert.equal(first.UnprocessedKeys?.["lim-batch"]?.ProjectionExpression, "pk");
  const second = await ddb.send(new BatchGetItemCommand({ RequestItems: { "lim-batch": { Keys: unprocessed } } }));
  assert.equal(second.Responses?.["lim-batch"]?.length, unprocessed.length);
  assert.deepEqual(second.UnprocessedKeys, {});
});

/** A table with a local secondary index, outside any server: the collection check is a plain function. */
function lsiTable(): TableRecord {
  return {
    name: "collections",
    generation: 1,
    keySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    attributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "at", AttributeType: "S" },
    ],
    indexes: [
      {
        name: "byAt",
        global: false,
        keySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "at", KeyType: "RANGE" },
        ],
        projection: { ProjectionType: "ALL" },
        createdAt: 0,
      },
    ],
  } as unknown as TableRecord;
}

test("item collections: sizes are tracked on the write path and the 10 GB check refuses growth past the limit", () => {
  assert.equal(ITEM_COLLECTION_LIMIT_BYTES, 10 * 1024 ** 3);
  const backend = new MemoryBackend();
  const scope = (account: string, region: string) => backend.scope({ service: "dynamodb", account, region });
  const ctx = { store: scope("1", "r"), runtime: { now: () => Date.now(), storeFor: scope } };
  const table = lsiTable();
  const put = (item: Record<string, { S: string }>, old?: Record<string, { S: string }>) =>
    writeItem(ctx, table, storageKey(table.keySchema, item), old, item);
  const a1 = { pk: { S: "a" }, sk: { S: "1" }, at: { S: "t" }, data: { S: "x".repeat(1000) } };
  const a2 = { pk: { S: "a" }, sk: { S: "2" }, data: { S: "y".repeat(500) } };
  put(a1);
  put(a2);
  put({ pk: { S: "b" }, sk: { S: "1" } });
  const sizeOfA = itemCollectionSize(ctx, table, a1);
  assert.equal(sizeOfA, 1000 + 2 + 1 + 2 + 1 + 2 + 1 + 4 + 500 + 2 + 1 + 2 + 1 + 4);
  // A limit (injected: the service uses 10 GB) that the next 100 bytes would cross.
  const limit = sizeOfA + 50;
  const grown = { ...a2, data: { S: "y".repeat(600) } };
  assert.throws(() => checkItemCollection(ctx, table, a2, grown, limit), { name: "ItemCollectionSizeLimitExceededException" });
  // Shrinking, same size, or another partition pass.
  checkItemCollection(ctx, table, a2, { ...a2, data: { S: "y".repeat(10) } }, limit);
  checkItemCollection(ctx, table, undefined, { pk: { S: "b" }, sk: { S: "2" }, data: { S: "z".repeat(100) } }, limit);
  // Deletes shrink the total.
  writeItem(ctx, table, storageKey(table.keySchema, a1), a1, undefined);
  assert.equal(itemCollectionSize(ctx, table, a2), sizeOfA - (1000 + 2 + 1 + 2 + 1 + 2 + 1 + 4));
  checkItemCollection(ctx, table, a2, grown, limit);
  // Tables without local indexes are not limited.
  const plain = { ...table, indexes: [] } as TableRecord;
  checkItemCollection(ctx, plain, undefined, grown, 1);
});
