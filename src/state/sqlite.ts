// placeholder replaced by the persistence work
export { MemoryBackend as SqliteBackend } from "./store.js";
