import assert from "node:assert/strict";
import { createHash, createPublicKey, createSign, generateKeyPairSync, verify as nodeVerify, constants, publicEncrypt } from "node:crypto";
import { test } from "node:test";
import {
  CreateKeyCommand,
  DecryptCommand,
  DeriveSharedSecretCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type KeySpec,
  type SigningAlgorithmSpec,
} from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const kms = () => new KMSClient(server.clientConfig());

async function signingKey(spec: KeySpec): Promise<string> {
  const { KeyMetadata } = await kms().send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: "SIGN_VERIFY" }));
  return KeyMetadata?.KeyId as string;
}

async function publicKeyOf(keyId: string) {
  const { PublicKey } = await kms().send(new GetPublicKeyCommand({ KeyId: keyId }));
  return createPublicKey({ key: Buffer.from(PublicKey as Uint8Array), format: "der", type: "spki" });
}

const NODE_HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/** Node's own verification of a KMS signature over a RAW message, for every algorithm family. */
function nodeVerifies(algorithm: string, publicKey: ReturnType<typeof createPublicKey>, message: Buffer, signature: Buffer): boolean {
  const hash = NODE_HASH[algorithm.slice(-3)];
  if (algorithm.startsWith("RSASSA_PSS")) {
    const saltLength = createHash(hash).digest().length;
    return nodeVerify(hash, message, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
  }
  return nodeVerify(hash, message, publicKey, signature);
}

const CASES: [KeySpec, SigningAlgorithmSpec[]][] = [
  [
    "RSA_2048",
    [
      "RSASSA_PKCS1_V1_5_SHA_256",
      "RSASSA_PKCS1_V1_5_SHA_384",
      "RSASSA_PKCS1_V1_5_SHA_512",
      "RSASSA_PSS_SHA_256",
      "RSASSA_PSS_SHA_384",
      "RSASSA_PSS_SHA_512",
    ],
  ],
  ["RSA_3072", ["RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256"]],
  ["ECC_NIST_P256", ["ECDSA_SHA_256"]],
  ["ECC_NIST_P384", ["ECDSA_SHA_384"]],
  ["ECC_NIST_P521", ["ECDSA_SHA_512"]],
  ["ECC_SECG_P256K1", ["ECDSA_SHA_256"]],
];

for (const [spec, algorithms] of CASES) {
  test(`${spec}: KMS signatures verify with Node's crypto and with KMS, RAW and DIGEST`, async () => {
    const client = kms();
    const keyId = await signingKey(spec);
    const publicKey = await publicKeyOf(keyId);
    const message = Buffer.from(`message for ${spec}`);
    for (const algorithm of algorithms) {
      const raw = await client.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: algorithm }));
      assert.equal(raw.SigningAlgorithm, algorithm);
      const signature = Buffer.from(raw.Signature as Uint8Array);
      assert.ok(nodeVerifies(algorithm, publicKey, message, signature), `${algorithm} RAW signature rejected by Node`);
      const ok = await client.send(
        new VerifyCommand({ KeyId: keyId, Message: message, Signature: signature, SigningAlgorithm: algorithm }),
      );
      assert.equal(ok.SignatureValid, true);

      const digest = createHash(NODE_HASH[algorithm.slice(-3)]).update(message).digest();
      const pre = await client.send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: "DIGEST", SigningAlgorithm: algorithm }));
      assert.ok(
        nodeVerifies(algorithm, publicKey, message, Buffer.from(pre.Signature as Uint8Array)),
        `${algorithm} DIGEST signature rejected by Node`,
      );
      const viaDigest = await client.send(
        new VerifyCommand({ KeyId: keyId, Message: digest, MessageType: "DIGEST", Signature: signature, SigningAlgorithm: algorithm }),
      );
      assert.equal(viaDigest.SignatureValid, true);

      await rejectsWith(
        client.send(new VerifyCommand({ KeyId: keyId, Message: Buffer.from("other"), Signature: signature, SigningAlgorithm: algorithm })),
        "KMSInvalidSignatureException",
        400,
      );
    }
  });
}

test("KMS verifies a signature Node made with a key of its own kind only if it is KMS's key", async () => {
  const keyId = await signingKey("ECC_NIST_P256");
  const foreign = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const signature = createSign("sha256").update("hello").sign(foreign.privateKey);
  await rejectsWith(
    kms().send(new VerifyCommand({ KeyId: keyId, Message: Buffer.from("hello"), Signature: signature, SigningAlgorithm: "ECDSA_SHA_256" })),
    "KMSInvalidSignatureException",
    400,
  );
  await rejectsWith(
    kms().send(
      new VerifyCommand({
        KeyId: keyId,
        Message: Buffer.from("hello"),
        Signature: Buffer.from("not der"),
        SigningAlgorithm: "ECDSA_SHA_256",
      }),
    ),
    "KMSInvalidSignatureException",
    400,
  );
});

test("Sign rejects algorithms of another key spec, bad digest lengths and non-signing keys", async () => {
  const client = kms();
  const ec = await signingKey("ECC_NIST_P256");
  const err = await rejectsWith(
    client.send(new SignCommand({ KeyId: ec, Message: Buffer.from("m"), SigningAlgorithm: "RSASSA_PSS_SHA_256" })),
    "InvalidKeyUsageException",
    400,
  );
  assert.match(err.message, /RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256/);
  const short = await rejectsWith(
    client.send(new SignCommand({ KeyId: ec, Message: Buffer.alloc(20), MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256" })),
    "ValidationException",
    400,
  );
  assert.match(short.message, /Digest is invalid length for algorithm ECDSA_SHA_256/);
  const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
  const usage = await rejectsWith(
    client.send(new SignCommand({ KeyId: KeyMetadata?.KeyId, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_256" })),
    "InvalidKeyUsageException",
    400,
  );
  assert.match(usage.message, /key usage is ENCRYPT_DECRYPT which is not valid for Sign\.$/);
  await rejectsWith(
    client.send(new SignCommand({ KeyId: ec, Message: Buffer.alloc(4097), SigningAlgorithm: "ECDSA_SHA_256" })),
    "ValidationException",
    400,
  );
});

test("GetPublicKey describes the key and refuses symmetric keys", async () => {
  const client = kms();
  const keyId = await signingKey("RSA_2048");
  const out = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  assert.equal(out.KeySpec, "RSA_2048");
  assert.equal(out.KeyUsage, "SIGN_VERIFY");
  assert.equal(out.SigningAlgorithms?.length, 6);
  assert.equal(out.EncryptionAlgorithms, undefined);
  const key = createPublicKey({ key: Buffer.from(out.PublicKey as Uint8Array), format: "der", type: "spki" });
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
  await rejectsWith(client.send(new GetPublicKeyCommand({ KeyId: KeyMetadata?.KeyId })), "UnsupportedOperationException", 400);
});

test("RSA encryption keys: OAEP SHA-1/SHA-256 round trips, size limits, and Node-encrypted ciphertexts decrypt", async () => {
  const client = kms();
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" }));
  const keyId = KeyMetadata?.KeyId as string;
  assert.deepEqual(KeyMetadata?.EncryptionAlgorithms, ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
  for (const [algorithm, limit] of [
    ["RSAES_OAEP_SHA_1", 214],
    ["RSAES_OAEP_SHA_256", 190],
  ] as const) {
    const plaintext = Buffer.alloc(limit, 7);
    const enc = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionAlgorithm: algorithm }));
    assert.equal(enc.CiphertextBlob?.length, 256);
    const dec = await client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: algorithm }));
    assert.deepEqual(Buffer.from(dec.Plaintext as Uint8Array), plaintext);
    await rejectsWith(
      client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(limit + 1), EncryptionAlgorithm: algorithm })),
      "ValidationException",
      400,
    );
  }
  const publicKey = await publicKeyOf(keyId);
  const outside = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    Buffer.from("from outside"),
  );
  const dec = await client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: outside, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }));
  assert.equal(Buffer.from(dec.Plaintext as Uint8Array).toString(), "from outside");
  await rejectsWith(
    client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: outside, EncryptionAlgorithm: "RSAES_OAEP_SHA_1" })),
    "InvalidCiphertextException",
    400,
  );
  await rejectsWith(client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })), "InvalidKeyUsageException", 400);
});

test("HMAC keys: GenerateMac is deterministic per key and spec length, VerifyMac rejects a wrong MAC", async () => {
  const client = kms();
  for (const [spec, algorithm, length] of [
    ["HMAC_224", "HMAC_SHA_224", 28],
    ["HMAC_256", "HMAC_SHA_256", 32],
    ["HMAC_384", "HMAC_SHA_384", 48],
    ["HMAC_512", "HMAC_SHA_512", 64],
  ] as const) {
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: "GENERATE_VERIFY_MAC" }));
    assert.deepEqual(KeyMetadata?.MacAlgorithms, [algorithm]);
    const keyId = KeyMetadata?.KeyId as string;
    const out = await client.send(new GenerateMacCommand({ KeyId: keyId, Message: Buffer.from("data"), MacAlgorithm: algorithm }));
    assert.equal(out.Mac?.length, length);
    const again = await client.send(new GenerateMacCommand({ KeyId: keyId, Message: Buffer.from("data"), MacAlgorithm: algorithm }));
    assert.deepEqual(again.Mac, out.Mac);
    const ok = await client.send(
      new VerifyMacCommand({ KeyId: keyId, Message: Buffer.from("data"), Mac: out.Mac, MacAlgorithm: algorithm }),
    );
    assert.equal(ok.MacValid, true);
    await rejectsWith(
      client.send(new VerifyMacCommand({ KeyId: keyId, Message: Buffer.from("datA"), Mac: out.Mac, MacAlgorithm: algorithm })),
      "KMSInvalidMacException",
      400,
    );
  }
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
  await rejectsWith(
    client.send(new GenerateMacCommand({ KeyId: KeyMetadata?.KeyId, Message: Buffer.from("d"), MacAlgorithm: "HMAC_SHA_512" })),
    "InvalidKeyUsageException",
    400,
  );
});

test("KEY_AGREEMENT keys derive the same ECDH secret as the peer computes locally", async () => {
  const client = kms();
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "KEY_AGREEMENT" }));
  const keyId = KeyMetadata?.KeyId as string;
  assert.deepEqual(KeyMetadata?.KeyAgreementAlgorithms, ["ECDH"]);
  const peer = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const out = await client.send(
    new DeriveSharedSecretCommand({
      KeyId: keyId,
      KeyAgreementAlgorithm: "ECDH",
      PublicKey: peer.publicKey.export({ type: "spki", format: "der" }),
    }),
  );
  const { diffieHellman } = await import("node:crypto");
  const local = diffieHellman({ privateKey: peer.privateKey, publicKey: await publicKeyOf(keyId) });
  assert.deepEqual(Buffer.from(out.SharedSecret as Uint8Array), local);
  await rejectsWith(
    client.send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: "ECDH", PublicKey: Buffer.from("junk") })),
    "ValidationException",
    400,
  );
});
