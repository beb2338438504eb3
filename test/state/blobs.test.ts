import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { describe, type TestContext, test } from "node:test";
import { type BlobStore, FileBlobStore, MemoryBlobStore } from "../../src/state/blobs.js";
import { tempDir } from "./fixtures.js";

const LARGE_BLOB = 64 * 1024 * 1024;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

interface StreamReport {
  size: number;
  readBytes: number;
  writtenHash: string;
  readHash: string;
  growth: number;
  tmpLeft: string[];
}

/**
 * Writes and reads back LARGE_BLOB bytes of fresh 256 KiB chunks in a child process run with
 * --expose-gc: collecting regularly makes RSS measure what the store retains, not garbage the GC
 * has not reached yet (V8 lets ~32 MiB of dead Buffers accumulate otherwise).
 */
function streamLargeBlob(kind: "file" | "memory", dir: string): Promise<StreamReport> {
  const moduleUrl = new URL("../../src/state/blobs.js", import.meta.url).href;
  const script = `
    const { createHash } = await import("node:crypto");
    const { readdirSync } = await import("node:fs");
    const { FileBlobStore, MemoryBlobStore } = await import(${JSON.stringify(moduleUrl)});
    const dir = ${JSON.stringify(dir)};
    const store = ${JSON.stringify(kind)} === "file" ? new FileBlobStore(dir) : new MemoryBlobStore();
    const CHUNK = 256 * 1024, TOTAL = ${LARGE_BLOB};
    globalThis.gc();
    const baseline = process.memoryUsage().rss;
    let peak = baseline, n = 0;
    const sample = () => {
      if (++n % 8 === 0) globalThis.gc();
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    const written = createHash("sha256");
    async function* generate() {
      for (let offset = 0; offset < TOTAL; offset += CHUNK) {
        const chunk = Buffer.alloc(CHUNK, offset / CHUNK);
        chunk.writeUInt32BE(offset, 0);
        written.update(chunk);
        sample();
        yield chunk;
      }
    }
    const { id, size } = await store.write(generate());
    sample();
    const read = createHash("sha256");
    let readBytes = 0;
    for await (const chunk of store.read(id)) {
      read.update(chunk);
      readBytes += chunk.length;
      sample();
    }
    const tmpLeft = ${JSON.stringify(kind)} === "file" ? readdirSync(dir + "/tmp") : [];
    console.log(JSON.stringify({ size, readBytes, writtenHash: written.digest("hex"), readHash: read.digest("hex"), growth: peak - baseline, tmpLeft }));
  `;
  const child = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(output) as StreamReport) : reject(new Error(`blob child exited ${code}: ${output}`)),
    ),
  );
}

/** A failed write must not leave a file behind even once its stream's pending I/O has settled. */
const settle = () => delay(100);

const stores: Array<[string, (t: TestContext) => BlobStore]> = [
  ["MemoryBlobStore", () => new MemoryBlobStore()],
  ["FileBlobStore", (t) => new FileBlobStore(tempDir(t))],
];

async function readAll(open: () => Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of open()) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

for (const [name, open] of stores) {
  describe(`${name} contract`, () => {
    test("writes from bytes or a stream, reports size, and reads back whole or by inclusive range", async (t) => {
      const store = open(t);
      const seen: string[] = [];
      const streamed = await store.write(chunks("hello ", "wide ", "world"), (chunk) => seen.push(chunk.toString()));
      assert.deepEqual(seen, ["hello ", "wide ", "world"]);
      assert.equal(streamed.size, 16);
      assert.equal(store.size(streamed.id), 16);
      assert.equal((await readAll(() => store.read(streamed.id))).toString(), "hello wide world");
      assert.equal((await readAll(() => store.read(streamed.id, { start: 6, end: 9 }))).toString(), "wide");
      assert.equal((await readAll(() => store.read(streamed.id, { start: 15, end: 15 }))).toString(), "d");

      const bytes = new Uint8Array([9, 8, 7, 6]);
      const direct = await store.write(bytes.subarray(1, 3));
      assert.equal(direct.size, 2);
      bytes.fill(0); // the store must have copied, not kept a view of the caller's buffer
      assert.deepEqual([...(await readAll(() => store.read(direct.id)))], [8, 7]);
      assert.notEqual(direct.id, streamed.id);
    });

    test("an empty blob has size 0 and reads as nothing", async (t) => {
      const store = open(t);
      const { id, size } = await store.write(chunks());
      assert.equal(size, 0);
      assert.equal(store.size(id), 0);
      assert.equal((await readAll(() => store.read(id))).length, 0);
    });

    test("delete removes a blob; an unknown id has no size and cannot be read", async (t) => {
      const store = open(t);
      const { id } = await store.write(new Uint8Array([1]));
      store.delete(id);
      store.delete(id);
      assert.equal(store.size(id), undefined);
      await assert.rejects(readAll(() => store.read(id)));
      assert.equal(store.size("00000000-0000-0000-0000-000000000000"), undefined);
    });

    test("a source that fails mid-stream rejects the write and stores nothing", async (t) => {
      const store = open(t);
      async function* failing() {
        yield new Uint8Array([1, 2, 3]);
        throw new Error("client went away");
      }
      await assert.rejects(store.write(failing()), /client went away/);
      await settle();
      assert.equal(store.sweep(new Set()), 0);
    });

    test("an onChunk that throws (e.g. a checksum limit) rejects the write", async (t) => {
      const store = open(t);
      await assert.rejects(
        store.write(chunks("a", "b"), () => {
          throw new Error("too big");
        }),
        /too big/,
      );
      await settle();
      assert.equal(store.sweep(new Set()), 0);
    });

    test("sweep removes every blob not in the live set and counts them; clear removes all", async (t) => {
      const store = open(t);
      const ids = await Promise.all([1, 2, 3, 4].map((n) => store.write(new Uint8Array(n)).then((b) => b.id)));
      assert.equal(store.sweep(new Set([ids[0], ids[2]])), 2);
      assert.deepEqual(
        ids.map((id) => store.size(id)),
        [1, undefined, 3, undefined],
      );
      assert.equal(store.sweep(new Set(ids)), 0);
      store.clear();
      assert.deepEqual(
        ids.map((id) => store.size(id)),
        [undefined, undefined, undefined, undefined],
      );
      const after = await store.write(new Uint8Array(5));
      assert.equal(store.size(after.id), 5);
    });
  });
}

describe("FileBlobStore on disk", () => {
  test("a 64 MiB blob streams from a generator to disk and back without being held in memory", async (t) => {
    const file = await streamLargeBlob("file", tempDir(t));
    assert.equal(file.size, LARGE_BLOB);
    assert.equal(file.readBytes, LARGE_BLOB);
    assert.equal(file.readHash, file.writtenHash);
    assert.deepEqual(file.tmpLeft, [], "no temp file is left after a write");
    assert.ok(file.growth < LARGE_BLOB / 4, `RSS grew by ${mib(file.growth)} MiB while streaming a ${mib(LARGE_BLOB)} MiB blob`);
    // The same measurement sees a store that does hold the blob in memory: the check can fail.
    const memory = await streamLargeBlob("memory", tempDir(t));
    assert.equal(memory.readHash, memory.writtenHash);
    assert.ok(memory.growth > LARGE_BLOB * 0.9, `control: memory store grew by only ${mib(memory.growth)} MiB`);
    t.diagnostic(
      `RSS growth for a ${mib(LARGE_BLOB)} MiB blob: file store ${mib(file.growth)} MiB, memory store ${mib(memory.growth)} MiB`,
    );
  });

  test("a range across chunk boundaries reads exactly the requested bytes", async (t) => {
    const store = new FileBlobStore(tempDir(t));
    async function* counting() {
      for (let n = 0; n < 4; n++) yield Buffer.alloc(1000, n);
    }
    const { id } = await store.write(counting());
    const range = await readAll(() => store.read(id, { start: 996, end: 2003 }));
    assert.equal(range.length, 1008);
    assert.deepEqual([...range.subarray(0, 4)], [0, 0, 0, 0]);
    assert.ok(range.subarray(4, 1004).every((b) => b === 1));
    assert.deepEqual([...range.subarray(1004)], [2, 2, 2, 2]);
  });

  test("blobs survive a new store on the same dir; leftover temp files are removed at start-up", async (t) => {
    const dir = tempDir(t);
    const { id } = await new FileBlobStore(dir).write(chunks("kept"));
    mkdirSync(join(dir, "tmp"), { recursive: true });
    writeFileSync(join(dir, "tmp", "crashed-upload"), "half a body");
    const reopened = new FileBlobStore(dir);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    assert.equal((await readAll(() => reopened.read(id))).toString(), "kept");
  });

  test("a failed write leaves no temp file behind", async (t) => {
    const dir = tempDir(t);
    const store = new FileBlobStore(dir);
    async function* failing() {
      yield new Uint8Array(1024);
      throw new Error("aborted");
    }
    await assert.rejects(store.write(failing()), /aborted/);
    await settle();
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
  });

  test("ids that could escape the blob directory are rejected", (t) => {
    const store = new FileBlobStore(tempDir(t));
    assert.throws(() => store.read("../../state.db"), /invalid blob id/);
    assert.throws(() => store.delete("../x"), /invalid blob id/);
  });
});
