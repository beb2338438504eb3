import { addNumbers, subtractNumbers } from "../decimal.js";
import { ValidationException } from "../errors.js";
import { type Item, type Value, compareValues, payload, typeOf, valuesEqual } from "../values.js";
import { type Condition, type Operand, type Path, type UpdateAction, formatPath } from "./ast.js";

export function resolvePath(item: Item, path: Path): Value | undefined {
  let current: Value | undefined = { M: item };
  for (const element of path) {
    if (!current) return undefined;
    if ("name" in element) current = typeOf(current) === "M" ? (current as { M: Item }).M[element.name] : undefined;
    else current = typeOf(current) === "L" ? (current as { L: Value[] }).L[element.index] : undefined;
  }
  return current;
}

function operandValue(item: Item, operand: Operand): Value | undefined {
  switch (operand.kind) {
    case "path":
      return resolvePath(item, operand.path);
    case "value":
      return operand.value;
    case "size":
      return sizeOf(resolvePath(item, operand.path));
    default:
      return updateValue(item, operand);
  }
}

function sizeOf(v: Value | undefined): Value | undefined {
  if (!v) return undefined;
  const p = payload(v);
  switch (typeOf(v)) {
    case "S":
      return { N: String([...(p as string)].length) };
    case "B":
      return { N: String(Buffer.from(p, "base64").length) };
    case "M":
      return { N: String(Object.keys(p).length) };
    case "L":
    case "SS":
    case "NS":
    case "BS":
      return { N: String(p.length) };
    default:
      return undefined;
  }
}

export function evaluate(condition: Condition, item: Item): boolean {
  switch (condition.kind) {
    case "and":
      return evaluate(condition.left, item) && evaluate(condition.right, item);
    case "or":
      return evaluate(condition.left, item) || evaluate(condition.right, item);
    case "not":
      return !evaluate(condition.condition, item);
    case "compare":
      return compare(condition.operator, operandValue(item, condition.left), operandValue(item, condition.right));
    case "between": {
      const v = operandValue(item, condition.operand);
      return compare(">=", v, operandValue(item, condition.low)) && compare("<=", v, operandValue(item, condition.high));
    }
    case "in": {
      const v = operandValue(item, condition.operand);
      return condition.candidates.some((c) => compare("=", v, operandValue(item, c)));
    }
    case "function":
      return evaluateFunction(condition.name, condition.args, item);
  }
}

function compare(operator: string, a: Value | undefined, b: Value | undefined): boolean {
  if (!a || !b) return false;
  if (operator === "=") return valuesEqual(a, b);
  if (operator === "<>") return !valuesEqual(a, b);
  const order = compareValues(a, b);
  if (order === undefined) return false;
  return operator === "<" ? order < 0 : operator === "<=" ? order <= 0 : operator === ">" ? order > 0 : order >= 0;
}

function evaluateFunction(name: string, args: Operand[], item: Item): boolean {
  const first = operandValue(item, args[0]);
  switch (name) {
    case "attribute_exists":
      return first !== undefined;
    case "attribute_not_exists":
      return first === undefined;
    case "attribute_type":
      return first !== undefined && typeOf(first) === payload(operandValue(item, args[1]) as Value);
    case "begins_with": {
      const prefix = operandValue(item, args[1]);
      if (!first || !prefix || typeOf(first) !== typeOf(prefix)) return false;
      if (typeOf(first) === "S") return (payload(first) as string).startsWith(payload(prefix));
      if (typeOf(first) === "B") {
        const whole = Buffer.from(payload(first), "base64");
        const start = Buffer.from(payload(prefix), "base64");
        return whole.subarray(0, start.length).equals(start);
      }
      return false;
    }
    case "contains":
      return contains(first, operandValue(item, args[1]));
    default:
      return false;
  }
}

function contains(haystack: Value | undefined, needle: Value | undefined): boolean {
  if (!haystack || !needle) return false;
  const type = typeOf(haystack);
  const p = payload(haystack);
  if (type === "S") return typeOf(needle) === "S" && (p as string).includes(payload(needle));
  if (type === "B") return typeOf(needle) === "B" && Buffer.from(p, "base64").includes(Buffer.from(payload(needle), "base64"));
  if (type === "L") return (p as Value[]).some((e) => valuesEqual(e, needle));
  if (type === "SS" || type === "NS" || type === "BS") {
    const memberType = type.slice(0, 1);
    return typeOf(needle) === memberType && (p as string[]).some((m) => valuesEqual({ [memberType]: m } as Value, needle));
  }
  return false;
}

const incorrectType = () => new ValidationException("An operand in the update expression has an incorrect data type");

/** Values of SET's right-hand sides, always computed against the item as it was before the update. */
function updateValue(item: Item, operand: Operand): Value {
  switch (operand.kind) {
    case "if_not_exists":
      return resolvePath(item, operand.path) ?? updateValue(item, operand.fallback);
    case "list_append": {
      const first = updateValue(item, operand.first);
      const second = updateValue(item, operand.second);
      if (typeOf(first) !== "L" || typeOf(second) !== "L") throw incorrectType();
      return { L: [...payload(first), ...payload(second)] };
    }
    case "arithmetic": {
      const left = updateValue(item, operand.left);
      const right = updateValue(item, operand.right);
      if (typeOf(left) !== "N" || typeOf(right) !== "N") throw incorrectType();
      const apply = operand.operator === "+" ? addNumbers : subtractNumbers;
      return { N: apply(payload(left), payload(right)) };
    }
    default: {
      const v = operandValue(item, operand);
      if (!v) throw new ValidationException("The provided expression refers to an attribute that does not exist in the item");
      return v;
    }
  }
}

const invalidPath = () => new ValidationException("The document path provided in the update expression is invalid for update");

/** The container holding the path's last element, or an error when an intermediate step is missing. */
function parentOf(item: Item, path: Path): Value {
  const parent = path.length === 1 ? { M: item } : resolvePath(item, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent || typeOf(parent) !== ("name" in last ? "M" : "L")) throw invalidPath();
  return parent;
}

function assign(item: Item, path: Path, value: Value): void {
  const parent = parentOf(item, path);
  const last = path[path.length - 1];
  if ("name" in last) (parent as { M: Item }).M[last.name] = value;
  else {
    const list = (parent as { L: Value[] }).L;
    list[Math.min(last.index, list.length)] = value;
  }
}

function remove(item: Item, path: Path): void {
  const parent = path.length === 1 ? { M: item } : resolvePath(item, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent) return;
  if ("name" in last && typeOf(parent) === "M") delete (parent as { M: Item }).M[last.name];
  else if ("index" in last && typeOf(parent) === "L") {
    const list = (parent as { L: Value[] }).L;
    if (last.index < list.length) list.splice(last.index, 1);
  }
}

function addTo(existing: Value | undefined, value: Value): Value {
  if (!existing) return value;
  const type = typeOf(existing);
  if (type !== typeOf(value)) throw incorrectType();
  if (type === "N") return { N: addNumbers(payload(existing), payload(value)) };
  if (type === "SS" || type === "NS" || type === "BS") {
    const members: string[] = [...payload(existing)];
    for (const m of payload(value) as string[]) if (!members.includes(m)) members.push(m);
    return { [type]: members } as Value;
  }
  throw incorrectType();
}

function deleteFrom(existing: Value, value: Value): Value | undefined {
  if (typeOf(existing) !== typeOf(value)) throw incorrectType();
  const removed = new Set(payload(value) as string[]);
  const left = (payload(existing) as string[]).filter((m) => !removed.has(m));
  return left.length ? ({ [typeOf(existing)]: left } as Value) : undefined;
}

/** Applies the actions to a copy of `item`; list-element REMOVEs run last, highest index first, as AWS does. */
export function applyUpdate(item: Item, actions: UpdateAction[]): Item {
  const result = structuredClone(item);
  const values = actions.map((a) => (a.kind === "SET" ? updateValue(item, a.value) : undefined));
  actions.forEach((action, i) => {
    if (action.kind === "SET") assign(result, action.path, values[i] as Value);
    else if (action.kind === "ADD") {
      const existing = resolvePath(result, action.path);
      if (!existing) parentOf(result, action.path);
      assign(result, action.path, addTo(existing, action.value));
    } else if (action.kind === "DELETE") {
      const existing = resolvePath(result, action.path);
      if (!existing) return;
      const rest = deleteFrom(existing, action.value);
      if (rest) assign(result, action.path, rest);
      else remove(result, action.path);
    }
  });
  const removals = actions.filter((a) => a.kind === "REMOVE").sort((a, b) => lastIndex(b.path) - lastIndex(a.path));
  for (const action of removals) remove(result, action.path);
  return result;
}

const lastIndex = (path: Path) => {
  const last = path[path.length - 1];
  return "index" in last ? last.index : -1;
};

/** AWS rejects update expressions whose target paths overlap (one is a prefix of another) or conflict. */
export function checkPathOverlaps(paths: Path[]): void {
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const [a, b] = [paths[i], paths[j]];
      const n = Math.min(a.length, b.length);
      let k = 0;
      while (k < n && JSON.stringify(a[k]) === JSON.stringify(b[k])) k++;
      const detail = `must remove or rewrite one of these paths; path one: ${formatPath(a)}, path two: ${formatPath(b)}`;
      if (k === n) throw new ValidationException(`Invalid UpdateExpression: Two document paths overlap with each other; ${detail}`);
      if ("name" in a[k] !== "name" in b[k])
        throw new ValidationException(`Invalid UpdateExpression: Two document paths conflict with each other; ${detail}`);
    }
  }
}

/** Selected paths as a tree: a node is either taken whole or narrowed to some members/elements. */
interface Selection {
  whole: boolean;
  names: Map<string, Selection>;
  indexes: Map<number, Selection>;
}

const emptySelection = (): Selection => ({ whole: false, names: new Map(), indexes: new Map() });

function select(paths: Path[]): Selection {
  const root = emptySelection();
  for (const path of paths) {
    let node = root;
    for (const element of path) {
      const children: Map<string | number, Selection> = "name" in element ? node.names : node.indexes;
      const key = "name" in element ? element.name : element.index;
      let child = children.get(key);
      if (!child) {
        child = emptySelection();
        children.set(key, child);
      }
      node = child;
    }
    node.whole = true;
  }
  return root;
}

/** The selected part of a value, or undefined when none of it exists; list elements keep their order, compacted. */
function selectValue(value: Value, node: Selection): Value | undefined {
  if (node.whole) return structuredClone(value);
  if (typeOf(value) === "M" && node.names.size) {
    const members = selectMembers((value as { M: Item }).M, node);
    return Object.keys(members).length ? { M: members } : undefined;
  }
  if (typeOf(value) === "L" && node.indexes.size) {
    const list = (value as { L: Value[] }).L;
    const elements = [...node.indexes.entries()]
      .sort(([a], [b]) => a - b)
      .map(([i, child]) => (i < list.length ? selectValue(list[i], child) : undefined))
      .filter((v): v is Value => v !== undefined);
    return elements.length ? { L: elements } : undefined;
  }
  return undefined;
}

function selectMembers(map: Item, node: Selection): Item {
  const result: Item = {};
  for (const [name, child] of node.names) {
    const v = map[name] && selectValue(map[name], child);
    if (v) result[name] = v;
  }
  return result;
}

/** The item reduced to the projected paths (nested maps kept, list elements compacted in index order). */
export const project = (item: Item, paths: Path[]): Item => selectMembers(item, select(paths));
