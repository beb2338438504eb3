import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import {
  CreateBucketCommand,
  DeleteBucketWebsiteCommand,
  GetBucketWebsiteCommand,
  PutBucketCorsCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  S3Client,
  type WebsiteConfiguration,
} from "@aws-sdk/client-s3";
import { rawRequest, rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });
const run = promisify(execFile);

let counter = 0;
async function site(config: WebsiteConfiguration | undefined, files: Record<string, string | { body: string; redirect: string }> = {}) {
  const bucket = `site-${++counter}-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, file] of Object.entries(files)) {
    const body = typeof file === "string" ? file : file.body;
    const redirect = typeof file === "string" ? undefined : file.redirect;
    await s3().send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "text/html", WebsiteRedirectLocation: redirect }),
    );
  }
  if (config) await s3().send(new PutBucketWebsiteCommand({ Bucket: bucket, WebsiteConfiguration: config }));
  return bucket;
}

const port = () => new URL(server.endpoint).port;
/** Requests the bucket's website endpoint through the Host header, as a browser would after DNS. */
const browse = (bucket: string, path: string, method = "GET", host = `${bucket}.s3-website.us-east-1.localhost.localstack.cloud`) =>
  rawRequest(server.endpoint, method, path, { headers: { Host: `${host}:${port()}` } });

const SITE: WebsiteConfiguration = { IndexDocument: { Suffix: "index.html" }, ErrorDocument: { Key: "error.html" } };

test("PutBucketWebsite / GetBucketWebsite / DeleteBucketWebsite, NoSuchWebsiteConfiguration without one", async () => {
  const bucket = await site(SITE);
  const config = await s3().send(new GetBucketWebsiteCommand({ Bucket: bucket }));
  assert.deepEqual(config.IndexDocument, { Suffix: "index.html" });
  assert.deepEqual(config.ErrorDocument, { Key: "error.html" });
  await s3().send(new DeleteBucketWebsiteCommand({ Bucket: bucket }));
  const err = await rejectsWith(s3().send(new GetBucketWebsiteCommand({ Bucket: bucket })), "NoSuchWebsiteConfiguration", 404);
  assert.equal(err.message, "The specified bucket does not have a website configuration");
});

test("PutBucketWebsite validates index documents, redirects and routing rules", async () => {
  const bucket = await site(undefined);
  const put = (config: WebsiteConfiguration) => s3().send(new PutBucketWebsiteCommand({ Bucket: bucket, WebsiteConfiguration: config }));
  let err = await rejectsWith(put({ ErrorDocument: { Key: "e.html" } }), "InvalidArgument", 400);
  assert.equal(err.message, "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty");
  err = await rejectsWith(put({ IndexDocument: { Suffix: "a/index.html" } }), "InvalidArgument", 400);
  assert.equal(err.message, "The IndexDocument Suffix is not well formed");
  err = await rejectsWith(
    put({ IndexDocument: { Suffix: "index.html" }, RedirectAllRequestsTo: { HostName: "example.com" } }),
    "InvalidArgument",
    400,
  );
  assert.equal(err.message, "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.");
  err = await rejectsWith(
    put({ IndexDocument: { Suffix: "index.html" }, RoutingRules: [{ Redirect: { ReplaceKeyWith: "a", ReplaceKeyPrefixWith: "b" } }] }),
    "InvalidArgument",
    400,
  );
  assert.equal(err.message, "You can only define ReplaceKeyPrefix or ReplaceKey but not both.");
  err = await rejectsWith(
    put({ IndexDocument: { Suffix: "index.html" }, RoutingRules: [{ Redirect: { HostName: "x.test", HttpRedirectCode: "200" } }] }),
    "InvalidArgument",
    400,
  );
  assert.match(err.message, /redirect code \(200\) is not valid/);
});

test("the website endpoint serves index documents, objects, folder redirects and HEAD", async () => {
  const bucket = await site(SITE, { "index.html": "<h1>home</h1>", "docs/index.html": "<h1>docs</h1>", "docs/page.html": "page" });
  const home = await browse(bucket, "/");
  assert.equal(home.status, 200);
  assert.equal(home.text, "<h1>home</h1>");
  assert.equal(home.headers["content-type"], "text/html");
  assert.match(String(home.headers.etag), /^"[0-9a-f]{32}"$/);
  assert.equal((await browse(bucket, "/docs/")).text, "<h1>docs</h1>");
  assert.equal((await browse(bucket, "/docs/page.html")).text, "page");
  // A folder named without its slash: S3 sends the browser to the folder.
  const folder = await browse(bucket, "/docs");
  assert.equal(folder.status, 302);
  assert.equal(folder.headers.location, "/docs/");
  const head = await browse(bucket, "/docs/page.html", "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.headers["content-length"], "4");
  assert.equal(head.text, "");
  // The other website host forms name the same bucket.
  assert.equal((await browse(bucket, "/", "GET", `${bucket}.s3-website-us-east-1.localhost`)).text, "<h1>home</h1>");
  assert.equal((await browse(bucket, "/", "GET", `${bucket}.s3-website.localhost.localstack.cloud`)).text, "<h1>home</h1>");
  const post = await browse(bucket, "/", "POST");
  assert.equal(post.status, 405);
});

test("website answers carry the bucket's CORS headers for a matching Origin", async () => {
  const bucket = await site(SITE, { "index.html": "home" });
  await s3().send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["https://app.example.com"], AllowedMethods: ["GET"] }] },
    }),
  );
  const host = `${bucket}.s3-website.us-east-1.localhost.localstack.cloud:${port()}`;
  const res = await rawRequest(server.endpoint, "GET", "/", { headers: { Host: host, Origin: "https://app.example.com" } });
  assert.equal(res.text, "home");
  assert.equal(res.headers["access-control-allow-origin"], "https://app.example.com");
  const pre = await rawRequest(server.endpoint, "OPTIONS", "/", {
    headers: { Host: host, Origin: "https://app.example.com", "Access-Control-Request-Method": "GET" },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers["access-control-allow-methods"], "GET");
});

test("missing keys get the error document with a 404; without one, S3's HTML error page", async () => {
  const withDoc = await site(SITE, { "index.html": "home", "error.html": "<p>custom error</p>" });
  const custom = await browse(withDoc, "/nope.html");
  assert.equal(custom.status, 404);
  assert.equal(custom.text, "<p>custom error</p>");
  assert.equal(custom.headers["content-type"], "text/html");

  const noDoc = await site({ IndexDocument: { Suffix: "index.html" } });
  const page = await browse(noDoc, "/missing.html");
  assert.equal(page.status, 404);
  assert.match(String(page.headers["content-type"]), /^text\/html/);
  assert.match(page.text, /<title>404 Not Found<\/title>/);
  assert.match(page.text, /<li>Code: NoSuchKey<\/li>/);
  assert.match(page.text, /<li>Message: The specified key does not exist.<\/li>/);
  assert.match(page.text, /<li>Key: missing.html<\/li>/);
  assert.match(page.text, /<li>RequestId: [0-9a-f-]+<\/li>/);

  // The error document itself missing: both errors are listed.
  const brokenDoc = await site(SITE);
  const both = await browse(brokenDoc, "/x");
  assert.equal(both.status, 404);
  assert.match(both.text, /An Error Occurred While Attempting to Retrieve a Custom Error Document/);
  assert.match(both.text, /<li>Key: error.html<\/li>/);
});

test("routing rules: key-prefix and error-code conditions, replacement keys, host, protocol and redirect code", async () => {
  const bucket = await site(
    {
      IndexDocument: { Suffix: "index.html" },
      RoutingRules: [
        { Condition: { KeyPrefixEquals: "docs/" }, Redirect: { ReplaceKeyPrefixWith: "documents/" } },
        {
          Condition: { HttpErrorCodeReturnedEquals: "404", KeyPrefixEquals: "images/" },
          Redirect: { HostName: "cdn.example.com", Protocol: "https", ReplaceKeyWith: "missing.png", HttpRedirectCode: "302" },
        },
      ],
    },
    { "images/logo.png": "png" },
  );
  const docs = await browse(bucket, "/docs/guide/intro.html");
  assert.equal(docs.status, 301);
  assert.equal(
    docs.headers.location,
    `http://${bucket}.s3-website.us-east-1.localhost.localstack.cloud:${port()}/documents/guide/intro.html`,
  );
  // The error-code rule only acts when the object is missing.
  assert.equal((await browse(bucket, "/images/logo.png")).text, "png");
  const missing = await browse(bucket, "/images/other.png");
  assert.equal(missing.status, 302);
  assert.equal(missing.headers.location, "https://cdn.example.com/missing.png");
});

test("RedirectAllRequestsTo, object redirect locations, and buckets without a website", async () => {
  const all = await site({ RedirectAllRequestsTo: { HostName: "www.example.com", Protocol: "https" } });
  const moved = await browse(all, "/a/b.html");
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.location, "https://www.example.com/a/b.html");

  const bucket = await site(SITE, { "old.html": { body: "old", redirect: "/new.html" }, "new.html": "new" });
  const redirected = await browse(bucket, "/old.html");
  assert.equal(redirected.status, 301);
  assert.equal(redirected.headers.location, "/new.html");

  const plain = await site(undefined, { "index.html": "home" });
  const none = await browse(plain, "/");
  assert.equal(none.status, 404);
  assert.match(none.text, /<li>Code: NoSuchWebsiteConfiguration<\/li>/);
  assert.match(none.text, /<li>BucketName: [^<]+<\/li>/);
  const nobucket = await browse("no-such-site-bucket", "/");
  assert.equal(nobucket.status, 404);
  assert.match(nobucket.text, /<li>Code: NoSuchBucket<\/li>/);
});

test("AWS CLI: aws s3 website configures the site the endpoint then serves", async () => {
  const bucket = await site(undefined, { "home.html": "cli home", "oops.html": "cli error" });
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
  };
  await run(
    "aws",
    [
      "s3",
      "website",
      `s3://${bucket}`,
      "--index-document",
      "home.html",
      "--error-document",
      "oops.html",
      "--endpoint-url",
      server.endpoint,
    ],
    {
      env,
    },
  );
  const config = await s3().send(new GetBucketWebsiteCommand({ Bucket: bucket }));
  assert.deepEqual(config.IndexDocument, { Suffix: "home.html" });
  assert.equal((await browse(bucket, "/")).text, "cli home");
  const missing = await browse(bucket, "/gone");
  assert.equal(missing.status, 404);
  assert.equal(missing.text, "cli error");
});
