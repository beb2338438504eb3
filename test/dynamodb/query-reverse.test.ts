import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { CreateTableCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand as DocQuery } from "@aws-sdk/lib-dynamodb";
import type { RequestContext } from "../../src/services/types.js";
import { keyRangeEntries, type ReadPlan } from "../../src/services/dynamodb/query.js";
import { type StoreHolder, type TableRecord, itemsOf, storageKey } from "../../src/services/dynamodb/storage.js";
import type { Condition } from "../../src/services/dynamodb/expressions/ast.js";
import { keyRange } from "../../src/services/dynamodb/key-condition.js";
import { SqliteBackend } from "../../src/state/sqlite.js";
import { type Collection, MemoryBackend, type ScopeStore, type StateBackend } from "../../src/state/store.js";
import { useServer } from "../helpers.js";
import { tempDir } from "../state/fixtures.js";
import { clients } from "./fixtures.js";

const scope = { service: "dynamodb", account: "000000000000", region: "us-east-1" };
const keysOf = (entries: Iterable<[string, unknown]>) => [...entries].map(([k]) => k);

const backends: Array<[string, (t: TestContext) => StateBackend]> = [
  ["MemoryBackend", () => new MemoryBackend()],
  [
    "SqliteBackend",
    (t) => {
      const backend = new SqliteBackend(tempDir(t));
      t.after(() => backend.close());
      return backend;
    },
  ],
];

for (const [name, open] of backends) {
  describe(`${name} entriesReversed`, () => {
    test("walks keys in descending code-point order from a key (inclusive) or from the end", (t) => {
      const c = open(t).scope(scope).collection<number>("rev", { sorted: true });
      const keys = ["a", "b", "b ", "b 1", "c", "\u00e9", "\u{1f600}"];
      for (const [i, k] of [...keys].reverse().entries()) c.set(k, i);
      assert.deepEqual(keysOf(c.entriesReversed()), [...keys].reverse());
      assert.deepEqual(keysOf(c.entriesReversed("b 1")), ["b 1", "b ", "b", "a"]);
      // A key that is not stored: starts at the greatest key below it.
      assert.deepEqual(keysOf(c.entriesReversed("bz")), ["b 1", "b ", "b", "a"]);
      assert.deepEqual(keysOf(c.entriesReversed("0")), []);
      c.delete("b ");
      assert.deepEqual(keysOf(c.entriesReversed("c")), ["c", "b 1", "b", "a"]);
    });

    test("is refused on an unsorted collection", (t) => {
      const c = open(t).scope(scope).collection<number>("plain");
      assert.throws(() => c.entriesReversed(), /need a sorted collection/);
    });
  });
}

test("SqliteBackend: entriesReversed sees the persisted order after a restart", (t) => {
  const dir = tempDir(t);
  const first = new SqliteBackend(dir);
  const c = first.scope(scope).collection<number>("persisted", { sorted: true });
  for (const k of ["m", "a", "z", "q"]) c.set(k, 1);
  first.close();
  const second = new SqliteBackend(dir);
  t.after(() => second.close());
  assert.deepEqual(keysOf(second.scope(scope).collection<number>("persisted", { sorted: true }).entriesReversed("p")), ["m", "a"]);
});

/** A store whose sorted collections count the entries their iterators hand out. */
function countingStore(counter: { pulled: number }): ScopeStore {
  const inner = new MemoryBackend().scope(scope);
  const counted = <V>(iterator: IterableIterator<[string, V]>) =>
    (function* () {
      for (const entry of iterator) {
        counter.pulled++;
        yield entry;
      }
    })();
  return {
    collection<V>(name: string, options?: { sorted?: boolean }): Collection<V> {
      const c = inner.collection<V>(name, options);
      return Object.assign(Object.create(c), {
        entriesFrom: (from?: string) => counted(c.entriesFrom(from)),
        entriesReversed: (from?: string) => counted(c.entriesReversed(from)),
      }) as Collection<V>;
    },
  };
}

test("a descending Query seeks: entries read stay at page size however large the partition", () => {
  const counter = { pulled: 0 };
  const holder: StoreHolder = { store: countingStore(counter) };
  const table = {
    name: "big",
    generation: 1,
    keySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    attributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "N" },
    ],
    indexes: [],
  } as unknown as TableRecord;
  const items = itemsOf(holder, table);
  for (const pk of ["p", "q"]) {
    for (let sk = 0; sk < 20_000; sk++) {
      const item = { pk: { S: pk }, sk: { N: String(sk) } };
      items.set(storageKey(table.keySchema, item), item);
    }
  }
  const plan: ReadPlan = { table, select: "ALL_ATTRIBUTES", consistent: false };
  const ctx = holder as unknown as RequestContext;
  const read = (condition: Condition, n: number) => {
    counter.pulled = 0;
    const got: string[] = [];
    for (const entry of keyRangeEntries(ctx, plan, table.keySchema, keyRange(table, table.keySchema, condition), undefined, true)) {
      got.push((entry.item.sk as { N: string }).N);
      if (got.length === n) break;
    }
    return { got, pulled: counter.pulled };
  };
  const pk: Condition = {
    kind: "compare",
    operator: "=",
    left: { kind: "path", path: [{ name: "pk" }] },
    right: { kind: "value", value: { S: "p" }, placeholder: ":p" },
  };
  const whole = read(pk, 5);
  assert.deepEqual(whole.got, ["19999", "19998", "19997", "19996", "19995"]);
  assert.ok(whole.pulled <= 6, `pulled ${whole.pulled}`);
  const below = read(
    {
      kind: "and",
      left: pk,
      right: {
        kind: "compare",
        operator: "<",
        left: { kind: "path", path: [{ name: "sk" }] },
        right: { kind: "value", value: { N: "100" }, placeholder: ":s" },
      },
    },
    3,
  );
  assert.deepEqual(below.got, ["99", "98", "97"]);
  assert.ok(below.pulled <= 5, `pulled ${below.pulled}`);
  const prefixed = read(
    {
      kind: "and",
      left: pk,
      right: {
        kind: "between",
        operand: { kind: "path", path: [{ name: "sk" }] },
        low: { kind: "value", value: { N: "10" }, placeholder: ":a" },
        high: { kind: "value", value: { N: "12" }, placeholder: ":b" },
      },
    },
    10,
  );
  assert.deepEqual(prefixed.got, ["12", "11", "10"]);
  assert.ok(prefixed.pulled <= 5, `pulled ${prefixed.pulled}`);
});

const server = useServer();

test("ScanIndexForward=false on tables, LSIs and GSIs: ranges, begins_with and reverse pagination", async () => {
  const { ddb, doc } = clients(server);
  await ddb.send(
    new CreateTableCommand({
      TableName: "rev",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
        { AttributeName: "rank", AttributeType: "N" },
        { AttributeName: "group", AttributeType: "S" },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: "byRank",
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "rank", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
      GlobalSecondaryIndexes: [
        { IndexName: "byGroup", KeySchema: [{ AttributeName: "group", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const sks = ["a", "ab", "abc", "b", "ba", "c"];
  for (const [i, sk] of sks.entries()) {
    await doc.send(new PutCommand({ TableName: "rev", Item: { pk: "p", sk, rank: 10 - i, group: "g" } }));
    await doc.send(new PutCommand({ TableName: "rev", Item: { pk: "other", sk, rank: i, group: "h" } }));
  }
  const query = async (KeyConditionExpression: string, values: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const { Items } = await doc.send(
      new DocQuery({ TableName: "rev", KeyConditionExpression, ExpressionAttributeValues: values, ScanIndexForward: false, ...extra }),
    );
    return Items ?? [];
  };
  const sk = (items: Record<string, unknown>[]) => items.map((i) => i.sk);
  assert.deepEqual(sk(await query("pk = :p", { ":p": "p" })), [...sks].reverse());
  assert.deepEqual(sk(await query("pk = :p AND begins_with(sk, :a)", { ":p": "p", ":a": "a" })), ["abc", "ab", "a"]);
  assert.deepEqual(sk(await query("pk = :p AND sk BETWEEN :x AND :y", { ":p": "p", ":x": "ab", ":y": "b" })), ["b", "abc", "ab"]);
  assert.deepEqual(sk(await query("pk = :p AND sk < :x", { ":p": "p", ":x": "b" })), ["abc", "ab", "a"]);
  assert.deepEqual(sk(await query("pk = :p AND sk > :x", { ":p": "p", ":x": "b" })), ["c", "ba"]);
  assert.deepEqual(sk(await query("pk = :p AND sk <= :x", { ":p": "p", ":x": "ab" })), ["ab", "a"]);
  assert.deepEqual(sk(await query("pk = :p AND sk = :x", { ":p": "p", ":x": "ab" })), ["ab"]);
  // LSI, numeric sort key, descending.
  assert.deepEqual(
    (await query("pk = :p AND #r >= :r", { ":p": "p", ":r": 7 }, { IndexName: "byRank", ExpressionAttributeNames: { "#r": "rank" } })).map(
      (i) => i.rank,
    ),
    [10, 9, 8, 7],
  );
  // Reverse pagination with ExclusiveStartKey, on the table and on a hash-only GSI.
  for (const extra of [{}, { IndexName: "byGroup" }]) {
    const seen: string[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    const condition = "IndexName" in extra ? "#g = :p" : "pk = :p";
    const values = { ":p": "IndexName" in extra ? "g" : "p" };
    const names = "IndexName" in extra ? { ExpressionAttributeNames: { "#g": "group" } } : {};
    do {
      const page = await doc.send(
        new DocQuery({
          TableName: "rev",
          KeyConditionExpression: condition,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: 4,
          ExclusiveStartKey,
          ...names,
          ...extra,
        }),
      );
      seen.push(...(page.Items ?? []).map((i) => i.sk as string));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    assert.deepEqual(seen, [...sks].reverse(), JSON.stringify(extra));
  }
  const raw = await ddb.send(
    new QueryCommand({
      TableName: "rev",
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": { S: "nobody" } },
      ScanIndexForward: false,
    }),
  );
  assert.deepEqual(raw.Items, []);
});
