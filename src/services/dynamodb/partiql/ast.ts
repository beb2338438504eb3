import type { Condition, Path, UpdateAction } from "../expressions/ast.js";
import type { Item } from "../values.js";

/**
 * Parsed PartiQL statements. WHERE clauses and SET/REMOVE clauses reuse the expression AST, so
 * conditions and updates evaluate exactly as ConditionExpression and UpdateExpression do.
 */
export interface Select {
  kind: "select";
  table: string;
  index?: string;
  /** undefined for `*`. */
  projection?: Path[];
  where?: Condition;
  orderBy: { attribute: string; descending: boolean }[];
}

export interface Insert {
  kind: "insert";
  table: string;
  item: Item;
}

export type Returning = "ALL_OLD" | "ALL_NEW" | "UPDATED_OLD" | "UPDATED_NEW";

export interface Update {
  kind: "update";
  table: string;
  actions: UpdateAction[];
  where?: Condition;
  returning?: Returning;
}

export interface Delete {
  kind: "delete";
  table: string;
  where?: Condition;
  returning?: Returning;
}

/** `EXISTS(SELECT …)`: a condition check inside ExecuteTransaction. */
export interface Exists {
  kind: "exists";
  select: Select;
}

export type Statement = Select | Insert | Update | Delete | Exists;

export const tableOfStatement = (s: Statement) => (s.kind === "exists" ? s.select.table : s.table);
