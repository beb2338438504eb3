import assert from "node:assert/strict";
import { test } from "node:test";
import { rawRequest, useServer } from "../helpers.js";

const server = useServer();

/** A raw POST with an explicit Host header, as a client resolving LocalStack's host names would send. */
async function request(host: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  const res = await rawRequest(server.endpoint, "POST", "/", { headers: { ...headers, host }, body });
  return { status: res.status, body: res.text };
}

const sqsJson = (target: string) => ({ "x-amz-target": `AmazonSQS.${target}`, "content-type": "application/x-amz-json-1.0" });

test("the sqs.<region>.localhost.localstack.cloud host names the region and shapes queue URLs", async () => {
  const host = "sqs.eu-central-1.localhost.localstack.cloud:4566";
  const created = await request(host, sqsJson("CreateQueue"), JSON.stringify({ QueueName: "by-host" }));
  assert.equal(created.status, 200);
  assert.equal(JSON.parse(created.body).QueueUrl, "http://sqs.eu-central-1.localhost.localstack.cloud:4566/000000000000/by-host");
  // Unsigned, the region came from the host: the queue is not in the default region.
  const elsewhere = await request(
    `127.0.0.1:${new URL(server.endpoint).port}`,
    sqsJson("GetQueueUrl"),
    JSON.stringify({ QueueName: "by-host" }),
  );
  assert.equal(elsewhere.status, 400);
  assert.match(elsewhere.body, /QueueDoesNotExist/);
  const found = await request(
    "sqs.eu-central-1.localhost.localstack.cloud:4566",
    sqsJson("GetQueueUrl"),
    JSON.stringify({ QueueName: "by-host" }),
  );
  assert.equal(found.status, 200);
});

test("the credential scope's region wins over the default and the scope's key picks the account", async () => {
  const auth =
    "AWS4-HMAC-SHA256 Credential=123456789012/20260101/ap-northeast-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
    "0".repeat(64);
  const created = await request(
    "localhost:4566",
    { ...sqsJson("CreateQueue"), authorization: auth },
    JSON.stringify({ QueueName: "scoped" }),
  );
  assert.equal(created.status, 200);
  assert.equal(JSON.parse(created.body).QueueUrl, "http://localhost:4566/123456789012/scoped");
  const listed = await request("localhost:4566", { ...sqsJson("ListQueues"), authorization: auth }, "{}");
  assert.deepEqual(JSON.parse(listed.body).QueueUrls, ["http://localhost:4566/123456789012/scoped"]);
});

test("an X-Amz-Target of an unknown service is an unknown-operation error, not a crash", async () => {
  const res = await request(
    "localhost:4566",
    { "x-amz-target": "NoSuchService_2020.DoIt", "content-type": "application/x-amz-json-1.1" },
    "{}",
  );
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
});

test("host names: function URL, website and virtual-hosted S3 forms are told apart", async () => {
  const { parseHost } = await import("../../src/gateway/router.js");
  const url = parseHost("abc123xyz.lambda-url.eu-west-1.localhost.localstack.cloud:4566");
  assert.equal(url.service?.id, "lambda");
  assert.equal(url.functionUrlId, "abc123xyz");
  assert.equal(url.region, "eu-west-1");
  const website = parseHost("my.site.s3-website.us-west-2.localhost");
  assert.deepEqual([website.service?.id, website.bucket, website.website, website.region], ["s3", "my.site", true, "us-west-2"]);
  const hosted = parseHost("photos.s3.localhost.localstack.cloud");
  assert.deepEqual([hosted.service?.id, hosted.bucket, hosted.website], ["s3", "photos", false]);
});

test("/_overcast/<service>/ routes reach the service's own HTTP route, and unknown ones are not ours", async () => {
  const deliveries = await rawRequest(server.endpoint, "GET", "/_overcast/sns/deliveries");
  assert.equal(deliveries.status, 200);
  assert.ok(Array.isArray(JSON.parse(deliveries.text).deliveries));
  const unknown = await rawRequest(server.endpoint, "GET", "/_overcast/nosuchservice/x");
  assert.notEqual(unknown.status, 200);
});
