import assert from "node:assert/strict";
import { test } from "node:test";
import { GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { PutCommand, ScanCommand as DocScan } from "@aws-sdk/lib-dynamodb";
import { useServer } from "../helpers.js";
import { clients, createTable, validationMessage } from "./fixtures.js";

const server = useServer();
const c = () => clients(server);

test("condition functions, comparators, BETWEEN, IN, AND/OR/NOT and size() filter as AWS does", async () => {
  await createTable(server, "people");
  const { doc } = c();
  const people = [
    { pk: "ann", age: 31, city: "Paris", tags: new Set(["admin", "dev"]), bio: "likes tea", nick: "a" },
    { pk: "bob", age: 25, city: "Lyon", tags: new Set(["dev"]), bio: "coffee", scores: [1, 2, 3] },
    { pk: "cat", age: 40, city: "Nice", data: new Uint8Array([1, 2, 3]) },
  ];
  for (const Item of people) await doc.send(new PutCommand({ TableName: "people", Item }));
  const names = async (
    FilterExpression: string,
    ExpressionAttributeValues?: Record<string, unknown>,
    ExpressionAttributeNames?: Record<string, string>,
  ) => {
    const { Items } = await doc.send(
      new DocScan({ TableName: "people", FilterExpression, ExpressionAttributeValues, ExpressionAttributeNames }),
    );
    return (Items ?? []).map((i) => i.pk).sort();
  };
  assert.deepEqual(await names("age BETWEEN :lo AND :hi", { ":lo": 25, ":hi": 31 }), ["ann", "bob"]);
  assert.deepEqual(await names("city IN (:a, :b)", { ":a": "Nice", ":b": "Lyon" }), ["bob", "cat"]);
  assert.deepEqual(await names("contains(tags, :t) AND NOT begins_with(bio, :p)", { ":t": "dev", ":p": "cof" }), ["ann"]);
  assert.deepEqual(await names("attribute_exists(nick) OR size(scores) > :two", { ":two": 2 }), ["ann", "bob"]);
  assert.deepEqual(await names("attribute_type(#d, :b)", { ":b": "B" }, { "#d": "data" }), ["cat"]);
  assert.deepEqual(await names("age <> :n AND (age < :m OR age >= :x)", { ":n": 31, ":m": 30, ":x": 40 }), ["bob", "cat"]);
  assert.deepEqual(await names("age > :s", { ":s": "text" }), [], "comparisons across types are false");
});

test("malformed expressions and placeholders get AWS's messages", async () => {
  await createTable(server, "exprs");
  const { ddb } = c();
  await ddb.send(new PutItemCommand({ TableName: "exprs", Item: { pk: { S: "k" } } }));
  const scan = (FilterExpression: string, values?: Record<string, unknown>, names?: Record<string, string>) =>
    validationMessage(
      ddb.send(
        new ScanCommand({
          TableName: "exprs",
          FilterExpression,
          ExpressionAttributeValues: values as never,
          ExpressionAttributeNames: names,
        }),
      ),
    );
  const v = { ":v": { S: "x" } };
  assert.equal(
    await scan("a = :v", { ...v, ":w": { S: "y" } }),
    "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
  );
  assert.equal(await scan("a = :v", v, { "#n": "n" }), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}");
  assert.equal(
    await scan("a = :zz", v),
    "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :zz",
  );
  assert.equal(
    await scan("#x = :v", v),
    "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
  );
  assert.equal(await scan("name = :v", v), "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: name");
  assert.equal(await scan("a = ", v), 'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "= "');
  assert.equal(await scan("a = = :v", v), 'Invalid FilterExpression: Syntax error; token: "=", near: "= ="');
  assert.equal(await scan("foo(a)", v), "Invalid FilterExpression: Invalid function name; function: foo");
  assert.equal(
    await scan("attribute_exists(a, b) AND a = :v", v),
    "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
  );
  assert.equal(
    await scan("attribute_type(a, :v)", v),
    "Invalid FilterExpression: Invalid attribute type name found; type: x, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }",
  );
  assert.equal(await scan(""), "Invalid FilterExpression: The expression can not be empty;");
  assert.equal(
    await validationMessage(
      ddb.send(new GetItemCommand({ TableName: "exprs", Key: { pk: { S: "k" } }, ExpressionAttributeNames: { "#a": "a" } })),
    ),
    "ExpressionAttributeNames can only be specified when using expressions",
  );
  assert.equal(
    await validationMessage(
      ddb.send(new GetItemCommand({ TableName: "exprs", Key: { pk: { S: "k" } }, ProjectionExpression: "a", AttributesToGet: ["a"] })),
    ),
    "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
  );
});

test("ProjectionExpression returns nested map members and list elements", async () => {
  await createTable(server, "proj");
  const { ddb, doc } = c();
  await doc.send(new PutCommand({ TableName: "proj", Item: { pk: "p", a: { b: { c: 1, d: 2 }, e: 3 }, l: ["x", "y", "z"], other: true } }));
  const { Item } = await ddb.send(
    new GetItemCommand({
      TableName: "proj",
      Key: { pk: { S: "p" } },
      ProjectionExpression: "a.b.c, l[2], l[0], #o",
      ExpressionAttributeNames: { "#o": "other" },
    }),
  );
  assert.deepEqual(Item, { a: { M: { b: { M: { c: { N: "1" } } } } }, l: { L: [{ S: "x" }, { S: "z" }] }, other: { BOOL: true } });
});

test("legacy Expected and ScanFilter still work", async () => {
  await createTable(server, "legacy");
  const { ddb } = c();
  await ddb.send(new PutItemCommand({ TableName: "legacy", Item: { pk: { S: "1" }, n: { N: "5" } } }));
  await ddb.send(
    new PutItemCommand({ TableName: "legacy", Item: { pk: { S: "1" }, n: { N: "6" } }, Expected: { n: { Value: { N: "5" } } } }),
  );
  await assert.rejects(
    ddb.send(new PutItemCommand({ TableName: "legacy", Item: { pk: { S: "1" } }, Expected: { pk: { Exists: false } } })),
    { name: "ConditionalCheckFailedException" },
  );
  const { Items } = await ddb.send(
    new ScanCommand({ TableName: "legacy", ScanFilter: { n: { ComparisonOperator: "GT", AttributeValueList: [{ N: "5" }] } } }),
  );
  assert.deepEqual(Items, [{ pk: { S: "1" }, n: { N: "6" } }]);
});

test("legacy KeyConditions, QueryFilter, AttributeUpdates and AttributesToGet", async () => {
  await createTable(server, "legacy-q", "N");
  const { ddb } = c();
  for (const sk of ["1", "2", "3"]) {
    await ddb.send(new PutItemCommand({ TableName: "legacy-q", Item: { pk: { S: "p" }, sk: { N: sk }, odd: { BOOL: sk !== "2" } } }));
  }
  await ddb.send(
    new UpdateItemCommand({
      TableName: "legacy-q",
      Key: { pk: { S: "p" }, sk: { N: "3" } },
      AttributeUpdates: {
        n: { Action: "ADD", Value: { N: "4" } },
        odd: { Action: "DELETE" },
        label: { Action: "PUT", Value: { S: "three" } },
      },
    }),
  );
  const { Items } = await ddb.send(
    new QueryCommand({
      TableName: "legacy-q",
      KeyConditions: {
        pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "p" }] },
        sk: { ComparisonOperator: "GE", AttributeValueList: [{ N: "2" }] },
      },
      QueryFilter: { odd: { ComparisonOperator: "NULL" } },
      AttributesToGet: ["sk", "n", "label"],
    }),
  );
  assert.deepEqual(Items, [{ sk: { N: "3" }, n: { N: "4" }, label: { S: "three" } }]);
});
