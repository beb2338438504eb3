import { createHash, createPublicKey, diffieHellman, type KeyObject, timingSafeEqual } from "node:crypto";
import type {
  DeriveSharedSecretRequest,
  DeriveSharedSecretResponse,
  GenerateMacRequest,
  GenerateMacResponse,
  GetPublicKeyRequest,
  GetPublicKeyResponse,
  SignRequest,
  SignResponse,
  VerifyMacRequest,
  VerifyMacResponse,
  VerifyRequest,
  VerifyResponse,
} from "@aws-sdk/client-kms";
import { toBuffer } from "../../protocol/values.js";
import type { RequestContext } from "../types.js";
import {
  checkLength,
  dryRunSucceeded,
  KMSInvalidMacException,
  KMSInvalidSignatureException,
  UnsupportedOperationException,
  validation,
} from "./errors.js";
import { requireAlgorithm, requireUsage } from "./envelope.js";
import { digestLength, hashOf, KEY_SPECS, mac, privateKeyOf, publicKeyDer, signDigest, verifyDigest } from "./material.js";
import { currentMaterial, type KeyRecord, keyArn, materialSecret, requireUsable, resolveKey } from "./store.js";

const MAX_MESSAGE = 4096;

function usableKey(ctx: RequestContext, keyId: string, usage: string, operation: string): KeyRecord {
  const { key } = resolveKey(ctx, keyId);
  requireUsable(key);
  requireUsage(key, usage, operation);
  return key;
}

const secretOf = (key: KeyRecord) => materialSecret(currentMaterial(key));

/** RAW messages are hashed here; DIGEST messages must already be a digest of the algorithm's length. */
function messageDigest(message: Buffer, messageType: string | undefined, algorithm: string): Buffer {
  const hash = hashOf(algorithm);
  if (messageType === "EXTERNAL_MU") throw validation(`Message type EXTERNAL_MU is incompatible with signing algorithm ${algorithm}.`);
  if (messageType !== "DIGEST") return createHash(hash).update(message).digest();
  if (message.length !== digestLength(hash)) throw validation(`Digest is invalid length for algorithm ${algorithm}.`);
  return message;
}

function signingInput(input: SignRequest | VerifyRequest, ctx: RequestContext, operation: string) {
  const message = toBuffer(input.Message);
  checkLength("message", message, 1, MAX_MESSAGE);
  const algorithm = input.SigningAlgorithm as string;
  const key = usableKey(ctx, input.KeyId as string, "SIGN_VERIFY", operation);
  requireAlgorithm(key, algorithm, "signingAlgorithms");
  return { key, algorithm, digest: messageDigest(message, input.MessageType, algorithm) };
}

export function sign(input: SignRequest, ctx: RequestContext): SignResponse {
  const { key, algorithm, digest } = signingInput(input, ctx, "Sign");
  const signature = signDigest(secretOf(key), algorithm, digest);
  if (input.DryRun) throw dryRunSucceeded();
  return { KeyId: keyArn(key), Signature: signature, SigningAlgorithm: algorithm as SignResponse["SigningAlgorithm"] };
}

export function verify(input: VerifyRequest, ctx: RequestContext): VerifyResponse {
  const signature = toBuffer(input.Signature);
  checkLength("signature", signature, 1, 6144);
  const { key, algorithm, digest } = signingInput(input, ctx, "Verify");
  const valid = verifyDigest(secretOf(key), algorithm, digest, signature);
  if (input.DryRun) throw dryRunSucceeded();
  if (!valid) throw new KMSInvalidSignatureException("");
  return { KeyId: keyArn(key), SignatureValid: true, SigningAlgorithm: algorithm as VerifyResponse["SigningAlgorithm"] };
}

export function getPublicKey(input: GetPublicKeyRequest, ctx: RequestContext): GetPublicKeyResponse {
  const { key } = resolveKey(ctx, input.KeyId as string);
  requireUsable(key);
  const info = KEY_SPECS[key.keySpec];
  if (info.family !== "rsa" && info.family !== "ec") {
    throw new UnsupportedOperationException(`${keyArn(key)} key usage is ${key.keyUsage} which is not valid for GetPublicKey.`);
  }
  const usage = key.keyUsage;
  return {
    KeyId: keyArn(key),
    PublicKey: publicKeyDer(secretOf(key)),
    CustomerMasterKeySpec: key.keySpec as GetPublicKeyResponse["CustomerMasterKeySpec"],
    KeySpec: key.keySpec as GetPublicKeyResponse["KeySpec"],
    KeyUsage: usage as GetPublicKeyResponse["KeyUsage"],
    EncryptionAlgorithms:
      usage === "ENCRYPT_DECRYPT" ? (info.encryptionAlgorithms as GetPublicKeyResponse["EncryptionAlgorithms"]) : undefined,
    SigningAlgorithms: usage === "SIGN_VERIFY" ? (info.signingAlgorithms as GetPublicKeyResponse["SigningAlgorithms"]) : undefined,
    KeyAgreementAlgorithms:
      usage === "KEY_AGREEMENT" ? (info.keyAgreementAlgorithms as GetPublicKeyResponse["KeyAgreementAlgorithms"]) : undefined,
  };
}

function macInput(input: GenerateMacRequest | VerifyMacRequest, ctx: RequestContext, operation: string) {
  const message = toBuffer(input.Message);
  checkLength("message", message, 1, MAX_MESSAGE);
  const algorithm = input.MacAlgorithm as string;
  const key = usableKey(ctx, input.KeyId as string, "GENERATE_VERIFY_MAC", operation);
  requireAlgorithm(key, algorithm, "macAlgorithms");
  return { key, algorithm, tag: mac(secretOf(key), algorithm, message) };
}

export function generateMac(input: GenerateMacRequest, ctx: RequestContext): GenerateMacResponse {
  const { key, algorithm, tag } = macInput(input, ctx, "GenerateMac");
  if (input.DryRun) throw dryRunSucceeded();
  return { KeyId: keyArn(key), Mac: tag, MacAlgorithm: algorithm as GenerateMacResponse["MacAlgorithm"] };
}

export function verifyMac(input: VerifyMacRequest, ctx: RequestContext): VerifyMacResponse {
  const given = toBuffer(input.Mac);
  checkLength("mac", given, 1, 6144);
  const { key, algorithm, tag } = macInput(input, ctx, "VerifyMac");
  if (input.DryRun) throw dryRunSucceeded();
  if (given.length !== tag.length || !timingSafeEqual(given, tag)) throw new KMSInvalidMacException("");
  return { KeyId: keyArn(key), MacValid: true, MacAlgorithm: algorithm as VerifyMacResponse["MacAlgorithm"] };
}

export function deriveSharedSecret(input: DeriveSharedSecretRequest, ctx: RequestContext): DeriveSharedSecretResponse {
  const key = usableKey(ctx, input.KeyId as string, "KEY_AGREEMENT", "DeriveSharedSecret");
  if (input.Recipient) throw validation("Recipient is only supported for requests from Nitro Enclaves attestation documents.");
  const privateKey = privateKeyOf(secretOf(key));
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: toBuffer(input.PublicKey), format: "der", type: "spki" });
  } catch {
    throw validation("PublicKey is not a valid DER-encoded SubjectPublicKeyInfo.");
  }
  if (publicKey.asymmetricKeyDetails?.namedCurve !== privateKey.asymmetricKeyDetails?.namedCurve) {
    throw validation(`The public key's curve does not match key spec ${key.keySpec}.`);
  }
  const secret = diffieHellman({ privateKey, publicKey });
  if (input.DryRun) throw dryRunSucceeded();
  return { KeyId: keyArn(key), SharedSecret: secret, KeyAgreementAlgorithm: "ECDH", KeyOrigin: key.origin };
}
