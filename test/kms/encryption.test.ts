import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, randomBytes, sign, verify } from "node:crypto";
import { test } from "node:test";
import {
  CreateAliasCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  ListAliasesCommand,
  ReEncryptCommand,
} from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";
import { createKey, kmsClient } from "./support.js";

const server = useServer();
const kms = () => kmsClient(server);
const ACCOUNT = "000000000000";

test("Encrypt/Decrypt round-trip; Decrypt needs no KeyId and reports the key and material", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const enc = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("secret data") }));
  assert.equal(enc.KeyId, `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`);
  assert.equal(enc.EncryptionAlgorithm, "SYMMETRIC_DEFAULT");
  const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
  assert.equal(Buffer.from(dec.Plaintext as Uint8Array).toString(), "secret data");
  assert.equal(dec.KeyId, enc.KeyId);
  const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(dec.KeyMaterialId, KeyMetadata?.CurrentKeyMaterialId);
  const again = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("secret data") }));
  assert.notDeepEqual(again.CiphertextBlob, enc.CiphertextBlob, "each encryption uses a fresh IV");
});

test("the encryption context must match exactly, in any order", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const context = { purpose: "test", tenant: "a" };
  const enc = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x"), EncryptionContext: context }));
  const dec = await client.send(
    new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: "a", purpose: "test" } }),
  );
  assert.equal(Buffer.from(dec.Plaintext as Uint8Array).toString(), "x");
  const wrongContexts: (Record<string, string> | undefined)[] = [
    undefined,
    { purpose: "test" },
    { purpose: "test", tenant: "b" },
    { ...context, extra: "1" },
  ];
  for (const wrong of wrongContexts) {
    await rejectsWith(
      client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: wrong })),
      "InvalidCiphertextException",
      400,
    );
  }
});

test("tampered or foreign ciphertexts are InvalidCiphertextException", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("payload") }));
  const blob = Buffer.from(CiphertextBlob as Uint8Array);
  for (const index of [0, 40, blob.length - 1, blob.length - 8]) {
    const tampered = Buffer.from(blob);
    tampered[index] ^= 1;
    await rejectsWith(client.send(new DecryptCommand({ CiphertextBlob: tampered })), "InvalidCiphertextException", 400);
  }
  await rejectsWith(client.send(new DecryptCommand({ CiphertextBlob: randomBytes(64) })), "InvalidCiphertextException", 400);
  await rejectsWith(client.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, 100) })), "InvalidCiphertextException", 400);
});

test("Decrypt with a KeyId that is not the ciphertext's key is IncorrectKeyException; its alias is accepted", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const other = await createKey(client);
  await client.send(new CreateAliasCommand({ AliasName: "alias/decrypt-with", TargetKeyId: keyId }));
  const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: "alias/decrypt-with", Plaintext: Buffer.from("p") }));
  const err = await rejectsWith(client.send(new DecryptCommand({ CiphertextBlob, KeyId: other })), "IncorrectKeyException", 400);
  assert.match(err.message, /does not identify a CMK that can perform this operation/);
  const ok = await client.send(new DecryptCommand({ CiphertextBlob, KeyId: "alias/decrypt-with" }));
  assert.equal(Buffer.from(ok.Plaintext as Uint8Array).toString(), "p");
});

test("Encrypt takes 1–4096 bytes of plaintext", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const max = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4096, 1) }));
  const dec = await client.send(new DecryptCommand({ CiphertextBlob: max.CiphertextBlob }));
  assert.equal(dec.Plaintext?.length, 4096);
  const err = await rejectsWith(
    client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4097) })),
    "ValidationException",
    400,
  );
  assert.match(err.message, /at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096/);
  await rejectsWith(client.send(new EncryptCommand({ KeyId: "alias/missing", Plaintext: Buffer.from("x") })), "NotFoundException", 400);
});

test("envelope encryption: a GenerateDataKey plaintext key encrypts locally, Decrypt recovers it from the blob", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const context = { file: "report.csv" };
  const dataKey = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: context }));
  assert.equal(dataKey.Plaintext?.length, 32);
  assert.equal(dataKey.KeyId, `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey.Plaintext as Uint8Array, iv);
  const sealed = Buffer.concat([cipher.update("the document"), cipher.final()]);
  const tag = cipher.getAuthTag();

  const recovered = await client.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: context }));
  const decipher = createDecipheriv("aes-256-gcm", recovered.Plaintext as Uint8Array, iv);
  decipher.setAuthTag(tag);
  assert.equal(Buffer.concat([decipher.update(sealed), decipher.final()]).toString(), "the document");
});

test("GenerateDataKey sizes: AES_128, NumberOfBytes 1–1024, exactly one of them", async () => {
  const client = kms();
  const keyId = await createKey(client);
  assert.equal((await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_128" }))).Plaintext?.length, 16);
  assert.equal((await client.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1 }))).Plaintext?.length, 1);
  assert.equal((await client.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1024 }))).Plaintext?.length, 1024);
  await rejectsWith(client.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1025 })), "ValidationException", 400);
  await rejectsWith(client.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 0 })), "ValidationException", 400);
  const neither = await rejectsWith(client.send(new GenerateDataKeyCommand({ KeyId: keyId })), "ValidationException", 400);
  assert.equal(neither.message, "Please specify either number of bytes or key spec.");
  await rejectsWith(
    client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", NumberOfBytes: 32 })),
    "ValidationException",
    400,
  );

  const without = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: "AES_256" }));
  assert.equal((without as { Plaintext?: unknown }).Plaintext, undefined);
  const dec = await client.send(new DecryptCommand({ CiphertextBlob: without.CiphertextBlob }));
  assert.equal(dec.Plaintext?.length, 32);

  const signing = await createKey(client, { KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
  await rejectsWith(client.send(new GenerateDataKeyCommand({ KeyId: signing, KeySpec: "AES_256" })), "InvalidKeyUsageException", 400);
  const rsa = await createKey(client, { KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
  await rejectsWith(client.send(new GenerateDataKeyCommand({ KeyId: rsa, KeySpec: "AES_256" })), "InvalidKeyUsageException", 400);
});

test("GenerateDataKeyPair returns a usable key pair whose private key decrypts from its blob", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const pair = await client.send(
    new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: "ECC_NIST_P256", EncryptionContext: { k: "v" } }),
  );
  assert.equal(pair.KeyPairSpec, "ECC_NIST_P256");
  const privateKey = createPrivateKey({ key: Buffer.from(pair.PrivateKeyPlaintext as Uint8Array), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey({ key: Buffer.from(pair.PublicKey as Uint8Array), format: "der", type: "spki" });
  const signature = sign("sha256", Buffer.from("m"), privateKey);
  assert.ok(verify("sha256", Buffer.from("m"), publicKey, signature));
  const dec = await client.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { k: "v" } }));
  assert.deepEqual(dec.Plaintext, pair.PrivateKeyPlaintext);

  const rsa = await client.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: "RSA_2048" }));
  assert.equal((rsa as { PrivateKeyPlaintext?: unknown }).PrivateKeyPlaintext, undefined);
  const rsaPublic = createPublicKey({ key: Buffer.from(rsa.PublicKey as Uint8Array), format: "der", type: "spki" });
  assert.equal(rsaPublic.asymmetricKeyDetails?.modulusLength, 2048);
  await rejectsWith(client.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: "SM2" })), "ValidationException", 400);
});

test("GenerateRandom returns 1–1024 random bytes", async () => {
  const client = kms();
  const a = await client.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
  const b = await client.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
  assert.equal(a.Plaintext?.length, 32);
  assert.notDeepEqual(a.Plaintext, b.Plaintext);
  assert.equal((await client.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }))).Plaintext?.length, 1024);
  const err = await rejectsWith(client.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), "ValidationException", 400);
  assert.match(err.message, /numberOfBytes/);
  await rejectsWith(client.send(new GenerateRandomCommand({ NumberOfBytes: 0 })), "ValidationException", 400);
});

test("ReEncrypt moves a ciphertext to another key and context without exposing the plaintext", async () => {
  const client = kms();
  const source = await createKey(client);
  const destination = await createKey(client);
  const enc = await client.send(new EncryptCommand({ KeyId: source, Plaintext: Buffer.from("moving"), EncryptionContext: { a: "1" } }));
  const re = await client.send(
    new ReEncryptCommand({
      CiphertextBlob: enc.CiphertextBlob,
      SourceEncryptionContext: { a: "1" },
      DestinationKeyId: destination,
      DestinationEncryptionContext: { b: "2" },
    }),
  );
  assert.equal(re.SourceKeyId, `arn:aws:kms:us-east-1:${ACCOUNT}:key/${source}`);
  assert.equal(re.KeyId, `arn:aws:kms:us-east-1:${ACCOUNT}:key/${destination}`);
  const dec = await client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { b: "2" } }));
  assert.equal(dec.KeyId, re.KeyId);
  assert.equal(Buffer.from(dec.Plaintext as Uint8Array).toString(), "moving");
  await rejectsWith(
    client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: destination })),
    "InvalidCiphertextException",
    400,
  );
});

test("DryRun checks the request and answers DryRunOperationException", async () => {
  const client = kms();
  const keyId = await createKey(client);
  await rejectsWith(
    client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x"), DryRun: true })),
    "DryRunOperationException",
    412,
  );
  await rejectsWith(
    client.send(new EncryptCommand({ KeyId: "alias/none", Plaintext: Buffer.from("x"), DryRun: true })),
    "NotFoundException",
    400,
  );
});

test("alias/aws/<service> names an AWS managed key, created on first use", async () => {
  const client = kms();
  const enc = await client.send(new EncryptCommand({ KeyId: "alias/aws/s3", Plaintext: Buffer.from("x") }));
  const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: "alias/aws/s3" }));
  assert.equal(KeyMetadata?.KeyManager, "AWS");
  assert.equal(enc.KeyId, KeyMetadata?.Arn);
  const { Aliases } = await client.send(new ListAliasesCommand({ KeyId: KeyMetadata?.KeyId }));
  assert.deepEqual(
    Aliases?.map((a) => a.AliasName),
    ["alias/aws/s3"],
  );
  const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
  assert.equal(Buffer.from(dec.Plaintext as Uint8Array).toString(), "x");
  const { Policy } = await client.send(new GetKeyPolicyCommand({ KeyId: KeyMetadata?.KeyId }));
  assert.equal(JSON.parse(Policy as string).Statement[0].Condition.StringEquals["kms:ViaService"], "s3.us-east-1.amazonaws.com");
  // Nobody in the account may manage a key that belongs to an AWS service.
  const denied = await rejectsWith(client.send(new DisableKeyCommand({ KeyId: KeyMetadata?.KeyId })), "AccessDeniedException", 400);
  assert.match(denied.message, /is not authorized to perform: kms:DisableKey on resource: arn:aws:kms:us-east-1:000000000000:key\//);
  await rejectsWith(client.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata?.KeyId })), "AccessDeniedException", 400);
  await rejectsWith(client.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata?.KeyId })), "AccessDeniedException", 400);
  await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: "alias/to-managed", TargetKeyId: KeyMetadata?.KeyId })),
    "NotAuthorizedException",
    400,
  );
});
