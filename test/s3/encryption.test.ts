import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { test } from "node:test";
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetObjectAttributesCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const kms = () => new KMSClient(server.clientConfig());

async function bucket(name: string): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

const customerKey = () => randomBytes(32);
const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("base64");

test("every object is SSE-S3 by default: PUT, GET and HEAD answer x-amz-server-side-encryption: AES256", async () => {
  const b = await bucket("sse-default");
  const put = await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  assert.equal(put.ServerSideEncryption, "AES256");
  const get = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(get.ServerSideEncryption, "AES256");
  assert.equal(await get.Body?.transformToString(), "x");
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(head.ServerSideEncryption, "AES256");
  await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ServerSideEncryption: "rot13" as "AES256" })),
    "InvalidArgument",
    400,
  );
  await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ServerSideEncryption: "AES256", SSEKMSKeyId: "alias/x" })),
    "InvalidArgument",
    400,
  );
});

test("GetBucketEncryption reports the SSE-S3 default; Put replaces it, Delete restores it; bad rules are refused", async () => {
  const b = await bucket("sse-bucket-config");
  const initial = await s3().send(new GetBucketEncryptionCommand({ Bucket: b }));
  assert.deepEqual(initial.ServerSideEncryptionConfiguration?.Rules, [
    { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false },
  ]);
  await s3().send(
    new PutBucketEncryptionCommand({
      Bucket: b,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BucketKeyEnabled: true }],
      },
    }),
  );
  const configured = await s3().send(new GetBucketEncryptionCommand({ Bucket: b }));
  assert.deepEqual(configured.ServerSideEncryptionConfiguration?.Rules, [
    { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BucketKeyEnabled: true },
  ]);
  // New objects take the bucket's default: SSE-KMS under the aws/s3 managed key, with a bucket key.
  const put = await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
  assert.equal(put.ServerSideEncryption, "aws:kms");
  assert.match(put.SSEKMSKeyId ?? "", /^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/);
  assert.equal(put.BucketKeyEnabled, true);
  const managed = await kms().send(new DescribeKeyCommand({ KeyId: "alias/aws/s3" }));
  assert.equal(managed.KeyMetadata?.Arn, put.SSEKMSKeyId);
  assert.equal(managed.KeyMetadata?.KeyManager, "AWS");
  await s3().send(new DeleteBucketEncryptionCommand({ Bucket: b }));
  const reset = await s3().send(new GetBucketEncryptionCommand({ Bucket: b }));
  assert.equal(reset.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm, "AES256");
  await rejectsWith(
    s3().send(
      new PutBucketEncryptionCommand({
        Bucket: b,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256", KMSMasterKeyID: "k" } }],
        },
      }),
    ),
    "InvalidArgument",
    400,
  );
  const bad = await rawRequest(server.endpoint, "PUT", `/${b}?encryption`, {
    body: '<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>DES</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>',
  });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /<Code>MalformedXML<\/Code>/);
});

test("SSE-KMS stores the key's ARN and echoes it; the default aws/s3 key is created on first use", async () => {
  const b = await bucket("sse-kms");
  const key = await kms().send(new CreateKeyCommand({}));
  await kms().send(new CreateAliasCommand({ AliasName: "alias/s3-test", TargetKeyId: key.KeyMetadata?.KeyId }));
  const context = Buffer.from(JSON.stringify({ project: "overcast" })).toString("base64");
  const put = await s3().send(
    new PutObjectCommand({
      Bucket: b,
      Key: "k",
      Body: "secret",
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "alias/s3-test",
      SSEKMSEncryptionContext: context,
    }),
  );
  assert.equal(put.ServerSideEncryption, "aws:kms");
  assert.equal(put.SSEKMSKeyId, key.KeyMetadata?.Arn);
  const echoed = JSON.parse(Buffer.from(put.SSEKMSEncryptionContext ?? "", "base64").toString());
  assert.equal(echoed.project, "overcast");
  assert.equal(echoed["aws:s3:arn"], `arn:aws:s3:::${b}/k`);
  const get = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(get.ServerSideEncryption, "aws:kms");
  assert.equal(get.SSEKMSKeyId, key.KeyMetadata?.Arn);
  assert.equal(await get.Body?.transformToString(), "secret");
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(head.SSEKMSKeyId, key.KeyMetadata?.Arn);
  const dsse = await s3().send(new PutObjectCommand({ Bucket: b, Key: "d", Body: "x", ServerSideEncryption: "aws:kms:dsse" }));
  assert.equal(dsse.ServerSideEncryption, "aws:kms:dsse");
  assert.match(dsse.SSEKMSKeyId ?? "", /:key\//);
  // Copies take the requested encryption, not the source's.
  const copy = await s3().send(new CopyObjectCommand({ Bucket: b, Key: "copy", CopySource: `${b}/k` }));
  assert.equal(copy.ServerSideEncryption, "AES256");
  assert.equal(copy.SSEKMSKeyId, undefined);
  const rekeyed = await s3().send(
    new CopyObjectCommand({
      Bucket: b,
      Key: "k",
      CopySource: `${b}/k`,
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: key.KeyMetadata?.KeyId,
    }),
  );
  assert.equal(rekeyed.SSEKMSKeyId, key.KeyMetadata?.Arn);
});

test("SSE-KMS with a missing or disabled key fails as S3 reports KMS errors", async () => {
  const b = await bucket("sse-kms-errors");
  await rejectsWith(
    s3().send(
      new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/does-not-exist" }),
    ),
    "KMS.NotFoundException",
    400,
  );
  const key = await kms().send(new CreateKeyCommand({}));
  const keyId = key.KeyMetadata?.KeyId as string;
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyId }));
  await kms().send(new DisableKeyCommand({ KeyId: keyId }));
  await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k2", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyId })),
    "KMS.DisabledException",
    400,
  );
  // Reading needs the key too.
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "k" })), "KMS.DisabledException", 400);
  await rejectsWith(
    s3().send(
      new PutObjectCommand({ Bucket: b, Key: "k3", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSEncryptionContext: "not json" }),
    ),
    "InvalidArgument",
    400,
  );
});

test("SSE-C: the customer key is needed on every read, a wrong one is refused, only its MD5 is echoed", async () => {
  const b = await bucket("sse-c");
  const key = customerKey();
  const sse = { SSECustomerAlgorithm: "AES256", SSECustomerKey: key.toString("base64") };
  const put = await s3().send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "private", ...sse }));
  assert.equal(put.SSECustomerAlgorithm, "AES256");
  assert.equal(put.SSECustomerKeyMD5, md5(key));
  assert.equal(put.ServerSideEncryption, undefined);
  const get = await s3().send(new GetObjectCommand({ Bucket: b, Key: "k", ...sse }));
  assert.equal(await get.Body?.transformToString(), "private");
  assert.equal(get.SSECustomerKeyMD5, md5(key));
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "k", ...sse }));
  assert.equal(head.SSECustomerAlgorithm, "AES256");
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "k" })), "InvalidRequest", 400);
  await rejectsWith(
    s3().send(new GetObjectAttributesCommand({ Bucket: b, Key: "k", ObjectAttributes: ["ObjectSize"] })),
    "InvalidRequest",
    400,
  );
  const attributes = await s3().send(new GetObjectAttributesCommand({ Bucket: b, Key: "k", ObjectAttributes: ["ObjectSize"], ...sse }));
  assert.equal(attributes.ObjectSize, 7);
  await rejectsWith(
    s3().send(
      new GetObjectCommand({ Bucket: b, Key: "k", SSECustomerAlgorithm: "AES256", SSECustomerKey: customerKey().toString("base64") }),
    ),
    "AccessDenied",
    403,
  );
  // The raw response never carries the key.
  const raw = await rawRequest(server.endpoint, "GET", `/${b}/k`, {
    headers: {
      "x-amz-server-side-encryption-customer-algorithm": "AES256",
      "x-amz-server-side-encryption-customer-key": key.toString("base64"),
      "x-amz-server-side-encryption-customer-key-md5": md5(key),
    },
  });
  assert.equal(raw.status, 200);
  assert.equal(raw.headers["x-amz-server-side-encryption-customer-key-md5"], md5(key));
  assert.equal(raw.headers["x-amz-server-side-encryption-customer-key"], undefined);
  const wrongMd5 = await rawRequest(server.endpoint, "GET", `/${b}/k`, {
    headers: {
      "x-amz-server-side-encryption-customer-algorithm": "AES256",
      "x-amz-server-side-encryption-customer-key": key.toString("base64"),
      "x-amz-server-side-encryption-customer-key-md5": md5(customerKey()),
    },
  });
  assert.equal(wrongMd5.status, 400);
  assert.match(wrongMd5.text, /<Code>InvalidArgument<\/Code>/);
  await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k2", Body: "x", SSECustomerAlgorithm: "AES256", SSECustomerKey: "c2hvcnQ=" })),
    "InvalidArgument",
    400,
  );
  await rejectsWith(
    s3().send(new PutObjectCommand({ Bucket: b, Key: "k2", Body: "x", ...sse, SSECustomerAlgorithm: "DES" })),
    "InvalidEncryptionAlgorithmError",
    400,
  );
  // Customer keys on an object stored without one are refused.
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "plain", Body: "x" }));
  await rejectsWith(s3().send(new GetObjectCommand({ Bucket: b, Key: "plain", ...sse })), "InvalidRequest", 400);
});

test("SSE-C copy sources need the source key; multipart parts need the upload's key", async () => {
  const b = await bucket("sse-c-copy");
  const key = customerKey();
  const sse = { SSECustomerAlgorithm: "AES256", SSECustomerKey: key.toString("base64") };
  await s3().send(new PutObjectCommand({ Bucket: b, Key: "src", Body: "data", ...sse }));
  await rejectsWith(s3().send(new CopyObjectCommand({ Bucket: b, Key: "dst", CopySource: `${b}/src` })), "InvalidRequest", 400);
  const copy = await s3().send(
    new CopyObjectCommand({
      Bucket: b,
      Key: "dst",
      CopySource: `${b}/src`,
      CopySourceSSECustomerAlgorithm: "AES256",
      CopySourceSSECustomerKey: key.toString("base64"),
    }),
  );
  assert.equal(copy.ServerSideEncryption, "AES256");
  assert.equal(await (await s3().send(new GetObjectCommand({ Bucket: b, Key: "dst" }))).Body?.transformToString(), "data");

  const upload = await s3().send(new CreateMultipartUploadCommand({ Bucket: b, Key: "big", ...sse }));
  assert.equal(upload.SSECustomerKeyMD5, md5(key));
  await rejectsWith(
    s3().send(new UploadPartCommand({ Bucket: b, Key: "big", UploadId: upload.UploadId, PartNumber: 1, Body: "x" })),
    "InvalidRequest",
    400,
  );
  await rejectsWith(
    s3().send(
      new UploadPartCommand({
        Bucket: b,
        Key: "big",
        UploadId: upload.UploadId,
        PartNumber: 1,
        Body: "x",
        SSECustomerAlgorithm: "AES256",
        SSECustomerKey: customerKey().toString("base64"),
      }),
    ),
    "InvalidRequest",
    400,
  );
  const part = await s3().send(
    new UploadPartCommand({ Bucket: b, Key: "big", UploadId: upload.UploadId, PartNumber: 1, Body: "part", ...sse }),
  );
  assert.equal(part.SSECustomerKeyMD5, md5(key));
  const done = await s3().send(
    new CompleteMultipartUploadCommand({
      Bucket: b,
      Key: "big",
      UploadId: upload.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  assert.equal(done.ServerSideEncryption, undefined);
  // The completed object is SSE-C too: HEAD without the key is a 400 (with no body).
  assert.equal((await rawRequest(server.endpoint, "HEAD", `/${b}/big`)).status, 400);
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "big", ...sse }));
  assert.equal(head.ContentLength, 4);
});

test("SSE-KMS multipart uploads keep the key from CreateMultipartUpload", async () => {
  const b = await bucket("sse-kms-mpu");
  const upload = await s3().send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k", ServerSideEncryption: "aws:kms" }));
  assert.equal(upload.ServerSideEncryption, "aws:kms");
  assert.match(upload.SSEKMSKeyId ?? "", /:key\//);
  const part = await s3().send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId: upload.UploadId, PartNumber: 1, Body: "abc" }));
  assert.equal(part.ServerSideEncryption, "aws:kms");
  const done = await s3().send(
    new CompleteMultipartUploadCommand({
      Bucket: b,
      Key: "k",
      UploadId: upload.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  assert.equal(done.ServerSideEncryption, "aws:kms");
  assert.equal(done.SSEKMSKeyId, upload.SSEKMSKeyId);
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "k" }));
  assert.equal(head.SSEKMSKeyId, upload.SSEKMSKeyId);
});
