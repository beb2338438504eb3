/**
 * Records on disk are JSON text. Services store plain data, which may include Buffers (message bodies,
 * hashes) and Dates; JSON would silently turn those into `{type:"Buffer",data:[…]}` and strings, so they
 * are written as single-key tag objects instead: `{"$$bytes": base64}` and `{"$$date": iso}`.
 * A service's own key that starts with "$$" gets one more "$" on disk, so no record can fake a tag.
 * Any Uint8Array comes back as a Buffer. Everything else follows JSON: undefined members vanish, and
 * Maps, Sets and class instances are not records (keep them derived, in the service, not in state).
 */
const BYTES = "$$bytes";
const DATE = "$$date";
const TAG_PREFIX = "$$";

function hasTaggedKey(value: object): boolean {
  for (const key in value) if (key.startsWith(TAG_PREFIX)) return true;
  return false;
}

function escapeKeys(value: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own properties, so even a "__proto__" key stays data.
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.startsWith(TAG_PREFIX) ? `$${key}` : key, v]));
}

// JSON.stringify hands a replacer the toJSON() result; `this[key]` is still the original value.
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return { [BYTES]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64") };
  if (raw instanceof Date) return { [DATE]: Number.isNaN(raw.getTime()) ? "invalid" : raw.toISOString() };
  if (value !== null && typeof value === "object" && !Array.isArray(value) && hasTaggedKey(value)) {
    return escapeKeys(value as Record<string, unknown>);
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && typeof object[keys[0]] === "string") {
    if (keys[0] === BYTES) return Buffer.from(object[BYTES] as string, "base64");
    if (keys[0] === DATE) return new Date(object[DATE] as string);
  }
  if (!keys.some((k) => k.startsWith(TAG_PREFIX))) return value;
  return Object.fromEntries(keys.map((key) => [key.startsWith("$$$") ? key.slice(1) : key, object[key]]));
}

/** Serializes a record; throws on values JSON cannot hold (BigInt, cycles). */
export function encodeRecord(value: unknown): string {
  const text = JSON.stringify(value, replacer);
  // `undefined` (or a function) at the top level has no JSON form; refuse rather than store nothing.
  if (text === undefined) throw new TypeError("a record must be JSON data, got undefined");
  return text;
}

export function decodeRecord(text: string): unknown {
  // Every tag and escaped key appears in the text as `"$$`; records without one skip the slow reviver.
  return text.includes(`"${TAG_PREFIX}`) ? JSON.parse(text, reviver) : JSON.parse(text);
}
