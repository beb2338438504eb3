import assert from "node:assert/strict";
import { test } from "node:test";
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { rejectsWith, useServer } from "../helpers.js";
import { clients, createTable, validationMessage } from "./fixtures.js";

const server = useServer();
const c = () => clients(server);

test("DocumentClient round-trips every type, numbers canonical and exact", async () => {
  await createTable(server, "things");
  const { ddb, doc } = c();
  await ddb.send(
    new PutItemCommand({
      TableName: "things",
      Item: {
        pk: { S: "a" },
        big: { N: "12345678901234567890123456789012345678" },
        small: { N: "0.000000000000000000000000000000000000001" },
        trailing: { N: "1.500" },
        exp: { N: "1E+2" },
        bin: { B: Buffer.from([0, 1, 2]) },
        ok: { BOOL: true },
        nil: { NULL: true },
        list: { L: [{ S: "x" }, { N: "2" }] },
        map: { M: { inner: { SS: ["p", "q"] } } },
        ns: { NS: ["1", "2.50"] },
      },
    }),
  );
  const { Item } = await ddb.send(new GetItemCommand({ TableName: "things", Key: { pk: { S: "a" } } }));
  assert.equal(Item?.big.N, "12345678901234567890123456789012345678");
  assert.equal(Item?.small.N, "0.000000000000000000000000000000000000001");
  assert.equal(Item?.trailing.N, "1.5");
  assert.equal(Item?.exp.N, "100");
  assert.deepEqual(Item?.bin.B, new Uint8Array([0, 1, 2]));
  assert.deepEqual(Item?.ns.NS?.sort(), ["1", "2.5"]);
  await doc.send(
    new PutCommand({ TableName: "things", Item: { pk: "doc", n: 42, tags: new Set(["a", "b"]), nested: { list: [1, "two", null] } } }),
  );
  const got = await doc.send(new GetCommand({ TableName: "things", Key: { pk: "doc" } }));
  assert.deepEqual(got.Item, { pk: "doc", n: 42, tags: new Set(["a", "b"]), nested: { list: [1, "two", null] } });
});

test("invalid attribute values get AWS's messages", async () => {
  await createTable(server, "invalid");
  const { ddb } = c();
  const put = (Item: Record<string, unknown>) =>
    validationMessage(ddb.send(new PutItemCommand({ TableName: "invalid", Item: { pk: { S: "k" }, ...Item } as never })));
  assert.equal(await put({ a: { SS: [] } }), "One or more parameter values were invalid: An string set  may not be empty");
  assert.equal(
    await put({ a: { NS: ["1", "1.0"] } }),
    "One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates.",
  );
  assert.equal(await put({ a: { N: "abc" } }), "The parameter cannot be converted to a numeric value: abc");
  assert.equal(
    await put({ a: { N: "1e126" } }),
    "Number overflow. Attempting to store a number with magnitude larger than supported range",
  );
  assert.equal(
    await put({ a: { N: "1e-131" } }),
    "Number underflow. Attempting to store a number with magnitude smaller than supported range",
  );
  assert.equal(
    await put({ a: { N: "1234567890123456789012345678901234567891" } }),
    "Attempting to store more than 38 significant digits in a Number",
  );
  assert.equal(await put({ a: {} }), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  assert.equal(
    await put({ a: { S: "x", N: "1" } }),
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
  );
  assert.equal(await put({ big: { S: "x".repeat(400 * 1024) } }), "Item size has exceeded the maximum allowed size");
  assert.equal(
    await validationMessage(ddb.send(new PutItemCommand({ TableName: "invalid", Item: { other: { S: "x" } } }))),
    "One or more parameter values were invalid: Missing the key pk in the item",
  );
  assert.equal(
    await validationMessage(ddb.send(new PutItemCommand({ TableName: "invalid", Item: { pk: { N: "1" } } }))),
    "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
  );
  assert.equal(
    await validationMessage(ddb.send(new PutItemCommand({ TableName: "invalid", Item: { pk: { S: "" } } }))),
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
  );
  assert.equal(
    await validationMessage(ddb.send(new GetItemCommand({ TableName: "invalid", Key: { pk: { S: "a" }, extra: { S: "b" } } }))),
    "The provided key element does not match the schema",
  );
  const missing = await rejectsWith(
    ddb.send(new GetItemCommand({ TableName: "nope", Key: { pk: { S: "a" } } })),
    "ResourceNotFoundException",
    400,
  );
  assert.equal(missing.message, "Requested resource not found");
});

test("conditional writes fail with ConditionalCheckFailedException, with the item when asked", async () => {
  await createTable(server, "cond");
  const { ddb, doc } = c();
  await doc.send(new PutCommand({ TableName: "cond", Item: { pk: "1", v: 1 } }));
  await rejectsWith(
    doc.send(new PutCommand({ TableName: "cond", Item: { pk: "1", v: 2 }, ConditionExpression: "attribute_not_exists(pk)" })),
    "ConditionalCheckFailedException",
    400,
  );
  const err = (await rejectsWith(
    ddb.send(
      new DeleteItemCommand({
        TableName: "cond",
        Key: { pk: { S: "1" } },
        ConditionExpression: "v = :two",
        ExpressionAttributeValues: { ":two": { N: "2" } },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    ),
    "ConditionalCheckFailedException",
    400,
  )) as Error & { Item?: unknown };
  assert.equal(err.message, "The conditional request failed");
  assert.deepEqual(err.Item, { pk: { S: "1" }, v: { N: "1" } });
  const old = await doc.send(
    new DeleteCommand({
      TableName: "cond",
      Key: { pk: "1" },
      ConditionExpression: "v = :one",
      ExpressionAttributeValues: { ":one": 1 },
      ReturnValues: "ALL_OLD",
    }),
  );
  assert.deepEqual(old.Attributes, { pk: "1", v: 1 });
  assert.equal((await doc.send(new GetCommand({ TableName: "cond", Key: { pk: "1" } }))).Item, undefined);
  assert.equal(
    await validationMessage(ddb.send(new PutItemCommand({ TableName: "cond", Item: { pk: { S: "1" } }, ReturnValues: "ALL_NEW" }))),
    "ReturnValues can only be ALL_OLD or NONE",
  );
});

test("UpdateItem: SET arithmetic, if_not_exists, list_append, REMOVE, ADD, DELETE and every ReturnValues mode", async () => {
  await createTable(server, "upd");
  const { ddb, doc } = c();
  await doc.send(
    new PutCommand({ TableName: "upd", Item: { pk: "k", n: 10, lst: [1, 2, 3, 4], app: [1], tags: new Set(["a", "b"]), m: { x: 1 } } }),
  );
  const res = await doc.send(
    new UpdateCommand({
      TableName: "upd",
      Key: { pk: "k" },
      UpdateExpression:
        "SET n = n + :d, created = if_not_exists(created, :now), app = list_append(app, :more), m.y = :d REMOVE lst[0], lst[2] ADD hits :d, tags :t DELETE gone :g",
      ExpressionAttributeValues: { ":d": 0.5, ":now": "t0", ":more": [5], ":t": new Set(["c"]), ":g": new Set(["z"]) },
      ReturnValues: "ALL_NEW",
    }),
  );
  assert.deepEqual(res.Attributes, {
    pk: "k",
    n: 10.5,
    created: "t0",
    lst: [2, 4],
    app: [1, 5],
    tags: new Set(["a", "b", "c"]),
    m: { x: 1, y: 0.5 },
    hits: 0.5,
  });
  const updatedOld = await doc.send(
    new UpdateCommand({
      TableName: "upd",
      Key: { pk: "k" },
      UpdateExpression: "SET m.x = :v",
      ExpressionAttributeValues: { ":v": 2 },
      ReturnValues: "UPDATED_OLD",
    }),
  );
  assert.deepEqual(updatedOld.Attributes, { m: { x: 1 } });
  const updatedNew = await doc.send(
    new UpdateCommand({
      TableName: "upd",
      Key: { pk: "k" },
      UpdateExpression: "DELETE tags :t",
      ExpressionAttributeValues: { ":t": new Set(["a"]) },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  assert.deepEqual(updatedNew.Attributes, { tags: new Set(["b", "c"]) });
  const allOld = await doc.send(
    new UpdateCommand({ TableName: "upd", Key: { pk: "k" }, UpdateExpression: "REMOVE m", ReturnValues: "ALL_OLD" }),
  );
  assert.deepEqual(allOld.Attributes?.m, { x: 2, y: 0.5 });
  const created = await ddb.send(
    new UpdateItemCommand({
      TableName: "upd",
      Key: { pk: { S: "new" } },
      UpdateExpression: "ADD c :one",
      ExpressionAttributeValues: { ":one": { N: "1" } },
      ReturnValues: "ALL_NEW",
    }),
  );
  assert.deepEqual(created.Attributes, { pk: { S: "new" }, c: { N: "1" } });
  const exact = await ddb.send(
    new UpdateItemCommand({
      TableName: "upd",
      Key: { pk: { S: "new" } },
      UpdateExpression: "SET c = c + :x",
      ExpressionAttributeValues: { ":x": { N: "0.1234567890123456789012345678901234567" } },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  assert.equal(exact.Attributes?.c.N, "1.1234567890123456789012345678901234567");
});

test("UpdateItem runtime and compile errors", async () => {
  await createTable(server, "upderr");
  const { ddb } = c();
  await ddb.send(new PutItemCommand({ TableName: "upderr", Item: { pk: { S: "k" }, s: { S: "text" } } }));
  const update = (UpdateExpression: string, values?: Record<string, unknown>) =>
    validationMessage(
      ddb.send(
        new UpdateItemCommand({
          TableName: "upderr",
          Key: { pk: { S: "k" } },
          UpdateExpression,
          ExpressionAttributeValues: values as never,
        }),
      ),
    );
  assert.equal(await update("SET s = s + :n", { ":n": { N: "1" } }), "An operand in the update expression has an incorrect data type");
  assert.equal(
    await update("SET a.b = :n", { ":n": { N: "1" } }),
    "The document path provided in the update expression is invalid for update",
  );
  assert.equal(
    await update("SET x = absent + :n", { ":n": { N: "1" } }),
    "The provided expression refers to an attribute that does not exist in the item",
  );
  assert.equal(
    await update("SET pk = :n", { ":n": { S: "1" } }),
    "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
  );
  assert.equal(
    await update("SET a = :n REMOVE a.b", { ":n": { N: "1" } }),
    "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
  );
  assert.equal(
    await update("SET a.b = :n REMOVE a[0]", { ":n": { N: "1" } }),
    "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]",
  );
  assert.equal(
    await update("ADD s :v", { ":v": { S: "x" } }),
    "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
  );
  assert.equal(
    await update("SET a = :n SET b = :n", { ":n": { N: "1" } }),
    'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;',
  );
  assert.equal(
    await update("SET a = size(s)"),
    "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: size",
  );
});
