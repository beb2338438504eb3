import assert from "node:assert/strict";
import { test } from "node:test";
import { coverageReport } from "../../src/gateway/coverage.js";
import { type RawResponse, rawRequest, useServer } from "../helpers.js";

/**
 * The awsJson protocols given bad input over raw HTTP: every mistake is a 4xx in the protocol's own
 * error shape (`__type`, request id, JSON content type), never a 500, a hang or a dropped connection.
 */
const server = useServer();

const SIGNATURE = "0".repeat(64);
const authFor = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${SIGNATURE}`;

/** POST / as the SDKs send awsJson requests; `target: undefined` leaves the X-Amz-Target header out. */
function post(
  target: string | undefined,
  body: string | Buffer,
  options: { service?: string; jsonVersion?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {
    "content-type": `application/x-amz-json-${options.jsonVersion ?? "1.0"}`,
    "x-amz-date": "20240101T000000Z",
    authorization: authFor(options.service ?? "sqs"),
  };
  if (target !== undefined) headers["x-amz-target"] = target;
  return raw("POST", "/", headers, body);
}

function raw(method: string, path: string, headers: Record<string, string>, body: string | Buffer = ""): Promise<RawResponse> {
  return rawRequest(server.endpoint, method, path, { headers, body });
}

/** The error code an SDK reads from `__type`: the part after `#` (AWS prefixes a namespace). */
function errorCode(res: RawResponse): string {
  const document = JSON.parse(res.text) as { __type?: unknown };
  assert.equal(typeof document.__type, "string", `no __type in ${res.text}`);
  return String(document.__type).split("#").pop() as string;
}

/** Status, `__type` code, JSON content type and request id, which every awsJson error carries. */
function assertJsonError(res: RawResponse, status: number, code: string, jsonVersion = "1.0"): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.equal(res.headers["content-type"], `application/x-amz-json-${jsonVersion}`);
  assert.match(String(res.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
  assert.equal(errorCode(res), code);
}

test("a successful call carries a request id and the awsJson 1.0 / 1.1 content types", async () => {
  const sqs = await post("AmazonSQS.ListQueues", "{}");
  assert.equal(sqs.status, 200);
  assert.equal(sqs.headers["content-type"], "application/x-amz-json-1.0");
  assert.match(String(sqs.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
  assert.deepEqual(JSON.parse(sqs.text), {});
  const logs = await post("Logs_20140328.DescribeLogGroups", "{}", { service: "logs", jsonVersion: "1.1" });
  assert.equal(logs.status, 200);
  assert.equal(logs.headers["content-type"], "application/x-amz-json-1.1");
  assert.ok(Array.isArray((JSON.parse(logs.text) as { logGroups: unknown[] }).logGroups));
});

test("each response has its own request id", async () => {
  const a = await post("AmazonSQS.ListQueues", "{}");
  const b = await post("AmazonSQS.ListQueues", "{");
  assert.notEqual(a.headers["x-amzn-requestid"], b.headers["x-amzn-requestid"]);
});

test("a malformed JSON body is SerializationException 400", async () => {
  for (const body of ["{", '{"QueueName": "x"', "{'QueueName': 'x'}", "not json", '{"QueueName": "x",}', "\u0000{}"]) {
    assertJsonError(await post("AmazonSQS.CreateQueue", body), 400, "SerializationException");
  }
  const logs = await post("Logs_20140328.CreateLogGroup", '{"logGroupName":', { service: "logs", jsonVersion: "1.1" });
  assertJsonError(logs, 400, "SerializationException", "1.1");
});

test("a JSON document that is not an object is SerializationException 400", async () => {
  for (const body of ["[]", '["QueueName"]', '"a string"', "42", "true"]) {
    assertJsonError(await post("AmazonSQS.ListQueues", body), 400, "SerializationException");
  }
});

test("a member of the wrong JSON type is SerializationException 400", async () => {
  assertJsonError(await post("AmazonSQS.ListQueues", '{"MaxResults": "abc"}'), 400, "SerializationException");
  assertJsonError(await post("AmazonSQS.ListQueues", '{"MaxResults": true}'), 400, "SerializationException");
  assertJsonError(await post("AmazonSQS.ListQueues", '{"QueueNamePrefix": 5}'), 400, "SerializationException");
  assertJsonError(await post("AmazonSQS.ListQueues", '{"QueueNamePrefix": {"a": 1}}'), 400, "SerializationException");
  assertJsonError(await post("AmazonSQS.CreateQueue", '{"QueueName": "q", "Attributes": ["DelaySeconds"]}'), 400, "SerializationException");
  assertJsonError(
    await post("AmazonSQS.CreateQueue", '{"QueueName": "q", "Attributes": {"DelaySeconds": 5}}'),
    400,
    "SerializationException",
  );
  const logs = await post("Logs_20140328.CreateLogGroup", '{"logGroupName": ["a"]}', { service: "logs", jsonVersion: "1.1" });
  assertJsonError(logs, 400, "SerializationException", "1.1");
});

test("deeply nested JSON is a client error, not a stack overflow", async () => {
  const depth = 100_000;
  const unclosed = "[".repeat(depth);
  const closed = `{"QueueNamePrefix": ${"[".repeat(depth)}${"]".repeat(depth)}}`;
  const objects = `{"QueueNamePrefix": ${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
  for (const body of [unclosed, closed, objects]) {
    const res = await post("AmazonSQS.ListQueues", body);
    assert.ok(
      res.status >= 400 && res.status < 500,
      `expected a 4xx for ${body.slice(0, 30)}…, got ${res.status}: ${res.text.slice(0, 200)}`,
    );
    assert.equal(res.headers["content-type"], "application/x-amz-json-1.0");
  }
  // Unknown members are ignored however deep they go.
  const unknownMember = await post("AmazonSQS.ListQueues", `{"Unknown": ${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`);
  assert.equal(unknownMember.status, 200, unknownMember.text.slice(0, 200));
  assert.equal((await post("AmazonSQS.ListQueues", "{}")).status, 200);
});

test("a request without X-Amz-Target is UnknownOperationException 400", async () => {
  const res = await post(undefined, "{}", { service: "logs", jsonVersion: "1.1" });
  assertJsonError(res, 400, "UnknownOperationException", "1.1");
});

test("an operation the service does not have is UnknownOperationException 400", async () => {
  assertJsonError(await post("AmazonSQS.NoSuchOperation", "{}"), 400, "UnknownOperationException");
  assertJsonError(await post("AmazonSQS.", "{}"), 400, "UnknownOperationException");
  assertJsonError(
    await post("Logs_20140328.ListQueues", "{}", { service: "logs", jsonVersion: "1.1" }),
    400,
    "UnknownOperationException",
    "1.1",
  );
  // The right operation under another service's target prefix is not that operation.
  assertJsonError(await post("AmazonSQSX.ListQueues", "{}"), 400, "UnknownOperationException");
});

test("an operation in the model that is not implemented answers exactly like an unknown one", async () => {
  const [sqs] = await coverageReport(["sqs"]);
  const missing = sqs.missing[0];
  if (!missing) return; // every SQS operation is implemented: nothing left to check
  const res = await post(`AmazonSQS.${missing}`, "{}");
  assertJsonError(res, 400, "UnknownOperationException");
  const unknown = await post("AmazonSQS.NoSuchOperation", "{}");
  assert.equal(res.headers["x-amzn-query-error"], unknown.headers["x-amzn-query-error"]);
});

test("framework errors carry the coral service namespace in __type, as AWS sends them", async () => {
  const unknown = JSON.parse((await post("AmazonSQS.NoSuchOperation", "{}")).text) as { __type: string };
  assert.equal(unknown.__type, "com.amazon.coral.service#UnknownOperationException");
  const malformed = JSON.parse((await post("AmazonSQS.ListQueues", "{")).text) as { __type: string };
  assert.equal(malformed.__type, "com.amazon.coral.service#SerializationException");
});

test("a missing required member is SQS's MissingParameter, with the query-compatible error header", async () => {
  const res = await post("AmazonSQS.GetQueueUrl", "{}");
  assertJsonError(res, 400, "MissingParameter");
  assert.equal(res.headers["x-amzn-query-error"], "MissingParameter;Sender");
  assert.equal((JSON.parse(res.text) as { message: string }).message, "The request must contain the parameter QueueName.");
  const nullName = await post("AmazonSQS.CreateQueue", '{"QueueName": null}');
  assertJsonError(nullName, 400, "MissingParameter");
});

test("a modeled service error carries the query-compatible code of the model", async () => {
  const res = await post("AmazonSQS.GetQueueUrl", '{"QueueName": "does-not-exist"}');
  assertJsonError(res, 400, "QueueDoesNotExist");
  assert.equal(res.headers["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender");
});

test("a body over 32 MiB is 413, and the server keeps serving", async () => {
  const body = Buffer.alloc(32 * 1024 * 1024 + 1024, 0x20);
  const res = await post("AmazonSQS.ListQueues", body);
  assert.equal(res.status, 413, res.text);
  assert.equal((await post("AmazonSQS.ListQueues", "{}")).status, 200);
  assert.equal((await raw("GET", "/_localstack/health", {})).status, 200);
});
