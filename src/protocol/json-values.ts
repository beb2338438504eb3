import type { Member, Shape } from "./model.js";
import { SerializationFailure } from "./errors.js";
import { decodeBase64, formatTimestamp, parseTimestamp, timestampFormatOf, toBuffer, toDate } from "./values.js";

/**
 * JSON document ⇄ typed values, shared by awsJson1_0/1_1 and restJson1 bodies.
 * `useJsonName` is true for restJson1 only: awsJson protocols ignore the jsonName trait.
 * `native` is true for binary encodings of the document (Kinesis's CBOR): blobs and timestamps are then
 * Uint8Array/Buffer and Date values (or epoch milliseconds), not base64 text and epoch seconds.
 */
export function readJson(value: unknown, shape: Shape, member: Member | undefined, useJsonName: boolean, native = false): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.type) {
    case "structure":
    case "union":
      return readStruct(value, shape, useJsonName, native);
    case "list": {
      if (!Array.isArray(value)) throw mismatch(value, "a list");
      const item = shape.member as Member;
      return value.filter((v) => v !== null).map((v) => readJson(v, item.shape, item, useJsonName, native));
    }
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) throw mismatch(value, "a map");
      const out: Record<string, unknown> = {};
      const valueMember = shape.value as Member;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== null) out[k] = readJson(v, valueMember.shape, valueMember, useJsonName, native);
      }
      return out;
    }
    case "string":
      if (typeof value !== "string") throw mismatch(value, "a String");
      return value;
    case "number":
    case "bigInteger":
    case "bigDecimal":
      if (typeof value === "number") return value;
      if (typeof value === "string" && ["NaN", "Infinity", "-Infinity"].includes(value)) return Number(value);
      throw mismatch(value, "a Number");
    case "boolean":
      if (typeof value !== "boolean") throw mismatch(value, "a Boolean");
      return value;
    case "blob": {
      if (native && value instanceof Uint8Array) return toBuffer(value);
      if (typeof value !== "string") throw mismatch(value, "a Blob");
      const buf = decodeBase64(value);
      if (!buf) throw new SerializationFailure("Base64 encoded value is not valid.");
      return buf;
    }
    case "timestamp": {
      // Binary encodings count epoch milliseconds, tagged (a Date already) or not.
      if (native && (value instanceof Date || (typeof value === "number" && Number.isFinite(value)))) return new Date(value);
      if (typeof value !== "number" && typeof value !== "string") throw mismatch(value, "a Timestamp");
      const date = parseTimestamp(value, timestampFormatOf(member, "epoch-seconds"));
      if (!date) throw new SerializationFailure(`Invalid timestamp value: ${String(value)}`);
      return date;
    }
    default:
      return value;
  }
}

function readStruct(value: unknown, shape: Shape, useJsonName: boolean, native: boolean): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw mismatch(value, "a structure");
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const byWireName = membersByWireName(shape, useJsonName);
  // The document's own keys, not the model's members: a union names one member of many.
  for (const wireName in input) {
    const v = input[wireName];
    const target = byWireName.get(wireName);
    if (v === undefined || v === null || !target) continue;
    out[target.name] = readJson(v, target.member.shape, target.member, useJsonName, native);
  }
  return out;
}

/** A structure's members in model order, per shape (immutable model data). */
const MEMBER_LISTS = new WeakMap<Shape, [string, Member][]>();

function memberList(shape: Shape): [string, Member][] {
  let list = MEMBER_LISTS.get(shape);
  if (!list) {
    list = Object.entries(shape.members ?? {});
    MEMBER_LISTS.set(shape, list);
  }
  return list;
}

/** Members by the name they have on the wire (restJson1: jsonName, else their own), per shape (immutable model data). */
const WIRE_NAMES = { json: new WeakMap<Shape, WireMembers>(), plain: new WeakMap<Shape, WireMembers>() };

type WireMembers = Map<string, { name: string; member: Member }>;

function membersByWireName(shape: Shape, useJsonName: boolean): WireMembers {
  const cache = useJsonName ? WIRE_NAMES.json : WIRE_NAMES.plain;
  let byName = cache.get(shape);
  if (!byName) {
    byName = new Map();
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      byName.set(useJsonName && member.jsonName ? member.jsonName : name, { name, member });
    }
    cache.set(shape, byName);
  }
  return byName;
}

/** Mirrors AWS JSON front ends, which name the JSON token they could not convert. */
function mismatch(value: unknown, expected: string): SerializationFailure {
  if (Array.isArray(value)) return new SerializationFailure("Start of list found where not expected");
  if (typeof value === "object") return new SerializationFailure("Start of structure or map found where not expected.");
  const token =
    typeof value === "string" ? "STRING_VALUE" : typeof value === "number" ? "NUMBER_VALUE" : value ? "TRUE_VALUE" : "FALSE_VALUE";
  return new SerializationFailure(`${token} can not be converted to ${expected}`);
}

export function writeJson(value: unknown, shape: Shape, member: Member | undefined, useJsonName: boolean, native = false): unknown {
  if (value === undefined || value === null) return undefined;
  switch (shape.type) {
    case "structure": {
      // In the model's member order, as AWS writes them.
      const out: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      for (const [name, m] of memberList(shape)) {
        const v = writeJson(record[name], m.shape, m, useJsonName, native);
        if (v !== undefined) out[useJsonName && m.jsonName ? m.jsonName : name] = v;
      }
      return out;
    }
    case "union": {
      // The value's own key: a union holds one member of many.
      const out: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      const members = shape.members ?? {};
      for (const name in record) {
        const m = Object.hasOwn(members, name) ? members[name] : undefined;
        if (!m) continue;
        const v = writeJson(record[name], m.shape, m, useJsonName, native);
        if (v !== undefined) out[useJsonName && m.jsonName ? m.jsonName : name] = v;
      }
      return out;
    }
    case "list":
      return (value as unknown[]).map((v) => writeJson(v, (shape.member as Member).shape, shape.member, useJsonName, native));
    case "map": {
      const out: Record<string, unknown> = {};
      const valueMember = shape.value as Member;
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      for (const [k, v] of entries) out[k] = writeJson(v, valueMember.shape, valueMember, useJsonName, native);
      return out;
    }
    case "timestamp":
      return native ? toDate(value) : formatTimestamp(value, timestampFormatOf(member, "epoch-seconds"));
    case "blob":
      return native ? toBuffer(value) : toBuffer(value).toString("base64");
    case "number":
      return Number.isFinite(value) ? value : String(value);
    default:
      return value;
  }
}
