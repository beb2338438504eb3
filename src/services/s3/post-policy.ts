/**
 * The policy document of a browser POST upload: base64 JSON with an expiration and the conditions every
 * form field must meet. S3 checks it on every POST that carries one, signed or not.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 */
import { AwsError } from "../../protocol/errors.js";
import { EntityTooLarge, EntityTooSmall } from "./errors.js";

type FieldCondition = { op: "eq" | "starts-with"; field: string; value: string };
type RangeCondition = { op: "content-length-range"; min: number; max: number };
export type PolicyCondition = FieldCondition | RangeCondition;

export interface PostPolicy {
  /** ms since the epoch. */
  expiration: number;
  conditions: PolicyCondition[];
}

/** Form fields that never need a condition: the signature itself, the file, and what S3 reserves for the caller. */
const EXEMPT_FIELDS = new Set(["policy", "x-amz-signature", "file", "awsaccesskeyid", "signature", "x-amz-security-token"]);

const invalidPolicy = (detail: string) => new AwsError("InvalidPolicyDocument", `Invalid Policy: ${detail}`, { status: 400 });
const deniedByPolicy = (detail: string) => new AwsError("AccessDenied", `Invalid according to Policy: ${detail}`, { status: 403 });

export function decodePolicy(base64: string): PostPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, "base64").toString("utf8"));
  } catch {
    throw invalidPolicy("Invalid JSON.");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw invalidPolicy("Invalid JSON.");
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy("Policy missing expiration.");
  const expires = typeof expiration === "string" ? Date.parse(expiration) : Number.NaN;
  if (typeof expiration !== "string" || !/^\d{4}-\d\d-\d\dT/.test(expiration) || Number.isNaN(expires)) {
    throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  }
  if (conditions === undefined) throw invalidPolicy("Policy missing conditions.");
  if (!Array.isArray(conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a list.");
  return { expiration: expires, conditions: conditions.flatMap(parseCondition) };
}

/** `{"bucket": "b"}` is short for `["eq", "$bucket", "b"]`; lists name an operator. */
function parseCondition(raw: unknown): PolicyCondition[] {
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length !== 1 || typeof entries[0][1] !== "string") throw invalidPolicy(`Invalid Simple-Condition: ${JSON.stringify(raw)}`);
    return [{ op: "eq", field: entries[0][0].toLowerCase(), value: entries[0][1] as string }];
  }
  if (!Array.isArray(raw) || raw.length !== 3) throw invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
  const op = String(raw[0]).toLowerCase();
  if (op === "content-length-range") {
    const [min, max] = [Number(raw[1]), Number(raw[2])];
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
      throw invalidPolicy(`Invalid content-length-range: ${JSON.stringify(raw)}`);
    }
    return [{ op, min, max }];
  }
  if (op !== "eq" && op !== "starts-with") throw invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
  if (typeof raw[1] !== "string" || !raw[1].startsWith("$") || typeof raw[2] !== "string") {
    throw invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
  }
  return [{ op, field: raw[1].slice(1).toLowerCase(), value: raw[2] }];
}

/**
 * Checks the expiration, each field condition, and that every form field is covered by a condition.
 * `fields` are the form's fields by lower-case name, plus `bucket`. Returns the allowed size range.
 */
export function checkPolicy(policy: PostPolicy, fields: Map<string, string>, now: number): { min: number; max: number } {
  if (now > policy.expiration) throw deniedByPolicy("Policy expired.");
  const covered = new Set<string>();
  let range = { min: 0, max: Number.POSITIVE_INFINITY };
  for (const condition of policy.conditions) {
    if (condition.op === "content-length-range") {
      range = { min: condition.min, max: condition.max };
      continue;
    }
    covered.add(condition.field);
    const actual = fields.get(condition.field) ?? "";
    if (!conditionHolds(condition, actual)) {
      throw deniedByPolicy(`Policy Condition failed: ["${condition.op}", "$${condition.field}", "${condition.value}"]`);
    }
  }
  const extra = [...fields.keys()].filter((name) => name !== "bucket" && !EXEMPT_FIELDS.has(name) && !name.startsWith("x-ignore-"));
  const uncovered = extra.filter((name) => !covered.has(name));
  if (uncovered.length) throw deniedByPolicy(`Extra input fields: ${uncovered.join(", ")}`);
  return range;
}

function conditionHolds(condition: FieldCondition, actual: string): boolean {
  if (condition.op === "eq") return actual === condition.value;
  // A Content-Type list matches when each of its types starts with the prefix.
  if (condition.field === "content-type") return actual.split(",").every((type) => type.trim().startsWith(condition.value));
  return actual.startsWith(condition.value);
}

/** The size check of content-length-range, applied as the file streams: too large fails at once, too small at the end. */
export async function* withinRange(source: AsyncIterable<Uint8Array>, range: { min: number; max: number }): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > range.max) {
      throw new EntityTooLarge("Your proposed upload exceeds the maximum allowed size", {
        fields: { ProposedSize: String(size), MaxSizeAllowed: String(range.max) },
      });
    }
    yield chunk;
  }
  if (size < range.min) {
    throw new EntityTooSmall("Your proposed upload is smaller than the minimum allowed size", {
      fields: { ProposedSize: String(size), MinSizeAllowed: String(range.min) },
    });
  }
}
