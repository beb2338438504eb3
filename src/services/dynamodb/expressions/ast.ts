import type { Value } from "../values.js";

/** One step of a document path: a map key or a list index. */
export type PathElement = { name: string } | { index: number };
export type Path = PathElement[];

export type Operand =
  | { kind: "path"; path: Path }
  | { kind: "value"; value: Value; placeholder: string }
  | { kind: "size"; path: Path }
  | { kind: "if_not_exists"; path: Path; fallback: Operand }
  | { kind: "list_append"; first: Operand; second: Operand }
  | { kind: "arithmetic"; operator: "+" | "-"; left: Operand; right: Operand };

export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";

export type Condition =
  | { kind: "compare"; operator: Comparator; left: Operand; right: Operand }
  | { kind: "between"; operand: Operand; low: Operand; high: Operand }
  | { kind: "in"; operand: Operand; candidates: Operand[] }
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; condition: Condition }
  | { kind: "function"; name: ConditionFunction; args: Operand[] };

export type ConditionFunction = "attribute_exists" | "attribute_not_exists" | "attribute_type" | "begins_with" | "contains";

export type UpdateAction =
  | { kind: "SET"; path: Path; value: Operand }
  | { kind: "REMOVE"; path: Path }
  | { kind: "ADD" | "DELETE"; path: Path; value: Value };

/** AWS prints paths as `[a, b, [0]]` in its overlap messages. */
export const formatPath = (path: Path) => `[${path.map((e) => ("name" in e ? e.name : `[${e.index}]`)).join(", ")}]`;
