import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * Incremental digests by name: the MD5 of S3 ETags and the additional checksums (CRC32, CRC32C,
 * CRC-64/NVME, SHA-1, SHA-256). Pure and dependency-free, so the hashing workers load it too.
 */
export const DIGEST_NAMES = ["md5", "sha1", "sha256", "crc32", "crc32c", "crc64nvme"] as const;
export type DigestName = (typeof DIGEST_NAMES)[number];

export interface Digest {
  update(chunk: Uint8Array): void;
  /** The raw digest bytes (big-endian for the CRCs). */
  digest(): Buffer;
}

export function newDigest(name: DigestName): Digest {
  switch (name) {
    case "md5":
    case "sha1":
    case "sha256": {
      const hash = createHash(name);
      return { update: (chunk) => hash.update(chunk), digest: () => hash.digest() };
    }
    case "crc32":
      return crcDigest((chunk, crc) => crc32(chunk, crc));
    case "crc32c":
      return crcDigest(crc32c);
    case "crc64nvme":
      return crc64Digest();
  }
}

function crcDigest(step: (chunk: Uint8Array, crc: number) => number): Digest {
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

/** Reflected CRC table; zlib only knows CRC32's polynomial. */
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

function crc32c(chunk: Uint8Array, previous: number): number {
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
