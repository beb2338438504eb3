import type { Condition as LegacyCondition } from "@aws-sdk/client-dynamodb";
import { ValidationException, invalidParameter } from "./errors.js";
import type { Condition, Operand } from "./expressions/ast.js";
import { filterCondition } from "./legacy.js";
import { type TableRecord, attributeType, hashKeyOf, keyNames, rangeKeyOf } from "./storage.js";
import { type Value, keySortText, prefixSortText, typeOf } from "./values.js";
import type { KeySchemaElement } from "@aws-sdk/client-dynamodb";

/** A Query's key condition reduced to a partition and bounds on the sort key's order-preserving text. */
export interface KeyRange {
  hashValue: Value;
  lower?: { text: string; inclusive: boolean };
  upper?: { text: string; inclusive: boolean };
  prefix?: string;
}

const invalidOperator = (op: string) => new ValidationException(`Invalid operator used in KeyConditionExpression: ${op}`);

/** Flattens the AND tree into simple key conditions, rejecting what KeyConditionExpression does not allow. */
function conjuncts(condition: Condition, out: Condition[] = []): Condition[] {
  switch (condition.kind) {
    case "and":
      conjuncts(condition.left, out);
      conjuncts(condition.right, out);
      return out;
    case "or":
      throw invalidOperator("OR");
    case "not":
      throw invalidOperator("NOT");
    case "in":
      throw invalidOperator("IN");
    case "compare":
      if (condition.operator === "<>") throw invalidOperator("<>");
      out.push(condition);
      return out;
    case "function":
      if (condition.name !== "begins_with") throw invalidOperator(condition.name);
      out.push(condition);
      return out;
    default:
      out.push(condition);
      return out;
  }
}

interface Simple {
  name: string;
  operator: string;
  values: Value[];
}

/** `a = :v` or `:v = a`, `a BETWEEN :x AND :y`, `begins_with(a, :v)`: a key attribute against values. */
function simplify(c: Condition): Simple {
  const attribute = (o: Operand) => (o.kind === "path" && o.path.length === 1 && "name" in o.path[0] ? o.path[0].name : undefined);
  const value = (o: Operand) => (o.kind === "value" ? o.value : undefined);
  const unsupported = () => new ValidationException("Query key condition not supported");
  if (c.kind === "compare") {
    const flipped: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=" };
    const left = attribute(c.left);
    const right = value(c.right);
    if (left && right) return { name: left, operator: c.operator, values: [right] };
    const name = attribute(c.right);
    const v = value(c.left);
    if (name && v) return { name, operator: flipped[c.operator], values: [v] };
    throw unsupported();
  }
  if (c.kind === "between") {
    const name = attribute(c.operand);
    const low = value(c.low);
    const high = value(c.high);
    if (name && low && high) return { name, operator: "BETWEEN", values: [low, high] };
    throw unsupported();
  }
  if (c.kind === "function") {
    const name = attribute(c.args[0]);
    const v = value(c.args[1]);
    if (name && v) return { name, operator: "BEGINS_WITH", values: [v] };
  }
  throw unsupported();
}

export function keyRange(table: TableRecord, schema: KeySchemaElement[], condition: Condition): KeyRange {
  const parts = conjuncts(condition).map(simplify);
  const hash = hashKeyOf(schema);
  const range = rangeKeyOf(schema);
  if (parts.length > 2 || new Set(parts.map((p) => p.name)).size !== parts.length) {
    throw new ValidationException("KeyConditionExpressions must only contain one condition per key");
  }
  const hasHash = parts.some((p) => p.name === hash);
  for (const p of parts) {
    // AWS names the key element the condition failed to cover: the sort key once the hash key is there.
    if (!keyNames(schema).includes(p.name))
      throw new ValidationException(`Query condition missed key schema element: ${hasHash ? (range ?? hash) : hash}`);
    if (p.values.some((v) => typeOf(v) !== attributeType(table, p.name)))
      throw invalidParameter("Condition parameter type does not match schema type");
  }
  const hashPart = parts.find((p) => p.name === hash);
  if (!hashPart) throw new ValidationException(`Query condition missed key schema element: ${hash}`);
  if (hashPart.operator !== "=") throw new ValidationException("Query key condition not supported");
  const result: KeyRange = { hashValue: hashPart.values[0] };
  const rangePart = parts.find((p) => p.name === range);
  if (rangePart) applyRange(result, rangePart);
  return result;
}

function applyRange(result: KeyRange, part: Simple): void {
  const [first, second] = part.values.map((v) => keySortText(v));
  switch (part.operator) {
    case "=":
      result.lower = { text: first, inclusive: true };
      result.upper = { text: first, inclusive: true };
      return;
    case "<":
    case "<=":
      result.upper = { text: first, inclusive: part.operator === "<=" };
      return;
    case ">":
    case ">=":
      result.lower = { text: first, inclusive: part.operator === ">=" };
      return;
    case "BETWEEN":
      if (first > second) {
        throw new ValidationException(
          "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound",
        );
      }
      result.lower = { text: first, inclusive: true };
      result.upper = { text: second, inclusive: true };
      return;
    case "BEGINS_WITH": {
      const type = typeOf(part.values[0]);
      if (type === "N") {
        throw new ValidationException(
          "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        );
      }
      result.prefix = prefixSortText(part.values[0]);
      result.lower = { text: result.prefix, inclusive: true };
    }
  }
}

export function inRange(range: KeyRange, text: string): boolean {
  const { lower, upper, prefix } = range;
  if (lower && (text < lower.text || (!lower.inclusive && text === lower.text))) return false;
  if (upper && (text > upper.text || (!upper.inclusive && text === upper.text))) return false;
  return prefix === undefined || text.startsWith(prefix);
}

/** Whether no later text (in sort order) can be in range: the forward scan may stop. */
export function pastRange(range: KeyRange, text: string): boolean {
  if (range.upper && (text > range.upper.text || (!range.upper.inclusive && text === range.upper.text))) return true;
  return range.prefix !== undefined && text > range.prefix && !text.startsWith(range.prefix);
}

export function legacyKeyConditions(conditions: Record<string, LegacyCondition>): Condition {
  const operators = Object.values(conditions).map((c) => c.ComparisonOperator);
  const allowed = ["EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN"];
  const bad = operators.find((o) => !allowed.includes(o as string));
  if (bad) throw new ValidationException(`Attempted conditional constraint is not an indexable operation`);
  return filterCondition(conditions, "AND") as Condition;
}
