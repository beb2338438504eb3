import {
  constants,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { type EcPrivate, ecdsaSignDigest, ecdsaVerifyDigest } from "./ecdsa.js";

/** What each key spec can be used for and with which algorithms (AWS's KMS key spec reference). */
export interface SpecInfo {
  family: "aes" | "rsa" | "ec" | "hmac";
  usages: string[];
  encryptionAlgorithms?: string[];
  signingAlgorithms?: string[];
  macAlgorithms?: string[];
  keyAgreementAlgorithms?: string[];
  /** RSA modulus bits, EC curve (JWK name), HMAC/AES key bytes. */
  bits?: number;
  curve?: string;
  bytes?: number;
}

const RSA_SIGNING = [
  "RSASSA_PKCS1_V1_5_SHA_256",
  "RSASSA_PKCS1_V1_5_SHA_384",
  "RSASSA_PKCS1_V1_5_SHA_512",
  "RSASSA_PSS_SHA_256",
  "RSASSA_PSS_SHA_384",
  "RSASSA_PSS_SHA_512",
];
const rsa = (bits: number): SpecInfo => ({
  family: "rsa",
  usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
  encryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
  signingAlgorithms: RSA_SIGNING,
  bits,
});
const nist = (curve: string, signing: string): SpecInfo => ({
  family: "ec",
  usages: ["SIGN_VERIFY", "KEY_AGREEMENT"],
  signingAlgorithms: [signing],
  keyAgreementAlgorithms: ["ECDH"],
  curve,
});
const hmac = (bytes: number, algorithm: string): SpecInfo => ({
  family: "hmac",
  usages: ["GENERATE_VERIFY_MAC"],
  macAlgorithms: [algorithm],
  bytes,
});

export const KEY_SPECS: Record<string, SpecInfo> = {
  SYMMETRIC_DEFAULT: { family: "aes", usages: ["ENCRYPT_DECRYPT"], encryptionAlgorithms: ["SYMMETRIC_DEFAULT"], bytes: 32 },
  RSA_2048: rsa(2048),
  RSA_3072: rsa(3072),
  RSA_4096: rsa(4096),
  ECC_NIST_P256: nist("P-256", "ECDSA_SHA_256"),
  ECC_NIST_P384: nist("P-384", "ECDSA_SHA_384"),
  ECC_NIST_P521: nist("P-521", "ECDSA_SHA_512"),
  ECC_SECG_P256K1: { family: "ec", usages: ["SIGN_VERIFY"], signingAlgorithms: ["ECDSA_SHA_256"], curve: "secp256k1" },
  HMAC_224: hmac(28, "HMAC_SHA_224"),
  HMAC_256: hmac(32, "HMAC_SHA_256"),
  HMAC_384: hmac(48, "HMAC_SHA_384"),
  HMAC_512: hmac(64, "HMAC_SHA_512"),
};

const EC_OPENSSL_NAMES: Record<string, string> = {
  "P-256": "prime256v1",
  "P-384": "secp384r1",
  "P-521": "secp521r1",
  secp256k1: "secp256k1",
};

/** New key material for a spec: raw secret bytes, or a PKCS#8 DER private key for asymmetric specs. */
export function generateMaterial(spec: string): Buffer {
  const info = KEY_SPECS[spec];
  if (info.family === "rsa") {
    return generateKeyPairSync("rsa", { modulusLength: info.bits as number }).privateKey.export({ type: "pkcs8", format: "der" });
  }
  if (info.family === "ec") {
    const namedCurve = EC_OPENSSL_NAMES[info.curve as string];
    return generateKeyPairSync("ec", { namedCurve }).privateKey.export({ type: "pkcs8", format: "der" });
  }
  return randomBytes(info.bytes as number);
}

export const privateKeyOf = (material: Buffer): KeyObject => createPrivateKey({ key: material, format: "der", type: "pkcs8" });

/** DER SubjectPublicKeyInfo, what GetPublicKey returns. */
export function publicKeyDer(material: Buffer): Buffer {
  return createPublicKey(privateKeyOf(material)).export({ type: "spki", format: "der" });
}

const HASHES: Record<string, string> = { SHA_1: "sha1", SHA_224: "sha224", SHA_256: "sha256", SHA_384: "sha384", SHA_512: "sha512" };

/** The hash an algorithm name ends with: RSAES_OAEP_SHA_256 → sha256. */
export function hashOf(algorithm: string): string {
  const match = /SHA_(1|224|256|384|512)$/.exec(algorithm);
  return HASHES[`SHA_${match?.[1]}`];
}

export const digestLength = (hash: string) => createHash(hash).digest().length;

/** Largest plaintext RSAES-OAEP takes: modulus bytes − 2·hash bytes − 2. */
export function oaepLimit(spec: string, algorithm: string): number {
  return (KEY_SPECS[spec].bits as number) / 8 - 2 * digestLength(hashOf(algorithm)) - 2;
}

export function rsaEncrypt(material: Buffer, algorithm: string, plaintext: Buffer): Buffer {
  const key = createPublicKey(privateKeyOf(material));
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hashOf(algorithm) }, plaintext);
}

/** undefined when the ciphertext does not decrypt under this key and algorithm. */
export function rsaDecrypt(material: Buffer, algorithm: string, ciphertext: Buffer): Buffer | undefined {
  try {
    return privateDecrypt(
      { key: privateKeyOf(material), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hashOf(algorithm) },
      ciphertext,
    );
  } catch {
    return undefined;
  }
}

// DER DigestInfo prefixes for EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1).
const DIGEST_INFO: Record<string, string> = {
  sha256: "3031300d060960864801650304020105000420",
  sha384: "3041300d060960864801650304020205000430",
  sha512: "3051300d060960864801650304020305000440",
};

function mgf1(seed: Buffer, length: number, hash: string): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * seed.length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const pssHash = (hash: string, digest: Buffer, salt: Buffer) =>
  createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();

/** EMSA-PSS encoding with a salt as long as the hash (what KMS uses), for a modulus of 8·emLen bits. */
function pssEncode(digest: Buffer, hash: string, emLen: number): Buffer {
  const hLen = digest.length;
  const salt = randomBytes(hLen);
  const h = pssHash(hash, digest, salt);
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0x7f;
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

function pssVerify(em: Buffer, digest: Buffer, hash: string): boolean {
  const hLen = digest.length;
  if (em[em.length - 1] !== 0xbc || em[0] & 0x80) return false;
  const db = Buffer.from(em.subarray(0, em.length - hLen - 1));
  const h = em.subarray(em.length - hLen - 1, em.length - 1);
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0x7f;
  const separator = db.length - hLen - 1;
  if (db[separator] !== 1 || db.subarray(0, separator).some((b) => b !== 0)) return false;
  return timingSafeEqual(pssHash(hash, digest, db.subarray(separator + 1)), h);
}

function ecKey(material: Buffer): EcPrivate {
  const jwk = privateKeyOf(material).export({ format: "jwk" });
  return { curve: jwk.crv as string, d: jwk.d as string, x: jwk.x as string, y: jwk.y as string };
}

/** Signs a message digest; KMS signs RAW messages by hashing them first, so both types come here. */
export function signDigest(material: Buffer, algorithm: string, digest: Buffer): Buffer {
  if (algorithm.startsWith("ECDSA")) return ecdsaSignDigest(ecKey(material), digest);
  const key = privateKeyOf(material);
  const hash = hashOf(algorithm);
  if (algorithm.startsWith("RSASSA_PSS")) {
    const emLen = (key.asymmetricKeyDetails?.modulusLength as number) / 8;
    return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, pssEncode(digest, hash, emLen));
  }
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(DIGEST_INFO[hash], "hex"), digest]));
}

export function verifyDigest(material: Buffer, algorithm: string, digest: Buffer, signature: Buffer): boolean {
  if (algorithm.startsWith("ECDSA")) return ecdsaVerifyDigest(ecKey(material), digest, signature);
  const key = createPublicKey(privateKeyOf(material));
  const hash = hashOf(algorithm);
  try {
    if (algorithm.startsWith("RSASSA_PSS")) {
      return pssVerify(publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature), digest, hash);
    }
    const expected = Buffer.concat([Buffer.from(DIGEST_INFO[hash], "hex"), digest]);
    const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return recovered.length === expected.length && timingSafeEqual(recovered, expected);
  } catch {
    return false;
  }
}

export function mac(material: Buffer, algorithm: string, message: Buffer): Buffer {
  return createHmac(hashOf(algorithm), material).update(message).digest();
}

/** A fresh key pair for GenerateDataKeyPair: PKCS#8 private key and SPKI public key, both DER. */
export function generateDataKeyPair(spec: string): { privateKey: Buffer; publicKey: Buffer } {
  const privateKey = generateMaterial(spec);
  return { privateKey, publicKey: publicKeyDer(privateKey) };
}
