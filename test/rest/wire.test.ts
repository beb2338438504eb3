import assert from "node:assert/strict";
import type http from "node:http";
import { test } from "node:test";
import { rawRequest, useServer } from "../helpers.js";

const server = useServer();

/** A raw HTTP request with an explicit Host header, as clients resolving LocalStack-style host names send it. */
async function request(
  method: string,
  path: string,
  options: { host?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { port } = new URL(server.endpoint);
  const headers = { host: options.host ?? `127.0.0.1:${port}`, ...options.headers };
  const res = await rawRequest(server.endpoint, method, path, { headers, body: options.body });
  return { status: res.status, headers: res.headers, body: res.text };
}

/** An Authorization header whose credential scope names the region and service (signatures are not checked by default). */
const signedFor = (region: string, service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
  "x-amz-date": "20260101T000000Z",
  "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
});

const xmlText = (body: string, element: string) => new RegExp(`<${element}>([^<]*)</${element}>`).exec(body)?.[1];

test("virtual-hosted style: the bucket comes from the Host header in every LocalStack and AWS form", async () => {
  const created = await request("PUT", "/", { host: "vhost-raw.s3.localhost.localstack.cloud:4566" });
  assert.equal(created.status, 200);
  assert.equal(created.headers.location, "/vhost-raw");
  const listed = await request("GET", "/", { host: "s3.localhost.localstack.cloud:4566" });
  assert.equal(listed.status, 200);
  assert.match(listed.headers["content-type"] ?? "", /application\/xml/);
  assert.match(
    listed.body,
    /^<\?xml version="1.0" encoding="UTF-8"\?><ListAllMyBucketsResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><Buckets><Bucket><Name>vhost-raw<\/Name><CreationDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/CreationDate><\/Bucket><\/Buckets><Owner><ID>[0-9a-f]{64}<\/ID><\/Owner><\/ListAllMyBucketsResult>$/,
  );
  for (const host of ["vhost-raw.s3.amazonaws.com", "vhost-raw.s3.us-east-1.amazonaws.com", "vhost-raw.s3.localhost.localstack.cloud"]) {
    const head = await request("HEAD", "/", { host });
    assert.equal(head.status, 200, host);
    assert.equal(head.headers["x-amz-bucket-region"], "us-east-1");
  }
  // Path style on the bare endpoint reaches the same bucket.
  assert.equal((await request("HEAD", "/vhost-raw")).status, 200);
  const deleted = await request("DELETE", "/", { host: "vhost-raw.s3.localhost.localstack.cloud:4566" });
  assert.equal(deleted.status, 204);
  assert.equal((await request("HEAD", "/vhost-raw")).status, 404);
});

test("S3 errors are <Error> documents with the request ids of the response headers", async () => {
  const res = await request("DELETE", "/never-created");
  assert.equal(res.status, 404);
  assert.equal(xmlText(res.body, "Code"), "NoSuchBucket");
  assert.equal(xmlText(res.body, "Message"), "The specified bucket does not exist");
  assert.equal(xmlText(res.body, "BucketName"), "never-created");
  assert.ok(res.headers["x-amz-request-id"]);
  assert.equal(xmlText(res.body, "RequestId"), res.headers["x-amz-request-id"]);
  assert.equal(xmlText(res.body, "HostId"), res.headers["x-amz-id-2"]);
  assert.doesNotMatch(res.body, /xmlns/);
});

test("HEAD errors carry the status and request id but no body", async () => {
  const res = await request("HEAD", "/no-such-bucket-here");
  assert.equal(res.status, 404);
  assert.equal(res.body, "");
  assert.ok(res.headers["x-amz-request-id"]);
});

test("a CreateBucketConfiguration body is read whatever its namespace; a regional endpoint needs one", async () => {
  const east = signedFor("eu-west-2", "s3");
  const missing = await request("PUT", "/regional-raw", { headers: east });
  assert.equal(missing.status, 400);
  assert.equal(xmlText(missing.body, "Code"), "IllegalLocationConstraintException");
  assert.equal(
    xmlText(missing.body, "Message"),
    "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
  );
  const config =
    '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-2</LocationConstraint></CreateBucketConfiguration>';
  const created = await request("PUT", "/regional-raw", { headers: east, body: config });
  assert.equal(created.status, 200);
  assert.match(created.headers.location ?? "", /^http:\/\/regional-raw\.s3\.localhost\.localstack\.cloud(:\d+)?\/$/);
  const head = await request("HEAD", "/regional-raw");
  assert.equal(head.headers["x-amz-bucket-region"], "eu-west-2");
  const bogus = await request("PUT", "/bogus-region", {
    body: "<CreateBucketConfiguration><LocationConstraint>mars-north-1x</LocationConstraint></CreateBucketConfiguration>",
  });
  assert.equal(bogus.status, 400);
  assert.equal(xmlText(bogus.body, "Code"), "InvalidLocationConstraint");
  assert.equal(xmlText(bogus.body, "LocationConstraint"), "mars-north-1x");
});

test("malformed XML and documents of the wrong shape are MalformedXML, and nothing is created", async () => {
  const expected = "The XML you provided was not well-formed or did not validate against our published schema";
  for (const body of [
    "<CreateBucketConfiguration><LocationConstraint>eu-west-1</CreateBucketConfiguration>",
    "not xml at all",
    "<SomethingElse><LocationConstraint>us-west-2</LocationConstraint></SomethingElse>",
    "<CreateBucketConfiguration/><Extra/>",
  ]) {
    const res = await request("PUT", "/malformed-config", { body });
    assert.equal(res.status, 400, body);
    assert.equal(xmlText(res.body, "Code"), "MalformedXML", body);
    assert.equal(xmlText(res.body, "Message"), expected);
  }
  assert.equal((await request("HEAD", "/malformed-config")).status, 404);
});

test("a method S3 does not allow on a resource is MethodNotAllowed (405), naming method and resource type", async () => {
  for (const [method, path, type] of [
    ["PATCH", "/some-bucket", "BUCKET"],
    ["PATCH", "/some-bucket/some/key", "OBJECT"],
    ["POST", "/", "SERVICE"],
  ]) {
    const res = await request(method, path);
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.equal(xmlText(res.body, "Code"), "MethodNotAllowed");
    assert.equal(xmlText(res.body, "Message"), "The specified method is not allowed against this resource.");
    assert.equal(xmlText(res.body, "Method"), method);
    assert.equal(xmlText(res.body, "ResourceType"), type);
  }
});

test("an S3 operation not implemented here is S3's NotImplemented (501) naming it, not a crash", async () => {
  const analytics = await request("GET", "/some-bucket?analytics&id=a");
  assert.equal(analytics.status, 501);
  assert.equal(xmlText(analytics.body, "Code"), "NotImplemented");
  assert.match(xmlText(analytics.body, "Message") ?? "", /GetBucketAnalyticsConfiguration/);
  const replication = await request("PUT", "/some-bucket?replication", { body: "<ReplicationConfiguration/>" });
  assert.equal(replication.status, 501);
  assert.match(xmlText(replication.body, "Message") ?? "", /PutBucketReplication/);
});

test("invalid bucket names over the wire, including names the SDK would reroute", async () => {
  for (const name of ["bucket--x-s3", "UPPER", "a_b", "sthree-bucket", "amzn-s3-demo-bucket", "x.mrap", "y--table-s3"]) {
    const res = await request("PUT", `/${name}`);
    assert.equal(res.status, 400, name);
    assert.equal(xmlText(res.body, "Code"), "InvalidBucketName");
    assert.equal(xmlText(res.body, "BucketName"), name);
  }
});

test("ListBuckets query parameters are typed: a non-integer max-buckets is an InvalidArgument", async () => {
  const res = await request("GET", "/?max-buckets=lots");
  assert.equal(res.status, 400);
  assert.equal(xmlText(res.body, "Code"), "InvalidArgument");
});

test("restJson1: ListFunctions with and without the trailing slash, and the request id header", async () => {
  const lambda = signedFor("us-east-1", "lambda");
  for (const path of ["/2015-03-31/functions/", "/2015-03-31/functions"]) {
    const res = await request("GET", path, { headers: lambda });
    assert.equal(res.status, 200, path);
    assert.deepEqual(JSON.parse(res.body), { Functions: [] });
    assert.match(res.headers["content-type"] ?? "", /application\/json/);
    assert.ok(res.headers["x-amzn-requestid"]);
  }
});

test("restJson1 errors: x-amzn-ErrorType plus a JSON message; unknown routes are UnknownOperationException 404", async () => {
  const lambda = signedFor("us-east-1", "lambda");
  const unknown = await request("GET", "/2015-03-31/nothing-here", { headers: lambda });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers["x-amzn-errortype"], "UnknownOperationException");
  assert.equal(typeof JSON.parse(unknown.body).message, "string");
  const invalid = await request("GET", "/2015-03-31/functions/?FunctionVersion=SOME", { headers: lambda });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.headers["x-amzn-errortype"], "ValidationException");
  assert.match(
    JSON.parse(invalid.body).message,
    /Value 'SOME' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: \[ALL\]/,
  );
  const badNumber = await request("GET", "/2015-03-31/functions/?MaxItems=many", { headers: lambda });
  assert.equal(badNumber.status, 400);
  assert.ok(badNumber.headers["x-amzn-errortype"]);
  const badMarker = await request("GET", "/2015-03-31/functions/?Marker=zzz", { headers: lambda });
  assert.equal(badMarker.status, 400);
  assert.equal(badMarker.headers["x-amzn-errortype"], "InvalidParameterValueException");
  assert.deepEqual(Object.keys(JSON.parse(badMarker.body)), ["Type", "message"]);
  assert.equal(JSON.parse(badMarker.body).Type, "User");
});
