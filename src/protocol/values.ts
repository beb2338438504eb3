import type { Member, Shape } from "./model.js";
import { SerializationFailure, type ValidationIssue } from "./errors.js";

/** Scalar conversions shared by every codec: timestamps, blobs, numbers, booleans. */

export type TimestampFormat = "date-time" | "http-date" | "epoch-seconds";

export function timestampFormatOf(member: Member | undefined, fallback: TimestampFormat): TimestampFormat {
  return member?.timestampFormat ?? member?.shape.traits.timestampFormat ?? fallback;
}

export function formatTimestamp(value: unknown, format: TimestampFormat): string | number {
  const date = toDate(value);
  switch (format) {
    case "epoch-seconds":
      return date.getTime() / 1000;
    case "http-date":
      return date.toUTCString();
    default:
      return isoSeconds(date);
  }
}

/** ISO 8601 as AWS writes it: millisecond precision only where it is non-zero. */
function isoSeconds(date: Date): string {
  return date.toISOString();
}

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value * 1000);
  if (typeof value === "string") return new Date(value);
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

/** Parses a wire timestamp; returns undefined when it is not one. */
export function parseTimestamp(raw: string | number, format: TimestampFormat): Date | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? new Date(raw * 1000) : undefined;
  const text = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000);
  if (format === "epoch-seconds" && !/[-:TZ ]/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string") return Buffer.from(value, "utf8");
  throw new TypeError("not a blob");
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact.length % 4 === 1 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, "base64");
}

/** Converts a text value (query strings, headers, XML text) to the member's scalar type. */
export function scalarFromText(text: string, shape: Shape, member: Member | undefined, defaultTs: TimestampFormat, path: string): unknown {
  switch (shape.type) {
    case "string":
      return text;
    case "number": {
      const n = Number(text.trim());
      if (text.trim() === "" || Number.isNaN(n)) {
        const special = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, "-Infinity": Number.NEGATIVE_INFINITY }[text.trim()];
        if (special !== undefined) return special;
        throw new SerializationFailure(`Value '${text}' at '${path}' could not be converted to a number.`);
      }
      return n;
    }
    case "bigInteger":
    case "bigDecimal":
      return text;
    case "boolean":
      if (text === "true") return true;
      if (text === "false") return false;
      throw new SerializationFailure(`Value '${text}' at '${path}' could not be converted to a boolean.`);
    case "blob": {
      const buf = decodeBase64(text);
      if (!buf) throw new SerializationFailure(`Value at '${path}' is not valid base64.`);
      return buf;
    }
    case "timestamp": {
      const date = parseTimestamp(text, timestampFormatOf(member, defaultTs));
      if (!date) throw new SerializationFailure(`Value '${text}' at '${path}' could not be converted to a timestamp.`);
      return date;
    }
    default:
      return text;
  }
}

/** Writes a scalar as text (query/XML/header serialization). */
export function scalarToText(value: unknown, shape: Shape, member: Member | undefined, defaultTs: TimestampFormat): string {
  switch (shape.type) {
    case "timestamp":
      return String(formatTimestamp(value, timestampFormatOf(member, defaultTs)));
    case "blob":
      return toBuffer(value).toString("base64");
    case "number":
      return numberToText(value as number);
    default:
      return String(value);
  }
}

export function numberToText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "Infinity";
  if (n === Number.NEGATIVE_INFINITY) return "-Infinity";
  return String(n);
}

/** The member name as AWS validation messages print it (lower camel case). */
export function validationName(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * Checks what the models let us check generically on a parsed input: required members and enum values.
 * Size, range and pattern constraints are not in the SDK schemas; services check those themselves.
 * Subtrees whose shapes hold nothing to check (DynamoDB's attribute values, say) are not walked, and
 * a member's path is only spelled out for an issue.
 */
export function validateInput(shape: Shape, value: unknown, issues: ValidationIssue[], checkEnums: boolean, path = ""): void {
  walk(shape, value, issues, checkEnums, path ? { parent: undefined, segment: path } : undefined);
}

/** A member's place in the input, rendered ("a.b.1.member") only when an issue needs it. */
interface InputPath {
  parent: InputPath | undefined;
  segment: string;
}

function render(path: InputPath | undefined): string {
  let text = "";
  for (let p = path; p; p = p.parent) text = text ? `${p.segment}.${text}` : p.segment;
  return text;
}

function walk(shape: Shape, value: unknown, issues: ValidationIssue[], checkEnums: boolean, path: InputPath | undefined): void {
  if (value === undefined || value === null || !hasChecks(shape, checkEnums)) return;
  if (shape.type === "structure" || shape.type === "union") {
    const record = value as Record<string, unknown>;
    for (const name of shape.required ?? []) {
      const v = record[name];
      if (v === undefined || v === null) {
        const at = render({ parent: path, segment: validationName(name) });
        issues.push({ path: at, value: null, constraint: "Member must not be null", kind: "required" });
      }
    }
    const members = shape.members ?? {};
    for (const name in record) {
      const member = members[name];
      const v = record[name];
      if (!member || v === undefined || v === null) continue;
      const memberPath = { parent: path, segment: validationName(name) };
      if (checkEnums) checkEnum(member, v, memberPath, issues);
      walk(member.shape, v, issues, checkEnums, memberPath);
    }
  } else if (shape.type === "list" && Array.isArray(value) && shape.member) {
    const member = shape.member;
    value.forEach((item, i) => {
      const itemPath = { parent: path, segment: `${i + 1}.member` };
      if (checkEnums) checkEnum(member, item, itemPath, issues);
      walk(member.shape, item, issues, checkEnums, itemPath);
    });
  } else if (shape.type === "map" && shape.value && typeof value === "object") {
    const member = shape.value;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const entryPath = { parent: path, segment: `${k}.member` };
      if (checkEnums) checkEnum(member, v, entryPath, issues);
      walk(member.shape, v, issues, checkEnums, entryPath);
    }
  }
}

/** Per shape (immutable model data): whether anything under it has required members or, when checked, enums. */
const SHAPE_CHECKS = { withEnums: new WeakMap<Shape, boolean>(), withoutEnums: new WeakMap<Shape, boolean>() };

function hasChecks(shape: Shape, checkEnums: boolean): boolean {
  const known = checkEnums ? SHAPE_CHECKS.withEnums : SHAPE_CHECKS.withoutEnums;
  let result = known.get(shape);
  if (result === undefined) {
    result = reachesChecks(shape, checkEnums, new Set());
    known.set(shape, result);
  }
  return result;
}

/** Whether any shape reachable from `shape` (itself included) has a required member or a checked enum. */
function reachesChecks(shape: Shape, checkEnums: boolean, seen: Set<Shape>): boolean {
  if (seen.has(shape)) return false;
  seen.add(shape);
  const elements: Member[] = [];
  if (shape.type === "structure" || shape.type === "union") {
    if (shape.required?.length) return true;
    elements.push(...Object.values(shape.members ?? {}));
  } else if (shape.type === "list" && shape.member) elements.push(shape.member);
  else if (shape.type === "map" && shape.value) elements.push(shape.value);
  return elements.some((m) => (checkEnums && m.enum !== undefined) || reachesChecks(m.shape, checkEnums, seen));
}

function checkEnum(member: Member, value: unknown, path: InputPath, issues: ValidationIssue[]): void {
  if (member.enum && typeof value === "string" && !member.enum.includes(value)) {
    issues.push({ path: render(path), value, constraint: `Member must satisfy enum value set: [${member.enum.join(", ")}]`, kind: "enum" });
  }
}
