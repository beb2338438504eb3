import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BatchExecuteStatementCommand,
  CreateTableCommand,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  PutItemCommand,
  type TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import {
  BatchExecuteStatementCommand as DocBatchExecute,
  ExecuteStatementCommand as DocExecute,
  ExecuteTransactionCommand as DocTransaction,
  PutCommand,
} from "@aws-sdk/lib-dynamodb";
import { rejectsWith, useServer } from "../helpers.js";
import { clients, createTable, validationMessage } from "./fixtures.js";

const server = useServer();
const c = () => clients(server);

async function seedOrders(name: string, partitions: string[], perPartition: number) {
  await createTable(server, name, "N");
  const { doc } = c();
  for (const pk of partitions) {
    for (let sk = 0; sk < perPartition; sk++) {
      await doc.send(new PutCommand({ TableName: name, Item: { pk, sk, total: sk * 10, tag: sk % 2 ? "odd" : "even" } }));
    }
  }
}

test("SELECT with a key condition reads one partition, filters, projects, orders and paginates", async () => {
  await seedOrders("pq-orders", ["a", "b"], 6);
  const { doc } = c();
  const all = await doc.send(new DocExecute({ Statement: `SELECT * FROM "pq-orders" WHERE pk = ?`, Parameters: ["a"] }));
  assert.deepEqual(
    all.Items?.map((i) => i.sk),
    [0, 1, 2, 3, 4, 5],
  );
  const filtered = await doc.send(
    new DocExecute({ Statement: `SELECT sk, total FROM "pq-orders" WHERE pk = 'b' AND sk >= 2 AND tag = 'odd' ORDER BY sk DESC` }),
  );
  assert.deepEqual(filtered.Items, [
    { sk: 5, total: 50 },
    { sk: 3, total: 30 },
  ]);
  const seen: number[] = [];
  let NextToken: string | undefined;
  let pages = 0;
  do {
    const page = await doc.send(new DocExecute({ Statement: `SELECT sk FROM "pq-orders" WHERE pk IN ['a', 'b']`, Limit: 4, NextToken }));
    seen.push(...(page.Items ?? []).map((i) => i.sk as number));
    NextToken = page.NextToken;
    pages++;
  } while (NextToken);
  // The page that reaches Limit exactly carries a NextToken, as Query's LastEvaluatedKey; the next one is empty.
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  assert.equal(pages, 4);
});

test("SELECT without a partition key scans the table; nested projections name the leaf", async () => {
  await createTable(server, "pq-scan");
  const { doc } = c();
  await doc.send(new PutCommand({ TableName: "pq-scan", Item: { pk: "x", info: { city: "Oslo", tags: ["a", "b"] }, n: 1 } }));
  await doc.send(new PutCommand({ TableName: "pq-scan", Item: { pk: "y", info: { city: "Rome" }, n: 2 } }));
  const { Items } = await doc.send(new DocExecute({ Statement: `SELECT info.city, pk FROM "pq-scan" WHERE n > 1 OR info.city = 'Oslo'` }));
  assert.deepEqual(
    Items?.sort((a, b) => String(a.pk).localeCompare(String(b.pk))),
    [
      { city: "Oslo", pk: "x" },
      { city: "Rome", pk: "y" },
    ],
  );
  const missing = await doc.send(new DocExecute({ Statement: `SELECT pk FROM "pq-scan" WHERE info.tags IS MISSING` }));
  assert.deepEqual(missing.Items, [{ pk: "y" }]);
  const fn = await doc.send(
    new DocExecute({ Statement: `SELECT pk FROM "pq-scan" WHERE begins_with(info.city, 'Os') AND size(info.tags) = 2` }),
  );
  assert.deepEqual(fn.Items, [{ pk: "x" }]);
});

test("SELECT on an index, and ConsistentRead on a GSI is refused", async () => {
  const { ddb, doc } = c();
  await ddb.send(
    new CreateTableCommand({
      TableName: "pq-gsi",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "email", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [
        { IndexName: "byEmail", KeySchema: [{ AttributeName: "email", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await doc.send(new PutCommand({ TableName: "pq-gsi", Item: { pk: "u1", email: "a@x" } }));
  await doc.send(new PutCommand({ TableName: "pq-gsi", Item: { pk: "u2", email: "b@x" } }));
  const { Items } = await doc.send(new DocExecute({ Statement: `SELECT pk FROM "pq-gsi"."byEmail" WHERE email = 'b@x'` }));
  assert.deepEqual(Items, [{ pk: "u2" }]);
  const message = await validationMessage(
    doc.send(new DocExecute({ Statement: `SELECT * FROM "pq-gsi"."byEmail" WHERE email = 'b@x'`, ConsistentRead: true })),
  );
  assert.equal(message, "Consistent reads are not supported on global secondary indexes");
  await rejectsWith(doc.send(new DocExecute({ Statement: `SELECT * FROM "pq-gsi"."nope"` })), "ValidationException", 400);
});

test("INSERT adds an item and refuses an existing key with DuplicateItemException", async () => {
  await createTable(server, "pq-insert", "S");
  const { ddb, doc } = c();
  await doc.send(
    new DocExecute({
      Statement: `INSERT INTO "pq-insert" VALUE {'pk': 'a', 'sk': ?, 'tags': <<'x', 'y'>>, 'n': -1.50, 'l': [1, true, null]}`,
      Parameters: ["s1"],
    }),
  );
  const { Item } = await ddb.send(new GetItemCommand({ TableName: "pq-insert", Key: { pk: { S: "a" }, sk: { S: "s1" } } }));
  assert.deepEqual(Item, {
    pk: { S: "a" },
    sk: { S: "s1" },
    tags: { SS: ["x", "y"] },
    n: { N: "-1.5" },
    l: { L: [{ N: "1" }, { BOOL: true }, { NULL: true }] },
  });
  const err = await rejectsWith(
    ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "pq-insert" VALUE {'pk': 'a', 'sk': 's1'}` })),
    "DuplicateItemException",
    400,
  );
  assert.equal(err.message, "Duplicate primary key exists in table");
  const missingKey = await validationMessage(doc.send(new DocExecute({ Statement: `INSERT INTO "pq-insert" VALUE {'pk': 'b'}` })));
  assert.equal(missingKey, "One or more parameter values were invalid: Missing the key sk in the item");
});

test("UPDATE sets and removes attributes of an existing item only, with WHERE conditions and RETURNING", async () => {
  await createTable(server, "pq-update");
  const { ddb, doc } = c();
  await doc.send(new PutCommand({ TableName: "pq-update", Item: { pk: "a", count: 1, legacy: "x", tags: new Set(["t1"]) } }));
  const { Items } = await doc.send(
    new DocExecute({
      Statement: `UPDATE "pq-update" SET count = count + ? SET tags = set_add(tags, <<'t2'>>) REMOVE legacy WHERE pk = 'a' AND count = 1 RETURNING ALL NEW *`,
      Parameters: [4],
    }),
  );
  assert.deepEqual(Items, [{ pk: "a", count: 5, tags: new Set(["t1", "t2"]) }]);
  const failed = await rejectsWith(
    ddb.send(
      new ExecuteStatementCommand({
        Statement: `UPDATE "pq-update" SET count = 0 WHERE pk = 'a' AND count = 1`,
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    ),
    "ConditionalCheckFailedException",
    400,
  );
  assert.deepEqual((failed as unknown as { Item: Record<string, unknown> }).Item.count, { N: "5" });
  // Not an upsert: the item must exist.
  await rejectsWith(
    doc.send(new DocExecute({ Statement: `UPDATE "pq-update" SET count = 0 WHERE pk = 'nobody'` })),
    "ConditionalCheckFailedException",
    400,
  );
  const { Item } = await ddb.send(new GetItemCommand({ TableName: "pq-update", Key: { pk: { S: "nobody" } } }));
  assert.equal(Item, undefined);
  const noKey = await validationMessage(doc.send(new DocExecute({ Statement: `UPDATE "pq-update" SET count = 0 WHERE count = 5` })));
  assert.equal(noKey, "Where clause does not contain a mandatory equality on all key attributes");
  const keyUpdate = await validationMessage(doc.send(new DocExecute({ Statement: `UPDATE "pq-update" SET pk = 'b' WHERE pk = 'a'` })));
  assert.equal(keyUpdate, "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key");
});

test("DELETE removes by full key, honours extra conditions, and is a no-op for a missing item", async () => {
  await createTable(server, "pq-delete");
  const { ddb, doc } = c();
  await doc.send(new PutCommand({ TableName: "pq-delete", Item: { pk: "a", v: 1 } }));
  await rejectsWith(
    doc.send(new DocExecute({ Statement: `DELETE FROM "pq-delete" WHERE pk = 'a' AND v = 2` })),
    "ConditionalCheckFailedException",
    400,
  );
  const { Items } = await doc.send(new DocExecute({ Statement: `DELETE FROM "pq-delete" WHERE pk = 'a' RETURNING ALL OLD *` }));
  assert.deepEqual(Items, [{ pk: "a", v: 1 }]);
  const { Item } = await ddb.send(new GetItemCommand({ TableName: "pq-delete", Key: { pk: { S: "a" } } }));
  assert.equal(Item, undefined);
  const again = await doc.send(new DocExecute({ Statement: `DELETE FROM "pq-delete" WHERE pk = 'a'` }));
  assert.deepEqual(again.Items, []);
  const returning = await validationMessage(
    doc.send(new DocExecute({ Statement: `DELETE FROM "pq-delete" WHERE pk = 'a' RETURNING ALL NEW *` })),
  );
  assert.equal(returning, "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.");
});

test("syntax errors and parameter mismatches are ValidationExceptions with DynamoDB's messages", async () => {
  await createTable(server, "pq-syntax");
  const { doc, ddb } = c();
  const cases: [string, string][] = [
    ["SELEC * FROM t", "Statement wasn't well formed, can't be processed: Expected data manipulation"],
    [`SELECT * FROM "pq-syntax" WHERE`, "Statement wasn't well formed, can't be processed: Unexpected end of statement"],
    [
      `SELECT * FROM "pq-syntax" WHERE pk = 'a' garbage`,
      "Statement wasn't well formed, can't be processed: Unexpected token after expression",
    ],
    [`SELECT * FROM WHERE pk = 'a'`, "Statement wasn't well formed, can't be processed: Unexpected keyword"],
    [`SELECT * FROM "pq-syntax" WHERE pk = 'a`, "Statement wasn't well formed, can't be processed: "],
    [`SELECT * FROM "pq-syntax" WHERE pk = 'a' # note`, "Statement wasn't well formed, can't be processed: "],
    [`SELECT * FROM "pq-syntax" WHERE pk = 'a' /* note`, "Statement wasn't well formed, can't be processed: "],
    [`SELECT * FROM "pq-syntax" WHERE pk = 1e2147483648`, "Statement wasn't well formed, can't be processed: "],
    [
      `SELECT * FROM "pq-syntax" ORDER BY pk WHERE pk = 'a'`,
      "Statement wasn't well formed, can't be processed: Unexpected token after expression",
    ],
    [`SELECT * FROM "pq-syntax" t WHERE pk = 'x'`, "Aliasing is not supported"],
    [`UPDATE "pq-syntax" AS t SET a = 3 WHERE pk = 'x'`, "Aliasing is not supported"],
    [`INSERT INTO "pq-syntax" t VALUE {'pk': 'x'}`, "Statement wasn't well formed, can't be processed: Unexpected token after expression"],
    [
      `SELECT * FROM "pq-syntax" WHERE pk = 1e126`,
      "Number overflow. Attempting to store a number with magnitude larger than supported range under root",
    ],
    [
      `INSERT INTO "pq-syntax" VALUE {'pk': 'x', 'm': {'x': 1e-131}}`,
      "Number underflow. Attempting to store a number with magnitude smaller than supported range under root.x",
    ],
    [
      `INSERT INTO "pq-syntax" VALUE {'pk': 'x', 'l': [1, 1e126]}`,
      "Number overflow. Attempting to store a number with magnitude larger than supported range under root[1]",
    ],
  ];
  for (const [Statement, expected] of cases) {
    assert.equal(await validationMessage(doc.send(new DocExecute({ Statement }))), expected, Statement);
  }
  assert.equal(
    await validationMessage(doc.send(new DocExecute({ Statement: `SELECT * FROM "pq-syntax" WHERE pk = ?` }))),
    "Number of parameters in request and statement don't match.",
  );
  assert.equal(
    await validationMessage(doc.send(new DocExecute({ Statement: `SELECT * FROM "pq-syntax" WHERE pk = 'a'`, Parameters: ["x"] }))),
    "Number of parameters in request and statement don't match.",
  );
  await rejectsWith(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "pq-none"` })), "ResourceNotFoundException", 400);
  const limit = await validationMessage(ddb.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "pq-syntax"`, Limit: 0 })));
  assert.match(limit, /Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1/);
});

test("BatchExecuteStatement reports per-statement errors and refuses mixing reads and writes", async () => {
  await createTable(server, "pq-batch");
  const { doc, ddb } = c();
  await doc.send(new PutCommand({ TableName: "pq-batch", Item: { pk: "exists", v: 1 } }));
  const writes = await doc.send(
    new DocBatchExecute({
      Statements: [
        { Statement: `INSERT INTO "pq-batch" VALUE {'pk': ?, 'v': 2}`, Parameters: ["new"] },
        { Statement: `INSERT INTO "pq-batch" VALUE {'pk': 'exists'}` },
        { Statement: `UPDATE "pq-batch" SET v = 9 WHERE pk = 'ghost'` },
        { Statement: `DELET FROM "pq-batch"` },
      ],
    }),
  );
  assert.deepEqual(
    writes.Responses?.map((r) => r.Error?.Code ?? r.TableName),
    ["pq-batch", "DuplicateItem", "ConditionalCheckFailed", "ValidationError"],
  );
  assert.equal(writes.Responses?.[1].Error?.Message, "Duplicate primary key exists in table");
  const reads = await doc.send(
    new DocBatchExecute({
      Statements: [
        { Statement: `SELECT * FROM "pq-batch" WHERE pk = 'new'` },
        { Statement: `SELECT v FROM "pq-batch" WHERE pk = 'exists'` },
        { Statement: `SELECT * FROM "pq-batch" WHERE pk = 'none'` },
        { Statement: `SELECT * FROM "pq-batch" WHERE v = 1` },
      ],
    }),
  );
  assert.deepEqual(reads.Responses?.[0].Item, { pk: "new", v: 2 });
  assert.deepEqual(reads.Responses?.[1].Item, { v: 1 });
  assert.equal(reads.Responses?.[2].Item, undefined);
  assert.equal(reads.Responses?.[2].TableName, "pq-batch");
  assert.equal(reads.Responses?.[3].Error?.Message, "Where clause does not contain a mandatory equality on all key attributes");
  const mixed = await validationMessage(
    ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [{ Statement: `SELECT * FROM "pq-batch" WHERE pk = 'new'` }, { Statement: `DELETE FROM "pq-batch" WHERE pk = 'new'` }],
      }),
    ),
  );
  assert.equal(mixed, "Read and write requests together in the same batch is not supported.");
  const duplicates = await validationMessage(
    ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `UPDATE "pq-batch" SET v = 1 WHERE pk = 'new'` },
          { Statement: `DELETE FROM "pq-batch" WHERE pk = ?`, Parameters: [{ S: "new" }] },
        ],
      }),
    ),
  );
  assert.equal(duplicates, "Provided list of item keys contains duplicates");
  const tooMany = Array.from({ length: 26 }, (_, i) => ({ Statement: `SELECT * FROM "pq-batch" WHERE pk = '${i}'` }));
  assert.match(
    await validationMessage(ddb.send(new BatchExecuteStatementCommand({ Statements: tooMany }))),
    /Member must have length less than or equal to 25/,
  );
});

test("ExecuteTransaction applies all writes or none, with cancellation reasons and idempotency", async () => {
  await createTable(server, "pq-tx");
  const { doc, ddb } = c();
  await doc.send(new PutCommand({ TableName: "pq-tx", Item: { pk: "acct1", balance: 100 } }));
  await doc.send(new PutCommand({ TableName: "pq-tx", Item: { pk: "acct2", balance: 0 } }));
  const transfer = (amount: number, token?: string) =>
    doc.send(
      new DocTransaction({
        ClientRequestToken: token,
        TransactStatements: [
          { Statement: `UPDATE "pq-tx" SET balance = balance - ? WHERE pk = 'acct1' AND balance >= ?`, Parameters: [amount, amount] },
          { Statement: `UPDATE "pq-tx" SET balance = balance + ? WHERE pk = 'acct2'`, Parameters: [amount] },
          { Statement: `INSERT INTO "pq-tx" VALUE {'pk': ?}`, Parameters: [`log-${amount}-${token ?? ""}`] },
        ],
      }),
    );
  await transfer(60, "tok-1");
  await transfer(60, "tok-1"); // replayed: applied once
  const err = (await rejectsWith(transfer(60), "TransactionCanceledException", 400)) as unknown as TransactionCanceledException;
  assert.deepEqual(
    err.CancellationReasons?.map((r) => r.Code),
    ["ConditionalCheckFailed", "None", "None"],
  );
  const read = await doc.send(
    new DocTransaction({
      TransactStatements: [
        { Statement: `SELECT balance FROM "pq-tx" WHERE pk = 'acct1'` },
        { Statement: `SELECT * FROM "pq-tx" WHERE pk = 'acct2'` },
      ],
    }),
  );
  assert.deepEqual(
    read.Responses?.map((r) => r.Item),
    [{ balance: 40 }, { pk: "acct2", balance: 60 }],
  );
  const { Item } = await ddb.send(new GetItemCommand({ TableName: "pq-tx", Key: { pk: { S: "log-60-" } } }));
  assert.equal(Item, undefined);
  const exists = (balance: number) =>
    ddb.send(
      new ExecuteTransactionCommand({
        TransactStatements: [
          { Statement: `EXISTS(SELECT * FROM "pq-tx" WHERE pk = 'acct1' AND balance = ${balance})` },
          { Statement: `DELETE FROM "pq-tx" WHERE pk = 'acct2'` },
        ],
      }),
    );
  await rejectsWith(exists(1), "TransactionCanceledException", 400);
  await exists(40);
  const gone = await ddb.send(new GetItemCommand({ TableName: "pq-tx", Key: { pk: { S: "acct2" } } }));
  assert.equal(gone.Item, undefined);
  const mixed = await validationMessage(
    ddb.send(
      new ExecuteTransactionCommand({
        TransactStatements: [{ Statement: `SELECT * FROM "pq-tx" WHERE pk = 'a'` }, { Statement: `DELETE FROM "pq-tx" WHERE pk = 'a'` }],
      }),
    ),
  );
  assert.equal(mixed, "ExecuteTransaction API does not support both read and write operations in the same request.");
  const twice = await validationMessage(
    ddb.send(
      new ExecuteTransactionCommand({
        TransactStatements: [{ Statement: `DELETE FROM "pq-tx" WHERE pk = 'a'` }, { Statement: `UPDATE "pq-tx" SET x = 1 WHERE pk = 'a'` }],
      }),
    ),
  );
  assert.equal(twice, "Transaction request cannot include multiple operations on one item");
  await rejectsWith(
    ddb.send(
      new ExecuteTransactionCommand({
        ClientRequestToken: "tok-1",
        TransactStatements: [{ Statement: `DELETE FROM "pq-tx" WHERE pk = 'z'` }],
      }),
    ),
    "IdempotentParameterMismatchException",
    400,
  );
  await ddb.send(new PutItemCommand({ TableName: "pq-tx", Item: { pk: { S: "bin" }, b: { B: Buffer.from([1, 2]) } } }));
});
