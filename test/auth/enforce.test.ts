import assert from "node:assert/strict";
import { test } from "node:test";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer({ enforceSignatures: true });
const wrong = { accessKeyId: "test", secretAccessKey: "not-the-secret" };

test("correctly signed requests pass in every protocol", async () => {
  const config = server.clientConfig();
  await new SQSClient(config).send(new CreateQueueCommand({ QueueName: "signed" }));
  const identity = await new STSClient(config).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Account, "000000000000");
  await new S3Client({ ...config, forcePathStyle: true }).send(new ListBucketsCommand({}));
  await new LambdaClient(config).send(new ListFunctionsCommand({}));
});

test("a wrong secret is refused in each protocol's own terms", async () => {
  const config = { ...server.clientConfig(), credentials: wrong };
  const json = await rejectsWith(new SQSClient(config).send(new ListQueuesCommand({})), "InvalidSignatureException", 403);
  assert.match(json.message, /^The request signature we calculated does not match the signature you provided/);
  await rejectsWith(new STSClient(config).send(new GetCallerIdentityCommand({})), "SignatureDoesNotMatch", 403);
  await rejectsWith(new S3Client({ ...config, forcePathStyle: true }).send(new ListBucketsCommand({})), "SignatureDoesNotMatch", 403);
  await rejectsWith(new LambdaClient(config).send(new ListFunctionsCommand({})), "InvalidSignatureException", 403);
});

test("a request signed too long ago is refused", async () => {
  const skewed = { ...server.clientConfig(), systemClockOffset: -20 * 60 * 1000 };
  const err = await rejectsWith(
    new STSClient({ ...skewed, maxAttempts: 1 }).send(new GetCallerIdentityCommand({})),
    "SignatureDoesNotMatch",
    403,
  );
  assert.match(err.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/);
});

test("presigned URLs verify, and expire", async () => {
  const s3 = new S3Client({ ...server.clientConfig(), forcePathStyle: true });
  const url = await getSignedUrl(s3, new ListBucketsCommand({}), { expiresIn: 60 });
  assert.equal((await fetch(url)).status, 200);
  const tampered = url.replace(/X-Amz-Expires=60/, "X-Amz-Expires=61");
  assert.equal((await fetch(tampered)).status, 403);
  const expired = await getSignedUrl(s3, new ListBucketsCommand({}), { expiresIn: 1, signingDate: new Date(Date.now() - 10_000) });
  const res = await fetch(expired);
  assert.equal(res.status, 403);
  const body = await res.text();
  assert.match(body, /<Code>AccessDenied<\/Code>/);
  assert.match(body, /<Message>Request has expired<\/Message>/);
});

test("unsigned requests need a token, except for S3 (anonymous access)", async () => {
  const res = await fetch(server.endpoint, {
    method: "POST",
    headers: { "x-amz-target": "AmazonSQS.ListQueues", "content-type": "application/x-amz-json-1.0" },
    body: "{}",
  });
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as { __type: string }).__type.split("#").pop(), "MissingAuthenticationTokenException");
  // fetch() cannot set Host; STS is named by its host name here, as an unsigned request carries no scope.
  const query = await rawRequest(server.endpoint, "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", {
    headers: { host: "sts.us-east-1.amazonaws.com" },
  });
  assert.equal(query.status, 403);
  assert.match(query.text, /<Code>MissingAuthenticationToken<\/Code>/);
});

test("garbage Authorization headers get each protocol's signature error, not a crash", async () => {
  const garbage = "AWS4-HMAC-SHA256 Credential=";
  const json = await fetch(server.endpoint, {
    method: "POST",
    headers: { "x-amz-target": "AmazonSQS.ListQueues", "content-type": "application/x-amz-json-1.0", authorization: garbage },
    body: "{}",
  });
  assert.ok(json.status === 400 || json.status === 403, `status ${json.status}`);
  assert.match(((await json.json()) as { __type: string }).__type, /IncompleteSignatureException|InvalidSignatureException/);
  const s3 = await fetch(`${server.endpoint}/`, { headers: { authorization: garbage, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
  assert.equal(s3.status, 400);
  assert.match(await s3.text(), /<Code>AuthorizationHeaderMalformed<\/Code>/);
});
