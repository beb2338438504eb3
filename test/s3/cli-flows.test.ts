import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import { HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { rejectsWith, useServer } from "../helpers.js";

// The AWS CLI's high-level `s3` commands, as users run them: v1 from pip (`aws` on PATH) and Debian's v2.
const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "overcast-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));

const PIP_CLI = "aws";
const DEBIAN_CLI = "/usr/bin/aws";

async function aws(cli: string, ...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_CONFIG_FILE: join(work, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(work, "no-credentials"),
    AWS_PAGER: "",
  };
  const { stdout } = await run(cli, [...args, "--endpoint-url", server.endpoint], { env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** A folder with small files in a subfolder and one file above the CLI's 8 MB multipart threshold. */
function fixture(name: string): { dir: string; big: Buffer } {
  const dir = join(work, name);
  mkdirSync(join(dir, "sub"), { recursive: true });
  writeFileSync(join(dir, "a.txt"), "alpha\n");
  writeFileSync(join(dir, "sub", "b c.txt"), "bravo charlie\n");
  const big = randomBytes(9 * 1024 * 1024 + 123);
  writeFileSync(join(dir, "big.bin"), big);
  return { dir, big };
}

async function keys(bucket: string, prefix = ""): Promise<string[]> {
  const out = await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key as string).sort();
}

async function basicFlow(cli: string, bucket: string): Promise<void> {
  const { dir, big } = fixture(bucket);
  assert.match(await aws(cli, "s3", "mb", `s3://${bucket}`), new RegExp(`make_bucket: ${bucket}`));

  // cp up and down, the large file as a multipart upload
  await aws(cli, "s3", "cp", join(dir, "big.bin"), `s3://${bucket}/big.bin`);
  const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: "big.bin" }));
  assert.equal(head.ContentLength, big.length);
  assert.match(head.ETag ?? "", /-2"$/, "uploaded in parts");
  await aws(cli, "s3", "cp", `s3://${bucket}/big.bin`, join(dir, "big.copy"));
  assert.equal(sha(readFileSync(join(dir, "big.copy"))), sha(big));

  // sync up: everything once, nothing the second time
  const up = await aws(cli, "s3", "sync", dir, `s3://${bucket}/synced/`, "--exclude", "big.copy");
  assert.match(up, /upload: .*a\.txt to s3:\/\/.*\/synced\/a\.txt/);
  assert.deepEqual(await keys(bucket, "synced/"), ["synced/a.txt", "synced/big.bin", "synced/sub/b c.txt"]);
  assert.equal((await aws(cli, "s3", "sync", dir, `s3://${bucket}/synced/`, "--exclude", "big.copy")).trim(), "");

  // sync down into an empty folder, then again with nothing to do
  const down = join(work, `${bucket}-down`);
  await aws(cli, "s3", "sync", `s3://${bucket}/synced/`, down);
  assert.equal(readFileSync(join(down, "sub", "b c.txt"), "utf8"), "bravo charlie\n");
  assert.equal(sha(readFileSync(join(down, "big.bin"))), sha(big));
  assert.equal((await aws(cli, "s3", "sync", `s3://${bucket}/synced/`, down)).trim(), "");

  // ls: recursive, human-readable sizes, summary
  const listing = await aws(cli, "s3", "ls", `s3://${bucket}`, "--recursive", "--human-readable", "--summarize");
  assert.match(listing, /9\.0 MiB synced\/big\.bin/);
  assert.match(listing, /6 Bytes synced\/a\.txt/);
  assert.match(listing, /Total Objects: 4/);
  const top = await aws(cli, "s3", "ls", `s3://${bucket}/`);
  assert.match(top, /PRE synced\//);

  // presign, then fetch without credentials
  const url = (await aws(cli, "s3", "presign", `s3://${bucket}/synced/a.txt`, "--expires-in", "120")).trim();
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "alpha\n");

  // rm --recursive under a prefix, then rb --force empties and removes the bucket
  const removed = await aws(cli, "s3", "rm", `s3://${bucket}/synced`, "--recursive");
  assert.match(removed, /delete: s3:\/\/.*\/synced\/sub\/b c\.txt/);
  assert.deepEqual(await keys(bucket), ["big.bin"]);
  await aws(cli, "s3", "rb", `s3://${bucket}`, "--force");
  await rejectsWith(s3().send(new HeadBucketCommand({ Bucket: bucket })), "NotFound", 404);
}

test("AWS CLI v1: mb, cp (multipart), sync both ways, ls, presign, rm --recursive, rb --force", async () => {
  await basicFlow(PIP_CLI, "cli-flow-v1");
});

test("Debian's AWS CLI v2: the same flow", async () => {
  const version = await aws(DEBIAN_CLI, "--version").catch((err: Error) => {
    throw new Error(`${DEBIAN_CLI} is missing: apt-get install -y awscli (${err.message})`);
  });
  assert.match(version, /aws-cli\/2\./);
  await basicFlow(DEBIAN_CLI, "cli-flow-v2");
});
