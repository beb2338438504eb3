import assert from "node:assert/strict";
import { test } from "node:test";
import { type Json, matchesPattern, PatternError, parsePattern } from "../../src/internal/event-pattern.js";

const matches = (pattern: unknown, event: Json) => matchesPattern(parsePattern(JSON.stringify(pattern)), event);

test("event filtering: literals, nested fields, arrays in events and null", () => {
  const event = { eventName: "INSERT", dynamodb: { NewImage: { status: { S: "active" }, tags: { SS: ["a", "b"] } } }, gone: null };
  assert.ok(matches({ eventName: ["INSERT", "MODIFY"] }, event));
  assert.ok(!matches({ eventName: ["REMOVE"] }, event));
  assert.ok(matches({ dynamodb: { NewImage: { status: { S: ["active"] } } } }, event));
  assert.ok(matches({ dynamodb: { NewImage: { tags: { SS: ["b"] } } } }, event));
  assert.ok(!matches({ dynamodb: { OldImage: { status: { S: ["active"] } } } }, event));
  assert.ok(matches({ gone: [null] }, event));
  assert.ok(!matches({ eventName: [null] }, event));
  assert.ok(matches({ n: [5] }, { n: 5.0 }));
  assert.ok(!matches({ n: ["5"] }, { n: 5 }));
});

test("event filtering: prefix, suffix, equals-ignore-case, wildcard, anything-but", () => {
  const event = { body: { city: "Berlin", file: "photo.PNG", code: 7 } };
  assert.ok(matches({ body: { city: [{ prefix: "Ber" }] } }, event));
  assert.ok(matches({ body: { city: [{ prefix: { "equals-ignore-case": "ber" } }] } }, event));
  assert.ok(matches({ body: { file: [{ suffix: { "equals-ignore-case": ".png" } }] } }, event));
  assert.ok(!matches({ body: { file: [{ suffix: ".png" }] } }, event));
  assert.ok(matches({ body: { city: [{ "equals-ignore-case": "BERLIN" }] } }, event));
  assert.ok(matches({ body: { file: [{ wildcard: "photo.*" }] } }, event));
  assert.ok(!matches({ body: { file: [{ wildcard: "image*" }] } }, event));
  assert.ok(matches({ body: { city: [{ "anything-but": ["Paris", "Rome"] }] } }, event));
  assert.ok(!matches({ body: { city: [{ "anything-but": "Berlin" }] } }, event));
  assert.ok(!matches({ body: { city: [{ "anything-but": { prefix: "B" } }] } }, event));
  assert.ok(matches({ body: { code: [{ "anything-but": [1, 2] }] } }, event));
  assert.ok(!matches({ body: { missing: [{ "anything-but": "x" }] } }, event));
});

test("event filtering: numeric ranges, exists, cidr and $or", () => {
  const event = { body: { price: 150, ip: "10.0.3.7" } };
  assert.ok(matches({ body: { price: [{ numeric: [">", 100, "<=", 150] }] } }, event));
  assert.ok(!matches({ body: { price: [{ numeric: ["<", 100] }] } }, event));
  assert.ok(matches({ body: { price: [{ numeric: ["=", 150] }] } }, event));
  assert.ok(matches({ body: { price: [{ exists: true }] } }, event));
  assert.ok(matches({ body: { discount: [{ exists: false }] } }, event));
  assert.ok(!matches({ body: { price: [{ exists: false }] } }, event));
  assert.ok(matches({ nothing: { deeper: [{ exists: false }] } }, event));
  assert.ok(matches({ body: { ip: [{ cidr: "10.0.0.0/16" }] } }, event));
  assert.ok(!matches({ body: { ip: [{ cidr: "192.168.0.0/24" }] } }, event));
  assert.ok(matches({ $or: [{ body: { price: [1] } }, { body: { ip: [{ prefix: "10." }] } }] }, event));
  assert.ok(!matches({ $or: [{ body: { price: [1] } }, { body: { ip: ["x"] } }] }, event));
});

test("event filtering: malformed patterns are refused", () => {
  for (const text of [
    "{",
    "[]",
    '{"a": "x"}',
    '{"a": []}',
    '{"a": [{"prefix": 1}]}',
    '{"a": [{"numeric": [">", "x"]}]}',
    '{"a": [{"numeric": [">", 5, "<", 1]}]}',
    '{"a": [{"unknown": 1}]}',
    '{"a": [{"exists": "yes"}]}',
    '{"a": [{"cidr": "10.0.0.0/33"}]}',
    '{"$or": [{"a": [1]}]}',
    '{"a": [{"anything-but": [1, "x"]}]}',
  ]) {
    assert.throws(() => parsePattern(text), PatternError, text);
  }
});
