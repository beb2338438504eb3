import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const run = promisify(execFile);

const APP = "https://app.example.com";
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headerss are not whitelisted by the resource's CORS spec.";

let counter = 0;
async function bucketWithCors(): Promise<string> {
  const bucket = `cors-${++counter}-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  await s3().send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            ID: "app",
            AllowedOrigins: ["https://*.example.com"],
            AllowedMethods: ["GET", "PUT"],
            AllowedHeaders: ["Content-Type", "x-amz-*"],
            ExposeHeaders: ["ETag", "x-amz-request-id"],
            MaxAgeSeconds: 3000,
          },
          { AllowedOrigins: ["*"], AllowedMethods: ["GET", "HEAD"] },
        ],
      },
    }),
  );
  return bucket;
}

const preflight = (path: string, headers: Record<string, string>) => rawRequest(server.endpoint, "OPTIONS", path, { headers });

test("PutBucketCors / GetBucketCors / DeleteBucketCors keep the rules as sent; NoSuchCORSConfiguration without them", async () => {
  const bucket = await bucketWithCors();
  const cors = await s3().send(new GetBucketCorsCommand({ Bucket: bucket }));
  assert.equal(cors.CORSRules?.length, 2);
  assert.deepEqual(cors.CORSRules?.[0], {
    ID: "app",
    AllowedOrigins: ["https://*.example.com"],
    AllowedMethods: ["GET", "PUT"],
    AllowedHeaders: ["Content-Type", "x-amz-*"],
    ExposeHeaders: ["ETag", "x-amz-request-id"],
    MaxAgeSeconds: 3000,
  });
  await s3().send(new DeleteBucketCorsCommand({ Bucket: bucket }));
  const err = await rejectsWith(s3().send(new GetBucketCorsCommand({ Bucket: bucket })), "NoSuchCORSConfiguration", 404);
  assert.equal(err.message, "The CORS configuration does not exist");
});

test("PutBucketCors rejects unsupported methods, double wildcards and wildcard expose headers", async () => {
  const bucket = await bucketWithCors();
  const put = (rule: Record<string, unknown>) =>
    s3().send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"], ...rule }] },
      }),
    );
  let err = await rejectsWith(put({ AllowedMethods: ["PATCH"] }), "InvalidRequest", 400);
  assert.equal(err.message, "Found unsupported HTTP method in CORS config. Unsupported method is PATCH");
  err = await rejectsWith(put({ AllowedOrigins: ["https://*.*.com"] }), "InvalidRequest", 400);
  assert.equal(err.message, 'AllowedOrigin "https://*.*.com" can not have more than one wildcard.');
  err = await rejectsWith(put({ ExposeHeaders: ["*"] }), "InvalidRequest", 400);
  assert.match(err.message, /ExposeHeader "\*" contains wildcard/);
});

test("preflight: the first matching rule answers with its origin, methods, requested headers, expose headers and max age", async () => {
  const bucket = await bucketWithCors();
  const res = await preflight(`/${bucket}/uploads/photo.jpg`, {
    Origin: APP,
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "content-type, X-Amz-Meta-Owner",
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers["access-control-allow-origin"], APP);
  assert.equal(res.headers["access-control-allow-methods"], "GET, PUT");
  assert.equal(res.headers["access-control-allow-headers"], "content-type, x-amz-meta-owner");
  assert.equal(res.headers["access-control-expose-headers"], "ETag, x-amz-request-id");
  assert.equal(res.headers["access-control-max-age"], "3000");
  assert.equal(res.headers["access-control-allow-credentials"], "true");
  assert.equal(res.headers.vary, "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");

  // Another origin falls through to the wildcard rule: "*" and no credentials.
  const any = await preflight(`/${bucket}`, { Origin: "http://other.test", "Access-Control-Request-Method": "HEAD" });
  assert.equal(any.status, 200);
  assert.equal(any.headers["access-control-allow-origin"], "*");
  assert.equal(any.headers["access-control-allow-methods"], "GET, HEAD");
  assert.equal(any.headers["access-control-allow-credentials"], undefined);
});

test("preflight: 403 AccessForbidden when no rule matches or no configuration exists, 400 without Origin or method", async () => {
  const bucket = await bucketWithCors();
  const denied = await preflight(`/${bucket}/key`, { Origin: "http://other.test", "Access-Control-Request-Method": "PUT" });
  assert.equal(denied.status, 403);
  assert.match(denied.text, /<Code>AccessForbidden<\/Code>/);
  assert.ok(
    denied.text.includes(`<Message>${NOT_ALLOWED.replace(/'/g, "&apos;")}</Message>`) || denied.text.includes(NOT_ALLOWED),
    denied.text,
  );
  assert.match(denied.text, /<Method>PUT<\/Method><ResourceType>OBJECT<\/ResourceType>/);
  // A header no rule allows.
  const header = await preflight(`/${bucket}/key`, {
    Origin: APP,
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "authorization",
  });
  assert.equal(header.status, 403);

  const plain = `cors-none-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: plain }));
  const none = await preflight(`/${plain}`, { Origin: APP, "Access-Control-Request-Method": "GET" });
  assert.equal(none.status, 403);
  assert.match(none.text, /<Code>AccessForbidden<\/Code>/);
  assert.match(none.text, /CORS is not enabled for this bucket/);
  assert.match(none.text, /<ResourceType>BUCKET<\/ResourceType>/);

  assert.equal((await preflight(`/${bucket}/key`, { "Access-Control-Request-Method": "GET" })).status, 400);
  assert.equal((await preflight(`/${bucket}/key`, { Origin: APP })).status, 400);
  const missing = await preflight("/no-such-cors-bucket/key", { Origin: APP, "Access-Control-Request-Method": "GET" });
  assert.equal(missing.status, 404);
  assert.match(missing.text, /<Code>NoSuchBucket<\/Code>/);
});

test("preflight on a virtual-hosted bucket host", async () => {
  const bucket = await bucketWithCors();
  const port = new URL(server.endpoint).port;
  const res = await preflight("/file.txt", {
    Host: `${bucket}.s3.localhost.localstack.cloud:${port}`,
    Origin: APP,
    "Access-Control-Request-Method": "GET",
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers["access-control-allow-origin"], APP);
});

test("a browser-style upload: preflight, then a presigned PUT and a GET with Origin carry the rule's CORS headers", async () => {
  const bucket = await bucketWithCors();
  const url = await getSignedUrl(s3(), new PutObjectCommand({ Bucket: bucket, Key: "upload.txt", ContentType: "text/plain" }), {
    expiresIn: 300,
  });
  const pre = await fetch(url, {
    method: "OPTIONS",
    headers: { Origin: APP, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type" },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("access-control-allow-origin"), APP);
  assert.equal(pre.headers.get("access-control-allow-headers"), "content-type");

  const put = await fetch(url, { method: "PUT", headers: { Origin: APP, "Content-Type": "text/plain" }, body: "from the browser" });
  assert.equal(put.status, 200);
  assert.equal(put.headers.get("access-control-allow-origin"), APP);
  assert.equal(put.headers.get("access-control-allow-methods"), "GET, PUT");
  assert.equal(put.headers.get("access-control-expose-headers"), "ETag, x-amz-request-id");
  assert.equal(put.headers.get("access-control-allow-credentials"), "true");
  assert.match(put.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/);

  const stored = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: "upload.txt" }));
  assert.equal(await stored.Body?.transformToString(), "from the browser");

  const getUrl = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket, Key: "upload.txt" }), { expiresIn: 300 });
  const other = await fetch(getUrl, { headers: { Origin: "http://elsewhere.test" } });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get("access-control-allow-origin"), "*");
  assert.equal(await other.text(), "from the browser");
  // DELETE is in no rule: the answer carries no CORS grant, only Vary.
  const del = await fetch(`${server.endpoint}/${bucket}/upload.txt`, { method: "DELETE", headers: { Origin: APP } });
  assert.equal(del.headers.get("access-control-allow-origin"), null);
  assert.equal(del.headers.get("vary"), "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
});

test("AWS CLI: s3api put-bucket-cors and get-bucket-cors", async () => {
  const bucket = `cors-cli-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
  };
  const config = JSON.stringify({ CORSRules: [{ AllowedOrigins: [APP], AllowedMethods: ["GET"], MaxAgeSeconds: 60 }] });
  await run("aws", ["s3api", "put-bucket-cors", "--bucket", bucket, "--cors-configuration", config, "--endpoint-url", server.endpoint], {
    env,
  });
  const { stdout } = await run("aws", ["s3api", "get-bucket-cors", "--bucket", bucket, "--endpoint-url", server.endpoint], { env });
  assert.deepEqual(JSON.parse(stdout).CORSRules, [{ AllowedOrigins: [APP], AllowedMethods: ["GET"], MaxAgeSeconds: 60 }]);
  const res = await preflight(`/${bucket}/x`, { Origin: APP, "Access-Control-Request-Method": "GET" });
  assert.equal(res.headers["access-control-max-age"], "60");
});
