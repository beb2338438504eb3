import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { AddPermissionCommand, CreateFunctionUrlConfigCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { HttpRequest } from "@smithy/core/protocols";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";
import { rawRequest, useServer } from "../helpers.js";
import { createFunction } from "../lambda/support.js";

/** Requests answered outside the API (website endpoints, browser POST uploads, function URLs) are authorized too. */
const server = useServer({ enforceIam: true });
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const port = () => new URL(server.endpoint).port;
const policy = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

test("a website endpoint serves anonymous visitors only what the bucket policy makes public", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "enforced-site" }));
  await s3().send(new PutObjectCommand({ Bucket: "enforced-site", Key: "index.html", Body: "<h1>hi</h1>", ContentType: "text/html" }));
  await s3().send(
    new PutBucketWebsiteCommand({ Bucket: "enforced-site", WebsiteConfiguration: { IndexDocument: { Suffix: "index.html" } } }),
  );
  const browse = () =>
    rawRequest(server.endpoint, "GET", "/", { headers: { Host: `enforced-site.s3-website.us-east-1.localhost:${port()}` } });
  assert.equal((await browse()).status, 403);
  await s3().send(new DeletePublicAccessBlockCommand({ Bucket: "enforced-site" }));
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: "enforced-site",
      Policy: policy({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::enforced-site/*" }),
    }),
  );
  const page = await browse();
  assert.equal(page.status, 200);
  assert.equal(page.text, "<h1>hi</h1>");
});

test("a browser POST upload is authorized as its signer, and an anonymous one needs the bucket policy", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "enforced-post" }));
  const anonymous = new FormData();
  anonymous.append("key", "anon.txt");
  anonymous.append("file", new Blob(["x"]), "anon.txt");
  const refused = await fetch(`${server.endpoint}/enforced-post`, { method: "POST", body: anonymous });
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /<Code>AccessDenied<\/Code>/);
  // Signed with the default test keys: the account root, which may write its own bucket.
  const { url, fields } = await createPresignedPost(s3(), { Bucket: "enforced-post", Key: "signed.txt" });
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob(["signed"]), "signed.txt");
  const accepted = await fetch(url, { method: "POST", body: form });
  assert.equal(accepted.status, 204);
});

test("function URLs: NONE needs the function policy to allow everyone; AWS_IAM callers need lambda:InvokeFunctionUrl", async () => {
  const lambda = new LambdaClient(server.clientConfig());
  await createFunction(lambda, "url-open", { "index.js": "exports.handler = async () => ({ statusCode: 200, body: 'open' });" });
  const open = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "url-open", AuthType: "NONE" }));
  const call = (url: string, headers: Record<string, string> = {}) =>
    rawRequest(server.endpoint, "GET", "/", { headers: { host: new URL(url).host, ...headers } });
  assert.equal((await call(open.FunctionUrl as string)).status, 403);
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: "url-open",
      StatementId: "public-url",
      Action: "lambda:InvokeFunctionUrl",
      Principal: "*",
      FunctionUrlAuthType: "NONE",
    }),
  );
  const opened = await call(open.FunctionUrl as string);
  assert.equal(opened.status, 200);
  assert.equal(opened.text, "open");

  await createFunction(lambda, "url-iam", { "index.js": "exports.handler = async () => ({ statusCode: 200, body: 'iam' });" });
  const guarded = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "url-iam", AuthType: "AWS_IAM" }));
  const iam = new IAMClient(server.clientConfig());
  await iam.send(new CreateUserCommand({ UserName: "url-caller" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "url-caller" }));
  const signedGet = async () => {
    const host = new URL(guarded.FunctionUrl as string).host;
    const signer = new SignatureV4({
      credentials: { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string },
      region: "us-east-1",
      service: "lambda",
      sha256: Hash.bind(null, "sha256") as unknown as new (secret?: SourceData) => never,
    });
    const request = await signer.sign(
      new HttpRequest({
        method: "GET",
        protocol: "http:",
        hostname: host.split(":")[0],
        port: Number(port()),
        path: "/",
        headers: { host },
      }),
    );
    return call(guarded.FunctionUrl as string, request.headers as Record<string, string>);
  };
  assert.equal((await signedGet()).status, 403);
  await iam.send(
    new PutUserPolicyCommand({
      UserName: "url-caller",
      PolicyName: "invoke-url",
      PolicyDocument: policy({
        Effect: "Allow",
        Action: "lambda:InvokeFunctionUrl",
        Resource: "arn:aws:lambda:us-east-1:000000000000:function:url-iam",
      }),
    }),
  );
  const allowed = await signedGet();
  assert.equal(allowed.status, 200);
  assert.equal(allowed.text, "iam");
});
