import { randomBytes } from "node:crypto";
import type {
  DecryptRequest,
  DecryptResponse,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyPairRequest,
  GenerateDataKeyPairResponse,
  GenerateDataKeyPairWithoutPlaintextRequest,
  GenerateDataKeyPairWithoutPlaintextResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextRequest,
  GenerateDataKeyWithoutPlaintextResponse,
  GenerateRandomRequest,
  GenerateRandomResponse,
  ReEncryptRequest,
  ReEncryptResponse,
} from "@aws-sdk/client-kms";
import { toBuffer } from "../../protocol/values.js";
import type { RequestContext } from "../types.js";
import { CustomKeyStoreNotFoundException, checkLength, checkRange, dryRunSucceeded, validation } from "./errors.js";
import { encryptingKey, open, seal } from "./envelope.js";
import { generateDataKeyPair as newKeyPair } from "./material.js";
import { keyArn } from "./store.js";

const MAX_PLAINTEXT = 4096;
const MAX_CIPHERTEXT = 6144;

/** Blob inputs arrive as Buffers from the wire and as Uint8Arrays from other services. */
const bytes = (value: Uint8Array | undefined) => (value === undefined ? undefined : toBuffer(value));

export function encrypt(input: EncryptRequest, ctx: RequestContext): EncryptResponse {
  const plaintext = bytes(input.Plaintext) as Buffer;
  checkLength("plaintext", plaintext, 1, MAX_PLAINTEXT);
  const algorithm = input.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
  const ref = encryptingKey(ctx, input.KeyId as string, algorithm, "Encrypt");
  const sealed = seal(ref.key, algorithm, plaintext, input.EncryptionContext);
  if (input.DryRun) throw dryRunSucceeded();
  return { CiphertextBlob: sealed.blob, KeyId: keyArn(ref.key), EncryptionAlgorithm: algorithm as EncryptResponse["EncryptionAlgorithm"] };
}

export function decrypt(input: DecryptRequest, ctx: RequestContext): DecryptResponse {
  const blob = bytes(input.CiphertextBlob) as Buffer;
  checkLength("ciphertextBlob", blob, 1, MAX_CIPHERTEXT);
  const algorithm = input.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
  const opened = open(ctx, blob, input.KeyId, algorithm, input.EncryptionContext);
  if (input.DryRun) throw dryRunSucceeded();
  return {
    KeyId: keyArn(opened.ref.key),
    Plaintext: opened.plaintext,
    EncryptionAlgorithm: algorithm as DecryptResponse["EncryptionAlgorithm"],
    KeyMaterialId: opened.materialId,
  };
}

export function reEncrypt(input: ReEncryptRequest, ctx: RequestContext): ReEncryptResponse {
  const blob = bytes(input.CiphertextBlob) as Buffer;
  checkLength("ciphertextBlob", blob, 1, MAX_CIPHERTEXT);
  const sourceAlgorithm = input.SourceEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
  const destinationAlgorithm = input.DestinationEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
  const opened = open(ctx, blob, input.SourceKeyId, sourceAlgorithm, input.SourceEncryptionContext);
  const destination = encryptingKey(ctx, input.DestinationKeyId as string, destinationAlgorithm, "ReEncrypt");
  const sealed = seal(destination.key, destinationAlgorithm, opened.plaintext, input.DestinationEncryptionContext);
  if (input.DryRun) throw dryRunSucceeded();
  return {
    CiphertextBlob: sealed.blob,
    SourceKeyId: keyArn(opened.ref.key),
    KeyId: keyArn(destination.key),
    SourceEncryptionAlgorithm: sourceAlgorithm as ReEncryptResponse["SourceEncryptionAlgorithm"],
    DestinationEncryptionAlgorithm: destinationAlgorithm as ReEncryptResponse["DestinationEncryptionAlgorithm"],
    SourceKeyMaterialId: opened.materialId,
    DestinationKeyMaterialId: sealed.materialId,
  };
}

/** Data keys are either KeySpec (AES_128/AES_256) or NumberOfBytes (1–1024), exactly one of them. */
function dataKeyLength(input: { KeySpec?: string; NumberOfBytes?: number }): number {
  checkRange("numberOfBytes", input.NumberOfBytes, 1, 1024);
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) {
    throw validation("Please specify either number of bytes or key spec.");
  }
  return input.NumberOfBytes ?? (input.KeySpec === "AES_128" ? 16 : 32);
}

function newDataKey(input: GenerateDataKeyRequest, ctx: RequestContext) {
  const length = dataKeyLength(input);
  const ref = encryptingKey(ctx, input.KeyId as string, "SYMMETRIC_DEFAULT", "GenerateDataKey");
  const plaintext = randomBytes(length);
  const sealed = seal(ref.key, "SYMMETRIC_DEFAULT", plaintext, input.EncryptionContext);
  if (input.DryRun) throw dryRunSucceeded();
  return { CiphertextBlob: sealed.blob, Plaintext: plaintext, KeyId: keyArn(ref.key), KeyMaterialId: sealed.materialId };
}

export function generateDataKey(input: GenerateDataKeyRequest, ctx: RequestContext): GenerateDataKeyResponse {
  if (input.Recipient) throw validation("Recipient is only supported for requests from Nitro Enclaves attestation documents.");
  return newDataKey(input, ctx);
}

export function generateDataKeyWithoutPlaintext(
  input: GenerateDataKeyWithoutPlaintextRequest,
  ctx: RequestContext,
): GenerateDataKeyWithoutPlaintextResponse {
  const { Plaintext: _, ...rest } = newDataKey(input, ctx);
  return rest;
}

function newDataKeyPair(input: GenerateDataKeyPairRequest, ctx: RequestContext) {
  const spec = input.KeyPairSpec as string;
  const ref = encryptingKey(ctx, input.KeyId as string, "SYMMETRIC_DEFAULT", "GenerateDataKeyPair");
  const pair = newKeyPair(spec);
  const sealed = seal(ref.key, "SYMMETRIC_DEFAULT", pair.privateKey, input.EncryptionContext);
  if (input.DryRun) throw dryRunSucceeded();
  return {
    PrivateKeyCiphertextBlob: sealed.blob,
    PrivateKeyPlaintext: pair.privateKey,
    PublicKey: pair.publicKey,
    KeyId: keyArn(ref.key),
    KeyPairSpec: spec as GenerateDataKeyPairResponse["KeyPairSpec"],
    KeyMaterialId: sealed.materialId,
  };
}

const DATA_KEY_PAIR_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"];

function checkPairSpec(spec: string): void {
  if (!DATA_KEY_PAIR_SPECS.includes(spec)) throw validation(`KeyPairSpec ${spec} is not supported in this region.`);
}

export function generateDataKeyPair(input: GenerateDataKeyPairRequest, ctx: RequestContext): GenerateDataKeyPairResponse {
  checkPairSpec(input.KeyPairSpec as string);
  if (input.Recipient) throw validation("Recipient is only supported for requests from Nitro Enclaves attestation documents.");
  return newDataKeyPair(input, ctx);
}

export function generateDataKeyPairWithoutPlaintext(
  input: GenerateDataKeyPairWithoutPlaintextRequest,
  ctx: RequestContext,
): GenerateDataKeyPairWithoutPlaintextResponse {
  checkPairSpec(input.KeyPairSpec as string);
  const { PrivateKeyPlaintext: _, ...rest } = newDataKeyPair(input, ctx);
  return rest;
}

export function generateRandom(input: GenerateRandomRequest, ctx: RequestContext): GenerateRandomResponse {
  void ctx;
  checkRange("numberOfBytes", input.NumberOfBytes, 1, 1024);
  if (input.CustomKeyStoreId) throw new CustomKeyStoreNotFoundException(`Custom key store ${input.CustomKeyStoreId} does not exist.`);
  if (input.Recipient) throw validation("Recipient is only supported for requests from Nitro Enclaves attestation documents.");
  if (input.NumberOfBytes === undefined) throw validation("NumberOfBytes is required.");
  return { Plaintext: randomBytes(input.NumberOfBytes) };
}
