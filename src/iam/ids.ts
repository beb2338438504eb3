import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** IAM's unique ids and key ids: a type prefix (AIDA, AROA, AKIA, ASIA…) and upper-case base32 characters. */
export function uniqueId(prefix: string, length = 17): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const b of bytes) id += ALPHABET[b % 32];
  return id;
}

/** A 40-character secret access key. */
export function secretKey(): string {
  return randomBytes(30).toString("base64").replace(/\+/g, "A").replace(/\//g, "B");
}

/** An opaque session token, long like STS's. */
export function sessionToken(): string {
  return `IQoJb3JpZ2luX2Vj${randomBytes(180).toString("base64")}`;
}
