import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { test } from "node:test";
import { promisify } from "node:util";
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const run = promisify(execFile);

async function bucket(name: string): Promise<string> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** Posts the form as a browser does: the fields in order, the file last. */
async function post(url: string, fields: Record<string, string>, file: string | Blob | undefined, filename = "upload.bin") {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file !== undefined) form.append("file", typeof file === "string" ? new Blob([file]) : file, filename);
  const res = await fetch(url, { method: "POST", body: form, redirect: "manual" });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const unescapeXml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const errorCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const errorMessage = (xml: string) => unescapeXml(/<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? "");

test("an SDK presigned POST uploads with its fields, metadata and a 201 PostResponse", async () => {
  const b = await bucket("post-basic");
  const { url, fields } = await createPresignedPost(s3(), {
    Bucket: b,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own literal ${filename} placeholder
    Key: "images/${filename}",
    Conditions: [
      ["content-length-range", 1, 100],
      ["starts-with", "$Content-Type", "image/"],
    ],
    Fields: { "Content-Type": "image/png", "x-amz-meta-owner": "bob", success_action_status: "201" },
    Expires: 60,
  });
  const tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>a b</Value></Tag></TagSet></Tagging>";
  const unsigned = await post(url, { ...fields, tagging }, "PNGDATA", "cat.png");
  assert.equal(unsigned.status, 403, "the tagging field needs a condition");
  const tagged = await createPresignedPost(s3(), { Bucket: b, Key: "tagged.txt", Fields: { tagging } });
  assert.equal((await post(tagged.url, tagged.fields, "t")).status, 204);
  const tags = await s3().send(new GetObjectTaggingCommand({ Bucket: b, Key: "tagged.txt" }));
  assert.deepEqual(tags.TagSet, [{ Key: "team", Value: "a b" }]);
  const res = await post(url, fields, "PNGDATA", "cat.png");
  assert.equal(res.status, 201, res.text);
  assert.match(res.text, /<PostResponse><Location>[^<]*\/post-basic\/images\/cat\.png<\/Location><Bucket>post-basic<\/Bucket>/);
  assert.match(res.text, /<Key>images\/cat\.png<\/Key><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag>/);
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "images/cat.png" }));
  assert.equal(await got.Body?.transformToString(), "PNGDATA");
  assert.equal(got.ContentType, "image/png");
  assert.deepEqual(got.Metadata, { owner: "bob" });
});

test("without success_action_status the answer is 204 with ETag and Location; 200 and redirects as asked", async () => {
  const b = await bucket("post-status");
  const plain = await createPresignedPost(s3(), { Bucket: b, Key: "a.txt" });
  const res = await post(plain.url, plain.fields, "hello");
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("etag"), '"5d41402abc4b2a76b9719d911017c592"');
  assert.match(res.headers.get("location") ?? "", /\/post-status\/a\.txt$/);
  assert.ok(res.headers.get("x-amz-request-id"));
  const large = randomBytes(6 * 1024 * 1024 + 7);
  const streamed = await createPresignedPost(s3(), { Bucket: b, Key: "large.bin" });
  const uploaded = await post(streamed.url, streamed.fields, new Blob([large]));
  assert.equal(uploaded.headers.get("etag"), `"${createHash("md5").update(large).digest("hex")}"`);
  const head = await s3().send(new HeadObjectCommand({ Bucket: b, Key: "large.bin" }));
  assert.equal(head.ContentLength, large.length);
  const ok = await createPresignedPost(s3(), { Bucket: b, Key: "b.txt", Fields: { success_action_status: "200" } });
  assert.equal((await post(ok.url, ok.fields, "x")).status, 200);
  const redirect = "https://example.com/done?x=1";
  const go = await createPresignedPost(s3(), { Bucket: b, Key: "c d.txt", Fields: { success_action_redirect: redirect } });
  const moved = await post(go.url, go.fields, "x");
  assert.equal(moved.status, 303);
  const location = new URL(moved.headers.get("location") ?? "");
  assert.equal(location.origin + location.pathname, "https://example.com/done");
  assert.equal(location.searchParams.get("bucket"), b);
  assert.equal(location.searchParams.get("key"), "c d.txt");
  assert.equal(location.searchParams.get("etag"), '"9dd4e461268c8034f5c8564e155c67a6"');
});

test("policy conditions are enforced with S3's errors, and nothing is stored", async () => {
  const b = await bucket("post-conditions");
  const typed = await createPresignedPost(s3(), {
    Bucket: b,
    Key: "doc.txt",
    Conditions: [["starts-with", "$Content-Type", "text/"]],
    Fields: { "Content-Type": "image/png" },
  });
  const wrongType = await post(typed.url, typed.fields, "x");
  assert.equal(wrongType.status, 403);
  assert.equal(errorCode(wrongType.text), "AccessDenied");
  assert.equal(
    errorMessage(wrongType.text),
    'Invalid according to Policy: Policy Condition failed: ["starts-with", "$content-type", "text/"]',
  );

  const simple = await createPresignedPost(s3(), { Bucket: b, Key: "doc.txt" });
  const changedKey = await post(simple.url, { ...simple.fields, key: "other.txt" }, "x");
  assert.equal(errorMessage(changedKey.text), 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "doc.txt"]');

  const extra = await post(simple.url, { ...simple.fields, "x-amz-meta-sneaky": "1" }, "x");
  assert.equal(extra.status, 403);
  assert.equal(errorMessage(extra.text), "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky");

  const sized = await createPresignedPost(s3(), { Bucket: b, Key: "sized.bin", Conditions: [["content-length-range", 5, 10]] });
  const large = await post(sized.url, sized.fields, "x".repeat(11));
  assert.equal(large.status, 400);
  assert.equal(errorCode(large.text), "EntityTooLarge");
  assert.match(large.text, /<MaxSizeAllowed>10<\/MaxSizeAllowed>/);
  const small = await post(sized.url, sized.fields, "abc");
  assert.equal(errorCode(small.text), "EntityTooSmall");
  assert.match(small.text, /<MinSizeAllowed>5<\/MinSizeAllowed>/);
  await rejectsWith(s3().send(new HeadObjectCommand({ Bucket: b, Key: "sized.bin" })), "NotFound", 404);
  assert.equal((await post(sized.url, sized.fields, "12345")).status, 204);

  const expired = await createPresignedPost(s3(), { Bucket: b, Key: "late.txt", Expires: -10 });
  const late = await post(expired.url, expired.fields, "x");
  assert.equal(late.status, 403);
  assert.equal(errorMessage(late.text), "Invalid according to Policy: Policy expired.");
});

test("malformed forms: missing key, missing file, bad policy, not multipart", async () => {
  const b = await bucket("post-malformed");
  const url = `${server.endpoint}/${b}`;
  const noKey = await post(url, {}, "x");
  assert.equal(noKey.status, 400);
  assert.equal(errorCode(noKey.text), "InvalidArgument");
  assert.equal(
    errorMessage(noKey.text),
    "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
  );
  const noFile = await post(url, { key: "k" }, undefined);
  assert.equal(errorMessage(noFile.text), "POST requires exactly one file upload per request.");
  const badPolicy = await post(url, { key: "k", policy: "bm90IGpzb24=" }, "x");
  assert.equal(errorCode(badPolicy.text), "InvalidPolicyDocument");
  assert.equal(errorMessage(badPolicy.text), "Invalid Policy: Invalid JSON.");
  const broken = await fetch(url, { method: "POST", headers: { "content-type": "multipart/form-data" }, body: "junk" });
  assert.equal(broken.status, 400);
  assert.equal(errorCode(await broken.text()), "MalformedPOSTRequest");
  const missingBucket = await post(`${server.endpoint}/post-no-such-bucket`, { key: "k" }, "x");
  assert.equal(missingBucket.status, 404);
  assert.equal(errorCode(missingBucket.text), "NoSuchBucket");
});

test("a POST upload emits s3:ObjectCreated:Post", async () => {
  const b = await bucket("post-events");
  const sqs = new SQSClient(server.clientConfig());
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "post-events" }));
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn as string;
  const Policy = JSON.stringify({
    Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: arn }],
  });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy } }));
  await s3().send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: b,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: arn, Events: ["s3:ObjectCreated:Post"] }] },
    }),
  );
  const form = await createPresignedPost(s3(), { Bucket: b, Key: "posted.txt" });
  assert.equal((await post(form.url, form.fields, "hi")).status, 204);
  const names: string[] = [];
  const deadline = Date.now() + 30_000;
  while (!names.includes("ObjectCreated:Post") && Date.now() < deadline) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of out.Messages ?? []) {
      for (const r of (JSON.parse(m.Body as string) as { Records?: { eventName: string; s3: { object: { size: number } } }[] }).Records ??
        []) {
        names.push(r.eventName);
        assert.equal(r.s3.object.size, 2);
      }
    }
  }
  assert.deepEqual(names, ["ObjectCreated:Post"]);
});

test("boto3's generate_presigned_post form uploads through a plain multipart request", async () => {
  const b = await bucket("post-boto3");
  const script = `
import boto3, json, os, urllib.request, uuid
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
p = s3.generate_presigned_post("${b}", "from-python/\${filename}", Conditions=[["content-length-range", 1, 1000]], ExpiresIn=60)
boundary = uuid.uuid4().hex
parts = []
for k, v in p["fields"].items():
    parts.append(("--%s\\r\\nContent-Disposition: form-data; name=\\"%s\\"\\r\\n\\r\\n%s\\r\\n" % (boundary, k, v)).encode())
parts.append(("--%s\\r\\nContent-Disposition: form-data; name=\\"file\\"; filename=\\"py.txt\\"\\r\\nContent-Type: text/plain\\r\\n\\r\\n" % boundary).encode() + b"from python\\r\\n")
parts.append(("--%s--\\r\\n" % boundary).encode())
req = urllib.request.Request(p["url"], data=b"".join(parts), method="POST", headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
with urllib.request.urlopen(req) as res:
    print(res.status)
`;
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ENDPOINT_URL: server.endpoint,
  };
  const { stdout } = await run("python3", ["-c", script], { env });
  assert.equal(stdout.trim(), "204");
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "from-python/py.txt" }));
  assert.equal(await got.Body?.transformToString(), "from python");
});

test("a POST to the virtual-hosted bucket host uploads too", async () => {
  const b = await bucket("post-vhost");
  const form = new FormData();
  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own literal ${filename} placeholder
  form.append("key", "v/${filename}");
  form.append("success_action_status", "201");
  form.append("file", new Blob(["virtual"]), "host.txt");
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  const port = new URL(server.endpoint).port;
  const res = await rawRequest(server.endpoint, "POST", "/", {
    headers: { host: `${b}.s3.localhost.localstack.cloud:${port}`, "content-type": encoded.headers.get("content-type") ?? "" },
    body,
  });
  assert.equal(res.status, 201, res.text);
  assert.match(res.text, new RegExp(`<Location>http://${b}\\.s3\\.localhost\\.localstack\\.cloud:${port}/v/host\\.txt</Location>`));
  const got = await s3().send(new GetObjectCommand({ Bucket: b, Key: "v/host.txt" }));
  assert.equal(await got.Body?.transformToString(), "virtual");
});
