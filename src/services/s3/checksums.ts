import { type Digest, type DigestName, newDigest as newNamedDigest } from "../../internal/digests.js";
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

/** The digest that computes each algorithm. */
export const DIGEST_OF: Record<ChecksumAlgorithm, DigestName> = {
  CRC32: "crc32",
  CRC32C: "crc32c",
  CRC64NVME: "crc64nvme",
  SHA1: "sha1",
  SHA256: "sha256",
};

export function newDigest(algorithm: ChecksumAlgorithm): Digest {
  return newNamedDigest(DIGEST_OF[algorithm]);
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
