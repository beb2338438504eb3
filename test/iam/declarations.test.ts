import assert from "node:assert/strict";
import { test } from "node:test";
import { modelOperationNames } from "../../src/protocol/model.js";
import { SERVICES } from "../../src/services/registry.js";

/**
 * Under --enforce-iam an operation without a declaration is denied to everyone, so every registered
 * operation needs one in src/services/<id>/authorization.ts (AWS's Service Authorization Reference).
 */
test("every registered operation declares its IAM action", async () => {
  const undeclared: Record<string, string[]> = {};
  for (const info of SERVICES) {
    const definition = await info.load();
    const missing = Object.keys(definition.operations).filter((op) => !definition.authorization?.[op]);
    if (missing.length) undeclared[info.id] = missing.sort();
  }
  assert.deepEqual(undeclared, {}, `operations without an IAM declaration: ${JSON.stringify(undeclared, null, 1)}`);
});

test("declarations name real operations and well-formed actions", async () => {
  for (const info of SERVICES) {
    const definition = await info.load();
    const operations = new Set(modelOperationNames(info.id));
    for (const [operation, declaration] of Object.entries(definition.authorization ?? {})) {
      assert.ok(operations.has(operation) || declaration.httpRoute, `${info.id}.${operation} is not an operation of the model`);
      assert.match(declaration.action, /^[a-z0-9-]+:[A-Za-z0-9]+$/, `${info.id}.${operation}: ${declaration.action}`);
    }
  }
});
