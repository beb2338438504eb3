import { createHash } from "node:crypto";
import type { MessageAttributeValue, MessageSystemAttributeValue } from "@aws-sdk/client-sqs";
import { InvalidMessageContents, InvalidParameterValue, invalidParameter } from "./errors.js";
import type { StoredAttribute } from "./model.js";

const MAX_ATTRIBUTES = 10;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
/** The characters SQS accepts in bodies and string values (XML 1.0's Char production). */
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export const md5Hex = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

export function checkBody(body: string): void {
  const bad = INVALID_CHAR.exec(body);
  if (bad) {
    const code = bad[0].codePointAt(0)?.toString(16).toUpperCase();
    throw new InvalidMessageContents(
      `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
}

/** Validates user message attributes and converts them to stored form; returns their size in bytes too. */
export function storeMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): {
  stored?: Record<string, StoredAttribute>;
  size: number;
} {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return { size: 0 };
  if (entries.length > MAX_ATTRIBUTES) {
    throw new InvalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  const stored: Record<string, StoredAttribute> = {};
  let size = 0;
  for (const [name, value] of entries) {
    checkAttributeName(name);
    const attribute = storeAttribute(name, value, "message");
    stored[name] = attribute;
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType) + valueBytes(attribute).length;
  }
  return { stored, size };
}

/** Only AWSTraceHeader, a String, may be sent as a system attribute. */
export function storeSystemAttributes(
  attributes: Record<string, MessageSystemAttributeValue> | undefined,
): Record<string, StoredAttribute> | undefined {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return undefined;
  const stored: Record<string, StoredAttribute> = {};
  for (const [name, value] of entries) {
    if (name !== "AWSTraceHeader") throw new InvalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    const attribute = storeAttribute(name, value, "system");
    if (attribute.DataType !== "String") {
      throw new InvalidParameterValue(`The message system attribute '${name}' must contain a String type value.`);
    }
    stored[name] = attribute;
  }
  return stored;
}

function checkAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (!ATTRIBUTE_NAME.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
    throw new InvalidParameterValue(
      `Message (user) attribute name ${name} is invalid. The attribute name can contain only the following: A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.). The name can't start or end with a period, and it can't have successive periods.`,
    );
  }
  if (lower.startsWith("aws.") || lower.startsWith("amazon.")) {
    throw new InvalidParameterValue(`Message (user) attribute name ${name} is invalid. Names starting with AWS. or Amazon. are reserved.`);
  }
}

function storeAttribute(name: string, value: MessageAttributeValue, kind: "message" | "system"): StoredAttribute {
  const dataType = value.DataType ?? "";
  const label = kind === "message" ? "message (user)" : "message system";
  if (!dataType) throw new InvalidParameterValue(`The ${label} attribute '${name}' must contain a non-empty message attribute type.`);
  const type = DATA_TYPE.exec(dataType);
  if (!type || dataType.length > 256) {
    throw new InvalidParameterValue(
      `The type of ${label} attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  const empty = () =>
    new InvalidParameterValue(
      `The ${label} attribute '${name}' must contain non-empty message attribute value for message attribute type '${type[1]}'.`,
    );
  if (type[1] === "Binary") {
    const bytes = value.BinaryValue;
    if (!bytes || bytes.length === 0) throw empty();
    return { DataType: dataType, BinaryValue: Buffer.from(bytes).toString("base64") };
  }
  const text = value.StringValue;
  if (text === undefined || text === "") throw empty();
  if (INVALID_CHAR.test(text)) throw invalidParameter(`MessageAttributes.${name}`, "", "Invalid characters found.");
  if (type[1] === "Number" && !isSqsNumber(text)) {
    throw new InvalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
  return { DataType: dataType, StringValue: text };
}

/** SQS numbers: up to 38 significant digits, between -10^128 and 10^126. */
function isSqsNumber(text: string): boolean {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return false;
  const n = Number(text);
  return Number.isFinite(n) && Math.abs(n) <= 1e126;
}

function valueBytes(attribute: StoredAttribute): Buffer {
  return attribute.BinaryValue !== undefined
    ? Buffer.from(attribute.BinaryValue, "base64")
    : Buffer.from(attribute.StringValue ?? "", "utf8");
}

function lengthPrefixed(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/**
 * AWS's attribute digest: for each attribute in name order, the length-prefixed name and data type,
 * a transport byte (1 string/number, 2 binary) and the length-prefixed value.
 */
export function md5OfAttributes(attributes: Record<string, StoredAttribute>): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name];
    parts.push(lengthPrefixed(Buffer.from(name, "utf8")), lengthPrefixed(Buffer.from(attribute.DataType, "utf8")));
    parts.push(Buffer.from([attribute.BinaryValue !== undefined ? 2 : 1]), lengthPrefixed(valueBytes(attribute)));
  }
  return md5Hex(Buffer.concat(parts));
}

/** Back to the SDK's shape: binary values as bytes. */
export function outputAttribute(attribute: StoredAttribute): MessageAttributeValue {
  return attribute.BinaryValue !== undefined
    ? { DataType: attribute.DataType, BinaryValue: Buffer.from(attribute.BinaryValue, "base64") }
    : { DataType: attribute.DataType, StringValue: attribute.StringValue };
}
