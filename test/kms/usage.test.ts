import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateAliasCommand, DecryptCommand, EncryptCommand, GetKeyLastUsageCommand, ReEncryptCommand } from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";
import { createKey, kmsClient } from "./support.js";

const server = useServer();

test("GetKeyLastUsage reports the last successful cryptographic operation of a key", async () => {
  const kms = kmsClient(server);
  const keyId = await createKey(kms);
  const fresh = await kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
  assert.equal(fresh.KeyId, keyId);
  assert.deepEqual(fresh.KeyLastUsage, {});
  assert.ok(fresh.KeyCreationDate instanceof Date);
  assert.equal(fresh.TrackingStartDate?.getTime(), fresh.KeyCreationDate?.getTime());

  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("hi") }));
  const afterEncrypt = await kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
  assert.equal(afterEncrypt.KeyLastUsage?.Operation, "Encrypt");
  assert.ok(afterEncrypt.KeyLastUsage?.KmsRequestId);
  const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob }));
  assert.equal((await kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }))).KeyLastUsage?.Operation, "Decrypt");
  assert.equal(Buffer.from(decrypted.Plaintext ?? []).toString(), "hi");

  // ReEncrypt uses both keys.
  const other = await createKey(kms);
  await kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: other }));
  assert.equal((await kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }))).KeyLastUsage?.Operation, "ReEncrypt");
  assert.equal((await kms.send(new GetKeyLastUsageCommand({ KeyId: other }))).KeyLastUsage?.Operation, "ReEncrypt");

  // A failed operation is not a use.
  await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from("garbage") })), "InvalidCiphertextException", 400);
  assert.equal((await kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }))).KeyLastUsage?.Operation, "ReEncrypt");
});

test("GetKeyLastUsage takes key ids and ARNs, not aliases", async () => {
  const kms = kmsClient(server);
  const keyId = await createKey(kms);
  await kms.send(new CreateAliasCommand({ AliasName: "alias/usage", TargetKeyId: keyId }));
  await rejectsWith(kms.send(new GetKeyLastUsageCommand({ KeyId: "alias/usage" })), "NotFoundException", 400);
  const byArn = await kms.send(new GetKeyLastUsageCommand({ KeyId: `arn:aws:kms:us-east-1:000000000000:key/${keyId}` }));
  assert.equal(byArn.KeyId, keyId);
});
