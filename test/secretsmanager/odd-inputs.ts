import assert from "node:assert/strict";
import { loadModel, type Member, type Shape } from "../../src/protocol/model.js";
import { type RawResponse, rawRequest } from "../helpers.js";

/**
 * Model-driven odd inputs: every member of an operation's input filled with empty or surprising (but well
 * typed) values, so handlers see what a careless or hostile client could send. None may answer 5xx.
 */
type Variant = "empty" | "odd";

function valueFor(member: Member | { shape: Shape; enum?: string[] }, variant: Variant, depth: number): unknown {
  const { shape } = member;
  const enumValues = (member as { enum?: string[] }).enum;
  switch (shape.type) {
    case "string":
      if (enumValues?.length) return enumValues[0];
      return variant === "empty" ? "" : " /aws/../ssm:!*,{}\u00e9\u0000";
    case "number":
    case "bigInteger":
    case "bigDecimal":
      return variant === "empty" ? 0 : -5;
    case "boolean":
      return variant === "odd";
    case "blob":
      return variant === "empty" ? "" : "AAEC";
    case "timestamp":
      return variant === "empty" ? 0 : 9e9;
    case "list":
      return depth > 3 || variant === "empty" || !shape.member
        ? []
        : [valueFor(shape.member, variant, depth + 1), valueFor(shape.member, variant, depth + 1)];
    case "map":
      return depth > 3 || variant === "empty" || !shape.value ? {} : { k: valueFor(shape.value, variant, depth + 1) };
    case "structure":
    case "union": {
      if (depth > 3) return {};
      const out: Record<string, unknown> = {};
      for (const [name, m] of Object.entries(shape.members ?? {})) out[name] = valueFor(m, variant, depth + 1);
      return out;
    }
    default:
      return null;
  }
}

/** Sends `{}` and both variants to every operation of `service` registered in `operations`; asserts 4xx each time. */
export async function assertNoServerErrors(endpoint: string, service: string, targetPrefix: string, operations: string[]) {
  const model = loadModel(service);
  for (const name of operations) {
    const operation = model.operations.get(name);
    assert.ok(operation, name);
    const bodies = [
      "{}",
      JSON.stringify(valueFor({ shape: operation.input }, "empty", 0)),
      JSON.stringify(valueFor({ shape: operation.input }, "odd", 0)),
    ];
    for (const body of bodies) {
      const res: RawResponse = await rawRequest(endpoint, "POST", "/", {
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `${targetPrefix}.${name}`,
          authorization: `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`,
        },
        body,
      });
      assert.ok(res.status < 500, `${name} ${body} → ${res.status} ${res.text}`);
      if (res.status >= 400) assert.match(res.text, /"__type"/, `${name} ${body}`);
    }
  }
}
