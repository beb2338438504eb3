import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import type { CodecContext } from "../../src/protocol/codec.js";
import { AwsError } from "../../src/protocol/errors.js";
import type { HttpRequest } from "../../src/protocol/http.js";
import { loadModel } from "../../src/protocol/model.js";
import { RequestBodyFailure, splitHeaderList } from "../../src/protocol/rest-binding.js";
import { restJsonCodec } from "../../src/protocol/rest-json.js";
import { restXmlCodec } from "../../src/protocol/rest-xml.js";

/** The codecs on their own, against the real S3 and Lambda models: operations no service implements yet included. */
const s3: CodecContext = { model: loadModel("s3"), requestId: "req-1" };
const lambda: CodecContext = { model: loadModel("lambda"), requestId: "req-2" };

function req(method: string, target: string, headers: Record<string, string> = {}, body: Buffer | Readable = Buffer.alloc(0)): HttpRequest {
  const q = target.indexOf("?");
  return { method, path: q < 0 ? target : target.slice(0, q), rawQuery: q < 0 ? "" : target.slice(q + 1), headers, body };
}

const s3Decode = (method: string, target: string, headers?: Record<string, string>, body?: Buffer | Readable, ctx = s3) =>
  restXmlCodec.decode(req(method, target, headers, body), ctx);
const opName = async (method: string, target: string, headers?: Record<string, string>) =>
  (await s3Decode(method, target, headers)).operation.name;

test("S3 routing: the most specific operation wins among those sharing a URI template", async () => {
  assert.equal(await opName("GET", "/"), "ListBuckets");
  assert.equal(await opName("GET", "/b"), "ListObjects");
  assert.equal(await opName("GET", "/b/"), "ListObjects");
  assert.equal(await opName("GET", "/b?list-type=2"), "ListObjectsV2");
  assert.equal(await opName("GET", "/b?list-type=1"), "ListObjects");
  assert.equal(await opName("GET", "/b?acl"), "GetBucketAcl");
  assert.equal(await opName("GET", "/b?analytics"), "ListBucketAnalyticsConfigurations");
  assert.equal(await opName("GET", "/b?analytics&id=x"), "GetBucketAnalyticsConfiguration");
  assert.equal(await opName("PUT", "/b/k"), "PutObject");
  assert.equal(await opName("PUT", "/b/k", { "x-amz-copy-source": "/src/key" }), "CopyObject");
  assert.equal(await opName("PUT", "/b/k?partNumber=1&uploadId=u"), "UploadPart");
  assert.equal(await opName("PUT", "/b/k?partNumber=1&uploadId=u", { "x-amz-copy-source": "/src/key" }), "UploadPartCopy");
  assert.equal(await opName("GET", "/b/k?uploadId=u"), "ListParts");
  assert.equal(await opName("DELETE", "/b/k?uploadId=u"), "AbortMultipartUpload");
  assert.equal(await opName("DELETE", "/b/k"), "DeleteObject");
  assert.equal(await opName("POST", "/b?delete"), "DeleteObjects");
  assert.equal(await opName("HEAD", "/b"), "HeadBucket");
  assert.equal(await opName("HEAD", "/b/k"), "HeadObject");
});

test("labels are percent-decoded; greedy labels keep their slashes; the virtual-hosted bucket prefixes the path", async () => {
  const { input } = await s3Decode("GET", "/my-bucket/dir%20one/sub/file+name%2Bx.txt");
  assert.deepEqual([input.Bucket, input.Key], ["my-bucket", "dir one/sub/file+name+x.txt"]);
  const folder = await s3Decode("PUT", "/b/folder/");
  assert.equal(folder.input.Key, "folder/");
  const hosted = await s3Decode("GET", "/a/b.txt", {}, undefined, { ...s3, bucket: "hosted" });
  assert.deepEqual([hosted.operation.name, hosted.input.Bucket, hosted.input.Key], ["GetObject", "hosted", "a/b.txt"]);
  const root = await s3Decode("GET", "/", {}, undefined, { ...s3, bucket: "hosted" });
  assert.deepEqual([root.operation.name, root.input.Bucket], ["ListObjects", "hosted"]);
});

test("headers, prefix headers and typed query values are decoded; a streaming upload body is passed through untouched", async () => {
  const stream = Readable.from([Buffer.from("hello")]);
  const { operation, input } = await s3Decode(
    "PUT",
    "/b/k",
    {
      "content-type": "text/plain",
      "content-length": "5",
      expires: "Wed, 21 Oct 2015 07:28:00 GMT",
      "x-amz-meta-color": "blue",
      "x-amz-meta-size": "L",
      "x-amz-object-lock-retain-until-date": "2030-01-02T03:04:05Z",
      "x-amz-server-side-encryption-bucket-key-enabled": "true",
    },
    stream,
  );
  assert.equal(operation.name, "PutObject");
  assert.equal(input.Body, stream);
  assert.equal(input.ContentType, "text/plain");
  assert.equal(input.ContentLength, 5);
  assert.deepEqual(input.Expires, new Date("2015-10-21T07:28:00Z"));
  assert.deepEqual(input.ObjectLockRetainUntilDate, new Date("2030-01-02T03:04:05Z"));
  assert.equal(input.BucketKeyEnabled, true);
  assert.deepEqual(input.Metadata, { color: "blue", size: "L" });
  const listed = await s3Decode("GET", "/b?list-type=2&max-keys=10&fetch-owner=true&prefix=a+b%2Fc");
  assert.deepEqual([listed.input.MaxKeys, listed.input.FetchOwner, listed.input.Prefix], [10, true, "a b/c"]);
  await assert.rejects(
    s3Decode("GET", "/b?list-type=2&max-keys=ten"),
    (e) => !(e instanceof RequestBodyFailure) && /max-keys|ten/.test((e as Error).message),
  );
});

test("comma-separated header lists honour quotes and HTTP dates", () => {
  assert.deepEqual(splitHeaderList('a, "b,c", "d\\"e"'), ["a", "b,c", 'd"e']);
  assert.deepEqual(splitHeaderList("Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 01:00:00 GMT", true), [
    "Mon, 16 Dec 2019 23:48:18 GMT",
    "Tue, 17 Dec 2019 01:00:00 GMT",
  ]);
});

test("XML payloads: flattened lists, booleans, http-date members, attributes behind a namespace prefix", async () => {
  const deleteBody =
    '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key> spaced </Key><VersionId>v1</VersionId><LastModifiedTime>Wed, 21 Oct 2015 07:28:00 GMT</LastModifiedTime></Object><Quiet>true</Quiet></Delete>';
  const del = await s3Decode("POST", "/b?delete", {}, Buffer.from(deleteBody));
  assert.deepEqual(del.input.Delete, {
    Objects: [{ Key: "a" }, { Key: " spaced ", VersionId: "v1", LastModifiedTime: new Date("2015-10-21T07:28:00Z") }],
    Quiet: true,
  });
  const acl =
    '<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>g</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>';
  const put = await s3Decode("PUT", "/b?acl", {}, Buffer.from(acl));
  assert.deepEqual(put.input.AccessControlPolicy, {
    Owner: { ID: "o" },
    Grants: [{ Grantee: { Type: "CanonicalUser", ID: "g" }, Permission: "READ" }],
  });
  await assert.rejects(s3Decode("POST", "/b?delete", {}, Buffer.from("<Delete><Quiet>maybe</Quiet></Delete>")), RequestBodyFailure);
  await assert.rejects(s3Decode("PUT", "/b?acl", {}, Buffer.from("<Tagging/>")), RequestBodyFailure);
});

test("XML responses: root xmlName and namespace, wrapped and flattened lists, attributes with their namespace", () => {
  const acl = s3.model.operations.get("GetBucketAcl");
  assert.ok(acl);
  const aclResponse = restXmlCodec.encode(
    acl,
    { Owner: { ID: "o" }, Grants: [{ Grantee: { Type: "CanonicalUser", ID: "g" }, Permission: "FULL_CONTROL" }] },
    s3,
  );
  assert.equal(
    aclResponse.body,
    '<?xml version="1.0" encoding="UTF-8"?><AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>g</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>',
  );
  assert.equal(aclResponse.headers["x-amz-request-id"], "req-1");
  const list = s3.model.operations.get("ListObjectsV2");
  assert.ok(list);
  const when = new Date("2024-05-06T07:08:09Z");
  const listed = restXmlCodec.encode(
    list,
    {
      Name: "b",
      KeyCount: 2,
      IsTruncated: false,
      Contents: [{ Key: "a&b", LastModified: when, Size: 3 }, { Key: "c" }],
      RequestCharged: "requester",
    },
    s3,
  );
  assert.equal(
    listed.body,
    '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated><Contents><Key>a&amp;b</Key><LastModified>2024-05-06T07:08:09.000Z</LastModified><Size>3</Size></Contents><Contents><Key>c</Key></Contents><Name>b</Name><KeyCount>2</KeyCount></ListBucketResult>',
  );
  assert.equal(listed.headers["x-amz-request-charged"], "requester");
});

test("streaming and header-only responses: the body stream passes through, timestamps are HTTP dates, status from the binding", () => {
  const get = s3.model.operations.get("GetObject");
  const del = s3.model.operations.get("DeleteBucket");
  assert.ok(get && del);
  const body = Readable.from([Buffer.from("data")]);
  const res = restXmlCodec.encode(
    get,
    {
      Body: body,
      ContentType: "image/png",
      LastModified: new Date("2024-01-02T03:04:05Z"),
      Metadata: { Owner: "ümlaut" },
      ContentLength: 4,
    },
    s3,
  );
  assert.equal(res.status, 200);
  assert.equal(res.body, body);
  assert.equal(res.headers["content-type"], "image/png");
  assert.equal(res.headers["last-modified"], "Tue, 02 Jan 2024 03:04:05 GMT");
  assert.equal(res.headers["content-length"], "4");
  assert.equal(res.headers["x-amz-meta-owner"], `=?UTF-8?B?${Buffer.from("ümlaut").toString("base64")}?=`);
  const deleted = restXmlCodec.encode(del, {}, s3);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.body, undefined);
  const create = s3.model.operations.get("CreateBucket");
  assert.ok(create);
  const created = restXmlCodec.encode(create, { Location: "/b" }, s3);
  assert.deepEqual(
    [created.status, created.headers.location, created.headers["content-length"], created.body],
    [200, "/b", "0", undefined],
  );
});

test("restJson1 requests: labels, headers, query and a raw blob payload; JSON bodies by member", async () => {
  const invoke = await restJsonCodec.decode(
    req(
      "POST",
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn/invocations?Qualifier=live",
      { "x-amz-invocation-type": "Event" },
      Buffer.from('{"k":1}'),
    ),
    lambda,
  );
  assert.equal(invoke.operation.name, "Invoke");
  assert.equal(invoke.input.FunctionName, "arn:aws:lambda:us-east-1:000000000000:function:fn");
  assert.equal(invoke.input.InvocationType, "Event");
  assert.equal(invoke.input.Qualifier, "live");
  assert.deepEqual(invoke.input.Payload, Buffer.from('{"k":1}'));
  const create = await restJsonCodec.decode(
    req(
      "POST",
      "/2015-03-31/functions",
      { "content-type": "application/json" },
      Buffer.from(JSON.stringify({ FunctionName: "fn", Timeout: 30, Environment: { Variables: { A: "1" } }, Unknown: true })),
    ),
    lambda,
  );
  assert.equal(create.operation.name, "CreateFunction");
  assert.deepEqual(create.input, { FunctionName: "fn", Timeout: 30, Environment: { Variables: { A: "1" } } });
  await assert.rejects(
    restJsonCodec.decode(req("POST", "/2015-03-31/functions", {}, Buffer.from("{not json")), lambda),
    RequestBodyFailure,
  );
  await assert.rejects(
    restJsonCodec.decode(req("POST", "/2015-03-31/functions", {}, Buffer.from('{"Timeout":"long"}')), lambda),
    RequestBodyFailure,
  );
  await assert.rejects(
    restJsonCodec.decode(req("DELETE", "/2015-03-31/functions"), lambda),
    (e) => e instanceof AwsError && e.code === "UnknownOperationException" && e.status === 404,
  );
});

test("restJson1 responses: httpResponseCode member sets the status, header members, raw payload; errors as Lambda sends them", () => {
  const invoke = lambda.model.operations.get("Invoke");
  assert.ok(invoke);
  const res = restJsonCodec.encode(
    invoke,
    { StatusCode: 202, FunctionError: "Unhandled", Payload: Buffer.from("{}"), ExecutedVersion: "$LATEST" },
    lambda,
  );
  assert.equal(res.status, 202);
  assert.equal(res.headers["x-amz-function-error"], "Unhandled");
  assert.equal(res.headers["x-amz-executed-version"], "$LATEST");
  assert.deepEqual(res.body, Buffer.from("{}"));
  assert.equal(res.headers["x-amzn-requestid"], "req-2");
  const notFound = restJsonCodec.encodeError(new AwsError("ResourceNotFoundException", "Function not found: fn"), lambda);
  assert.equal(notFound.status, 404);
  assert.equal(notFound.headers["x-amzn-errortype"], "ResourceNotFoundException");
  assert.deepEqual(JSON.parse(String(notFound.body)), { Type: "User", Message: "Function not found: fn" });
  const throttled = restJsonCodec.encodeError(
    new AwsError("TooManyRequestsException", "Rate exceeded", {
      fields: { retryAfterSeconds: "3", Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" },
    }),
    lambda,
  );
  assert.equal(throttled.status, 429);
  assert.equal(throttled.headers["retry-after"], "3");
  assert.deepEqual(JSON.parse(String(throttled.body)), {
    Type: "User",
    message: "Rate exceeded",
    Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
  });
});
