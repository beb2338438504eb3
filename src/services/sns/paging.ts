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
