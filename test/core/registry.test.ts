import assert from "node:assert/strict";
import { test } from "node:test";
import { loadModel } from "../../src/protocol/model.js";
import { SERVICES } from "../../src/services/registry.js";

test("the routing table agrees with the service models", () => {
  for (const info of SERVICES) {
    const { metadata } = loadModel(info.id);
    assert.equal(info.protocol, metadata.protocol, `${info.id} protocol`);
    assert.equal(info.signingName, metadata.signingName, `${info.id} signing name`);
    assert.equal(info.targetPrefix, metadata.targetPrefix, `${info.id} target prefix`);
    assert.equal(Boolean(info.queryXmlNamespace), Boolean(metadata.awsQueryCompatible), `${info.id} query compatibility`);
  }
});

test("every registered operation exists in its model, and the service loads", async () => {
  for (const info of SERVICES) {
    const definition = await info.load();
    assert.equal(definition.id, info.id);
    const model = loadModel(info.id);
    for (const op of Object.keys(definition.operations)) assert.ok(model.operations.has(op), `${info.id}.${op} is in the model`);
  }
});

test("linked models resolve every member to a shape", () => {
  const model = loadModel("s3");
  const put = model.operations.get("PutObject");
  assert.equal(put?.http?.uri, "/{Bucket}/{Key+}");
  assert.equal(put?.input.members?.Body.shape.traits.streaming, true);
  assert.equal(put?.input.members?.Metadata.httpPrefixHeaders, "x-amz-meta-");
  const sqs = loadModel("sqs");
  assert.equal(sqs.errors.get("QueueDoesNotExist")?.traits.awsQueryError?.code, "AWS.SimpleQueueService.NonExistentQueue");
  const attributeNames = sqs.operations.get("ReceiveMessage")?.input.members?.AttributeNames;
  assert.ok(attributeNames?.shape.member?.enum?.includes("VisibilityTimeout"), "enum values come from the SDK's declarations");
});
