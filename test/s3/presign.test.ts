import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { useServer } from "../helpers.js";

// The default mode: signatures are not verified, but a presigned URL's lifetime still is.
const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const run = promisify(execFile);
const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

test("SDK presigned PUT and GET URLs work within their lifetime", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "presign-sdk" }));
  const put = await getSignedUrl(s3(), new PutObjectCommand({ Bucket: "presign-sdk", Key: "dir/a b.txt" }), { expiresIn: 60 });
  const stored = await fetch(put, { method: "PUT", body: "presigned body" });
  assert.equal(stored.status, 200);
  const get = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: "presign-sdk", Key: "dir/a b.txt" }), { expiresIn: 60 });
  const res = await fetch(get);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "presigned body");
});

test("an expired presigned URL is refused with S3's AccessDenied and its times", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "presign-expired" }));
  await s3().send(new PutObjectCommand({ Bucket: "presign-expired", Key: "k", Body: "x" }));
  const signingDate = new Date(Date.now() - 120_000);
  const url = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: "presign-expired", Key: "k" }), { expiresIn: 60, signingDate });
  const res = await fetch(url);
  const body = await res.text();
  assert.equal(res.status, 403);
  assert.equal(field(body, "Code"), "AccessDenied");
  assert.equal(field(body, "Message"), "Request has expired");
  assert.equal(field(body, "X-Amz-Expires"), "60");
  assert.equal(
    field(body, "Expires"),
    new Date(Math.floor(signingDate.getTime() / 1000) * 1000 + 60_000).toISOString().replace(".000Z", "Z"),
  );
  assert.match(field(body, "ServerTime") ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(field(body, "RequestId"));
  // A PUT through an expired URL stores nothing.
  const put = await getSignedUrl(s3(), new PutObjectCommand({ Bucket: "presign-expired", Key: "k" }), { expiresIn: 1, signingDate });
  assert.equal((await fetch(put, { method: "PUT", body: "changed" })).status, 403);
  const still = await s3().send(new GetObjectCommand({ Bucket: "presign-expired", Key: "k" }));
  assert.equal(await still.Body?.transformToString(), "x");
});

test("X-Amz-Expires outside 1..604800 is an AuthorizationQueryParametersError", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "presign-range" }));
  const url = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: "presign-range", Key: "k" }), { expiresIn: 60 });
  const tooLong = await fetch(url.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"));
  const body = await tooLong.text();
  assert.equal(tooLong.status, 400);
  assert.equal(field(body, "Code"), "AuthorizationQueryParametersError");
  assert.equal(
    field(body, "Message"),
    "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
  );
  const negative = await fetch(url.replace("X-Amz-Expires=60", "X-Amz-Expires=-1"));
  assert.equal(field(await negative.text(), "Code"), "AuthorizationQueryParametersError");
  const zero = await fetch(url.replace("X-Amz-Expires=60", "X-Amz-Expires=0"));
  assert.equal(zero.status, 403);
  assert.equal(field(await zero.text(), "Message"), "Request has expired");
});

test("boto3 generate_presigned_url: PUT then GET, and an expired URL fails", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "presign-boto3" }));
  const script = `
import boto3, os, time, urllib.request, urllib.error
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
put = s3.generate_presigned_url("put_object", Params={"Bucket": "presign-boto3", "Key": "py.txt"}, ExpiresIn=60)
urllib.request.urlopen(urllib.request.Request(put, data=b"from boto3", method="PUT")).read()
get = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-boto3", "Key": "py.txt"}, ExpiresIn=60)
print(urllib.request.urlopen(get).read().decode())
short = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-boto3", "Key": "py.txt"}, ExpiresIn=1)
time.sleep(2.5)
try:
    urllib.request.urlopen(short)
    print("no error")
except urllib.error.HTTPError as e:
    print(e.code, "Request has expired" in e.read().decode())
`;
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ENDPOINT_URL: server.endpoint,
  };
  const { stdout } = await run("python3", ["-c", script], { env });
  assert.deepEqual(stdout.trim().split("\n"), ["from boto3", "403 True"]);
});
