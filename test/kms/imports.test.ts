import assert from "node:assert/strict";
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from "node:crypto";
import { test } from "node:test";
import {
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";
import { createKey, DAY_MS, kmsClient, withClockShift } from "./support.js";

const server = useServer();

async function wrapFor(
  client: KMSClient,
  keyId: string,
  material: Buffer,
  algorithm: "RSAES_OAEP_SHA_256" | "RSA_AES_KEY_WRAP_SHA_256" = "RSAES_OAEP_SHA_256",
) {
  const params = await client.send(
    new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: "RSA_3072" }),
  );
  const delta = (params.ParametersValidTo as Date).getTime() - Date.now();
  assert.ok(delta > 23 * 3_600_000 && delta <= 24 * 3_600_000);
  const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey as Uint8Array), format: "der", type: "spki" });
  const oaep = (data: Buffer) => publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, data);
  if (algorithm === "RSAES_OAEP_SHA_256") return { token: params.ImportToken, wrapped: oaep(material) };
  const aesKey = randomBytes(32);
  const cipher = createCipheriv("id-aes256-wrap-pad", aesKey, Buffer.from("A65959A6", "hex"));
  return { token: params.ImportToken, wrapped: Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]) };
}

test("EXTERNAL keys wait for imported material, then encrypt with it; re-importing the same material restores old ciphertexts", async () => {
  const client = kmsClient(server);
  const keyId = await createKey(client, { Origin: "EXTERNAL" });
  const described = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(described.KeyMetadata?.KeyState, "PendingImport");
  assert.equal(described.KeyMetadata?.Origin, "EXTERNAL");
  const pending = await rejectsWith(
    client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })),
    "KMSInvalidStateException",
    400,
  );
  assert.match(pending.message, /is pending import\.$/);

  const material = randomBytes(32);
  const first = await wrapFor(client, keyId, material);
  const imported = await client.send(
    new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: first.token, EncryptedKeyMaterial: first.wrapped }),
  );
  assert.match(imported.KeyMaterialId as string, /^[0-9a-f]{64}$/);
  const enabled = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(enabled.KeyMetadata?.KeyState, "Enabled");
  assert.equal(enabled.KeyMetadata?.ExpirationModel, "KEY_MATERIAL_DOES_NOT_EXPIRE");
  const enc = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("imported") }));

  await client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
  assert.equal((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState, "PendingImport");
  await rejectsWith(client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), "KMSInvalidStateException", 400);

  const other = await wrapFor(client, keyId, randomBytes(32));
  await rejectsWith(
    client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: other.token, EncryptedKeyMaterial: other.wrapped })),
    "IncorrectKeyMaterialException",
    400,
  );
  const again = await wrapFor(client, keyId, material, "RSA_AES_KEY_WRAP_SHA_256");
  await client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: again.token, EncryptedKeyMaterial: again.wrapped }));
  const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
  assert.equal(Buffer.from(dec.Plaintext as Uint8Array).toString(), "imported");
});

test("ImportKeyMaterial checks the token, the wrapping, the size and the expiration model", async () => {
  const client = kmsClient(server);
  const keyId = await createKey(client, { Origin: "EXTERNAL" });
  const other = await createKey(client, { Origin: "EXTERNAL" });
  const good = await wrapFor(client, keyId, randomBytes(32));
  await rejectsWith(
    client.send(new ImportKeyMaterialCommand({ KeyId: other, ImportToken: good.token, EncryptedKeyMaterial: good.wrapped })),
    "InvalidImportTokenException",
    400,
  );
  await rejectsWith(
    client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: good.token, EncryptedKeyMaterial: randomBytes(384) })),
    "InvalidCiphertextException",
    400,
  );
  const short = await wrapFor(client, keyId, randomBytes(16));
  await rejectsWith(
    client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: short.token, EncryptedKeyMaterial: short.wrapped })),
    "IncorrectKeyMaterialException",
    400,
  );
  await rejectsWith(
    client.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: good.token,
        EncryptedKeyMaterial: good.wrapped,
        ExpirationModel: "KEY_MATERIAL_EXPIRES",
      }),
    ),
    "ValidationException",
    400,
  );
  await withClockShift(2 * DAY_MS, () =>
    rejectsWith(
      client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: good.token, EncryptedKeyMaterial: good.wrapped })),
      "ExpiredImportTokenException",
      400,
    ),
  );
  const aws = await createKey(client);
  await rejectsWith(
    client.send(new GetParametersForImportCommand({ KeyId: aws, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" })),
    "UnsupportedOperationException",
    400,
  );
});

test("imported material with ValidTo expires and the key returns to PendingImport", async () => {
  const client = kmsClient(server);
  const keyId = await createKey(client, { Origin: "EXTERNAL" });
  const wrapped = await wrapFor(client, keyId, randomBytes(32));
  const validTo = new Date(Date.now() + DAY_MS);
  await client.send(
    new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: wrapped.token, EncryptedKeyMaterial: wrapped.wrapped, ValidTo: validTo }),
  );
  const described = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(described.KeyMetadata?.ExpirationModel, "KEY_MATERIAL_EXPIRES");
  assert.ok(Math.abs((described.KeyMetadata?.ValidTo?.getTime() ?? 0) - validTo.getTime()) < 1000);
  await withClockShift(2 * DAY_MS, async () => {
    assert.equal((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState, "PendingImport");
  });
});
