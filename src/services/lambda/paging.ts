import { ValidationFailure } from "../../protocol/errors.js";
import { InvalidParameterValueException } from "./errors.js";

/** Lambda's list operations return at most 50 items a page. */
export const PAGE_LIMIT = 50;

/**
 * One page of a listing whose order is stable: MaxItems checked against the operation's range (1–50 for
 * most; versions and aliases accept up to 10,000 but still page by 50), and an opaque Marker that holds
 * the offset of the next item.
 */
export function page<T>(
  items: T[],
  marker: string | undefined,
  maxItems: number | undefined,
  maxAccepted = PAGE_LIMIT,
): { items: T[]; next?: string } {
  if (maxItems !== undefined && (maxItems < 1 || maxItems > maxAccepted)) {
    const constraint =
      maxItems < 1 ? "Member must have value greater than or equal to 1" : `Member must have value less than or equal to ${maxAccepted}`;
    throw new ValidationFailure([{ path: "maxItems", value: maxItems, constraint, kind: "range" }]);
  }
  const start = marker === undefined ? 0 : Number(Buffer.from(marker, "base64url").toString("utf8"));
  if (!Number.isInteger(start) || start < 0) throw new InvalidParameterValueException("Invalid Marker value.");
  const limit = Math.min(maxItems ?? PAGE_LIMIT, PAGE_LIMIT);
  const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString("base64url") : undefined;
  return { items: items.slice(start, start + limit), next };
}
