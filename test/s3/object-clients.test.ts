import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import { useServer } from "../helpers.js";

const run = promisify(execFile);
const server = useServer();
const work = mkdtempSync(join(tmpdir(), "overcast-s3-clients-"));
after(() => rmSync(work, { recursive: true, force: true }));

function clientEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
}

async function aws(args: string[]): Promise<string> {
  const { stdout } = await run("aws", [...args, "--endpoint-url", server.endpoint], { env: clientEnv(), maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

async function python(script: string): Promise<unknown> {
  const { stdout } = await run("python3", ["-c", script], { env: clientEnv() });
  return JSON.parse(stdout);
}

/** Deterministic, non-repeating content, so a misplaced chunk changes the hash. */
function patterned(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) out.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return out;
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

test("AWS CLI: s3 cp up and down (small and a 9 MB multipart file), ls, sync, rm --recursive, rb", async () => {
  const big = patterned(9 * 1024 * 1024, 1);
  const bigPath = join(work, "big.bin");
  writeFileSync(bigPath, big);
  writeFileSync(join(work, "small.txt"), "small file");
  await aws(["s3", "mb", "s3://cli-objects"]);
  assert.match(await aws(["s3", "cp", bigPath, "s3://cli-objects/data/big.bin"]), /upload: .*big.bin to s3:\/\/cli-objects\/data\/big.bin/);
  await aws(["s3", "cp", join(work, "small.txt"), "s3://cli-objects/small file.txt"]);
  const head = JSON.parse(await aws(["s3api", "head-object", "--bucket", "cli-objects", "--key", "data/big.bin", "--output", "json"])) as {
    ETag: string;
    ContentLength: number;
  };
  assert.equal(head.ContentLength, big.length);
  assert.match(head.ETag, /-\d+"$/, "the CLI uploads files over 8 MB in parts");
  const down = join(work, "down.bin");
  await aws(["s3", "cp", "s3://cli-objects/data/big.bin", down]);
  assert.equal(sha(readFileSync(down)), sha(big));
  const ls = await aws(["s3", "ls", "s3://cli-objects/"]);
  assert.match(ls, /PRE data\//);
  assert.match(ls, /\s10 small file\.txt/);
  const recursive = await aws(["s3", "ls", "--recursive", "s3://cli-objects"]);
  assert.match(recursive, new RegExp(`\\s${big.length} data/big.bin`));

  const tree = join(work, "tree");
  mkdirSync(join(tree, "sub", "deeper"), { recursive: true });
  writeFileSync(join(tree, "one.txt"), "1");
  writeFileSync(join(tree, "sub", "two.txt"), "22");
  writeFileSync(join(tree, "sub", "deeper", "three.txt"), "333");
  const synced = await aws(["s3", "sync", tree, "s3://cli-objects/tree"]);
  assert.equal(synced.match(/upload:/g)?.length, 3);
  // Nothing changed: a second sync uploads nothing.
  assert.equal((await aws(["s3", "sync", tree, "s3://cli-objects/tree"])).match(/upload:/g), null);
  const back = join(work, "back");
  await aws(["s3", "sync", "s3://cli-objects/tree", back]);
  assert.equal(readFileSync(join(back, "sub", "deeper", "three.txt"), "utf8"), "333");
  assert.deepEqual(readdirSync(back).sort(), ["one.txt", "sub"]);

  await assert.rejects(aws(["s3", "rb", "s3://cli-objects"]), /BucketNotEmpty/);
  const removed = await aws(["s3", "rm", "--recursive", "s3://cli-objects"]);
  assert.equal(removed.match(/delete:/g)?.length, 5);
  assert.equal(await aws(["s3", "ls", "--recursive", "s3://cli-objects"]).catch(() => ""), "");
  assert.match(await aws(["s3", "rb", "s3://cli-objects"]), /remove_bucket: cli-objects/);
});

test("boto3: upload_file/download_file (multipart over 8 MB), put/get with metadata, errors botocore parses", async () => {
  const big = patterned(10 * 1024 * 1024, 2);
  const upPath = join(work, "boto-up.bin");
  const downPath = join(work, "boto-down.bin");
  writeFileSync(upPath, big);
  const result = (await python(`
import json, boto3, botocore
s3 = boto3.client("s3")
out = {}
s3.create_bucket(Bucket="boto-objects")
s3.upload_file(${JSON.stringify(upPath)}, "boto-objects", "dir/big.bin")
out["etag"] = s3.head_object(Bucket="boto-objects", Key="dir/big.bin")["ETag"]
s3.download_file("boto-objects", "dir/big.bin", ${JSON.stringify(downPath)})
s3.put_object(Bucket="boto-objects", Key="meta key", Body=b"hi", Metadata={"k": "v"}, ContentType="text/plain")
got = s3.get_object(Bucket="boto-objects", Key="meta key")
out["got"] = [got["Body"].read().decode(), got["Metadata"], got["ContentType"]]
out["listed"] = [o["Key"] for o in s3.list_objects_v2(Bucket="boto-objects")["Contents"]]
out["v1"] = [o["Key"] for o in s3.list_objects(Bucket="boto-objects", Delimiter="/")["Contents"]]
out["encoded"] = [o["Key"] for o in s3.list_objects_v2(Bucket="boto-objects", EncodingType="url")["Contents"]]
try:
    s3.get_object(Bucket="boto-objects", Key="absent")
except botocore.exceptions.ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["Error"]["Key"]]
try:
    s3.get_object(Bucket="boto-objects", Key="meta key", Range="bytes=100-")
except botocore.exceptions.ClientError as e:
    out["range"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
s3.delete_objects(Bucket="boto-objects", Delete={"Objects": [{"Key": "dir/big.bin"}, {"Key": "meta key"}]})
out["after"] = s3.list_objects_v2(Bucket="boto-objects")["KeyCount"]
print(json.dumps(out))
`)) as Record<string, unknown>;
  assert.match(result.etag as string, /-2"$/);
  assert.equal(sha(readFileSync(downPath)), sha(big));
  assert.deepEqual(result.got, ["hi", { k: "v" }, "text/plain"]);
  assert.deepEqual(result.listed, ["dir/big.bin", "meta key"]);
  assert.deepEqual(result.v1, ["meta key"]);
  // botocore asks for url encoding on its own and decodes it (the lists above); asked for explicitly, it is left encoded.
  assert.deepEqual(result.encoded, ["dir/big.bin", "meta+key"]);
  assert.deepEqual(result.missing, ["NoSuchKey", "absent"]);
  assert.deepEqual(result.range, ["InvalidRange", 416]);
  assert.equal(result.after, 0);
});
