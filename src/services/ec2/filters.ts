import type { Filter } from "@aws-sdk/client-ec2";
import { InvalidParameterValue } from "./errors.js";

/** The values an item offers for each filter name a Describe operation supports. */
export type FilterFields<T> = Record<string, (item: T) => string | readonly string[] | undefined>;

/**
 * EC2's Describe* filter semantics: every filter must match (AND), any of a filter's values may match (OR),
 * values are case-sensitive and take `*` and `?` wildcards (backslash escapes them). Unknown names are errors.
 */
export function applyFilters<T>(items: readonly T[], filters: Filter[] | undefined, fields: FilterFields<T>): T[] {
  const checks = (filters ?? []).map((filter) => {
    const name = filter.Name ?? "";
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (!field) throw new InvalidParameterValue(`The filter '${name}' is invalid`);
    return { field, patterns: (filter.Values ?? []).map(wildcard) };
  });
  return items.filter((item) =>
    checks.every(({ field, patterns }) => {
      if (patterns.length === 0) return true;
      const raw = field(item);
      const values = raw === undefined ? [] : typeof raw === "string" ? [raw] : raw;
      return values.some((v) => patterns.some((p) => p.test(v)));
    }),
  );
}

function wildcard(value: string): RegExp {
  let source = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\" && i + 1 < value.length) source += escapeRegExp(value[++i]);
    else if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

const escapeRegExp = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
