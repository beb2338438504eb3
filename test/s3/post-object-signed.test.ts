import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { useServer } from "../helpers.js";

// With --enforce-signatures the policy's SigV4 signature must be made with the key's secret.
const server = useServer({ enforceSignatures: true });
const s3 = (secretAccessKey = "test") =>
  new S3Client({ ...server.clientConfig(), credentials: { accessKeyId: "test", secretAccessKey }, forcePathStyle: true });

async function post(url: string, fields: Record<string, string>, file: string) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([file]), "f.txt");
  const res = await fetch(url, { method: "POST", body: form });
  return { status: res.status, text: await res.text() };
}

test("a correctly signed POST policy uploads; a wrong secret or edited policy is SignatureDoesNotMatch", async () => {
  await s3().send(new CreateBucketCommand({ Bucket: "post-signed" }));
  const good = await createPresignedPost(s3(), { Bucket: "post-signed", Key: "ok.txt" });
  assert.equal((await post(good.url, good.fields, "signed")).status, 204);
  const got = await s3().send(new GetObjectCommand({ Bucket: "post-signed", Key: "ok.txt" }));
  assert.equal(await got.Body?.transformToString(), "signed");

  const forged = await createPresignedPost(s3("wrong-secret"), { Bucket: "post-signed", Key: "bad.txt" });
  const refused = await post(forged.url, forged.fields, "x");
  assert.equal(refused.status, 403);
  assert.match(refused.text, /<Code>SignatureDoesNotMatch<\/Code>/);
  assert.match(refused.text, new RegExp(`<StringToSign>${forged.fields.Policy}</StringToSign>`));

  const { Policy, ...rest } = good.fields;
  const edited = Buffer.from(Buffer.from(Policy, "base64").toString().replace("ok.txt", "ok2.txt")).toString("base64");
  const tampered = await post(good.url, { ...rest, Policy: edited, key: "ok2.txt" }, "x");
  assert.match(tampered.text, /<Code>SignatureDoesNotMatch<\/Code>/);

  const { "X-Amz-Signature": _signature, ...unsigned } = good.fields;
  const missing = await post(good.url, unsigned, "x");
  assert.equal(missing.status, 400);
  assert.match(missing.text, /Bucket POST must contain a field named &apos;x-amz-signature&apos;/);
});
