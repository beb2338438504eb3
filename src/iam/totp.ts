import { createHmac, randomBytes } from "node:crypto";
import type { IamCollections } from "./records.js";

/** RFC 6238 as AWS's virtual MFA devices use it: HMAC-SHA-1, 30-second steps, 6 digits. */
export const TOTP_STEP_SECONDS = 30;
const DIGITS = 6;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A new device seed: 20 random bytes (160 bits, the HMAC-SHA-1 key size RFC 4226 recommends), in Base32. */
export function newSeed(): string {
  return base32Encode(randomBytes(20));
}

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/=+$/, "").toUpperCase();
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not Base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The time step a moment falls in. */
export function timeStep(ms: number): number {
  return Math.floor(ms / 1000 / TOTP_STEP_SECONDS);
}

/** The 6-digit code of one time step (RFC 4226's HOTP with the step as counter). */
export function totpCode(seed: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(seed)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, "0");
}

/**
 * The step whose code `code` is, searched from `from` to `to` (inclusive; either order of search is
 * fine since codes of different steps collide only by chance); undefined when none matches.
 */
export function findStep(seed: string, code: string, from: number, to: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  for (let step = from; step <= to; step++) if (totpCode(seed, step) === code) return step;
  return undefined;
}

/** Steps either side of the device's clock accepted for a code (clock skew between phone and server). */
export const CODE_WINDOW = 2;

/**
 * Checks one code of an assigned virtual MFA device (for STS's SerialNumber + TokenCode): within a few
 * steps of the device's clock and never a step already used, so an observed code cannot be replayed.
 * Records the step used; false when the device is not the user's or the code is wrong.
 */
export function verifyDeviceCode(store: IamCollections, userName: string, serial: string, code: string, nowMs: number): boolean {
  const device = store.mfaDevices.get(serial);
  if (!device || device.UserName !== userName) return false;
  const center = timeStep(nowMs) + (device.drift ?? 0);
  const floor = (device.lastStep ?? Number.NEGATIVE_INFINITY) + 1;
  const step = findStep(device.seed, code, Math.max(center - CODE_WINDOW, floor), center + CODE_WINDOW);
  if (step === undefined) return false;
  store.mfaDevices.set(serial, { ...device, lastStep: step });
  return true;
}
