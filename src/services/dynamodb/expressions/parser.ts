import { ValidationException } from "../errors.js";
import { type Value, typeOf } from "../values.js";
import type { Comparator, Condition, ConditionFunction, Operand, Path, UpdateAction } from "./ast.js";
import { isReservedWord } from "./reserved-words.js";

export type ExpressionKind =
  | "ConditionExpression"
  | "FilterExpression"
  | "KeyConditionExpression"
  | "UpdateExpression"
  | "ProjectionExpression";

/** The placeholders of one request, shared by all its expressions so that unused ones can be reported. */
export interface Placeholders {
  names?: Record<string, string>;
  values?: Record<string, Value>;
  usedNames: Set<string>;
  usedValues: Set<string>;
}

interface Token {
  type: "name" | "placeholder" | "value" | "number" | "punct" | "eof" | "invalid";
  text: string;
  start: number;
}

const TOKEN = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(\d+)|(<>|<=|>=|[=<>()[\],.+-]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  for (;;) {
    TOKEN.lastIndex = offset;
    const m = TOKEN.exec(text);
    if (!m) {
      const rest = text.slice(offset).trimStart();
      const start = text.length - rest.length;
      tokens.push(rest ? { type: "invalid", text: rest[0], start } : { type: "eof", text: "<EOF>", start: text.length });
      return tokens;
    }
    const start = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]).length;
    const type = m[1] ? "placeholder" : m[2] ? "value" : m[3] ? "name" : m[4] ? "number" : "punct";
    tokens.push({ type, text: m[0].trim(), start });
    offset = m.index + m[0].length;
  }
}

const CONDITION_FUNCTIONS = new Set(["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"]);
const ALL_FUNCTIONS = new Set([...CONDITION_FUNCTIONS, "size", "if_not_exists", "list_append"]);
const COMPARATORS = new Set(["=", "<>", "<", "<=", ">", ">="]);
const ATTRIBUTE_TYPES = ["B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M"];

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly kind: ExpressionKind,
    private readonly placeholders: Placeholders,
  ) {
    if (!text.trim()) throw this.error("The expression can not be empty;");
    this.tokens = tokenize(text);
  }

  error(detail: string) {
    return new ValidationException(`Invalid ${this.kind}: ${detail}`);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.type === "invalid") throw this.syntaxError(token);
    this.position = Math.min(this.position + 1, this.tokens.length - 1);
    return token;
  }

  /** AWS quotes the offending token and the text around it (previous token through this one). */
  syntaxError(token: Token = this.peek()) {
    const index = this.tokens.indexOf(token);
    const previous = index > 0 ? this.tokens[index - 1] : token;
    const end = token.type === "eof" ? this.text.length : token.start + token.text.length;
    return this.error(`Syntax error; token: "${token.text}", near: "${this.text.slice(previous.start, end)}"`);
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === "name" && t.text.toUpperCase() === word;
  }

  private isPunct(p: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === "punct" && t.text === p;
  }

  private expect(p: string): void {
    if (!this.isPunct(p)) throw this.syntaxError();
    this.next();
  }

  acceptComma(): boolean {
    if (!this.isPunct(",")) return false;
    this.next();
    return true;
  }

  expectEnd(): void {
    if (this.peek().type !== "eof") throw this.syntaxError();
  }

  // condition := and (OR and)*  ;  and := not (AND not)*  ;  not := NOT not | primary
  condition(): Condition {
    let left = this.conjunction();
    while (this.isKeyword("OR")) {
      this.next();
      left = { kind: "or", left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.isKeyword("AND")) {
      this.next();
      left = { kind: "and", left, right: this.negation() };
    }
    return left;
  }

  private negation(): Condition {
    if (this.isKeyword("NOT")) {
      this.next();
      return { kind: "not", condition: this.negation() };
    }
    return this.primary();
  }

  private primary(): Condition {
    if (this.isPunct("(")) {
      this.next();
      const inner = this.condition();
      this.expect(")");
      return inner;
    }
    const t = this.peek();
    if (t.type === "name" && this.isPunct("(", 1) && CONDITION_FUNCTIONS.has(t.text)) return this.conditionFunction();
    const operand = this.operand(false);
    const op = this.peek();
    if (op.type === "punct" && COMPARATORS.has(op.text)) {
      this.next();
      return { kind: "compare", operator: op.text as Comparator, left: operand, right: this.operand(false) };
    }
    if (this.isKeyword("BETWEEN")) {
      this.next();
      const low = this.operand(false);
      if (!this.isKeyword("AND")) throw this.syntaxError();
      this.next();
      return { kind: "between", operand, low, high: this.operand(false) };
    }
    if (this.isKeyword("IN")) {
      this.next();
      this.expect("(");
      const candidates = [this.operand(false)];
      while (this.isPunct(",")) {
        this.next();
        candidates.push(this.operand(false));
      }
      this.expect(")");
      return { kind: "in", operand, candidates };
    }
    throw this.syntaxError();
  }

  private conditionFunction(): Condition {
    const name = this.next().text as ConditionFunction;
    const args = this.arguments(false);
    const arity = name === "attribute_exists" || name === "attribute_not_exists" ? 1 : 2;
    if (args.length !== arity) throw this.arityError(name, args.length);
    if (args[0].kind !== "path" && name !== "begins_with" && name !== "contains") {
      throw this.error(`Operator or function requires a document path; operator or function: ${name}`);
    }
    if (name === "attribute_type") this.checkAttributeType(args[1]);
    return { kind: "function", name, args };
  }

  private checkAttributeType(arg: Operand): void {
    if (arg.kind !== "value")
      throw this.error("Incorrect operand type for operator or function; operator or function: attribute_type, operand type: M");
    const type = arg.value as { S?: string };
    if (typeOf(arg.value) !== "S") {
      throw this.error(
        `Incorrect operand type for operator or function; operator or function: attribute_type, operand type: ${typeOf(arg.value)}`,
      );
    }
    if (!ATTRIBUTE_TYPES.includes(type.S as string)) {
      throw this.error(`Invalid attribute type name found; type: ${type.S}, valid types: { ${ATTRIBUTE_TYPES.join(",")} }`);
    }
  }

  private arityError(name: string, count: number) {
    return this.error(`Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${count}`);
  }

  private arguments(update: boolean): Operand[] {
    this.expect("(");
    const args = [this.operand(update)];
    while (this.isPunct(",")) {
      this.next();
      args.push(this.operand(update));
    }
    this.expect(")");
    return args;
  }

  /** `update` allows SET's value functions (if_not_exists, list_append); conditions allow size(). */
  operand(update: boolean): Operand {
    const t = this.peek();
    if (t.type === "value") {
      this.next();
      return { kind: "value", value: this.value(t.text), placeholder: t.text };
    }
    if (t.type === "name" && this.isPunct("(", 1)) return this.functionOperand(update);
    if (t.type === "name" || t.type === "placeholder") return { kind: "path", path: this.path() };
    throw this.syntaxError();
  }

  private functionOperand(update: boolean): Operand {
    const name = this.next().text;
    if (!ALL_FUNCTIONS.has(name)) throw this.error(`Invalid function name; function: ${name}`);
    const allowed = update ? name === "if_not_exists" || name === "list_append" : name === "size";
    if (!allowed) throw this.error(`The function is not allowed to be used this way in an expression; function: ${name}`);
    const args = this.arguments(update);
    if (name === "size") {
      if (args.length !== 1) throw this.arityError(name, args.length);
      if (args[0].kind !== "path") throw this.error("Operator or function requires a document path; operator or function: size");
      return { kind: "size", path: args[0].path };
    }
    if (args.length !== 2) throw this.arityError(name, args.length);
    if (name === "list_append") return { kind: "list_append", first: args[0], second: args[1] };
    if (args[0].kind !== "path") throw this.error("Operator or function requires a document path; operator or function: if_not_exists");
    return { kind: "if_not_exists", path: args[0].path, fallback: args[1] };
  }

  value(placeholder: string): Value {
    const value = this.placeholders.values?.[placeholder];
    if (!value) throw this.error(`An expression attribute value used in expression is not defined; attribute value: ${placeholder}`);
    this.placeholders.usedValues.add(placeholder);
    return value;
  }

  path(): Path {
    const path: Path = [{ name: this.pathName() }];
    for (;;) {
      if (this.isPunct(".")) {
        this.next();
        path.push({ name: this.pathName() });
      } else if (this.isPunct("[")) {
        this.next();
        const index = this.next();
        if (index.type !== "number") throw this.syntaxError(index);
        this.expect("]");
        path.push({ index: Number(index.text) });
      } else return path;
    }
  }

  private pathName(): string {
    const t = this.next();
    if (t.type === "placeholder") {
      const name = this.placeholders.names?.[t.text];
      if (name === undefined)
        throw this.error(`An expression attribute name used in the document path is not defined; attribute name: ${t.text}`);
      this.placeholders.usedNames.add(t.text);
      return name;
    }
    if (t.type !== "name") throw this.syntaxError(t);
    if (isReservedWord(t.text)) throw this.error(`Attribute name is a reserved keyword; reserved keyword: ${t.text}`);
    return t.text;
  }

  updateActions(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    do {
      const clause = this.next();
      const keyword = clause.type === "name" ? clause.text.toUpperCase() : "";
      if (!["SET", "REMOVE", "ADD", "DELETE"].includes(keyword)) throw this.syntaxError(clause);
      if (seen.has(keyword)) throw this.error(`The "${keyword}" section can only be used once in an update expression;`);
      seen.add(keyword);
      do {
        actions.push(this.updateAction(keyword as UpdateAction["kind"]));
      } while (this.acceptComma());
    } while (this.peek().type !== "eof");
    return actions;
  }

  private updateAction(kind: UpdateAction["kind"]): UpdateAction {
    const path = this.path();
    if (kind === "REMOVE") return { kind, path };
    if (kind === "SET") {
      this.expect("=");
      let value = this.operand(true);
      if (this.isPunct("+") || this.isPunct("-")) {
        const operator = this.next().text as "+" | "-";
        value = { kind: "arithmetic", operator, left: value, right: this.operand(true) };
      }
      return { kind, path, value };
    }
    const t = this.next();
    if (t.type !== "value") throw this.syntaxError(t);
    const value = this.value(t.text);
    const type = typeOf(value);
    const allowed = kind === "ADD" ? ["N", "SS", "NS", "BS"] : ["SS", "NS", "BS"];
    if (!allowed.includes(type)) {
      throw this.error(`Incorrect operand type for operator or function; operator: ${kind}, operand type: ${OPERAND_TYPE_NAMES[type]}`);
    }
    return { kind, path, value };
  }
}

const OPERAND_TYPE_NAMES: Record<string, string> = {
  S: "STRING",
  N: "NUMBER",
  B: "BINARY",
  BOOL: "BOOLEAN",
  NULL: "NULL",
  L: "LIST",
  M: "MAP",
  SS: "STRING SET",
  NS: "NUMBER SET",
  BS: "BINARY SET",
};

export function parseCondition(text: string, kind: ExpressionKind, placeholders: Placeholders): Condition {
  const parser = new Parser(text, kind, placeholders);
  const condition = parser.condition();
  parser.expectEnd();
  return condition;
}

export function parseUpdate(text: string, placeholders: Placeholders): UpdateAction[] {
  return new Parser(text, "UpdateExpression", placeholders).updateActions();
}

export function parseProjection(text: string, placeholders: Placeholders): Path[] {
  const parser = new Parser(text, "ProjectionExpression", placeholders);
  const paths = [parser.path()];
  while (parser.acceptComma()) paths.push(parser.path());
  parser.expectEnd();
  return paths;
}
