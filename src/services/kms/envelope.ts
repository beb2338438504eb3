import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { RequestContext } from "../types.js";
import { IncorrectKeyException, InvalidCiphertextException, InvalidKeyUsageException, validation } from "./errors.js";
import { KEY_SPECS, oaepLimit, rsaDecrypt, rsaEncrypt } from "./material.js";
import { currentMaterial, type KeyRef, type KeyRecord, keyArn, materialSecret, requireUsable, resolveKey } from "./store.js";

/**
 * Symmetric ciphertext blobs: version byte, key id (36 ASCII characters, both UUIDs and mrk- ids), key
 * material id (32 bytes), GCM IV (12) and tag (16), then the AES-256-GCM ciphertext. The header is part
 * of the authenticated data together with the encryption context, so any tampering fails to decrypt.
 */
const FORMAT_VERSION = 1;
const KEY_ID_BYTES = 36;
const MATERIAL_ID_BYTES = 32;
const HEADER_BYTES = 1 + KEY_ID_BYTES + MATERIAL_ID_BYTES;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type EncryptionContext = Record<string, string> | undefined;

/** The context as authenticated data: independent of the order the caller listed its pairs in. */
function contextBytes(context: EncryptionContext): Buffer {
  const pairs = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), "utf8");
}

export function invalidCiphertext() {
  return new InvalidCiphertextException("");
}

/** Keys for Encrypt, Decrypt and data keys must be ENCRYPT_DECRYPT keys. */
export function requireUsage(key: KeyRecord, usage: string, operation: string): void {
  if (key.keyUsage !== usage) {
    throw new InvalidKeyUsageException(`${keyArn(key)} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
}

export function requireAlgorithm(
  key: KeyRecord,
  algorithm: string,
  kind: "encryptionAlgorithms" | "signingAlgorithms" | "macAlgorithms",
): void {
  if (!(KEY_SPECS[key.keySpec][kind] ?? []).includes(algorithm)) {
    throw new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
}

/** Resolves a key for an encrypting operation and checks its state, usage and algorithm. */
export function encryptingKey(ctx: RequestContext, keyId: string, algorithm: string, operation: string): KeyRef {
  const ref = resolveKey(ctx, keyId);
  requireUsable(ref.key);
  requireUsage(ref.key, "ENCRYPT_DECRYPT", operation);
  requireAlgorithm(ref.key, algorithm, "encryptionAlgorithms");
  return ref;
}

export interface Sealed {
  blob: Buffer;
  materialId?: string;
}

export function seal(key: KeyRecord, algorithm: string, plaintext: Buffer, context: EncryptionContext): Sealed {
  const material = currentMaterial(key);
  if (algorithm !== "SYMMETRIC_DEFAULT") {
    if (context && Object.keys(context).length) throw validation("EncryptionContext is not supported with asymmetric KMS keys.");
    const limit = oaepLimit(key.keySpec, algorithm);
    if (plaintext.length > limit) {
      throw validation(
        `Plaintext size ${plaintext.length} bytes exceeds the maximum of ${limit} bytes for ${algorithm} with key spec ${key.keySpec}.`,
      );
    }
    return { blob: rsaEncrypt(materialSecret(material), algorithm, plaintext) };
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = FORMAT_VERSION;
  header.write(key.keyId, 1, KEY_ID_BYTES, "latin1");
  Buffer.from(material.id, "hex").copy(header, 1 + KEY_ID_BYTES);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", materialSecret(material), iv);
  cipher.setAAD(Buffer.concat([header, contextBytes(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { blob: Buffer.concat([header, iv, cipher.getAuthTag(), body]), materialId: material.id };
}

interface BlobHeader {
  keyId: string;
  materialId: string;
}

function parseHeader(blob: Buffer): BlobHeader | undefined {
  if (blob.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_VERSION) return undefined;
  return {
    keyId: blob.subarray(1, 1 + KEY_ID_BYTES).toString("latin1"),
    materialId: blob.subarray(1 + KEY_ID_BYTES, HEADER_BYTES).toString("hex"),
  };
}

export interface Opened {
  ref: KeyRef;
  plaintext: Buffer;
  algorithm: string;
  materialId?: string;
}

/**
 * Decrypts a blob. Symmetric blobs name their key, so `keyId` is optional and only checked against it;
 * RSA ciphertexts are raw OAEP and need the key and algorithm from the caller.
 */
export function open(ctx: RequestContext, blob: Buffer, keyId: string | undefined, algorithm: string, context: EncryptionContext): Opened {
  if (algorithm !== "SYMMETRIC_DEFAULT") {
    if (!keyId) throw validation("KeyId is required when decrypting with an asymmetric KMS key.");
    const ref = encryptingKey(ctx, keyId, algorithm, "Decrypt");
    const plaintext = rsaDecrypt(materialSecret(currentMaterial(ref.key)), algorithm, blob);
    if (!plaintext) throw invalidCiphertext();
    return { ref, plaintext, algorithm };
  }
  const header = parseHeader(blob);
  if (!header) throw invalidCiphertext();
  const ref = keyId ? resolveKey(ctx, keyId) : resolveKey(ctx, header.keyId, false);
  if (ref.key.keyId !== header.keyId) {
    throw new IncorrectKeyException("The key ID in the request does not identify a CMK that can perform this operation.");
  }
  requireUsable(ref.key);
  requireUsage(ref.key, "ENCRYPT_DECRYPT", "Decrypt");
  const material = ref.key.materials.find((m) => m.id === header.materialId);
  if (!material) throw invalidCiphertext();
  const iv = blob.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const tag = blob.subarray(HEADER_BYTES + IV_BYTES, HEADER_BYTES + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", materialSecret(material), iv);
  decipher.setAAD(Buffer.concat([blob.subarray(0, HEADER_BYTES), contextBytes(context)]));
  decipher.setAuthTag(tag);
  try {
    const plaintext = Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]);
    return { ref, plaintext, algorithm, materialId: material.id };
  } catch {
    throw invalidCiphertext();
  }
}
