import { ValidationException } from "../errors.js";
import type { Comparator, Condition, ConditionFunction, Operand, Path, UpdateAction } from "../expressions/ast.js";
import { type Item, type Value, fromWire, typeOf } from "../values.js";
import type { Delete, Insert, Returning, Select, Statement, Update } from "./ast.js";
import { malformed } from "./errors.js";
import { type Token, tokenize } from "./lexer.js";

/** Words that end or structure a clause; they cannot be bare attribute or table names. */
const KEYWORDS = new Set(
  (
    "SELECT FROM WHERE INSERT INTO VALUE VALUES UPDATE SET REMOVE DELETE AND OR NOT IN IS BETWEEN RETURNING ORDER BY ASC DESC " +
    "EXISTS MISSING NULL TRUE FALSE ALL MODIFIED OLD NEW"
  ).split(" "),
);
const COMPARATORS: Record<string, Comparator> = { "=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };
const CONDITION_FUNCTIONS = new Set<ConditionFunction>([
  "attribute_exists",
  "attribute_not_exists",
  "attribute_type",
  "begins_with",
  "contains",
]);

class Parser {
  private readonly tokens: Token[];
  private position = 0;
  private used = 0;

  constructor(
    text: string,
    private readonly parameters: Value[],
  ) {
    this.tokens = tokenize(text);
  }

  parse(): Statement {
    const statement = this.statement();
    this.acceptPunct(";");
    if (this.peek().type !== "eof") throw malformed("Unexpected token after expression");
    if (this.used !== this.parameters.length) throw new ValidationException("Number of parameters in request and statement don't match.");
    return statement;
  }

  private statement(): Statement {
    const word = this.peekWord();
    if (word === "SELECT") return this.select();
    if (word === "INSERT") return this.insert();
    if (word === "UPDATE") return this.update();
    if (word === "DELETE") return this.delete();
    if (word === "EXISTS") {
      this.next();
      this.expectPunct("(");
      const select = this.select();
      this.expectPunct(")");
      return { kind: "exists", select };
    }
    throw malformed("Expected data manipulation");
  }

  private select(): Select {
    this.expectWord("SELECT");
    let projection: Path[] | undefined;
    if (!this.acceptPunct("*")) {
      projection = [this.path()];
      while (this.acceptPunct(",")) projection.push(this.path());
    }
    this.expectWord("FROM");
    const table = this.identifier();
    const index = this.acceptPunct(".") ? this.identifier() : undefined;
    this.refuseAlias();
    const where = this.acceptWord("WHERE") ? this.condition() : undefined;
    const orderBy: Select["orderBy"] = [];
    if (this.acceptWord("ORDER")) {
      this.expectWord("BY");
      do {
        const attribute = this.identifier();
        const descending = this.acceptWord("DESC");
        if (!descending) this.acceptWord("ASC");
        orderBy.push({ attribute, descending });
      } while (this.acceptPunct(","));
    }
    return { kind: "select", table, index, projection, where, orderBy };
  }

  private insert(): Insert {
    this.expectWord("INSERT");
    this.expectWord("INTO");
    const table = this.identifier();
    // DynamoDB reads `INSERT INTO t` as complete: anything but VALUE is left over.
    if (this.peekWord() !== "VALUE" && this.peek().type !== "eof") throw malformed("Unexpected token after expression");
    this.expectWord("VALUE");
    const value = this.value("root", true);
    if (typeOf(value) !== "M") throw new ValidationException("Unsupported operation: Inserting a value that is not a tuple");
    return { kind: "insert", table, item: (value as { M: Item }).M };
  }

  private update(): Update {
    this.expectWord("UPDATE");
    const table = this.identifier();
    this.refuseAlias();
    const actions: UpdateAction[] = [];
    for (;;) {
      if (this.acceptWord("SET")) {
        do actions.push(this.assignment());
        while (this.acceptPunct(","));
      } else if (this.acceptWord("REMOVE")) {
        do actions.push({ kind: "REMOVE", path: this.path() });
        while (this.acceptPunct(","));
      } else break;
    }
    if (!actions.length) this.unexpected();
    const where = this.acceptWord("WHERE") ? this.condition() : undefined;
    return { kind: "update", table, actions, where, returning: this.returning() };
  }

  private delete(): Delete {
    this.expectWord("DELETE");
    this.expectWord("FROM");
    const table = this.identifier();
    this.refuseAlias();
    const where = this.acceptWord("WHERE") ? this.condition() : undefined;
    return { kind: "delete", table, where, returning: this.returning() };
  }

  /** `FROM "t" t` / `FROM "t" AS t`: DynamoDB names no alias feature and says so, outside the syntax envelope. */
  private refuseAlias(): void {
    const token = this.peek();
    const word = token.type === "word" ? token.text.toUpperCase() : undefined;
    if (word === "AS" || (word !== undefined && !KEYWORDS.has(word)) || token.type === "quoted") {
      throw new ValidationException("Aliasing is not supported");
    }
  }

  private returning(): Returning | undefined {
    if (!this.acceptWord("RETURNING")) return undefined;
    const scope = this.acceptWord("ALL") ? "ALL" : this.expectWord("MODIFIED") && "UPDATED";
    const version = this.acceptWord("OLD") ? "OLD" : this.expectWord("NEW") && "NEW";
    this.expectPunct("*");
    return `${scope}_${version}` as Returning;
  }

  /** `path = value`, with `+`/`-`, list_append, if_not_exists, and set_add/set_delete as ADD/DELETE actions. */
  private assignment(): UpdateAction {
    const path = this.path();
    this.expectPunct("=");
    const fn = this.functionName();
    if (fn === "set_add" || fn === "set_delete") {
      this.next();
      this.expectPunct("(");
      this.path();
      this.expectPunct(",");
      const value = this.value();
      this.expectPunct(")");
      if (!["SS", "NS", "BS"].includes(typeOf(value))) throw new ValidationException(`${fn} function expects a set argument`);
      return { kind: fn === "set_add" ? "ADD" : "DELETE", path, value };
    }
    let value = this.term();
    for (;;) {
      const operator = this.acceptPunct("+") ? "+" : this.acceptPunct("-") ? "-" : undefined;
      if (!operator) break;
      value = { kind: "arithmetic", operator, left: value, right: this.term() };
    }
    return { kind: "SET", path, value };
  }

  private term(): Operand {
    const fn = this.functionName();
    if (fn === "list_append") {
      this.next();
      this.expectPunct("(");
      const first = this.term();
      this.expectPunct(",");
      const second = this.term();
      this.expectPunct(")");
      return { kind: "list_append", first, second };
    }
    if (fn === "if_not_exists") {
      this.next();
      this.expectPunct("(");
      const path = this.path();
      this.expectPunct(",");
      const fallback = this.term();
      this.expectPunct(")");
      return { kind: "if_not_exists", path, fallback };
    }
    return this.operand();
  }

  // Conditions: OR below AND below NOT below predicates.
  private condition(): Condition {
    let left = this.conjunction();
    while (this.acceptWord("OR")) left = { kind: "or", left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.acceptWord("AND")) left = { kind: "and", left, right: this.negation() };
    return left;
  }

  private negation(): Condition {
    if (this.acceptWord("NOT")) return { kind: "not", condition: this.negation() };
    return this.predicate();
  }

  private predicate(): Condition {
    if (this.acceptPunct("(")) {
      const inner = this.condition();
      this.expectPunct(")");
      return inner;
    }
    const fn = this.functionName();
    if (fn && CONDITION_FUNCTIONS.has(fn as ConditionFunction)) return this.conditionFunction(fn as ConditionFunction);
    const left = this.operand();
    const comparator = COMPARATORS[this.peek().type === "punct" ? this.peek().text : ""];
    if (comparator) {
      this.next();
      return { kind: "compare", operator: comparator, left, right: this.operand() };
    }
    if (this.acceptWord("BETWEEN")) {
      const low = this.operand();
      this.expectWord("AND");
      return { kind: "between", operand: left, low, high: this.operand() };
    }
    const negated = this.acceptWord("NOT");
    if (this.acceptWord("IN")) {
      const condition: Condition = { kind: "in", operand: left, candidates: this.inList() };
      return negated ? { kind: "not", condition } : condition;
    }
    if (!negated && this.acceptWord("IS")) return this.isPredicate(left);
    return this.unexpected();
  }

  private conditionFunction(name: ConditionFunction): Condition {
    this.next();
    this.expectPunct("(");
    const args = [this.operand()];
    while (this.acceptPunct(",")) args.push(this.operand());
    this.expectPunct(")");
    return { kind: "function", name, args };
  }

  private inList(): Operand[] {
    const close = this.acceptPunct("[") ? "]" : this.expectPunct("(") && ")";
    const candidates = [this.operand()];
    while (this.acceptPunct(",")) candidates.push(this.operand());
    this.expectPunct(close);
    return candidates;
  }

  /** `IS [NOT] MISSING` is attribute existence; `IS [NOT] NULL` tests for the NULL type. */
  private isPredicate(left: Operand): Condition {
    const negated = this.acceptWord("NOT");
    if (left.kind !== "path") return this.unexpected();
    const args: Operand[] = [left];
    let condition: Condition;
    if (this.acceptWord("MISSING")) condition = { kind: "function", name: "attribute_not_exists", args };
    else {
      this.expectWord("NULL");
      condition = { kind: "function", name: "attribute_type", args: [left, { kind: "value", value: { S: "NULL" }, placeholder: "NULL" }] };
    }
    return negated ? { kind: "not", condition } : condition;
  }

  private operand(): Operand {
    if (this.functionName() === "size") {
      this.next();
      this.expectPunct("(");
      const path = this.path();
      this.expectPunct(")");
      return { kind: "size", path };
    }
    const token = this.peek();
    const isPath = token.type === "quoted" || (token.type === "word" && !KEYWORDS.has(token.text.toUpperCase()));
    if (isPath) return { kind: "path", path: this.path() };
    return { kind: "value", value: this.value(), placeholder: token.text };
  }

  /** Literals: 'strings', numbers, booleans, NULL, [lists], {'tuples': …}, <<sets>> and `?` parameters. */
  /**
   * `at` names the literal's place in number errors as DynamoDB does: `root` for a value or an INSERT
   * item's attribute (`itemTuple`), `root.x` / `root[1]` for a member of a map or list inside it.
   */
  private value(at = "root", itemTuple = false): Value {
    const token = this.next();
    switch (token.type) {
      case "string":
        return { S: token.text };
      case "number":
        return numberLiteral(token.text, at);
      case "param":
        return this.parameter();
      case "word": {
        const word = token.text.toUpperCase();
        if (word === "TRUE" || word === "FALSE") return { BOOL: word === "TRUE" };
        if (word === "NULL") return { NULL: true };
        return this.unexpected(token);
      }
      case "punct":
        return this.compositeValue(token, at, itemTuple);
      default:
        return this.unexpected(token);
    }
  }

  private compositeValue(token: Token, at: string, itemTuple: boolean): Value {
    if (token.text === "-") {
      const number = this.next();
      if (number.type !== "number") return this.unexpected(number);
      return numberLiteral(`-${number.text}`, at);
    }
    if (token.text === "[") {
      const list = this.peekPunct("]") ? [] : this.valueList();
      this.expectPunct("]");
      return { L: list };
    }
    if (token.text === "{") {
      const map: Item = {};
      if (!this.peekPunct("}")) {
        do {
          const key = this.next();
          if (key.type !== "string" && key.type !== "quoted") return this.unexpected(key);
          this.expectPunct(":");
          map[key.text] = this.value(itemTuple ? "root" : `root.${key.text}`);
        } while (this.acceptPunct(","));
      }
      this.expectPunct("}");
      return { M: map };
    }
    if (token.text === "<<") {
      const members = this.valueList();
      this.expectPunct(">>");
      return setOf(members);
    }
    return this.unexpected(token);
  }

  private valueList(): Value[] {
    const values = [this.value("root[0]")];
    while (this.acceptPunct(",")) values.push(this.value(`root[${values.length}]`));
    return values;
  }

  private parameter(): Value {
    if (this.used >= this.parameters.length) throw new ValidationException("Number of parameters in request and statement don't match.");
    return this.parameters[this.used++];
  }

  /** An attribute path: a name, then `.name` or `[n]` steps. */
  private path(): Path {
    const path: Path = [{ name: this.identifier() }];
    for (;;) {
      if (this.peekPunct(".") && ["word", "quoted"].includes(this.tokens[this.position + 1]?.type)) {
        this.next();
        path.push({ name: this.identifier() });
      } else if (this.acceptPunct("[")) {
        const index = this.next();
        if (index.type !== "number" || !/^\d+$/.test(index.text)) return this.unexpected(index);
        path.push({ index: Number(index.text) });
        this.expectPunct("]");
      } else return path;
    }
  }

  private identifier(): string {
    const token = this.next();
    if (token.type === "quoted") return token.text;
    if (token.type === "word" && !KEYWORDS.has(token.text.toUpperCase())) return token.text;
    return this.unexpected(token);
  }

  /** The lower-case name of a function call starting here, if any. */
  private functionName(): string | undefined {
    const token = this.peek();
    const next = this.tokens[this.position + 1];
    return token.type === "word" && next?.type === "punct" && next.text === "(" ? token.text.toLowerCase() : undefined;
  }

  private unexpected(token = this.peek()): never {
    if (token.type === "eof") throw malformed("Unexpected end of statement");
    if (token.type === "word" && KEYWORDS.has(token.text.toUpperCase())) throw malformed("Unexpected keyword");
    throw malformed("Unexpected token");
  }

  private peek = () => this.tokens[this.position];
  private next = () => this.tokens[this.position < this.tokens.length - 1 ? this.position++ : this.position];
  private peekWord = () => (this.peek().type === "word" ? this.peek().text.toUpperCase() : undefined);
  private peekPunct = (text: string) => this.peek().type === "punct" && this.peek().text === text;

  private acceptWord(word: string): boolean {
    if (this.peekWord() !== word) return false;
    this.position++;
    return true;
  }

  /** Always true (or throws): lets a grammar alternative read as `accept(a) ? x : expect(b) && y`. */
  private expectWord(word: string): true {
    if (!this.acceptWord(word)) this.unexpected();
    return true;
  }

  private acceptPunct(text: string): boolean {
    if (!this.peekPunct(text)) return false;
    this.position++;
    return true;
  }

  private expectPunct(text: string): true {
    if (!this.acceptPunct(text)) this.unexpected();
    return true;
  }
}

/** A number literal: unreadable exponents get the bare envelope, DynamoDB's range rules their message plus the place. */
function numberLiteral(text: string, at: string): Value {
  const exponent = /e([+-]?\d+)$/i.exec(text)?.[1];
  if (exponent !== undefined && Math.abs(Number(exponent)) >= 2 ** 31 - 1) throw malformed("");
  try {
    return fromWire({ N: text });
  } catch (err) {
    throw new ValidationException(`${(err as Error).message} under ${at}`);
  }
}

function setOf(members: Value[]): Value {
  const type = typeOf(members[0]);
  if (!["S", "N", "B"].includes(type) || members.some((m) => typeOf(m) !== type)) {
    throw new ValidationException("Unsupported operation: a set must contain members of one scalar type: string, number or binary");
  }
  const texts = members.map((m) => (m as Record<string, string>)[type]);
  return fromWire({ [`${type}S`]: type === "B" ? texts.map((b) => Buffer.from(b, "base64")) : texts });
}

/** Parses one statement with its `?` parameters (wire AttributeValues, validated here). */
export function parseStatement(text: string, parameters: unknown[] | undefined): Statement {
  const values = (parameters ?? []).map((p) => fromWire(p));
  return new Parser(text, values).parse();
}
