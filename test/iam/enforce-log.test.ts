import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateBucketCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { optionsFromArgv, optionsFromEnv } from "../../src/config.js";
import { useServer } from "../helpers.js";

const server = useServer({ enforceIam: "log" });

test("--enforce-iam=log and OVERCAST_ENFORCE_IAM=log select log-only enforcement", () => {
  assert.equal(optionsFromArgv(["--enforce-iam=log"]).enforceIam, "log");
  assert.equal(optionsFromEnv({ OVERCAST_ENFORCE_IAM: "log" }).enforceIam, "log");
  assert.equal(optionsFromEnv({ OVERCAST_ENFORCE_IAM: "1" }).enforceIam, true);
  assert.equal(optionsFromArgv(["--enforce-iam"]).enforceIam, true);
});

test("log-only mode allows a request IAM would deny and logs it in one line", async () => {
  const iam = new IAMClient(server.clientConfig());
  await iam.send(new CreateUserCommand({ UserName: "logged" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "logged" }));
  const credentials = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
  const s3 = new S3Client({ ...server.clientConfig(), credentials, forcePathStyle: true });
  const lines: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "logged-bucket" }));
    await s3.send(new HeadBucketCommand({ Bucket: "logged-bucket" }));
  } finally {
    console.warn = original;
  }
  const denials = lines.filter((l) => l.includes("IAM would deny"));
  assert.equal(denials.length, 2, lines.join("\n"));
  assert.match(denials[1], /^\[overcast\] IAM would deny s3:ListBucket on arn:aws:s3:::logged-bucket to /);
  assert.match(
    denials[0],
    /^\[overcast\] IAM would deny s3:CreateBucket on arn:aws:s3:::logged-bucket to arn:aws:iam::000000000000:user\/logged \(User: .* because no identity-based policy allows the s3:CreateBucket action\)$/,
  );
  assert.doesNotMatch(denials[0], /\n/);
});
