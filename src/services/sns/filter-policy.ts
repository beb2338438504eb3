import { BlockList, isIP } from "node:net";
import { InvalidParameter } from "./errors.js";

/**
 * SNS subscription filter policies: validation with AWS's limits and messages, and matching against
 * message attributes (MessageAttributes scope) or the JSON message body (MessageBody scope). Pure: no state.
 */
export type FilterPolicyScope = "MessageAttributes" | "MessageBody";
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Scalar = null | boolean | number | string;

const MAX_COMBINATIONS = 150;
const MAX_KEYS = 5;
const MAX_NUMBER = 1e9;
const OPERATORS = new Set(["prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr"]);
const RANGE_LOWER = new Set([">", ">="]);
const RANGE_UPPER = new Set(["<", "<="]);

const policyError = (reason: string) => new InvalidParameter(`Invalid parameter: FilterPolicy: ${reason}`);

/** Parses and validates a policy; throws InvalidParameter as SNS does. */
export function parseFilterPolicy(text: string, scope: FilterPolicyScope = "MessageAttributes"): JsonObject {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    throw policyError("failed to parse JSON.");
  }
  if (!isObject(parsed)) throw policyError("Filter policy must be a JSON object");
  const leaves = validateObject(parsed, scope, 0);
  if (leaves.keys > MAX_KEYS) throw policyError(`Filter policy can not have more than ${MAX_KEYS} keys`);
  if (leaves.combinations > MAX_COMBINATIONS) throw policyError("Filter policy is too complex");
  return parsed;
}

interface Complexity {
  keys: number;
  combinations: number;
}

function validateObject(policy: JsonObject, scope: FilterPolicyScope, depth: number): Complexity {
  let keys = 0;
  let combinations = 1;
  let orCombinations = 0;
  if (Object.keys(policy).length === 0) throw policyError("Empty objects are not allowed");
  for (const [key, value] of Object.entries(policy)) {
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject))
        throw policyError("$or must be an array of at least 2 objects");
      for (const branch of value) {
        const inner = validateObject(branch as JsonObject, scope, depth);
        keys = Math.max(keys, inner.keys);
        orCombinations += inner.combinations;
      }
    } else if (Array.isArray(value)) {
      validateConditions(value);
      keys++;
      combinations *= value.length;
    } else if (isObject(value)) {
      if (scope === "MessageAttributes")
        throw new InvalidParameter("Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
      const inner = validateObject(value, scope, depth + 1);
      keys += inner.keys;
      combinations *= inner.combinations;
    } else {
      throw policyError(`"${key}" must be an object or an array`);
    }
  }
  return { keys, combinations: orCombinations ? combinations * orCombinations : combinations };
}

function validateConditions(conditions: Json[]): void {
  if (conditions.length === 0) throw policyError("Empty arrays are not allowed");
  for (const condition of conditions) {
    if (Array.isArray(condition)) throw policyError("Match value must be String, number, true, false, or null");
    if (isObject(condition)) validateOperator(condition);
    else if (typeof condition === "number") checkNumber(condition);
  }
}

function validateOperator(condition: JsonObject): void {
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw policyError("Only one key allowed in match expression");
  const [operator, operand] = entries[0];
  if (!OPERATORS.has(operator)) throw policyError(`Unrecognized match type ${operator}`);
  switch (operator) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
      if (typeof operand !== "string") throw policyError(`${operator} match pattern must be a string`);
      return;
    case "exists":
      if (typeof operand !== "boolean") throw policyError("exists match pattern must be either true or false.");
      return;
    case "anything-but":
      validateAnythingBut(operand);
      return;
    case "numeric":
      numericBounds(operand);
      return;
    case "cidr":
      parseCidr(operand);
      return;
  }
}

function validateAnythingBut(operand: Json): void {
  if (typeof operand === "string") return;
  if (typeof operand === "number") {
    checkNumber(operand);
    return;
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw policyError("Empty arrays are not allowed");
    const allStrings = operand.every((v) => typeof v === "string");
    const allNumbers = operand.every((v) => typeof v === "number");
    if (!allStrings && !allNumbers) throw policyError("Inside anything but list, start|null|boolean is not supported.");
    if (allNumbers) for (const v of operand) checkNumber(v as number);
    return;
  }
  if (isObject(operand)) {
    const [inner, ...rest] = Object.entries(operand);
    if (!inner || rest.length) throw policyError("Only one key allowed in match expression");
    if (inner[0] !== "prefix" && inner[0] !== "suffix" && inner[0] !== "equals-ignore-case") {
      throw policyError(`Unsupported anything-but pattern: ${inner[0]}`);
    }
    if (typeof inner[1] !== "string") throw policyError(`${inner[0]} match pattern must be a string`);
    return;
  }
  throw policyError("Value of anything-but must be an array or single string/number value.");
}

function checkNumber(value: number): void {
  if (value < -MAX_NUMBER || value > MAX_NUMBER) throw policyError("Numeric values must be between -1.0E9 and 1.0E9 inclusive");
}

interface Bounds {
  equals?: number;
  lower?: { value: number; inclusive: boolean };
  upper?: { value: number; inclusive: boolean };
}

function numericBounds(operand: Json): Bounds {
  if (!Array.isArray(operand) || operand.length === 0) throw policyError("Value of numeric must be an array.");
  const bounds: Bounds = {};
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const value = operand[i + 1];
    if (typeof op !== "string") throw policyError(`Bad numeric range operator: ${JSON.stringify(op)}`);
    if (typeof value !== "number") throw policyError(`Value of ${op} must be numeric`);
    checkNumber(value);
    if (op === "=" && operand.length === 2) bounds.equals = value;
    else if (RANGE_LOWER.has(op) && !bounds.lower && !bounds.upper) bounds.lower = { value, inclusive: op === ">=" };
    else if (RANGE_UPPER.has(op) && !bounds.upper) bounds.upper = { value, inclusive: op === "<=" };
    else if (op === "=" || RANGE_LOWER.has(op) || RANGE_UPPER.has(op)) throw policyError("Too many elements in numeric expression");
    else throw policyError(`Unrecognized numeric range operator: ${op}`);
  }
  if (bounds.lower && bounds.upper && bounds.lower.value >= bounds.upper.value) throw policyError("Bottom must be less than top");
  return bounds;
}

function parseCidr(operand: Json): BlockList {
  if (typeof operand !== "string") throw policyError("prefix match pattern must be a string");
  const parts = operand.split("/");
  if (parts.length !== 2) throw policyError("Malformed CIDR, one '/' required");
  const family = isIP(parts[0]);
  const bits = Number(parts[1]);
  if (!family) throw policyError(`Nonstandard IP address: ${parts[0]}`);
  if (!/^\d+$/.test(parts[1]) || bits > (family === 4 ? 32 : 128))
    throw policyError(`Malformed CIDR, mask bits must be an integer: ${operand}`);
  const list = new BlockList();
  list.addSubnet(parts[0], bits, family === 4 ? "ipv4" : "ipv6");
  return list;
}

// ---- matching ----

/** A message attribute as published: SNS types String(.x), String.Array, Number(.x), Binary(.x). */
export interface AttributeValue {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: unknown;
}

/** What a present key offers to the conditions: its values (none for binaries and objects). */
type Present = { values: Scalar[] };

export function matchesAttributes(policy: JsonObject, attributes: Record<string, AttributeValue> = {}): boolean {
  return matchesObject(
    policy,
    (key) => (key in attributes ? { values: attributeValues(attributes[key]) } : undefined),
    () => undefined,
  );
}

export function matchesBody(policy: JsonObject, message: string): boolean {
  let body: Json;
  try {
    body = JSON.parse(message) as Json;
  } catch {
    return false;
  }
  return isObject(body) && matchesBodyObject(policy, body);
}

function matchesBodyObject(policy: JsonObject, body: JsonObject | undefined): boolean {
  return matchesObject(
    policy,
    (key) => (body && key in body ? { values: bodyValues(body[key]) } : undefined),
    (key) => {
      const nested = body?.[key];
      return isObject(nested) ? nested : undefined;
    },
  );
}

function matchesObject(
  policy: JsonObject,
  lookup: (key: string) => Present | undefined,
  child: (key: string) => JsonObject | undefined,
): boolean {
  for (const [key, rule] of Object.entries(policy)) {
    if (key === "$or") {
      if (!(rule as JsonObject[]).some((branch) => matchesObject(branch, lookup, child))) return false;
    } else if (Array.isArray(rule)) {
      if (!matchesKey(rule, lookup(key))) return false;
    } else if (!matchesBodyObject(rule as JsonObject, child(key))) {
      return false;
    }
  }
  return true;
}

function matchesKey(conditions: Json[], present: Present | undefined): boolean {
  return conditions.some((condition) => {
    if (isObject(condition) && "exists" in condition) return condition.exists === (present !== undefined);
    return !!present?.values.some((value) => matchesValue(condition, value));
  });
}

function matchesValue(condition: Json, value: Scalar): boolean {
  if (!isObject(condition)) return condition === value;
  const [operator, operand] = Object.entries(condition)[0];
  switch (operator) {
    case "prefix":
      return typeof value === "string" && value.startsWith(operand as string);
    case "suffix":
      return typeof value === "string" && value.endsWith(operand as string);
    case "equals-ignore-case":
      return typeof value === "string" && value.toLowerCase() === (operand as string).toLowerCase();
    case "anything-but":
      return anythingBut(operand, value);
    case "numeric":
      return typeof value === "number" && inBounds(numericBounds(operand), value);
    case "cidr":
      return typeof value === "string" && isIP(value) !== 0 && parseCidr(operand).check(value, isIP(value) === 4 ? "ipv4" : "ipv6");
    default:
      return false;
  }
}

function anythingBut(operand: Json, value: Scalar): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (isObject(operand)) {
    if (typeof value !== "string") return false;
    const [inner, pattern] = Object.entries(operand)[0] as [string, string];
    if (inner === "prefix") return !value.startsWith(pattern);
    if (inner === "suffix") return !value.endsWith(pattern);
    return value.toLowerCase() !== pattern.toLowerCase();
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

function attributeValues(attribute: AttributeValue): Scalar[] {
  const type = attribute.DataType ?? "";
  const text = attribute.StringValue ?? "";
  if (type === "String.Array") {
    try {
      const parsed = JSON.parse(text) as Json;
      return Array.isArray(parsed) ? parsed.filter((v): v is Scalar => !isObject(v) && !Array.isArray(v)) : [];
    } catch {
      return [];
    }
  }
  if (type.startsWith("Number")) return [Number(text)];
  if (type.startsWith("String")) return [text];
  return [];
}

function bodyValues(value: Json): Scalar[] {
  if (Array.isArray(value)) return value.filter((v): v is Scalar => !isObject(v) && !Array.isArray(v));
  return isObject(value) ? [] : [value];
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
