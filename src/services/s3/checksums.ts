import { createHash, type Hash } from "node:crypto";
import { crc32 } from "node:zlib";
import { InvalidRequest } from "./errors.js";

/** S3's additional checksum algorithms, as named in x-amz-sdk-checksum-algorithm and the Checksum* members. */
export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64, with `-N` for a composite multipart checksum. */
  value: string;
  type: "FULL_OBJECT" | "COMPOSITE";
}

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export const checksumHeader = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm.toLowerCase()}`;

export function parseAlgorithm(name: string | undefined): ChecksumAlgorithm | undefined {
  if (name === undefined) return undefined;
  const upper = name.toUpperCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(upper)) {
    throw new InvalidRequest(
      "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
    );
  }
  return upper;
}

/** Checks that a client-sent checksum is base64 of the algorithm's digest size. */
export function checkChecksumValue(algorithm: ChecksumAlgorithm, value: string): void {
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== DIGEST_BYTES[algorithm] || bytes.toString("base64") !== value) {
    throw new InvalidRequest(`Value for ${checksumHeader(algorithm)} header is invalid.`);
  }
}

/** An incremental digest of one algorithm. */
export interface Digest {
  update(chunk: Buffer): void;
  /** The raw digest bytes. */
  digest(): Buffer;
}

export function newDigest(algorithm: ChecksumAlgorithm): Digest {
  switch (algorithm) {
    case "CRC32":
      return crcDigest((chunk, crc) => crc32(chunk, crc));
    case "CRC32C":
      return crcDigest(crc32c);
    case "CRC64NVME":
      return crc64Digest();
    case "SHA1":
      return hashDigest(createHash("sha1"));
    case "SHA256":
      return hashDigest(createHash("sha256"));
  }
}

function hashDigest(hash: Hash): Digest {
  return { update: (chunk) => hash.update(chunk), digest: () => hash.digest() };
}

function crcDigest(step: (chunk: Buffer, crc: number) => number): Digest {
  let crc = 0;
  return {
    update: (chunk) => {
      crc = step(chunk, crc);
    },
    digest: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc >>> 0);
      return out;
    },
  };
}

/** Reflected CRC tables; zlib only knows CRC32's polynomial. */
function table32(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const CRC32C_TABLE = table32(0x82f63b78);

function crc32c(chunk: Buffer, previous: number): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < chunk.length; i++) crc = CRC32C_TABLE[(crc ^ chunk[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), in two 32-bit halves to avoid BigInt per byte. */
const CRC64_TABLES = (() => {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    hi[n] = Number(c >> 32n);
    lo[n] = Number(c & 0xffffffffn);
  }
  return { hi, lo };
})();

function crc64Digest(): Digest {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  const { hi: tHi, lo: tLo } = CRC64_TABLES;
  return {
    update: (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        const index = (lo ^ chunk[i]) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) ^ tLo[index];
        hi = (hi >>> 8) ^ tHi[index];
      }
    },
    digest: () => {
      const out = Buffer.alloc(8);
      out.writeUInt32BE(~hi >>> 0, 0);
      out.writeUInt32BE(~lo >>> 0, 4);
      return out;
    },
  };
}

/** The checksum of a whole buffer, base64 (tests and composite checksums). */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  const digest = newDigest(algorithm);
  digest.update(data);
  return digest.digest().toString("base64");
}

/** The Checksum* output members for a stored checksum. */
export function checksumMembers(checksum: StoredChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: checksum.type };
}
