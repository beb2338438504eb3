import { createRequire } from "node:module";

/** Runs s3rver (the npm fake S3, on disk) on a free loopback port and announces it as our servers do. */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;
const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
console.log(`s3rver ready on http://127.0.0.1:${port}`);
process.on("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
