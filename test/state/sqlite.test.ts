import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FORMAT_VERSION, SqliteBackend } from "../../src/state/sqlite.js";
import type { Scope } from "../../src/state/store.js";
import { failingCli, openRaw, tempDir } from "./fixtures.js";

const home: Scope = { service: "sqs", account: "000000000000", region: "us-east-1" };

/** Opens a backend on `dir`, runs `fn`, and closes it again (a clean restart). */
function session<T>(dir: string, fn: (backend: SqliteBackend) => T): T {
  const backend = new SqliteBackend(dir);
  try {
    return fn(backend);
  } finally {
    backend.close();
  }
}

test("a fresh data dir gets a WAL database with format_version 1 and a WITHOUT ROWID records table", (t) => {
  const dir = join(tempDir(t), "nested", "state");
  session(dir, () => undefined);
  assert.equal(FORMAT_VERSION, 1);
  const db = openRaw(join(dir, "state.db"));
  try {
    assert.deepEqual(db.prepare("SELECT value FROM meta WHERE key = 'format_version'").get(), { value: "1" });
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    const { sql } = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'records'").get() as { sql: string };
    assert.match(sql, /WITHOUT ROWID/);
  } finally {
    db.close();
  }
});

test("records, including Buffers, Dates and tag-like keys, survive a restart unchanged", (t) => {
  const dir = tempDir(t);
  const value = {
    body: Buffer.from("héllo\u0000\xff"),
    bytes: new Uint8Array([1, 2, 3]),
    at: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 7)),
    never: new Date(Number.NaN),
    nested: [{ when: new Date(0), raw: Buffer.alloc(0) }, null, 1.5, -0.25, "\u{1f600}"],
    $$bytes: "a string, not bytes",
    $$$date: 1,
    lookalike: { $$date: "2024-01-01T00:00:00.000Z" },
    ["__proto__"]: { polluted: true },
  };
  session(dir, (b) => b.scope(home).collection("values").set("v", value));
  const restored = session(dir, (b) => b.scope(home).collection<Record<string, unknown>>("values").get("v"));
  assert.ok(restored);
  assert.ok(Buffer.isBuffer(restored.body));
  assert.deepEqual(restored.body, value.body);
  // A Uint8Array comes back as a Buffer (a Uint8Array subclass) with the same bytes.
  assert.deepEqual([...(restored.bytes as Buffer)], [1, 2, 3]);
  assert.ok(restored.at instanceof Date);
  assert.equal((restored.at as Date).toISOString(), "2024-02-29T12:00:00.007Z");
  assert.ok(Number.isNaN((restored.never as Date).getTime()));
  assert.deepEqual(restored.nested, value.nested);
  assert.equal(restored.$$bytes, "a string, not bytes");
  assert.equal(restored.$$$date, 1);
  assert.deepEqual(restored.lookalike, { $$date: "2024-01-01T00:00:00.000Z" });
  assert.ok(Object.hasOwn(restored, "__proto__"));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(restored), Object.prototype);
});

test("a sorted collection comes back in code-point order after a restart; sortedness is how it is opened", (t) => {
  const dir = tempDir(t);
  const keys = ["\u{1f600}", "\uffff", "\ue000", "z", "a", "A"];
  session(dir, (b) => {
    const c = b.scope(home).collection<number>("sorted", { sorted: true });
    for (const [i, k] of keys.entries()) c.set(k, i);
  });
  session(dir, (b) => {
    const c = b.scope(home).collection<number>("sorted", { sorted: true });
    assert.deepEqual([...c.keys()], ["A", "a", "z", "\ue000", "\uffff", "\u{1f600}"]);
    assert.deepEqual(
      [...c.entriesFrom("\ue001")],
      [
        ["\uffff", 1],
        ["\u{1f600}", 0],
      ],
    );
  });
  // The same rows opened unsorted: all there, but no ordered seeks.
  session(dir, (b) => {
    const c = b.scope(home).collection<number>("sorted");
    assert.equal(c.size, keys.length);
    assert.throws(() => c.entriesFrom("a"), /sorted collection/);
  });
});

test("delete, clear and overwrites are persisted", (t) => {
  const dir = tempDir(t);
  session(dir, (b) => {
    const store = b.scope(home);
    for (const k of ["a", "b", "c"]) store.collection("kept").set(k, k);
    store.collection("kept").set("b", "B");
    store.collection("kept").delete("c");
    store.collection("cleared").set("x", 1);
    store.collection("cleared").clear();
  });
  session(dir, (b) => {
    assert.deepEqual(
      [...b.scope(home).collection("kept").entries()],
      [
        ["a", "a"],
        ["b", "B"],
      ],
    );
    assert.equal(b.scope(home).collection("cleared").size, 0);
  });
});

test("scopes() lists scopes that are on disk but not loaded yet, without duplicates", (t) => {
  const dir = tempDir(t);
  session(dir, (b) => {
    for (const account of ["111122223333", "000000000000"]) {
      for (const region of ["us-east-1", "eu-west-1", "ap-south-1"])
        b.scope({ service: "sqs", account, region }).collection("q").set("k", 1);
    }
    b.scope({ service: "logs", account: "000000000000", region: "us-east-1" }).collection("g").set("k", 1);
    b.scope({ service: "sqsx", account: "000000000000", region: "us-east-1" }).collection("g").set("k", 1);
  });
  session(dir, (b) => {
    const names = () =>
      b
        .scopes("sqs")
        .map((s) => `${s.service}:${s.account}/${s.region}`)
        .sort();
    const expected = ["111122223333", "000000000000"]
      .flatMap((a) => ["us-east-1", "eu-west-1", "ap-south-1"].map((r) => `sqs:${a}/${r}`))
      .sort();
    assert.deepEqual(names(), expected);
    // Loading one of them and touching a new one: still each scope once.
    b.scope(home).collection("q").get("k");
    b.scope({ ...home, region: "sa-east-1" });
    assert.deepEqual(names(), [...expected, "sqs:000000000000/sa-east-1"].sort());
    assert.deepEqual(b.scopes("logs"), [{ service: "logs", account: "000000000000", region: "us-east-1" }]);
  });
});

test("reset(service) and reset() are persisted, and a stale handle cannot write rows back", (t) => {
  const dir = tempDir(t);
  const logs = { ...home, service: "logs" };
  session(dir, (b) => {
    b.scope(home).collection("q").set("k", 1);
    b.scope(logs).collection("g").set("k", 2);
  });
  session(dir, (b) => {
    const stale = b.scope(home).collection("q");
    b.reset("sqs");
    stale.set("resurrected", 3);
  });
  session(dir, (b) => {
    assert.deepEqual(b.scopes("sqs"), []);
    assert.equal(b.scope(home).collection("q").size, 0);
    assert.equal(b.scope(logs).collection("g").get("k"), 2);
    b.reset();
  });
  session(dir, (b) => assert.deepEqual(b.scopes("logs"), []));
});

test("a throwing transaction keeps its earlier writes on disk too, matching memory", (t) => {
  const dir = tempDir(t);
  session(dir, (b) => {
    const c = b.scope(home).collection<number>("items");
    assert.throws(() =>
      b.transaction(() => {
        c.set("a", 1);
        c.set("b", 2);
        throw new Error("validation failed late");
      }),
    );
  });
  session(dir, (b) =>
    assert.deepEqual(
      [...b.scope(home).collection("items").entries()],
      [
        ["a", 1],
        ["b", 2],
      ],
    ),
  );
});

test("a value JSON cannot hold is refused and changes nothing", (t) => {
  const dir = tempDir(t);
  session(dir, (b) => {
    const c = b.scope(home).collection<unknown>("items");
    c.set("k", { ok: true });
    assert.throws(() => c.set("k", { n: 1n }), /BigInt/);
    assert.throws(() => c.set("u", undefined), /JSON data/);
    assert.deepEqual(c.get("k"), { ok: true });
    assert.equal(c.has("u"), false);
  });
  session(dir, (b) => assert.deepEqual([...b.scope(home).collection("items").entries()], [["k", { ok: true }]]));
});

test("close() is idempotent and later writes fail loudly instead of being lost silently", (t) => {
  const dir = tempDir(t);
  const b = new SqliteBackend(dir);
  const c = b.scope(home).collection("items");
  b.close();
  b.close();
  assert.throws(() => c.set("k", 1), /not open/);
  // A clean close folds the WAL into the main file.
  assert.equal(existsSync(join(dir, "state.db-wal")), false);
});

/** Runs a script in a child process that opens the data dir and then kills itself with SIGKILL. */
function crashingChild(dir: string, body: string): Promise<NodeJS.Signals | null> {
  const moduleUrl = new URL("../../src/state/sqlite.js", import.meta.url).href;
  const script = `
    const { SqliteBackend } = await import(${JSON.stringify(moduleUrl)});
    const b = new SqliteBackend(${JSON.stringify(dir)});
    const c = b.scope(${JSON.stringify(home)}).collection("items", { sorted: true });
    const die = () => process.kill(process.pid, "SIGKILL");
    ${body}
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "inherit", "inherit"] });
  return new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
}

test("kill -9 keeps every write that returned, and none of an unfinished transaction", async (t) => {
  const dir = tempDir(t);
  const signal = await crashingChild(
    dir,
    `for (let i = 0; i < 500; i++) c.set("acked-" + String(i).padStart(3, "0"), { i, body: Buffer.from([i & 255]) });
     b.transaction(() => {
       c.set("tx-1", 1);
       c.delete("acked-000");
       b.transaction(() => { c.set("tx-2", 2); die(); });
     });`,
  );
  assert.equal(signal, "SIGKILL");
  assert.equal(existsSync(join(dir, "state.db-wal")), true, "the crash must leave an un-checkpointed WAL to recover");
  session(dir, (b) => {
    const c = b.scope(home).collection<{ i: number; body: Buffer }>("items", { sorted: true });
    assert.equal(c.size, 500);
    assert.equal(c.has("tx-1"), false);
    assert.equal(c.has("tx-2"), false);
    assert.deepEqual(c.get("acked-000"), { i: 0, body: Buffer.from([0]) });
    assert.deepEqual(c.get("acked-499"), { i: 499, body: Buffer.from([499 & 255]) });
  });
  const db = openRaw(join(dir, "state.db"));
  try {
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  } finally {
    db.close();
  }
});

test("a data dir written by a newer format version is refused with a clear message, and left untouched", async (t) => {
  const dir = tempDir(t);
  session(dir, (b) => b.scope(home).collection("items").set("k", 1));
  const db = openRaw(join(dir, "state.db"));
  db.prepare("UPDATE meta SET value = '999' WHERE key = 'format_version'").run();
  db.close();
  assert.throws(
    () => new SqliteBackend(dir),
    (err: Error) => {
      assert.match(err.message, /state format version 999/);
      assert.match(err.message, /newer Overcast/);
      assert.match(err.message, /reads format 1 at most/);
      return true;
    },
  );
  const cli = await failingCli(["--data-dir", dir]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /^overcast: .*state format version 999/m);
  const after = openRaw(join(dir, "state.db"));
  try {
    assert.deepEqual(after.prepare("SELECT value FROM meta WHERE key = 'format_version'").get(), { value: "999" });
    assert.equal((after.prepare("SELECT count(*) AS n FROM records").get() as { n: number }).n, 1);
  } finally {
    after.close();
  }
  // The refused open released its lock: the file is still usable by whoever can read it.
  assert.throws(() => new SqliteBackend(dir), /999/);
});

test("an unreadable format_version, a foreign SQLite file and a non-database file are refused", (t) => {
  const bad = tempDir(t);
  session(bad, () => undefined);
  const db = openRaw(join(bad, "state.db"));
  db.prepare("UPDATE meta SET value = 'one' WHERE key = 'format_version'").run();
  db.close();
  assert.throws(() => new SqliteBackend(bad), /unrecognized format_version "one"/);

  const foreign = tempDir(t);
  const other = openRaw(join(foreign, "state.db"));
  other.exec("CREATE TABLE users (id INTEGER PRIMARY KEY)");
  other.close();
  assert.throws(() => new SqliteBackend(foreign), /not an Overcast state database/);

  const garbage = tempDir(t);
  writeFileSync(join(garbage, "state.db"), "this is not sqlite, just some text padded out to look like a header..........".repeat(20));
  assert.throws(() => new SqliteBackend(garbage), /state\.db is not a database/);
});

test("a data dir in use by another backend or process is refused", async (t) => {
  const dir = tempDir(t);
  const first = new SqliteBackend(dir);
  t.after(() => first.close());
  first.scope(home).collection("items").set("k", 1);
  assert.throws(() => new SqliteBackend(dir), new RegExp(`data dir ${dir} is in use by another Overcast process`));
  const cli = await failingCli(["--data-dir", dir]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /in use by another Overcast process/);
  // The holder is unaffected.
  first.scope(home).collection("items").set("k2", 2);
  assert.equal(first.scope(home).collection("items").size, 2);
});
