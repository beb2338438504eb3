import assert from "node:assert/strict";
import { test } from "node:test";
import { type AttributeValue, matchesAttributes, matchesBody, parseFilterPolicy } from "../../src/services/sns/filter-policy.js";

const str = (StringValue: string): AttributeValue => ({ DataType: "String", StringValue });
const num = (n: number | string): AttributeValue => ({ DataType: "Number", StringValue: String(n) });
const arr = (values: unknown[]): AttributeValue => ({ DataType: "String.Array", StringValue: JSON.stringify(values) });

/** [policy, attributes, expected match] */
const ATTRIBUTE_CASES: [object, Record<string, AttributeValue>, boolean][] = [
  [{ color: ["red"] }, { color: str("red") }, true],
  [{ color: ["red"] }, { color: str("blue") }, false],
  [{ color: ["red"] }, {}, false],
  [{ color: ["red", "blue"] }, { color: str("blue") }, true],
  [{ color: ["red"] }, { color: arr(["green", "red"]) }, true],
  [{ color: ["red"] }, { color: arr(["green"]) }, false],
  [{ price: [100] }, { price: num(100) }, true],
  [{ price: [100] }, { price: num("1e2") }, true],
  [{ price: [100] }, { price: str("100") }, false],
  [{ color: [{ prefix: "re" }] }, { color: str("red") }, true],
  [{ color: [{ prefix: "re" }] }, { color: str("ore") }, false],
  [{ file: [{ suffix: ".png" }] }, { file: str("a.png") }, true],
  [{ file: [{ suffix: ".png" }] }, { file: str("a.jpg") }, false],
  [{ color: [{ "equals-ignore-case": "RED" }] }, { color: str("rEd") }, true],
  [{ color: [{ "equals-ignore-case": "RED" }] }, { color: str("reds") }, false],
  [{ color: [{ "anything-but": "red" }] }, { color: str("blue") }, true],
  [{ color: [{ "anything-but": "red" }] }, { color: str("red") }, false],
  [{ color: [{ "anything-but": "red" }] }, {}, false],
  [{ color: [{ "anything-but": ["red", "blue"] }] }, { color: str("blue") }, false],
  [{ color: [{ "anything-but": ["red", "blue"] }] }, { color: str("green") }, true],
  [{ price: [{ "anything-but": [100, 200] }] }, { price: num(150) }, true],
  [{ price: [{ "anything-but": [100, 200] }] }, { price: num(200) }, false],
  [{ color: [{ "anything-but": { prefix: "re" } }] }, { color: str("red") }, false],
  [{ color: [{ "anything-but": { prefix: "re" } }] }, { color: str("blue") }, true],
  [{ file: [{ "anything-but": { suffix: ".tmp" } }] }, { file: str("a.tmp") }, false],
  [{ file: [{ "anything-but": { suffix: ".tmp" } }] }, { file: str("a.txt") }, true],
  [{ price: [{ numeric: ["=", 10] }] }, { price: num(10) }, true],
  [{ price: [{ numeric: ["=", 10] }] }, { price: num(10.5) }, false],
  [{ price: [{ numeric: [">", 0, "<=", 100] }] }, { price: num(100) }, true],
  [{ price: [{ numeric: [">", 0, "<=", 100] }] }, { price: num(0) }, false],
  [{ price: [{ numeric: [">=", 0, "<", 100] }] }, { price: num(0) }, true],
  [{ price: [{ numeric: [">=", 0, "<", 100] }] }, { price: num(100) }, false],
  [{ price: [{ numeric: ["<", 5] }] }, { price: num(-3) }, true],
  [{ price: [{ numeric: ["<", 5] }] }, { price: str("3") }, false],
  [{ color: [{ exists: true }] }, { color: str("x") }, true],
  [{ color: [{ exists: true }] }, {}, false],
  [{ color: [{ exists: false }] }, {}, true],
  [{ color: [{ exists: false }] }, { color: str("x") }, false],
  [{ ip: [{ cidr: "10.0.0.0/24" }] }, { ip: str("10.0.0.255") }, true],
  [{ ip: [{ cidr: "10.0.0.0/24" }] }, { ip: str("10.0.1.0") }, false],
  [{ ip: [{ cidr: "2001:db8::/32" }] }, { ip: str("2001:db8:1::1") }, true],
  [{ ip: [{ cidr: "10.0.0.0/24" }] }, { ip: str("not-an-ip") }, false],
  [{ color: ["red"], size: ["L"] }, { color: str("red"), size: str("L") }, true],
  [{ color: ["red"], size: ["L"] }, { color: str("red"), size: str("M") }, false],
  [{ $or: [{ color: ["red"] }, { size: ["L"] }] }, { size: str("L") }, true],
  [{ $or: [{ color: ["red"] }, { size: ["L"] }] }, { size: str("M") }, false],
  [{ kind: ["a"], $or: [{ color: ["red"] }, { size: ["L"] }] }, { kind: str("b"), size: str("L") }, false],
  [{ color: ["red"] }, { color: { DataType: "Binary", BinaryValue: new Uint8Array([1]) } }, false],
];

test("attribute-scope filter policies match as AWS documents", () => {
  for (const [policy, attributes, expected] of ATTRIBUTE_CASES) {
    const parsed = parseFilterPolicy(JSON.stringify(policy), "MessageAttributes");
    assert.equal(matchesAttributes(parsed, attributes), expected, `${JSON.stringify(policy)} vs ${JSON.stringify(attributes)}`);
  }
});

const BODY_CASES: [object, unknown, boolean][] = [
  [{ order: { status: ["paid"] } }, { order: { status: "paid" } }, true],
  [{ order: { status: ["paid"] } }, { order: { status: "open" } }, false],
  [{ order: { status: ["paid"] } }, { order: "paid" }, false],
  [{ order: { total: [{ numeric: [">", 100] }] } }, { order: { total: 150 } }, true],
  [{ flag: [true] }, { flag: true }, true],
  [{ flag: [true] }, { flag: "true" }, false],
  [{ missing: [null] }, { missing: null }, true],
  [{ tags: ["b"] }, { tags: ["a", "b"] }, true],
  [{ order: { coupon: [{ exists: false }] } }, { order: {} }, true],
  [{ order: { coupon: [{ exists: false }] } }, {}, true],
  [{ $or: [{ a: ["1"] }, { b: { c: ["2"] } }] }, { b: { c: "2" } }, true],
  [{ a: ["1"] }, "not an object", false],
];

test("body-scope filter policies match nested JSON", () => {
  for (const [policy, body, expected] of BODY_CASES) {
    const parsed = parseFilterPolicy(JSON.stringify(policy), "MessageBody");
    assert.equal(matchesBody(parsed, JSON.stringify(body)), expected, `${JSON.stringify(policy)} vs ${JSON.stringify(body)}`);
  }
  assert.equal(matchesBody(parseFilterPolicy('{"a":["1"]}', "MessageBody"), "{not json"), false);
});

/** [policy text, scope, expected message (after "Invalid parameter: ")] */
const INVALID: [string, "MessageAttributes" | "MessageBody", string][] = [
  ["{not json", "MessageAttributes", "FilterPolicy: failed to parse JSON."],
  ["[1]", "MessageAttributes", "FilterPolicy: Filter policy must be a JSON object"],
  ['{"a":[]}', "MessageAttributes", "FilterPolicy: Empty arrays are not allowed"],
  ['{"a":[["x"]]}', "MessageAttributes", "FilterPolicy: Match value must be String, number, true, false, or null"],
  ['{"a":[{"wat":1}]}', "MessageAttributes", "FilterPolicy: Unrecognized match type wat"],
  ['{"a":[{"prefix":1}]}', "MessageAttributes", "FilterPolicy: prefix match pattern must be a string"],
  ['{"a":[{"prefix":"x","suffix":"y"}]}', "MessageAttributes", "FilterPolicy: Only one key allowed in match expression"],
  ['{"a":[{"exists":"yes"}]}', "MessageAttributes", "FilterPolicy: exists match pattern must be either true or false."],
  ['{"a":[{"numeric":["<", "x"]}]}', "MessageAttributes", "FilterPolicy: Value of < must be numeric"],
  ['{"a":[{"numeric":[">", 10, "<", 5]}]}', "MessageAttributes", "FilterPolicy: Bottom must be less than top"],
  ['{"a":[{"numeric":["=", 1, "<", 5]}]}', "MessageAttributes", "FilterPolicy: Too many elements in numeric expression"],
  ['{"a":[{"numeric":["<", 1e10]}]}', "MessageAttributes", "FilterPolicy: Numeric values must be between -1.0E9 and 1.0E9 inclusive"],
  ['{"a":[{"anything-but":{"exists":true}}]}', "MessageAttributes", "FilterPolicy: Unsupported anything-but pattern: exists"],
  [
    '{"a":[{"anything-but":true}]}',
    "MessageAttributes",
    "FilterPolicy: Value of anything-but must be an array or single string/number value.",
  ],
  ['{"a":[{"cidr":"10.0.0.0"}]}', "MessageAttributes", "FilterPolicy: Malformed CIDR, one '/' required"],
  ['{"a":[{"cidr":"999.0.0.0/8"}]}', "MessageAttributes", "FilterPolicy: Nonstandard IP address: 999.0.0.0"],
  ['{"a":{"b":["x"]}}', "MessageAttributes", "Filter policy scope MessageAttributes does not support nested filter policy"],
  [
    '{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}',
    "MessageAttributes",
    "FilterPolicy: Filter policy can not have more than 5 keys",
  ],
  ['{"$or":[{"a":["1"]}]}', "MessageAttributes", "FilterPolicy: $or must be an array of at least 2 objects"],
];

test("invalid filter policies are rejected with AWS's InvalidParameter messages", () => {
  for (const [text, scope, message] of INVALID) {
    assert.throws(
      () => parseFilterPolicy(text, scope),
      (err: Error) => err.name === "InvalidParameterException" && err.message === `Invalid parameter: ${message}`,
      text,
    );
  }
});

test("filter policies over 150 combinations are too complex", () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
  assert.ok(parseFilterPolicy(JSON.stringify({ a: values(15), b: values(10) })));
  assert.throws(() => parseFilterPolicy(JSON.stringify({ a: values(16), b: values(10) })), /Filter policy is too complex/);
});
