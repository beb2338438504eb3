import type { Readable } from "node:stream";

/** A request as the gateway sees it, independent of HTTP/1.1, HTTP/2 or in-process callers. */
export interface HttpRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded), without the query string. */
  path: string;
  /** The query string exactly as sent, without the leading `?`. */
  rawQuery: string;
  /** Lower-case header names; repeated headers joined with ",". */
  headers: Record<string, string>;
  /** The body, buffered (small requests, in-process calls) or streaming (large uploads). */
  body: Buffer | Readable;
  /** Trailing headers of an aws-chunked body (e.g. x-amz-checksum-crc32), known once the body is read. */
  trailers?: Promise<Record<string, string>>;
  /** Remote address, for logging and aws:SourceIp. */
  sourceIp?: string;
  /** Whether the request arrived over TLS (aws:SecureTransport). */
  secure?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string | Readable | undefined;
}

/** Decoded query parameters, keeping repeats in order. */
export type QueryParams = Map<string, string[]>;

export function parseQueryString(raw: string): QueryParams {
  const params: QueryParams = new Map();
  if (!raw) return params;
  for (const part of raw.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : decodeQueryComponent(part.slice(eq + 1));
    const list = params.get(key);
    if (list) list.push(value);
    else params.set(key, [value]);
  }
  return params;
}

/** Form and query decoding: `+` is a space; malformed escapes are kept literally, as AWS front ends do. */
export function decodeQueryComponent(s: string): string {
  const plus = s.includes("+") ? s.replace(/\+/g, " ") : s;
  if (!plus.includes("%")) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}
