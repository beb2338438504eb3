import { invalid } from "./errors.js";

/** Opaque NextToken: the last key of the previous page. */
export const encodeToken = (after: string) => Buffer.from(JSON.stringify({ after })).toString("base64");

export function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // reported below
  }
  throw invalid("NextToken");
}

/**
 * One page of a key-ordered listing: up to `limit` items after the token's key, and the next token when
 * more follow.
 */
export function pageAfter<T>(
  entriesFrom: (from?: string) => Iterable<readonly [string, T]>,
  token: string | undefined,
  limit: number,
): { items: T[]; next?: string } {
  const after = token === undefined ? undefined : decodeToken(token);
  const items: T[] = [];
  let lastKey = "";
  for (const [key, item] of entriesFrom(after)) {
    if (after !== undefined && key <= after) continue;
    if (items.length === limit) return { items, next: encodeToken(lastKey) };
    items.push(item);
    lastKey = key;
  }
  return { items };
}
