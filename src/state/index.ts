import type { Options } from "../config.js";
import { type BlobStore, FileBlobStore, MemoryBlobStore } from "./blobs.js";
import { MemoryBackend, type StateBackend } from "./store.js";

/** Opens the configured state: in memory by default, or durable under --data-dir. */
export async function openState(options: Options): Promise<{ state: StateBackend; blobs: BlobStore }> {
  if (!options.dataDir) return { state: new MemoryBackend(), blobs: new MemoryBlobStore() };
  const { SqliteBackend } = await import("./sqlite.js");
  const state = new SqliteBackend(options.dataDir);
  try {
    return { state, blobs: new FileBlobStore(options.dataDir) };
  } catch (err) {
    state.close();
    throw err;
  }
}
