import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { SqliteBackend } from "../../src/state/sqlite.js";
import { compareCodePoints, MemoryBackend, type Scope, type StateBackend } from "../../src/state/store.js";
import { tempDir } from "./fixtures.js";

/** The same assertions over every backend: services must not be able to tell them apart. */
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

const home: Scope = { service: "sqs", account: "000000000000", region: "us-east-1" };

// In code-point (UTF-8 byte) order. UTF-16 order would put the emoji (a surrogate pair, 0xD83D…)
// before U+E000 and U+FFFF.
const ORDERED_KEYS = ["", "A", "a", "a/b", "ab", "z", "\u00e9", "\u4e2d", "\ue000", "\uffff", "\u{1f600}", "\u{1f600}x", "\u{10ffff}"];

const keysOf = (entries: Iterable<[string, unknown]>) => [...entries].map(([k]) => k);

for (const [name, open] of backends) {
  describe(`${name} contract`, () => {
    test("get/set/has/delete/size behave like a Map; set replaces", (t) => {
      const c = open(t).scope(home).collection<{ n: number }>("items");
      assert.equal(c.size, 0);
      assert.equal(c.get("a"), undefined);
      c.set("a", { n: 1 });
      c.set("b", { n: 2 });
      c.set("a", { n: 3 });
      assert.equal(c.size, 2);
      assert.deepEqual(c.get("a"), { n: 3 });
      assert.equal(c.has("b"), true);
      assert.equal(c.delete("b"), true);
      assert.equal(c.delete("b"), false);
      assert.equal(c.has("b"), false);
      assert.deepEqual([...c.keys()], ["a"]);
      assert.deepEqual([...c.values()], [{ n: 3 }]);
    });

    test("the same collection name opened twice is the same collection", (t) => {
      const backend = open(t);
      backend.scope(home).collection("items").set("k", 1);
      assert.equal(
        backend
          .scope({ ...home })
          .collection("items")
          .get("k"),
        1,
      );
      assert.equal(backend.scope(home).collection("other").has("k"), false);
    });

    test("a sorted collection iterates in code-point order, not UTF-16 order", (t) => {
      const c = open(t).scope(home).collection<number>("sorted", { sorted: true });
      const shuffled = [...ORDERED_KEYS].reverse();
      shuffled.push(shuffled.splice(3, 1)[0]);
      for (const [i, key] of shuffled.entries()) c.set(key, i);
      assert.deepEqual([...c.keys()], ORDERED_KEYS);
      assert.deepEqual([...ORDERED_KEYS].sort(compareCodePoints), ORDERED_KEYS);
      assert.notDeepEqual([...ORDERED_KEYS].sort(), ORDERED_KEYS, "the fixture must tell the two orders apart");
    });

    test("entriesFrom starts at the key (inclusive) or the next one, and needs a sorted collection", (t) => {
      const store = open(t).scope(home);
      const c = store.collection<number>("sorted", { sorted: true });
      for (const [i, key] of ORDERED_KEYS.entries()) c.set(key, i);
      assert.deepEqual(keysOf(c.entriesFrom("z")), ORDERED_KEYS.slice(ORDERED_KEYS.indexOf("z")));
      assert.deepEqual(keysOf(c.entriesFrom("b")), ORDERED_KEYS.slice(ORDERED_KEYS.indexOf("z")));
      assert.deepEqual(keysOf(c.entriesFrom("\ufffe")), ["\uffff", "\u{1f600}", "\u{1f600}x", "\u{10ffff}"]);
      assert.deepEqual(keysOf(c.entriesFrom("\u{10ffff}\u0000")), []);
      assert.deepEqual(keysOf(c.entriesFrom()), ORDERED_KEYS);
      assert.deepEqual([...c.entriesFrom("a/b")][0], ["a/b", 3]);
      assert.throws(() => store.collection("plain").entriesFrom("a"), /sorted collection/);
    });

    test("clear empties one collection only", (t) => {
      const store = open(t).scope(home);
      store.collection("a").set("k", 1);
      store.collection("b").set("k", 2);
      store.collection("a").clear();
      assert.equal(store.collection("a").size, 0);
      assert.equal(store.collection("b").get("k"), 2);
    });

    test("stored values keep Buffers, Dates, nested data and keys that look like tags", (t) => {
      const c = open(t).scope(home).collection<unknown>("values");
      const value = {
        body: Buffer.from([0, 1, 255]),
        at: new Date(1_700_000_000_123),
        list: [1, "two", null, { deep: true }],
        $$bytes: "not a tag",
      };
      c.set("v", value);
      assert.deepEqual(c.get("v"), value);
    });

    test("scopes are isolated by service, account and region", (t) => {
      const backend = open(t);
      const variants: Scope[] = [
        home,
        { ...home, service: "logs" },
        { ...home, account: "111122223333" },
        { ...home, region: "eu-west-1" },
      ];
      for (const [i, scope] of variants.entries()) backend.scope(scope).collection("items").set("same-key", i);
      for (const [i, scope] of variants.entries()) assert.equal(backend.scope(scope).collection("items").get("same-key"), i);
      const sorted = (scopes: Scope[]) => scopes.map((s) => `${s.account}/${s.region}`).sort();
      assert.deepEqual(sorted(backend.scopes("sqs")), ["000000000000/eu-west-1", "000000000000/us-east-1", "111122223333/us-east-1"]);
      assert.deepEqual(sorted(backend.scopes("logs")), ["000000000000/us-east-1"]);
      assert.deepEqual(backend.scopes("s3"), []);
    });

    test("reset(service) wipes that service only; reset() wipes everything", (t) => {
      const backend = open(t);
      const logs = { ...home, service: "logs" };
      backend.scope(home).collection("items").set("k", 1);
      backend
        .scope({ ...home, region: "eu-west-1" })
        .collection("items")
        .set("k", 2);
      backend.scope(logs).collection("items").set("k", 3);
      backend.reset("sqs");
      assert.deepEqual(backend.scopes("sqs"), []);
      assert.equal(backend.scope(home).collection("items").has("k"), false);
      assert.equal(backend.scope(logs).collection("items").get("k"), 3);
      backend.scope(home).collection("items").set("again", 4);
      backend.reset();
      assert.deepEqual(backend.scopes("sqs"), []);
      assert.deepEqual(backend.scopes("logs"), []);
      assert.equal(backend.scope(logs).collection("items").size, 0);
    });

    test("a collection handle kept across a reset no longer affects the new state", (t) => {
      const backend = open(t);
      const stale = backend.scope(home).collection<number>("items");
      stale.set("before", 1);
      backend.reset("sqs");
      stale.set("after", 2);
      assert.equal(backend.scope(home).collection("items").size, 0);
    });

    test("transaction returns fn's value and nested transactions join the outer one", (t) => {
      const backend = open(t);
      const c = backend.scope(home).collection<number>("items");
      const result = backend.transaction(() => {
        c.set("outer", 1);
        return backend.transaction(() => {
          c.set("inner", 2);
          return "done";
        });
      });
      assert.equal(result, "done");
      assert.deepEqual([...c.entries()].sort(), [
        ["inner", 2],
        ["outer", 1],
      ]);
    });

    // Transactions make writes durable together (crash atomicity); they do not undo anything. Writes made
    // before a throw stay, on every backend — services validate before they write.
    test("a transaction whose fn throws rethrows and keeps the writes made before the throw", (t) => {
      const backend = open(t);
      const c = backend.scope(home).collection<number>("items");
      c.set("existing", 0);
      assert.throws(
        () =>
          backend.transaction(() => {
            c.set("written", 1);
            c.delete("existing");
            throw new Error("boom");
          }),
        /boom/,
      );
      assert.deepEqual([...c.entries()], [["written", 1]]);
      // The backend is still usable for further transactions.
      backend.transaction(() => c.set("later", 2));
      assert.equal(c.get("later"), 2);
    });
  });
}
