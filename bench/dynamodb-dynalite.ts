import { createRequire } from "node:module";
import type { AddressInfo, Server } from "node:net";

/**
 * dynalite (the npm DynamoDB emulator, in-memory LevelDB) as a child process for bench/dynamodb.ts,
 * announcing its endpoint the way child.ts expects. Tables are ACTIVE at once so loading can start.
 */
const dynalite = createRequire(import.meta.url)("dynalite") as (options: Record<string, unknown>) => Server;
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`dynalite ready on http://127.0.0.1:${port}`);
});

process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
});
