import { ValidationFailure } from "../../protocol/errors.js";
import { InvalidNextToken } from "./errors.js";

export function checkMaxResults(max: number | undefined, limit: number) {
  if (max !== undefined && (max < 1 || max > limit)) {
    const constraint = max < 1 ? "greater than or equal to 1" : `less than or equal to ${limit}`;
    throw new ValidationFailure([{ path: "maxResults", value: max, constraint: `Member must have value ${constraint}`, kind: "range" }]);
  }
}

/** Tokens are offsets into a stably ordered result list. */
export function page<T>(items: T[], max: number, token: string | undefined): { items: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, "base64").toString("utf8"));
    if (!Number.isInteger(start) || start < 0) throw new InvalidNextToken("The specified token isn't valid.");
  }
  const end = start + max;
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString("base64") : undefined };
}
