import { isIP } from "node:net";

/** Request context values by condition key, keys in lower case (condition keys are case-insensitive). */
export type ConditionContext = Record<string, string | string[] | undefined>;

type Compare = (contextValue: string, policyValue: string) => boolean;

const BASE_OPERATORS: Record<string, { compare: Compare; negated: boolean; variables: boolean }> = {};
function define(names: [string, string | null], compare: Compare, variables = false): void {
  BASE_OPERATORS[names[0]] = { compare, negated: false, variables };
  if (names[1]) BASE_OPERATORS[names[1]] = { compare, negated: true, variables };
}
define(["StringEquals", "StringNotEquals"], (a, b) => a === b, true);
define(["StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"], (a, b) => a.toLowerCase() === b.toLowerCase(), true);
define(["StringLike", "StringNotLike"], (a, b) => globMatch(b, a, false), true);
define(["NumericEquals", "NumericNotEquals"], numeric((a, b) => a === b));
define(["NumericLessThan", null], numeric((a, b) => a < b));
define(["NumericLessThanEquals", null], numeric((a, b) => a <= b));
define(["NumericGreaterThan", null], numeric((a, b) => a > b));
define(["NumericGreaterThanEquals", null], numeric((a, b) => a >= b));
define(["DateEquals", "DateNotEquals"], dates((a, b) => a === b));
define(["DateLessThan", null], dates((a, b) => a < b));
define(["DateLessThanEquals", null], dates((a, b) => a <= b));
define(["DateGreaterThan", null], dates((a, b) => a > b));
define(["DateGreaterThanEquals", null], dates((a, b) => a >= b));
define(["Bool", null], (a, b) => a.toLowerCase() === b.toLowerCase());
define(["BinaryEquals", null], (a, b) => a === b);
define(["IpAddress", "NotIpAddress"], (a, b) => ipInCidr(a, b));
define(["ArnEquals", "ArnNotEquals"], (a, b) => arnMatch(b, a), true);
define(["ArnLike", "ArnNotLike"], (a, b) => arnMatch(b, a), true);

/** The operators whose policy values may hold wildcards (and so keep ${*} / ${?} marked as literal). */
const WILDCARD_OPERATORS = new Set(["StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals"]);

interface Operator {
  base: string;
  set?: "ForAllValues" | "ForAnyValue";
  ifExists: boolean;
}

/** `ForAnyValue:StringLikeIfExists` → its parts; undefined for an operator IAM does not know. */
export function parseOperator(name: string): Operator | undefined {
  const m = /^(?:(ForAllValues|ForAnyValue):)?(.+?)(IfExists)?$/.exec(name);
  if (!m) return undefined;
  const base = m[2];
  if (base !== "Null" && !BASE_OPERATORS[base]) return undefined;
  if (base === "Null" && (m[1] || m[3])) return undefined;
  return { base, set: m[1] as Operator["set"], ifExists: m[3] !== undefined };
}

/** A Condition block holds when every operator holds for every key (AND), any listed value matching (OR). */
export function conditionsHold(
  block: Record<string, Record<string, string[]>> | undefined,
  context: ConditionContext,
  substitute: (value: string) => string | undefined,
): boolean {
  if (!block) return true;
  for (const [operatorName, keys] of Object.entries(block)) {
    const operator = parseOperator(operatorName);
    if (!operator) return false;
    for (const [key, policyValues] of Object.entries(keys)) {
      if (!keyHolds(operator, contextValues(context, key), policyValues, substitute)) return false;
    }
  }
  return true;
}

function contextValues(context: ConditionContext, key: string): string[] | undefined {
  const value = context[key.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

function keyHolds(
  operator: Operator,
  values: string[] | undefined,
  rawPolicyValues: string[],
  substitute: (value: string) => string | undefined,
): boolean {
  if (operator.base === "Null") {
    const absent = values === undefined || values.length === 0;
    return rawPolicyValues.some((v) => (v.toLowerCase() === "true") === absent);
  }
  const { compare, negated, variables } = BASE_OPERATORS[operator.base];
  const substituted = variables ? rawPolicyValues.map(substitute).filter((v): v is string => v !== undefined) : rawPolicyValues;
  const policyValues = WILDCARD_OPERATORS.has(operator.base) ? substituted : substituted.map(literalText);
  if (values === undefined || (operator.set && values.length === 0)) {
    // A missing key: …IfExists and ForAllValues hold vacuously, negations hold, everything else fails.
    if (operator.ifExists || operator.set === "ForAllValues") return true;
    if (operator.set === "ForAnyValue") return false;
    return negated;
  }
  const matches = (v: string) => policyValues.some((p) => compare(v, p));
  const holdsFor = (v: string) => (negated ? !matches(v) : matches(v));
  if (operator.set === "ForAllValues") return values.every(holdsFor);
  if (operator.set === "ForAnyValue") return values.some(holdsFor);
  return negated ? !values.some(matches) : values.some(matches);
}

function numeric(test: (a: number, b: number) => boolean): Compare {
  return (a, b) => {
    const x = Number(a);
    const y = Number(b);
    return a.trim() !== "" && b.trim() !== "" && !Number.isNaN(x) && !Number.isNaN(y) && test(x, y);
  };
}

/** Dates are ISO 8601 or epoch seconds, on either side. */
function dates(test: (a: number, b: number) => boolean): Compare {
  return (a, b) => {
    const x = parseDate(a);
    const y = parseDate(b);
    return x !== undefined && y !== undefined && test(x, y);
  };
}

function parseDate(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The policy variables ${*} and ${?} after substitution: characters that match themselves only, where a
 * plain * or ? would be a wildcard (private-use code points, which never occur in ARNs or condition values).
 */
export const LITERAL_STAR = "\uE000";
export const LITERAL_QUESTION = "\uE001";

/** The text with literal markers turned back into their characters, for the operators without wildcards. */
export function literalText(value: string): string {
  return value.replaceAll(LITERAL_STAR, "*").replaceAll(LITERAL_QUESTION, "?");
}

const STAR = 42; // "*"
const QUESTION = 63; // "?"
const LITERAL_STAR_CODE = LITERAL_STAR.charCodeAt(0);
const LITERAL_QUESTION_CODE = LITERAL_QUESTION.charCodeAt(0);

/**
 * `*` any run of characters, `?` any one; case-insensitive for actions. Matched in place (greedy with
 * backtracking to the last `*`), since this runs for every statement of every authorized request.
 */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === "*") return true;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  return wildcardMatch(p, 0, p.length, v, 0, v.length);
}

/** pattern[pStart, pEnd) against value[vStart, vEnd). */
function wildcardMatch(pattern: string, pStart: number, pEnd: number, value: string, vStart: number, vEnd: number): boolean {
  let p = pStart;
  let v = vStart;
  let starAt = -1;
  let resumeAt = vStart;
  while (v < vEnd) {
    const c = p < pEnd ? pattern.charCodeAt(p) : -1;
    if (c === STAR) {
      starAt = p++;
      resumeAt = v;
    } else if (c !== -1 && (c === QUESTION || sameCharacter(c, value.charCodeAt(v)))) {
      p++;
      v++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      v = ++resumeAt;
    } else {
      return false;
    }
  }
  while (p < pEnd && pattern.charCodeAt(p) === STAR) p++;
  return p === pEnd;
}

function sameCharacter(patternCode: number, valueCode: number): boolean {
  if (patternCode === LITERAL_STAR_CODE) return valueCode === STAR;
  if (patternCode === LITERAL_QUESTION_CODE) return valueCode === QUESTION;
  return patternCode === valueCode;
}

/** ARNs match part by part (partition, service, region, account, resource): wildcards stay in their part. */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === "*") return true;
  const p = arnFieldEnds(pattern);
  const a = arnFieldEnds(arn);
  // Each of the six ARN components is compared on its own: a pattern with fewer components matches no ARN.
  if (!p || !a) return !a && globMatch(pattern, arn, false);
  let pStart = 0;
  let aStart = 0;
  for (let i = 0; i < 6; i++) {
    if (!wildcardMatch(pattern, pStart, p[i], arn, aStart, a[i])) return false;
    pStart = p[i] + 1;
    aStart = a[i] + 1;
  }
  return true;
}

/** Where each of an ARN's six components ends (the sixth, the resource, may itself hold colons). */
function arnFieldEnds(arn: string): number[] | undefined {
  const ends: number[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(":", from);
    if (colon < 0) return undefined;
    ends.push(colon);
    from = colon + 1;
  }
  ends.push(arn.length);
  return ends;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const addr = ipToBigInt(ip);
  const net = ipToBigInt(base);
  if (!addr || !net || addr.width !== net.width) return false;
  const bits = bitsText === undefined ? net.width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > net.width) return false;
  const shift = BigInt(net.width - bits);
  return addr.value >> shift === net.value >> shift;
}

function ipToBigInt(ip: string): { value: bigint; width: number } | undefined {
  const version = isIP(ip);
  if (version === 4) return { value: ip.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n), width: 32 };
  if (version !== 6) return undefined;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  let text = ip;
  if (v4Tail) {
    const v4 = ipToBigInt(v4Tail[1])?.value ?? 0n;
    text = `${ip.slice(0, -v4Tail[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail === undefined ? [] : tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array(tail === undefined ? 0 : missing).fill("0"), ...tailParts];
  return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n), width: 128 };
}
