import { errorClass } from "../../protocol/errors.js";

const InvalidParameterException = errorClass("InvalidParameterException");

/** A compiled CloudWatch Logs filter pattern: a predicate over one event's message. */
export type MessageFilter = (message: string) => boolean;

/**
 * Compiles the two common pattern forms: term patterns (`ERROR "out of memory" -DEBUG ?WARN`) and JSON
 * patterns (`{ $.level = "error" && $.latency > 100 }`). Terms are case-sensitive substrings, as in AWS.
 */
export function compileFilterPattern(pattern: string | undefined): MessageFilter {
  const text = (pattern ?? "").trim();
  if (text === "") return () => true;
  if (text.startsWith("{")) return compileJsonPattern(text);
  return compileTermPattern(text);
}

function invalid(): never {
  throw new InvalidParameterException("Invalid filter pattern");
}

// ---- Term patterns -------------------------------------------------------------------------------------

function compileTermPattern(text: string): MessageFilter {
  const required: string[] = [];
  const excluded: string[] = [];
  const anyOf: string[] = [];
  for (const token of text.match(/[-?]?"(?:[^"\\]|\\.)*"|\S+/g) ?? []) {
    const sign = token[0] === "-" || token[0] === "?" ? token[0] : "";
    let term = token.slice(sign.length);
    if (term.startsWith('"')) {
      if (term.length < 2 || !term.endsWith('"')) invalid();
      term = term.slice(1, -1).replace(/\\(.)/g, "$1");
    } else if (term.includes('"')) invalid();
    if (term === "") invalid();
    (sign === "-" ? excluded : sign === "?" ? anyOf : required).push(term);
  }
  return (message) =>
    required.every((t) => message.includes(t)) &&
    !excluded.some((t) => message.includes(t)) &&
    (anyOf.length === 0 || anyOf.some((t) => message.includes(t)));
}

// ---- JSON patterns -------------------------------------------------------------------------------------

type JsonTest = (document: unknown) => boolean;

function compileJsonPattern(text: string): MessageFilter {
  if (!text.endsWith("}")) invalid();
  const parser = new JsonPatternParser(text.slice(1, -1));
  const test = parser.parseOr();
  parser.expectEnd();
  return (message) => {
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    return typeof document === "object" && document !== null && test(document);
  };
}

const TOKEN = /\s*(&&|\|\||\(|\)|!=|>=|<=|=|>|<|\$[A-Za-z0-9_.[\]$-]*|"(?:[^"\\]|\\.)*"|[^\s()&|=!<>"]+)/y;

class JsonPatternParser {
  private readonly tokens: string[] = [];
  private position = 0;

  constructor(source: string) {
    const scanner = new RegExp(TOKEN.source, "y");
    let consumed = 0;
    for (let match = scanner.exec(source); match; match = scanner.exec(source)) {
      this.tokens.push(match[1]);
      consumed = scanner.lastIndex;
    }
    if (source.slice(consumed).trim() !== "") invalid();
  }

  expectEnd(): void {
    if (this.position !== this.tokens.length) invalid();
  }

  parseOr(): JsonTest {
    let left = this.parseAnd();
    while (this.peek() === "||") {
      this.position++;
      const [a, b] = [left, this.parseAnd()];
      left = (d) => a(d) || b(d);
    }
    return left;
  }

  private parseAnd(): JsonTest {
    let left = this.parseTerm();
    while (this.peek() === "&&") {
      this.position++;
      const [a, b] = [left, this.parseTerm()];
      left = (d) => a(d) && b(d);
    }
    return left;
  }

  private parseTerm(): JsonTest {
    if (this.peek() === "(") {
      this.position++;
      const inner = this.parseOr();
      if (this.next() !== ")") invalid();
      return inner;
    }
    const selector = this.next();
    if (!selector?.startsWith("$")) invalid();
    const path = parseSelector(selector);
    const operator = this.next();
    if (operator === "IS") return this.parseIs(path);
    if (operator === "NOT") {
      if (this.next() !== "EXISTS") invalid();
      return (d) => select(d, path) === undefined;
    }
    if (operator === "EXISTS") return (d) => select(d, path) !== undefined;
    const value = this.next();
    if (!operator || value === undefined || !["=", "!=", ">", "<", ">=", "<="].includes(operator)) invalid();
    return comparison(path, operator, value);
  }

  private parseIs(path: string[]): JsonTest {
    const word = this.next();
    if (word === "TRUE") return (d) => select(d, path) === true;
    if (word === "FALSE") return (d) => select(d, path) === false;
    if (word === "NULL") return (d) => select(d, path) === null;
    return invalid();
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }

  private next(): string | undefined {
    return this.tokens[this.position++];
  }
}

/** `$.a.b[0].c` → ["a", "b", "0", "c"]. */
function parseSelector(selector: string): string[] {
  const rest = selector.slice(1);
  if (rest === "") return [];
  if (!/^(\.[A-Za-z0-9_$-]+|\[\d+\])+$/.test(rest)) invalid();
  return [...rest.matchAll(/\.([A-Za-z0-9_$-]+)|\[(\d+)\]/g)].map((m) => m[1] ?? m[2]);
}

function select(document: unknown, path: string[]): unknown {
  let current = document;
  for (const step of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function comparison(path: string[], operator: string, literal: string): JsonTest {
  const numeric = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(literal);
  if (numeric) {
    const expected = Number(literal);
    const compare = numberComparison(operator);
    return (d) => {
      const actual = select(d, path);
      return typeof actual === "number" && compare(actual, expected);
    };
  }
  if (operator !== "=" && operator !== "!=") invalid();
  const text = literal.startsWith('"') ? literal.slice(1, -1).replace(/\\(.)/g, "$1") : literal;
  const matcher = wildcardMatcher(text);
  return (d) => {
    const actual = select(d, path);
    const equal = (typeof actual === "string" || typeof actual === "boolean") && matcher(String(actual));
    return operator === "=" ? equal : actual !== undefined && !equal;
  };
}

function numberComparison(operator: string): (a: number, b: number) => boolean {
  switch (operator) {
    case "=":
      return (a, b) => a === b;
    case "!=":
      return (a, b) => a !== b;
    case ">":
      return (a, b) => a > b;
    case "<":
      return (a, b) => a < b;
    case ">=":
      return (a, b) => a >= b;
    default:
      return (a, b) => a <= b;
  }
}

/** String values may use `*` as a wildcard (prefix, suffix or infix). */
function wildcardMatcher(text: string): (value: string) => boolean {
  if (!text.includes("*")) return (value) => value === text;
  const regex = new RegExp(`^${text.split("*").map(escapeRegex).join(".*")}$`, "s");
  return (value) => regex.test(value);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
