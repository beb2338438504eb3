import { malformed } from "./errors.js";

/**
 * Text the lexer cannot read at all (an unknown character, an unterminated string or comment) gets
 * DynamoDB's envelope with nothing after the colon. PartiQL tokens as DynamoDB reads them: bare words (keywords or identifiers, case-insensitive
 * keywords), "quoted identifiers", 'string literals' ('' escapes a quote), numbers, `?` parameters
 * and punctuation including the bag brackets << >>.
 */
export interface Token {
  type: "word" | "quoted" | "string" | "number" | "param" | "punct" | "eof";
  text: string;
  position: number;
}

const PUNCTUATION = [";", "<<", ">>", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "*", "+", "-"];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "-" && text[i + 1] === "-") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw malformed("");
      i = end + 2;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      const [value, end] = quoted(text, i, c);
      tokens.push({ type: c === "'" ? "string" : "quoted", text: value, position: start });
      i = end;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ type: "number", text: m[0], position: start });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ type: "word", text: m[0], position: start });
      i += m[0].length;
    } else if (c === "?") {
      tokens.push({ type: "param", text: "?", position: start });
      i++;
    } else {
      const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
      if (!punct) throw malformed("");
      tokens.push({ type: "punct", text: punct, position: start });
      i += punct.length;
    }
  }
  tokens.push({ type: "eof", text: "", position: text.length });
  return tokens;
}

/** A quoted run starting at `start`; the quote character doubled inside stands for itself. */
function quoted(text: string, start: number, quote: string): [string, number] {
  let value = "";
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw malformed("");
    if (text[i] === quote) {
      if (text[i + 1] !== quote) return [value, i + 1];
      i++;
    }
    value += text[i++];
  }
}
