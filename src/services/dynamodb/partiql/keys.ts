import type { Condition, Operand } from "../expressions/ast.js";
import { type TableRecord, attributeType, keyNames } from "../storage.js";
import { type Item, type Value, typeOf } from "../values.js";
import { missingKeyEquality } from "./errors.js";

/** The top-level AND terms of a WHERE clause. */
export function conjuncts(condition: Condition | undefined, out: Condition[] = []): Condition[] {
  if (!condition) return out;
  if (condition.kind === "and") {
    conjuncts(condition.left, out);
    conjuncts(condition.right, out);
  } else out.push(condition);
  return out;
}

const attributeOf = (o: Operand) => (o.kind === "path" && o.path.length === 1 && "name" in o.path[0] ? o.path[0].name : undefined);

/** The value of `name = value` (either way round), if the condition is one. */
export function equalityValue(condition: Condition, name: string): Value | undefined {
  if (condition.kind !== "compare" || condition.operator !== "=") return undefined;
  if (attributeOf(condition.left) === name && condition.right.kind === "value") return condition.right.value;
  if (attributeOf(condition.right) === name && condition.left.kind === "value") return condition.left.value;
  return undefined;
}

/** The values a condition pins `name` to: `=`, `IN`, or an OR of equalities; undefined if it does not. */
function pinnedValues(condition: Condition, name: string): Value[] | undefined {
  const equal = equalityValue(condition, name);
  if (equal) return [equal];
  if (condition.kind === "in" && attributeOf(condition.operand) === name && condition.candidates.every((c) => c.kind === "value")) {
    return condition.candidates.map((c) => (c as { value: Value }).value);
  }
  if (condition.kind === "or") {
    const left = pinnedValues(condition.left, name);
    const right = left && pinnedValues(condition.right, name);
    return right && [...(left as Value[]), ...right];
  }
  return undefined;
}

/** The partitions a SELECT reads (undefined: a scan), as DynamoDB decides between Query and Scan. */
export function partitionValues(where: Condition | undefined, hashName: string): Value[] | undefined {
  for (const term of conjuncts(where)) {
    const values = pinnedValues(term, hashName);
    if (values) return values;
  }
  return undefined;
}

/** A term on the sort key that a key range can use (comparison, BETWEEN or begins_with against values). */
export function sortKeyTerm(where: Condition | undefined, rangeName: string, type: string): Condition | undefined {
  const valuesOfType = (operands: Operand[]) => operands.every((o) => o.kind === "value" && typeOf(o.value) === type);
  return conjuncts(where).find((c) => {
    if (c.kind === "compare" && c.operator !== "<>") {
      return (
        (attributeOf(c.left) === rangeName && valuesOfType([c.right])) || (attributeOf(c.right) === rangeName && valuesOfType([c.left]))
      );
    }
    if (c.kind === "between") return attributeOf(c.operand) === rangeName && valuesOfType([c.low, c.high]);
    if (c.kind === "function" && c.name === "begins_with") return attributeOf(c.args[0]) === rangeName && valuesOfType([c.args[1]]);
    return false;
  });
}

/** UPDATE, DELETE and batch/transaction SELECTs name one item: equalities on every key attribute. */
export function keyFromWhere(table: TableRecord, where: Condition | undefined): Item {
  const terms = conjuncts(where);
  const key: Item = {};
  for (const name of keyNames(table.keySchema)) {
    const value = terms.map((t) => equalityValue(t, name)).find((v) => v !== undefined);
    if (!value) throw missingKeyEquality();
    key[name] = value;
  }
  return key;
}

/** Whether a value can be the key attribute's (a mismatched type matches nothing rather than failing). */
export const fitsKey = (table: TableRecord, name: string, value: Value) => typeOf(value) === attributeType(table, name);
