import { BlockList, isIP } from "node:net";

/**
 * The content-filtering pattern language shared by EventBridge rules, Lambda event filtering and SNS
 * payload filters: a JSON object mirroring the event, each leaf an array of conditions (literals, prefix,
 * suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr) and `$or` branches.
 * Pure functions; callers wrap `PatternError` in their own service's error.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
type Scalar = null | boolean | number | string;

/** Its message is the reason EventBridge gives (`Event pattern is not valid. Reason: …`), where AWS's wording is known. */
export class PatternError extends Error {}

const OPERATORS = new Set(["prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr", "wildcard"]);
const STRING_MATCHERS = new Set(["prefix", "suffix", "equals-ignore-case", "wildcard"]);

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a pattern and checks its syntax; throws PatternError naming the problem. */
export function parsePattern(text: string): JsonObject {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    throw new PatternError("pattern is not valid JSON");
  }
  if (!isObject(parsed)) throw new PatternError("pattern must be a JSON object");
  validateObject(parsed);
  return parsed;
}

function validateObject(pattern: JsonObject): void {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) throw new PatternError("$or must list at least 2 objects");
      for (const branch of value) validateObject(branch as JsonObject);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new PatternError("Empty arrays are not allowed");
      for (const condition of value) validateCondition(condition);
    } else if (isObject(value)) {
      validateObject(value);
    } else {
      throw new PatternError(`"${key}" must be an object or an array`);
    }
  }
}

function validateCondition(condition: Json): void {
  if (Array.isArray(condition)) throw new PatternError("Match value must be String, number, true, false, or null");
  if (!isObject(condition)) return;
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw new PatternError("Only one key allowed in match expression");
  const [operator, operand] = entries[0];
  if (!OPERATORS.has(operator)) throw new PatternError(`Unrecognized match type ${operator}`);
  if (operator === "exists" && typeof operand !== "boolean") throw new PatternError("exists match pattern must be either true or false.");
  if (operator === "numeric") numericBounds(operand);
  if (operator === "cidr") cidrList(operand);
  if (operator === "anything-but") validateAnythingBut(operand);
  if (operator === "prefix" || operator === "suffix") validateAffix(operand);
  if ((operator === "equals-ignore-case" || operator === "wildcard") && typeof operand !== "string")
    throw new PatternError(`${operator} takes a string`);
}

/** prefix/suffix take a string, or `{"equals-ignore-case": string}`. */
function validateAffix(operand: Json): void {
  if (typeof operand === "string") return;
  if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand["equals-ignore-case"] === "string") return;
  throw new PatternError("prefix and suffix take a string");
}

function validateAnythingBut(operand: Json): void {
  if (typeof operand === "string" || typeof operand === "number") return;
  if (Array.isArray(operand)) {
    if (operand.length === 0 || !(operand.every((v) => typeof v === "string") || operand.every((v) => typeof v === "number")))
      throw new PatternError("anything-but lists hold only strings or only numbers");
    return;
  }
  if (isObject(operand)) {
    const entries = Object.entries(operand);
    if (entries.length !== 1 || !STRING_MATCHERS.has(entries[0][0])) throw new PatternError("unsupported anything-but pattern");
    const inner = entries[0][1];
    if (typeof inner !== "string" && !(Array.isArray(inner) && inner.every((v) => typeof v === "string")))
      throw new PatternError("anything-but matchers take strings");
    return;
  }
  throw new PatternError("anything-but takes a string, a number or a list");
}

interface Bounds {
  equals?: number;
  lower?: { value: number; inclusive: boolean };
  upper?: { value: number; inclusive: boolean };
}

function numericBounds(operand: Json): Bounds {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) throw new PatternError("numeric takes [op, value, …]");
  const bounds: Bounds = {};
  for (let i = 0; i < operand.length; i += 2) {
    const [op, value] = [operand[i], operand[i + 1]];
    if (typeof value !== "number") throw new PatternError("numeric values must be numbers");
    if (op === "=" && operand.length === 2) bounds.equals = value;
    else if ((op === ">" || op === ">=") && !bounds.lower) bounds.lower = { value, inclusive: op === ">=" };
    else if ((op === "<" || op === "<=") && !bounds.upper) bounds.upper = { value, inclusive: op === "<=" };
    else throw new PatternError(`bad numeric operator ${JSON.stringify(op)}`);
  }
  if (bounds.lower && bounds.upper && bounds.lower.value >= bounds.upper.value) throw new PatternError("numeric bottom must be below top");
  return bounds;
}

function cidrList(operand: Json): BlockList {
  const [address, bits, ...rest] = typeof operand === "string" ? operand.split("/") : [];
  const family = isIP(address ?? "");
  if (!family || rest.length || !/^\d+$/.test(bits ?? "") || Number(bits) > (family === 4 ? 32 : 128))
    throw new PatternError(`malformed CIDR ${JSON.stringify(operand)}`);
  const list = new BlockList();
  list.addSubnet(address, Number(bits), family === 4 ? "ipv4" : "ipv6");
  return list;
}

// ---- matching ----

/** Whether a JSON event matches a validated pattern. */
export function matchesPattern(pattern: JsonObject, event: Json): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === "$or") return (rule as JsonObject[]).some((branch) => matchesPattern(branch, event));
    if (Array.isArray(rule)) return matchesLeaf(rule, key in event ? event[key] : undefined);
    const nested = event[key];
    return matchesPattern(rule as JsonObject, isObject(nested) ? nested : {}); // absent fields can still match exists: false
  });
}

/** A leaf present as an array matches when any of its elements does; objects offer no values. */
function matchesLeaf(conditions: Json[], value: Json | undefined): boolean {
  const values: Scalar[] =
    value === undefined
      ? []
      : Array.isArray(value)
        ? value.filter((v): v is Scalar => !isObject(v) && !Array.isArray(v))
        : isObject(value)
          ? []
          : [value];
  return conditions.some((condition) => {
    if (isObject(condition) && "exists" in condition) return condition.exists === (value !== undefined && !isObject(value));
    return values.some((v) => matchesValue(condition, v));
  });
}

function matchesValue(condition: Json, value: Scalar): boolean {
  if (!isObject(condition)) return condition === value;
  const [operator, operand] = Object.entries(condition)[0];
  if (operator === "anything-but") return anythingBut(operand, value);
  if (operator === "numeric") return typeof value === "number" && inBounds(numericBounds(operand), value);
  if (operator === "cidr") {
    const family = typeof value === "string" ? isIP(value) : 0;
    return family !== 0 && cidrList(operand).check(value as string, family === 4 ? "ipv4" : "ipv6");
  }
  return typeof value === "string" && stringMatch(operator, operand, value);
}

function stringMatch(operator: string, operand: Json, value: string): boolean {
  const ignoreCase = isObject(operand);
  const text = (ignoreCase ? operand["equals-ignore-case"] : operand) as string;
  const [subject, wanted] = ignoreCase ? [value.toLowerCase(), text.toLowerCase()] : [value, text];
  switch (operator) {
    case "prefix":
      return subject.startsWith(wanted);
    case "suffix":
      return subject.endsWith(wanted);
    case "equals-ignore-case":
      return value.toLowerCase() === text.toLowerCase();
    case "wildcard":
      return wildcard(text).test(value);
    default:
      return false;
  }
}

function wildcard(text: string): RegExp {
  const escaped = text.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "s");
}

function anythingBut(operand: Json, value: Scalar): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (isObject(operand)) {
    if (typeof value !== "string") return false;
    const [operator, inner] = Object.entries(operand)[0];
    const options = Array.isArray(inner) ? (inner as string[]) : [inner as string];
    return !options.some((option) => stringMatch(operator, option, value));
  }
  return operand !== value;
}

function inBounds(bounds: Bounds, value: number): boolean {
  if (bounds.equals !== undefined) return value === bounds.equals;
  const { lower, upper } = bounds;
  if (lower && (lower.inclusive ? value < lower.value : value <= lower.value)) return false;
  if (upper && (upper.inclusive ? value > upper.value : value >= upper.value)) return false;
  return true;
}
