import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchGetItemCommand, BatchWriteItemCommand, PutItemCommand, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  TransactGetCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { rejectsWith, useServer } from "../helpers.js";
import { clients, createTable, validationMessage } from "./fixtures.js";

const server = useServer();
const c = () => clients(server);

test("BatchWriteItem and BatchGetItem across tables, with consumed capacity", async () => {
  await createTable(server, "batch-a");
  await createTable(server, "batch-b", "N");
  const { doc } = c();
  const written = await doc.send(
    new BatchWriteCommand({
      RequestItems: {
        "batch-a": [{ PutRequest: { Item: { pk: "1", v: "x" } } }, { PutRequest: { Item: { pk: "2" } } }],
        "batch-b": [{ PutRequest: { Item: { pk: "p", sk: 1 } } }],
      },
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  assert.deepEqual(written.UnprocessedItems, {});
  assert.deepEqual(
    written.ConsumedCapacity?.map((x) => [x.TableName, x.CapacityUnits]),
    [
      ["batch-a", 2],
      ["batch-b", 1],
    ],
  );
  await doc.send(new BatchWriteCommand({ RequestItems: { "batch-a": [{ DeleteRequest: { Key: { pk: "2" } } }] } }));
  const got = await doc.send(
    new BatchGetCommand({
      RequestItems: {
        "batch-a": { Keys: [{ pk: "1" }, { pk: "2" }], ProjectionExpression: "v" },
        "batch-b": { Keys: [{ pk: "p", sk: 1 }], ConsistentRead: true },
      },
    }),
  );
  assert.deepEqual(got.Responses?.["batch-a"], [{ v: "x" }]);
  assert.deepEqual(got.Responses?.["batch-b"], [{ pk: "p", sk: 1 }]);
  assert.deepEqual(got.UnprocessedKeys, {});
});

test("batch limits and duplicate keys", async () => {
  await createTable(server, "batch-limits");
  const { ddb } = c();
  const puts = (n: number) => Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { pk: { S: `k${i}` } } } }));
  assert.equal(
    await validationMessage(ddb.send(new BatchWriteItemCommand({ RequestItems: { "batch-limits": puts(26) } }))),
    "Too many items requested for the BatchWriteItem call",
  );
  const dup = [{ PutRequest: { Item: { pk: { S: "same" } } } }, { DeleteRequest: { Key: { pk: { S: "same" } } } }];
  assert.equal(
    await validationMessage(ddb.send(new BatchWriteItemCommand({ RequestItems: { "batch-limits": dup } }))),
    "Provided list of item keys contains duplicates",
  );
  const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: { S: `k${i}` } }));
  assert.equal(
    await validationMessage(ddb.send(new BatchGetItemCommand({ RequestItems: { "batch-limits": { Keys: keys(101) } } }))),
    "Too many items requested for the BatchGetItem call",
  );
  assert.equal(
    await validationMessage(
      ddb.send(new BatchGetItemCommand({ RequestItems: { "batch-limits": { Keys: [{ pk: { S: "a" } }, { pk: { S: "a" } }] } } })),
    ),
    "Provided list of item keys contains duplicates",
  );
  await rejectsWith(ddb.send(new BatchWriteItemCommand({ RequestItems: { missing: puts(1) } })), "ResourceNotFoundException", 400);
  const invalidLater = [...puts(2), { PutRequest: { Item: { nokey: { S: "x" } } } }];
  await rejectsWith(ddb.send(new BatchWriteItemCommand({ RequestItems: { "batch-limits": invalidLater } })), "ValidationException", 400);
  const { Responses } = await ddb.send(new BatchGetItemCommand({ RequestItems: { "batch-limits": { Keys: keys(2) } } }));
  assert.deepEqual(Responses?.["batch-limits"], [], "nothing of a rejected batch was written");
});

test("TransactWriteItems is all-or-nothing with per-item CancellationReasons", async () => {
  await createTable(server, "accounts");
  const { doc } = c();
  await doc.send(new PutCommand({ TableName: "accounts", Item: { pk: "alice", balance: 100 } }));
  await doc.send(new PutCommand({ TableName: "accounts", Item: { pk: "bob", balance: 0 } }));
  const transfer = (amount: number) =>
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: "accounts",
            Key: { pk: "alice" },
            UpdateExpression: "SET balance = balance - :a",
            ConditionExpression: "balance >= :a",
            ExpressionAttributeValues: { ":a": amount },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          },
        },
        {
          Update: {
            TableName: "accounts",
            Key: { pk: "bob" },
            UpdateExpression: "SET balance = balance + :a",
            ExpressionAttributeValues: { ":a": amount },
          },
        },
        { Put: { TableName: "accounts", Item: { pk: `log-${amount}` } } },
      ],
    });
  await doc.send(transfer(60));
  const err = (await rejectsWith(doc.send(transfer(60)), "TransactionCanceledException", 400)) as Error & {
    CancellationReasons?: { Code: string; Item?: unknown }[];
  };
  assert.equal(
    err.message,
    "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]",
  );
  assert.equal(err.CancellationReasons?.[0].Code, "ConditionalCheckFailed");
  assert.deepEqual(err.CancellationReasons?.[0].Item, { pk: { S: "alice" }, balance: { N: "40" } });
  assert.equal((await doc.send(new GetCommand({ TableName: "accounts", Key: { pk: "bob" } }))).Item?.balance, 60);
  assert.equal((await doc.send(new GetCommand({ TableName: "accounts", Key: { pk: "log-60" } }))).Item?.pk, "log-60");
  const check = await rejectsWith(
    doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: "accounts",
              Key: { pk: "bob" },
              ConditionExpression: "balance > :x",
              ExpressionAttributeValues: { ":x": 100 },
            },
          },
          { Delete: { TableName: "accounts", Key: { pk: "alice" } } },
        ],
      }),
    ),
    "TransactionCanceledException",
    400,
  );
  assert.match(check.message, /\[ConditionalCheckFailed, None\]$/);
  assert.ok((await doc.send(new GetCommand({ TableName: "accounts", Key: { pk: "alice" } }))).Item);
  assert.equal(
    await validationMessage(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: "accounts", Item: { pk: "x" } } }, { Delete: { TableName: "accounts", Key: { pk: "x" } } }],
        }),
      ),
    ),
    "Transaction request cannot include multiple operations on one item",
  );
});

test("ClientRequestToken makes TransactWriteItems idempotent", async () => {
  await createTable(server, "idem");
  const { ddb, doc } = c();
  const write = (n: string) =>
    new TransactWriteItemsCommand({
      ClientRequestToken: "token-1",
      TransactItems: [
        {
          Update: {
            TableName: "idem",
            Key: { pk: { S: "c" } },
            UpdateExpression: "ADD n :n",
            ExpressionAttributeValues: { ":n": { N: n } },
          },
        },
      ],
    });
  await ddb.send(write("1"));
  await ddb.send(write("1"));
  assert.equal((await doc.send(new GetCommand({ TableName: "idem", Key: { pk: "c" } }))).Item?.n, 1);
  await rejectsWith(ddb.send(write("2")), "IdempotentParameterMismatchException", 400);
});

test("TransactGetItems reads several items at once", async () => {
  await createTable(server, "tget");
  const { ddb, doc } = c();
  await ddb.send(new PutItemCommand({ TableName: "tget", Item: { pk: { S: "a" }, v: { N: "1" } } }));
  const { Responses, ConsumedCapacity } = await doc.send(
    new TransactGetCommand({
      TransactItems: [{ Get: { TableName: "tget", Key: { pk: "a" } } }, { Get: { TableName: "tget", Key: { pk: "none" } } }],
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  assert.deepEqual(Responses, [{ Item: { pk: "a", v: 1 } }, {}]);
  assert.equal(ConsumedCapacity?.[0].CapacityUnits, 4);
});
