import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startOvercast } from "../../src/index.js";
import { credentials } from "../helpers.js";
import { tempDir } from "../state/fixtures.js";

test("IAM users, keys and STS sessions survive a restart with a data directory", async (t) => {
  const dataDir = tempDir(t);
  const config = (endpoint: string, keys = credentials) => ({ endpoint, region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  const iam = new IAMClient(config(first.endpoint));
  await iam.send(new CreateUserCommand({ UserName: "durable" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "durable" }));
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:user/durable" }, Action: "sts:AssumeRole" }],
  });
  await iam.send(new CreateRoleCommand({ RoleName: "durable-role", AssumeRolePolicyDocument: trust }));
  const keys = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
  const { Credentials } = await new STSClient(config(first.endpoint, keys)).send(
    new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/durable-role", RoleSessionName: "kept" }),
  );
  await first.stop();

  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const asUser = await new STSClient(config(second.endpoint, keys)).send(new GetCallerIdentityCommand({}));
  assert.equal(asUser.Arn, "arn:aws:iam::000000000000:user/durable");
  const session = {
    accessKeyId: Credentials?.AccessKeyId as string,
    secretAccessKey: Credentials?.SecretAccessKey as string,
    sessionToken: Credentials?.SessionToken,
  };
  const asRole = await new STSClient(config(second.endpoint, session)).send(new GetCallerIdentityCommand({}));
  assert.equal(asRole.Arn, "arn:aws:sts::000000000000:assumed-role/durable-role/kept");
});
