import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { canonicalNumber, compareNumbers, numberSortKey, significantDigits } from "./decimal.js";
import { ValidationException, invalidParameter } from "./errors.js";

/**
 * Attribute values as stored: the wire JSON form, with binaries as base64 text so records stay plain
 * JSON. `fromWire` validates and canonicalizes what the codec decoded; `toWire` restores Buffers.
 */
export type Value =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: Value[] }
  | { M: Item }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };
export type Item = Record<string, Value>;
export type ValueType = "S" | "N" | "B" | "BOOL" | "NULL" | "L" | "M" | "SS" | "NS" | "BS";

export const typeOf = (v: Value) => Object.keys(v)[0] as ValueType;
// biome-ignore lint/suspicious/noExplicitAny: a one-member union read by its tag.
export const payload = (v: Value): any => (v as Record<string, unknown>)[typeOf(v)];

const TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"]);

const b64 = (b: unknown) => (Buffer.isBuffer(b) || b instanceof Uint8Array ? Buffer.from(b as Uint8Array).toString("base64") : String(b));

/** Validates one decoded AttributeValue (recursively) and returns its stored form. */
export function fromWire(raw: unknown): Value {
  const record = (raw ?? {}) as Record<string, unknown>;
  const set = Object.keys(record).filter((k) => TYPES.has(k) && record[k] !== undefined);
  if (set.length === 0)
    throw new ValidationException("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (set.length > 1) {
    throw new ValidationException(
      "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
    );
  }
  const type = set[0] as ValueType;
  const v = record[type];
  switch (type) {
    case "S":
      return { S: v as string };
    case "N":
      return { N: canonicalNumber(v as string) };
    case "B":
      return { B: b64(v) };
    case "BOOL":
      return { BOOL: v as boolean };
    case "NULL":
      if (v !== true) throw invalidParameter("Null attribute value types must have the value of true");
      return { NULL: true };
    case "L":
      return { L: (v as unknown[]).map(fromWire) };
    case "M":
      return { M: itemFromWire(v as Record<string, unknown>) };
    case "SS":
      return { SS: uniqueSet(v as string[], "An string set  may not be empty") };
    case "NS":
      return { NS: uniqueSet((v as string[]).map(canonicalNumber), "An number set  may not be empty", v as string[]) };
    case "BS":
      return { BS: uniqueSet((v as unknown[]).map(b64), "Binary sets should not be empty") };
  }
}

/** `members` are canonical (numbers normalized) so "1" and "1.0" count as duplicates; errors quote the input. */
function uniqueSet(members: string[], emptyMessage: string, original: string[] = members): string[] {
  if (members.length === 0) throw invalidParameter(emptyMessage);
  if (new Set(members).size !== members.length) {
    throw invalidParameter(`Input collection [${original.join(", ")}] contains duplicates.`);
  }
  return members;
}

export function itemFromWire(raw: Record<string, unknown>): Item {
  const item: Item = {};
  for (const [name, v] of Object.entries(raw)) item[name] = fromWire(v);
  return item;
}

export function toWire(v: Value): unknown {
  const type = typeOf(v);
  switch (type) {
    case "B":
      return { B: Buffer.from((v as { B: string }).B, "base64") };
    case "BS":
      return { BS: (v as { BS: string[] }).BS.map((b) => Buffer.from(b, "base64")) };
    case "L":
      return { L: (v as { L: Value[] }).L.map(toWire) };
    case "M":
      return { M: itemToWire((v as { M: Item }).M) };
    default:
      return v;
  }
}

/** Typed as the SDK's attribute map: the codec serializes it with the model's AttributeValue shape. */
export function itemToWire(item: Item): Record<string, AttributeValue> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(item)) out[name] = toWire(v);
  return out as Record<string, AttributeValue>;
}

const utf8Length = (s: string) => Buffer.byteLength(s, "utf8");
const binaryLength = (b: string) => Buffer.from(b, "base64").length;
const numberSize = (n: string) => Math.ceil(significantDigits(n) / 2) + 1;

/** AWS's size rules: strings/binaries by bytes, numbers 1 byte per 2 digits + 1, 3 bytes per list/map plus 1 per element. */
export function valueSize(v: Value): number {
  const p = payload(v);
  switch (typeOf(v)) {
    case "S":
      return utf8Length(p);
    case "N":
      return numberSize(p);
    case "B":
      return binaryLength(p);
    case "BOOL":
    case "NULL":
      return 1;
    case "SS":
      return (p as string[]).reduce((n, s) => n + utf8Length(s), 0);
    case "NS":
      return (p as string[]).reduce((n, s) => n + numberSize(s), 0);
    case "BS":
      return (p as string[]).reduce((n, s) => n + binaryLength(s), 0);
    case "L":
      return (p as Value[]).reduce((n, e) => n + valueSize(e) + 1, 3);
    case "M":
      return Object.entries(p as Item).reduce((n, [k, e]) => n + utf8Length(k) + valueSize(e) + 1, 3);
  }
}

export const itemSize = (item: Item) => Object.entries(item).reduce((n, [k, v]) => n + utf8Length(k) + valueSize(v), 0);

export const MAX_ITEM_SIZE = 400 * 1024;

export function checkItemSize(item: Item): void {
  if (itemSize(item) > MAX_ITEM_SIZE) throw new ValidationException("Item size has exceeded the maximum allowed size");
}

/** Deep equality; sets compare as sets. */
export function valuesEqual(a: Value, b: Value): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  const x = payload(a);
  const y = payload(b);
  switch (type) {
    case "N":
      return compareNumbers(x, y) === 0;
    case "SS":
    case "NS":
    case "BS": {
      if (x.length !== y.length) return false;
      const members = new Set(type === "NS" ? (x as string[]).map(canonicalNumber) : x);
      return (y as string[]).every((m) => members.has(type === "NS" ? canonicalNumber(m) : m));
    }
    case "L":
      return x.length === y.length && (x as Value[]).every((e, i) => valuesEqual(e, y[i]));
    case "M": {
      const keys = Object.keys(x);
      return keys.length === Object.keys(y).length && keys.every((k) => y[k] !== undefined && valuesEqual(x[k], y[k]));
    }
    default:
      return x === y;
  }
}

/** Ordering for N, S and B (the only ordered types); undefined when the values are not comparable. */
export function compareValues(a: Value, b: Value): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === "N") return compareNumbers(payload(a), payload(b));
  if (type === "S") return Buffer.compare(Buffer.from(payload(a), "utf8"), Buffer.from(payload(b), "utf8"));
  if (type === "B") return Buffer.compare(Buffer.from(payload(a), "base64"), Buffer.from(payload(b), "base64"));
  return undefined;
}

/**
 * Text whose code-point order equals DynamoDB's order for key values (numbers numerically, strings and
 * binaries by bytes). Hex for S/B keeps every character above the " " separator of composite keys.
 */
export function keySortText(v: Value): string {
  const type = typeOf(v);
  if (type === "N") return numberSortKey(payload(v));
  return Buffer.from(payload(v), type === "S" ? "utf8" : "base64").toString("hex");
}

/** Hex prefix of a string or binary, for begins_with on sort keys. */
export const prefixSortText = (v: Value) => Buffer.from(payload(v), typeOf(v) === "S" ? "utf8" : "base64").toString("hex");

export const cloneItem = (item: Item): Item => structuredClone(item);
