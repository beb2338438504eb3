import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CLIENTS, runClient } from "../query/clients.js";
import { useServer } from "../helpers.js";
import { createKey, kmsClient } from "./support.js";

const server = useServer();
const dir = mkdtempSync(join(tmpdir(), "kms-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a shell pipeline around the AWS CLI v1, pointed at the test server. */
async function shell(script: string): Promise<string> {
  const run = await runClient("bash", ["-o", "pipefail", "-c", script], server.endpoint, { AWS_CLI: CLIENTS.awsV1 });
  assert.equal(run.code, 0, `script failed (${run.code}): ${run.stderr}`);
  return run.stdout;
}

test("aws kms encrypt / decrypt round-trip a binary file through fileb:// and base64 -d", async () => {
  const keyId = await createKey(kmsClient(server));
  const plaintext = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13, 65]);
  writeFileSync(join(dir, "plain.bin"), plaintext);
  const endpoint = `--endpoint-url ${server.endpoint}`;
  await shell(
    `cd ${dir} && "$AWS_CLI" kms encrypt ${endpoint} --key-id ${keyId} --plaintext fileb://plain.bin ` +
      `--encryption-context purpose=cli --query CiphertextBlob --output text | base64 -d > blob.bin`,
  );
  const out = await shell(
    `cd ${dir} && "$AWS_CLI" kms decrypt ${endpoint} --ciphertext-blob fileb://blob.bin --encryption-context purpose=cli ` +
      `--query Plaintext --output text | base64 -d | od -An -tx1 | tr -d ' \\n'`,
  );
  assert.equal(out, plaintext.toString("hex"));
  const wrong = await runClient(
    CLIENTS.awsV1,
    ["kms", "decrypt", "--endpoint-url", server.endpoint, "--ciphertext-blob", `fileb://${join(dir, "blob.bin")}`],
    server.endpoint,
  );
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /InvalidCiphertextException/);
});

test("aws kms describe-key and a missing key's NotFoundException", async () => {
  const keyId = await createKey(kmsClient(server), { Description: "from sdk" });
  const out = JSON.parse(await shell(`"$AWS_CLI" kms describe-key --endpoint-url ${server.endpoint} --key-id ${keyId}`));
  assert.equal(out.KeyMetadata.KeyId, keyId);
  assert.equal(out.KeyMetadata.Description, "from sdk");
  const missing = await runClient(
    CLIENTS.awsV1,
    ["kms", "describe-key", "--endpoint-url", server.endpoint, "--key-id", "alias/none"],
    server.endpoint,
  );
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFoundException.*Alias arn:aws:kms:us-east-1:000000000000:alias\/none is not found\./);
});
