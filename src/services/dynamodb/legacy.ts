import type { AttributeValueUpdate, Condition as LegacyCondition, ExpectedAttributeValue } from "@aws-sdk/client-dynamodb";
import { ValidationException, invalidParameter } from "./errors.js";
import type { Comparator, Condition, Operand, UpdateAction } from "./expressions/ast.js";
import { fromWire } from "./values.js";

/** Legacy parameters (Expected, QueryFilter, ScanFilter, KeyConditions, AttributeUpdates) become expression trees. */
const COMPARATORS: Record<string, Comparator> = { EQ: "=", NE: "<>", LT: "<", LE: "<=", GT: ">", GE: ">=" };
const ARITY: Record<string, number> = { NULL: 0, NOT_NULL: 0, BETWEEN: 2, IN: -1 };

function legacyCondition(name: string, operator: string, rawValues: unknown[] | undefined): Condition {
  const values = (rawValues ?? []).map(fromWire);
  const expected = ARITY[operator] ?? 1;
  if (expected >= 0 ? values.length !== expected : values.length === 0) {
    throw invalidParameter(`Invalid number of argument(s) for the ${operator} ComparisonOperator`);
  }
  const path: Operand = { kind: "path", path: [{ name }] };
  const value = (i: number): Operand => ({ kind: "value", value: values[i], placeholder: "" });
  if (COMPARATORS[operator]) return { kind: "compare", operator: COMPARATORS[operator], left: path, right: value(0) };
  switch (operator) {
    case "NULL":
      return { kind: "function", name: "attribute_not_exists", args: [path] };
    case "NOT_NULL":
      return { kind: "function", name: "attribute_exists", args: [path] };
    case "CONTAINS":
      return { kind: "function", name: "contains", args: [path, value(0)] };
    case "NOT_CONTAINS":
      return { kind: "not", condition: { kind: "function", name: "contains", args: [path, value(0)] } };
    case "BEGINS_WITH":
      return { kind: "function", name: "begins_with", args: [path, value(0)] };
    case "BETWEEN":
      return { kind: "between", operand: path, low: value(0), high: value(1) };
    case "IN":
      return { kind: "in", operand: path, candidates: values.map((_, i) => value(i)) };
    default:
      throw new ValidationException(
        `1 validation error detected: Value '${operator}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]`,
      );
  }
}

function combine(conditions: Condition[], operator: string | undefined): Condition | undefined {
  if (!conditions.length) return undefined;
  const kind = operator === "OR" ? "or" : "and";
  return conditions.reduce((left, right) => ({ kind, left, right }));
}

export function expectedCondition(
  expected: Record<string, ExpectedAttributeValue> | undefined,
  operator: string | undefined,
): Condition | undefined {
  if (!expected) return undefined;
  const conditions = Object.entries(expected).map(([name, e]) => {
    if (e.ComparisonOperator) {
      if (e.Value !== undefined) throw invalidParameter(`Value and AttributeValueList cannot be used together for Attribute: ${name}`);
      return legacyCondition(name, e.ComparisonOperator, e.AttributeValueList);
    }
    if (e.Exists === false) {
      if (e.Value !== undefined)
        throw invalidParameter(`Cannot expect an attribute to have a specified value while expecting it to not exist`);
      return legacyCondition(name, "NULL", []);
    }
    if (e.Value === undefined)
      throw invalidParameter(`Value must be provided when Exists is ${e.Exists === undefined ? "null" : "true"} for Attribute: ${name}`);
    return legacyCondition(name, "EQ", [e.Value]);
  });
  return combine(conditions, operator);
}

export function filterCondition(filter: Record<string, LegacyCondition> | undefined, operator: string | undefined): Condition | undefined {
  if (!filter) return undefined;
  return combine(
    Object.entries(filter).map(([name, c]) => legacyCondition(name, c.ComparisonOperator as string, c.AttributeValueList)),
    operator,
  );
}

export function legacyUpdates(updates: Record<string, AttributeValueUpdate> | undefined): UpdateAction[] {
  return Object.entries(updates ?? {}).map(([name, update]): UpdateAction => {
    const path = [{ name }];
    const action = update.Action ?? "PUT";
    if (action === "PUT") {
      if (update.Value === undefined) throw invalidParameter(`Only DELETE action is allowed when no attribute value is specified`);
      return { kind: "SET", path, value: { kind: "value", value: fromWire(update.Value), placeholder: "" } };
    }
    if (update.Value === undefined) {
      if (action === "ADD") throw invalidParameter("Only DELETE action is allowed when no attribute value is specified");
      return { kind: "REMOVE", path };
    }
    return { kind: action as "ADD" | "DELETE", path, value: fromWire(update.Value) };
  });
}
