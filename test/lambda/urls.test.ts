import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { HttpRequest } from "@smithy/core/protocols";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";
import { createFunction } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const URL_FORM = /^http:\/\/([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost\.localstack\.cloud:(\d+)\/$/;

/** The event as the function saw it, returned as the response body. */
const ECHO = {
  "index.js":
    "exports.handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });",
};

/** Sends a request to a function URL: to our port, with the URL's host name in the Host header. */
function callUrl(
  functionUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
) {
  const host = new URL(functionUrl).host;
  return rawRequest(server.endpoint, method, path, { ...options, headers: { host, ...(options.headers ?? {}) } });
}

async function createUrl(name: string, files: Record<string, string>, extra: Record<string, unknown> = {}) {
  await createFunction(lambda(), name, files);
  const created = await lambda().send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE", ...extra }));
  return created.FunctionUrl as string;
}

test("Create/Get/Update/List/DeleteFunctionUrlConfig, with aliases and AWS's errors", async () => {
  await createFunction(lambda(), "configured", ECHO);
  const created = await lambda().send(
    new CreateFunctionUrlConfigCommand({ FunctionName: "configured", AuthType: "NONE", Cors: { AllowOrigins: ["https://a.example"] } }),
  );
  assert.equal(created.$metadata.httpStatusCode, 201);
  const match = URL_FORM.exec(created.FunctionUrl ?? "");
  assert.ok(match, created.FunctionUrl);
  assert.equal(match[2], new URL(server.endpoint).port);
  assert.equal(created.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:configured");
  assert.equal(created.AuthType, "NONE");
  assert.equal(created.InvokeMode, "BUFFERED");
  assert.deepEqual(created.Cors, { AllowOrigins: ["https://a.example"] });
  assert.match(created.CreationTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const conflict = await rejectsWith(
    lambda().send(new CreateFunctionUrlConfigCommand({ FunctionName: "configured", AuthType: "NONE" })),
    "ResourceConflictException",
    409,
  );
  assert.match(conflict.message, /FunctionUrlConfig exists for this Lambda function/);

  const got = await lambda().send(new GetFunctionUrlConfigCommand({ FunctionName: "configured" }));
  assert.equal(got.FunctionUrl, created.FunctionUrl);
  assert.equal(got.LastModifiedTime, created.CreationTime);
  const updated = await lambda().send(new UpdateFunctionUrlConfigCommand({ FunctionName: "configured", AuthType: "AWS_IAM" }));
  assert.equal(updated.AuthType, "AWS_IAM");
  assert.equal(updated.FunctionUrl, created.FunctionUrl, "the URL stays the same");
  assert.deepEqual(updated.Cors, { AllowOrigins: ["https://a.example"] });

  await lambda().send(new PublishVersionCommand({ FunctionName: "configured" }));
  await lambda().send(new CreateAliasCommand({ FunctionName: "configured", Name: "live", FunctionVersion: "1" }));
  const aliased = await lambda().send(
    new CreateFunctionUrlConfigCommand({ FunctionName: "configured", Qualifier: "live", AuthType: "NONE" }),
  );
  assert.equal(aliased.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:configured:live");
  assert.notEqual(aliased.FunctionUrl, created.FunctionUrl);
  const listed = await lambda().send(new ListFunctionUrlConfigsCommand({ FunctionName: "configured" }));
  assert.deepEqual(listed.FunctionUrlConfigs?.map((c) => c.FunctionArn).sort(), [created.FunctionArn, aliased.FunctionArn]);
  const paged = await lambda().send(new ListFunctionUrlConfigsCommand({ FunctionName: "configured", MaxItems: 1 }));
  assert.equal(paged.FunctionUrlConfigs?.length, 1);
  assert.ok(paged.NextMarker);

  await rejectsWith(
    lambda().send(new CreateFunctionUrlConfigCommand({ FunctionName: "configured", Qualifier: "1", AuthType: "NONE" })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    lambda().send(new CreateFunctionUrlConfigCommand({ FunctionName: "configured", Qualifier: "nope", AuthType: "NONE" })),
    "ResourceNotFoundException",
    404,
  );
  await rejectsWith(
    lambda().send(new CreateFunctionUrlConfigCommand({ FunctionName: "ghost", AuthType: "NONE" })),
    "ResourceNotFoundException",
    404,
  );
  await rejectsWith(
    lambda().send(new CreateFunctionUrlConfigCommand({ FunctionName: "configured", AuthType: "NONE", Cors: { MaxAge: 90_000 } })),
    "ValidationException",
    400,
  );

  await lambda().send(new DeleteFunctionUrlConfigCommand({ FunctionName: "configured" }));
  await rejectsWith(lambda().send(new GetFunctionUrlConfigCommand({ FunctionName: "configured" })), "ResourceNotFoundException", 404);
  await rejectsWith(lambda().send(new DeleteFunctionUrlConfigCommand({ FunctionName: "configured" })), "ResourceNotFoundException", 404);
  assert.equal((await callUrl(created.FunctionUrl as string, "GET", "/")).status, 404);
  assert.equal((await callUrl(aliased.FunctionUrl as string, "GET", "/")).status, 200);
  await lambda().send(new DeleteFunctionCommand({ FunctionName: "configured" }));
  assert.equal((await callUrl(aliased.FunctionUrl as string, "GET", "/")).status, 404, "deleting the function removes its URLs");
});

test("an HTTP request becomes a payload format 2.0 event; statusCode, headers, cookies and body become the response", async () => {
  const url = await createUrl("echo-url", ECHO);
  const id = URL_FORM.exec(url)?.[1] as string;
  const res = await callUrl(url, "POST", "/items/a%20b?x=1&x=2&y=z", {
    headers: { "content-type": "application/json", cookie: "a=1; b=2", "user-agent": "tester/1.0", "X-Custom": "yes" },
    body: JSON.stringify({ hello: "world" }),
  });
  assert.equal(res.status, 200);
  const event = JSON.parse(res.text);
  assert.equal(event.version, "2.0");
  assert.equal(event.routeKey, "$default");
  assert.equal(event.rawPath, "/items/a b");
  assert.equal(event.rawQueryString, "x=1&x=2&y=z");
  assert.deepEqual(event.queryStringParameters, { x: "1,2", y: "z" });
  assert.deepEqual(event.cookies, ["a=1", "b=2"]);
  assert.equal(event.headers["x-custom"], "yes");
  assert.equal(event.headers.cookie, undefined);
  assert.equal(event.body, '{"hello":"world"}');
  assert.equal(event.isBase64Encoded, false);
  const rc = event.requestContext;
  assert.equal(rc.apiId, id);
  assert.equal(rc.domainPrefix, id);
  assert.equal(rc.domainName, `${id}.lambda-url.us-east-1.localhost.localstack.cloud`);
  assert.deepEqual(
    { ...rc.http, sourceIp: undefined },
    { method: "POST", path: "/items/a b", protocol: "HTTP/1.1", sourceIp: undefined, userAgent: "tester/1.0" },
  );
  assert.equal(rc.stage, "$default");
  assert.equal(rc.routeKey, "$default");
  assert.ok(Math.abs(rc.timeEpoch - Date.now()) < 60_000);
  assert.match(rc.time, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);

  const binary = await callUrl(url, "PUT", "/bin", {
    headers: { "content-type": "application/octet-stream" },
    body: Buffer.from([0, 1, 2, 255]),
  });
  const binaryEvent = JSON.parse(binary.text);
  assert.equal(binaryEvent.isBase64Encoded, true);
  assert.equal(binaryEvent.body, Buffer.from([0, 1, 2, 255]).toString("base64"));
  assert.equal(binaryEvent.queryStringParameters, undefined);

  const shaped = await createUrl("shaped", {
    "index.js": `exports.handler = async () => ({ statusCode: 201, headers: { "X-Made": "by-fn", "content-type": "text/plain" },
      cookies: ["s=1; Path=/", "t=2"], body: Buffer.from("created!").toString("base64"), isBase64Encoded: true });`,
  });
  const made = await callUrl(shaped, "GET", "/");
  assert.equal(made.status, 201);
  assert.equal(made.headers["x-made"], "by-fn");
  assert.deepEqual(made.headers["set-cookie"], ["s=1; Path=/", "t=2"]);
  assert.equal(made.text, "created!");
});

test("results without statusCode are inferred as 200 JSON; failures are 502", async () => {
  const object = await createUrl("plain-object", { "index.js": "exports.handler = async () => ({ message: 'hi' });" });
  const res = await callUrl(object, "GET", "/");
  assert.equal(res.status, 200);
  assert.equal(res.headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(res.text), { message: "hi" });
  const text = await createUrl("plain-string", { "index.js": "exports.handler = async () => 'Hello (world)';" });
  const str = await callUrl(text, "GET", "/");
  assert.equal(str.status, 200);
  assert.equal(str.text, "Hello (world)");
  const failing = await createUrl("failing", { "index.js": "exports.handler = async () => { throw new Error('boom'); };" });
  const failed = await callUrl(failing, "GET", "/");
  assert.equal(failed.status, 502);
  assert.deepEqual(JSON.parse(failed.text), { Message: "Internal Server Error" });
  const missing = await callUrl("http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lambda-url.us-east-1.localhost.localstack.cloud:1/", "GET", "/");
  assert.equal(missing.status, 404);
});

test("CORS: preflights answered by the URL, allowed origins get the headers on actual responses", async () => {
  const url = await createUrl("cors-url", ECHO, {
    Cors: {
      AllowOrigins: ["https://app.example"],
      AllowMethods: ["GET", "POST"],
      AllowHeaders: ["x-token"],
      ExposeHeaders: ["x-made"],
      MaxAge: 600,
      AllowCredentials: true,
    },
  });
  const pre = await callUrl(url, "OPTIONS", "/", { headers: { origin: "https://app.example", "access-control-request-method": "POST" } });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers["access-control-allow-origin"], "https://app.example");
  assert.equal(pre.headers["access-control-allow-methods"], "GET,POST");
  assert.equal(pre.headers["access-control-allow-headers"], "x-token");
  assert.equal(pre.headers["access-control-max-age"], "600");
  assert.equal(pre.headers["access-control-allow-credentials"], "true");
  assert.equal(pre.text, "", "the function does not run for a preflight");
  const refused = await callUrl(url, "OPTIONS", "/", {
    headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
  });
  assert.equal(refused.headers["access-control-allow-origin"], undefined);
  const actual = await callUrl(url, "GET", "/", { headers: { origin: "https://app.example" } });
  assert.equal(actual.status, 200);
  assert.equal(actual.headers["access-control-allow-origin"], "https://app.example");
  assert.equal(actual.headers["access-control-expose-headers"], "x-made");
  const other = await callUrl(url, "GET", "/", { headers: { origin: "https://evil.example" } });
  assert.equal(other.headers["access-control-allow-origin"], undefined);
});

class Sha256 extends Hash {
  constructor(secret?: SourceData) {
    super("sha256", secret);
  }
}

test("AWS_IAM URLs refuse unsigned requests and pass the signed caller to the function", async () => {
  const url = await createUrl("iam-url", ECHO, { AuthType: "AWS_IAM" });
  const unsigned = await callUrl(url, "GET", "/");
  assert.equal(unsigned.status, 403);
  assert.deepEqual(JSON.parse(unsigned.text), { Message: "Forbidden" });
  const { host, hostname } = new URL(url);
  const signer = new SignatureV4({
    service: "lambda",
    region: "us-east-1",
    credentials: { accessKeyId: "111122223333", secretAccessKey: "test" },
    sha256: Sha256,
  });
  const signed = await signer.sign(new HttpRequest({ method: "GET", protocol: "http:", hostname, path: "/signed", headers: { host } }));
  const res = await callUrl(url, "GET", "/signed", { headers: signed.headers });
  assert.equal(res.status, 200, res.text);
  const event = JSON.parse(res.text);
  assert.equal(event.requestContext.accountId, "111122223333");
  assert.equal(event.requestContext.authorizer.iam.accountId, "111122223333");
  assert.equal(event.requestContext.authorizer.iam.userArn, "arn:aws:iam::111122223333:root");
});
