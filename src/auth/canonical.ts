import type { HttpRequest } from "../protocol/http.js";
import type { SigV4Flavor } from "./sigv4.js";

/** SigV4's canonical request: how S3 and every other service turn a request into the text they sign. */
export function buildCanonicalRequest(req: HttpRequest, signedHeaders: string[], payloadHash: string, flavor: SigV4Flavor): string {
  const headers = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req.headers[name])}\n`).join("");
  const uri = flavor === "s3" ? s3CanonicalUri(req.path) : normalizedCanonicalUri(req.path);
  return `${req.method}\n${uri}\n${canonicalQuery(req.rawQuery)}\n${headers}\n${signedHeaders.join(";")}\n${payloadHash}`;
}

/** Values are trimmed and inner runs of spaces collapse to one, as every signer does. */
function canonicalHeaderValue(value: string | undefined): string {
  return value === undefined ? "" : value.replace(/[ \t]+/g, " ").replace(/^ | $/g, "");
}

/** S3 signs the path as sent, each segment decoded once and encoded once; no dot-segment or slash clean-up. */
function s3CanonicalUri(path: string): string {
  if (!path) return "/";
  return path
    .split("/")
    .map((segment) => (/^[A-Za-z0-9\-._~]*$/.test(segment) ? segment : percentEncode(percentDecode(segment))))
    .join("/");
}

/** Other services normalize the path as sent (dot segments, empty segments) and encode it again. */
function normalizedCanonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
  return `/${segments.map((s) => percentEncode(Buffer.from(s, "utf8"))).join("/")}${trailing}`;
}

/** Every parameter but the signature, decoded, encoded per RFC 3986, sorted by name then value. */
function canonicalQuery(raw: string): string {
  if (!raw) return "";
  const pairs: [string, string][] = [];
  for (const part of raw.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = encodeText(eq < 0 ? part : part.slice(0, eq));
    if (name.toLowerCase() === "x-amz-signature") continue;
    pairs.push([name, encodeText(eq < 0 ? "" : part.slice(eq + 1))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Form decoding (`+` is a space) and re-encoding, at the byte level so bad escapes survive as AWS keeps them. */
function encodeText(raw: string): string {
  return percentEncode(percentDecode(raw.replace(/\+/g, " ")));
}

export function decodeText(raw: string): string {
  return percentDecode(raw.replace(/\+/g, " ")).toString("utf8");
}

const HEX = "0123456789ABCDEF";
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Decodes valid %XX escapes to bytes and keeps anything else literally. */
function percentDecode(text: string): Buffer {
  const src = Buffer.from(text, "utf8");
  if (!text.includes("%")) return src;
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const hi = src[i] === 0x25 && i + 2 < src.length ? hexValue(src[i + 1]) : -1;
    const lo = hi >= 0 ? hexValue(src[i + 2]) : -1;
    if (lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
    } else out[n++] = src[i];
  }
  return out.subarray(0, n);
}

function percentEncode(bytes: Buffer): string {
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(c) ? c : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}
