import assert from "node:assert/strict";
import { test } from "node:test";
import { DecryptCommand, EncryptCommand, KMSClient, RotateKeyOnDemandCommand, SignCommand, VerifyCommand } from "@aws-sdk/client-kms";
import { type Overcast, startOvercast } from "../../src/index.js";
import { credentials } from "../helpers.js";
import { tempDir } from "../state/fixtures.js";
import { createKey } from "./support.js";

const client = (cloud: Overcast) => new KMSClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

test("key material survives a restart: old ciphertexts decrypt and old signatures verify", async (t) => {
  const dataDir = tempDir(t);
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  let keyId: string;
  let signingKey: string;
  let blobs: Uint8Array[];
  let signature: Uint8Array | undefined;
  try {
    const kms = client(first);
    keyId = await createKey(kms);
    const before = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("one") }));
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const after = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("two") }));
    blobs = [before.CiphertextBlob as Uint8Array, after.CiphertextBlob as Uint8Array];
    signingKey = await createKey(kms, { KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    signature = (await kms.send(new SignCommand({ KeyId: signingKey, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_256" })))
      .Signature;
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const kms = client(second);
  const texts = [];
  for (const blob of blobs)
    texts.push(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext as Uint8Array).toString());
  assert.deepEqual(texts, ["one", "two"]);
  const verified = await kms.send(
    new VerifyCommand({ KeyId: signingKey, Message: Buffer.from("m"), Signature: signature, SigningAlgorithm: "ECDSA_SHA_256" }),
  );
  assert.equal(verified.SignatureValid, true);
});
