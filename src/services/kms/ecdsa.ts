import { createECDH, randomBytes } from "node:crypto";

/**
 * ECDSA over a caller-supplied digest (KMS's MessageType DIGEST), which Node's crypto cannot do: it always
 * hashes the message itself. Plain prime-field arithmetic in Jacobian coordinates; the generator point is
 * taken from OpenSSL (ECDH with private key 1) so only p, a and the group order are written out here.
 */
interface Curve {
  opensslName: string;
  p: bigint;
  a: bigint;
  n: bigint;
}

const CURVES: Record<string, Curve> = {
  "P-256": {
    opensslName: "prime256v1",
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  "P-384": {
    opensslName: "secp384r1",
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    a: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 4n,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  "P-521": {
    opensslName: "secp521r1",
    p: 2n ** 521n - 1n,
    a: 2n ** 521n - 4n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
  secp256k1: {
    opensslName: "secp256k1",
    p: 2n ** 256n - 2n ** 32n - 977n,
    a: 0n,
    n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  },
};

type Point = { x: bigint; y: bigint; z: bigint } | null;

const mod = (v: bigint, m: bigint) => ((v % m) + m) % m;

function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

/** Inverse modulo a prime (both p and n are prime). */
const invert = (v: bigint, m: bigint) => modPow(v, m - 2n, m);

function double(pt: Point, c: Curve): Point {
  if (!pt || pt.y === 0n) return null;
  const { x, y, z } = pt;
  const yy = (y * y) % c.p;
  const s = mod(4n * x * yy, c.p);
  const z2 = (z * z) % c.p;
  const m = mod(3n * x * x + c.a * z2 * z2, c.p);
  const x3 = mod(m * m - 2n * s, c.p);
  return { x: x3, y: mod(m * (s - x3) - 8n * yy * yy, c.p), z: mod(2n * y * z, c.p) };
}

function add(p1: Point, p2: Point, c: Curve): Point {
  if (!p1) return p2;
  if (!p2) return p1;
  const z1z1 = (p1.z * p1.z) % c.p;
  const z2z2 = (p2.z * p2.z) % c.p;
  const u1 = (p1.x * z2z2) % c.p;
  const u2 = (p2.x * z1z1) % c.p;
  const s1 = (p1.y * p2.z * z2z2) % c.p;
  const s2 = (p2.y * p1.z * z1z1) % c.p;
  const h = mod(u2 - u1, c.p);
  const r = mod(s2 - s1, c.p);
  if (h === 0n) return r === 0n ? double(p1, c) : null;
  const hh = (h * h) % c.p;
  const hhh = (hh * h) % c.p;
  const x3 = mod(r * r - hhh - 2n * u1 * hh, c.p);
  return { x: x3, y: mod(r * (u1 * hh - x3) - s1 * hhh, c.p), z: (h * p1.z * p2.z) % c.p };
}

function multiply(pt: Point, k: bigint, c: Curve): Point {
  let result: Point = null;
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    result = double(result, c);
    if ((k >> i) & 1n) result = add(result, pt, c);
  }
  return result;
}

function affineX(pt: Point, c: Curve): bigint | undefined {
  if (!pt) return undefined;
  const zInv = invert(pt.z, c.p);
  return (pt.x * zInv * zInv) % c.p;
}

function generator(c: Curve): Point {
  const ecdh = createECDH(c.opensslName);
  const size = Math.ceil(c.n.toString(2).length / 8);
  ecdh.setPrivateKey(Buffer.from("01".padStart(size * 2, "0"), "hex"));
  return pointFromUncompressed(ecdh.getPublicKey(), c);
}

function pointFromUncompressed(bytes: Buffer, c: Curve): Point {
  const half = (bytes.length - 1) / 2;
  const x = toBigInt(bytes.subarray(1, 1 + half));
  const y = toBigInt(bytes.subarray(1 + half));
  return { x: mod(x, c.p), y: mod(y, c.p), z: 1n };
}

const toBigInt = (bytes: Uint8Array) => (bytes.length ? BigInt(`0x${Buffer.from(bytes).toString("hex")}`) : 0n);

/** The digest as an integer, truncated to the group order's bit length (FIPS 186-4). */
function digestInteger(digest: Buffer, c: Curve): bigint {
  const orderBits = c.n.toString(2).length;
  const value = toBigInt(digest);
  const excess = digest.length * 8 - orderBits;
  return excess > 0 ? value >> BigInt(excess) : value;
}

function randomScalar(c: Curve): bigint {
  const size = Math.ceil(c.n.toString(2).length / 8) + 8;
  return (toBigInt(randomBytes(size)) % (c.n - 1n)) + 1n;
}

export interface EcPrivate {
  curve: string;
  /** The JWK `d`, `x` and `y` members (base64url). */
  d: string;
  x: string;
  y: string;
}

const b64 = (s: string) => toBigInt(Buffer.from(s, "base64url"));

export function ecdsaSignDigest(key: EcPrivate, digest: Buffer): Buffer {
  const c = CURVES[key.curve];
  const g = generator(c);
  const e = digestInteger(digest, c);
  const d = b64(key.d);
  for (;;) {
    const k = randomScalar(c);
    const x = affineX(multiply(g, k, c), c);
    if (x === undefined) continue;
    const r = x % c.n;
    const s = (invert(k, c.n) * (e + r * d)) % c.n;
    if (r !== 0n && s !== 0n) return encodeDerSignature(r, s);
  }
}

export function ecdsaVerifyDigest(key: Omit<EcPrivate, "d">, digest: Buffer, signature: Buffer): boolean {
  const c = CURVES[key.curve];
  const parsed = decodeDerSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const w = invert(s, c.n);
  const e = digestInteger(digest, c);
  const q: Point = { x: b64(key.x), y: b64(key.y), z: 1n };
  const sum = add(multiply(generator(c), (e * w) % c.n, c), multiply(q, (r * w) % c.n, c), c);
  const x = affineX(sum, c);
  return x !== undefined && x % c.n === r;
}

function derInteger(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, "hex");
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes]);
}

function derLength(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n]);
}

function encodeDerSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** SEQUENCE { INTEGER r, INTEGER s }, strictly: anything else is an invalid signature. */
function decodeDerSignature(sig: Buffer): { r: bigint; s: bigint } | undefined {
  let pos = 0;
  const readLength = (): number | undefined => {
    const first = sig[pos++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first !== 0x81) return undefined;
    return sig[pos++];
  };
  const readInteger = (): bigint | undefined => {
    if (sig[pos++] !== 0x02) return undefined;
    const length = readLength();
    if (!length || pos + length > sig.length) return undefined;
    const value = toBigInt(sig.subarray(pos, pos + length));
    pos += length;
    return value;
  };
  if (sig[pos++] !== 0x30) return undefined;
  const total = readLength();
  if (total === undefined || pos + total !== sig.length) return undefined;
  const r = readInteger();
  const s = readInteger();
  if (r === undefined || s === undefined || pos !== sig.length) return undefined;
  return { r, s };
}
