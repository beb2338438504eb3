import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";

/**
 * Large byte payloads (S3 objects, Lambda code) live outside the record store, streamed in and out.
 * Write a blob first, then commit the record that names it: a reader never sees a half-written body.
 */
export interface BlobStore {
  /** Streams `source` into a new blob; `onChunk` sees every chunk (checksums) before it is stored. */
  write(source: AsyncIterable<Uint8Array> | Uint8Array, onChunk?: (chunk: Buffer) => void): Promise<{ id: string; size: number }>;
  /** Bytes `start`..`end` inclusive (whole blob by default). */
  read(id: string, range?: { start: number; end: number }): Readable;
  size(id: string): number | undefined;
  delete(id: string): void;
  /** Removes every blob not in `live` (orphans of crashed or abandoned writes). */
  sweep(live: Set<string>): number;
  clear(): void;
}

async function* chunksOf(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncIterable<Buffer> {
  if (source instanceof Uint8Array) {
    yield Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    return;
  }
  for await (const chunk of source) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();

  async write(source: AsyncIterable<Uint8Array> | Uint8Array, onChunk?: (chunk: Buffer) => void) {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of chunksOf(source)) {
      onChunk?.(chunk);
      parts.push(chunk);
      size += chunk.length;
    }
    const id = randomUUID();
    this.blobs.set(id, parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts, size));
    return { id, size };
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    const blob = this.blobs.get(id);
    if (!blob) throw new Error(`no blob ${id}`);
    return Readable.from([range ? blob.subarray(range.start, range.end + 1) : blob], { objectMode: false });
  }

  size(id: string) {
    return this.blobs.get(id)?.length;
  }

  delete(id: string) {
    this.blobs.delete(id);
  }

  sweep(live: Set<string>) {
    let removed = 0;
    for (const id of this.blobs.keys()) {
      if (!live.has(id)) {
        this.blobs.delete(id);
        removed++;
      }
    }
    return removed;
  }

  clear() {
    this.blobs.clear();
  }
}

/** Blobs as files under `<dataDir>/blobs/<first two hex>/<id>`, written to a temp name, fsynced, renamed. */
export class FileBlobStore implements BlobStore {
  private readonly root: string;
  private readonly tmp: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, "blobs");
    this.tmp = join(dataDir, "tmp");
    mkdirSync(this.root, { recursive: true });
    // Anything left in tmp/ was never committed.
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
  }

  private pathOf(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`invalid blob id ${id}`);
    return join(this.root, id.slice(0, 2), id);
  }

  async write(source: AsyncIterable<Uint8Array> | Uint8Array, onChunk?: (chunk: Buffer) => void) {
    const id = randomUUID();
    const tmpPath = join(this.tmp, id);
    const out = createWriteStream(tmpPath);
    let size = 0;
    try {
      for await (const chunk of chunksOf(source)) {
        onChunk?.(chunk);
        size += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      }
      out.end();
      await finished(out);
      const handle = await open(tmpPath, "r");
      await handle.sync();
      await handle.close();
      mkdirSync(join(this.root, id.slice(0, 2)), { recursive: true });
      renameSync(tmpPath, this.pathOf(id));
    } catch (err) {
      out.destroy();
      // Let a pending open finish and close first, or it would recreate the file after the removal.
      await finished(out).catch(() => undefined);
      rmSync(tmpPath, { force: true });
      throw err;
    }
    return { id, size };
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    // Open now, not when the stream first reads: a read that has started must survive a later delete.
    const fd = openSync(this.pathOf(id), "r");
    return createReadStream("", { fd, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  size(id: string) {
    try {
      return statSync(this.pathOf(id)).size;
    } catch {
      return undefined;
    }
  }

  delete(id: string) {
    rmSync(this.pathOf(id), { force: true });
  }

  sweep(live: Set<string>) {
    let removed = 0;
    for (const dir of readdirSync(this.root)) {
      for (const id of readdirSync(join(this.root, dir))) {
        if (!live.has(id)) {
          rmSync(join(this.root, dir, id), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  clear() {
    rmSync(this.root, { recursive: true, force: true });
    mkdirSync(this.root, { recursive: true });
  }
}
