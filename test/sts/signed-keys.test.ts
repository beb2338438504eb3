import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer({ enforceSignatures: true });

test("with --enforce-signatures, IAM keys and STS session keys sign with their own secrets", async () => {
  const iam = new IAMClient(server.clientConfig());
  await iam.send(new CreateUserCommand({ UserName: "signer" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "signer" }));
  const keys = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
  const sts = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new STSClient({ ...server.clientConfig(), credentials });
  assert.equal((await sts(keys).send(new GetCallerIdentityCommand({}))).Arn, "arn:aws:iam::000000000000:user/signer");
  await rejectsWith(sts({ ...keys, secretAccessKey: "test" }).send(new GetCallerIdentityCommand({})), "SignatureDoesNotMatch", 403);

  await iam.send(
    new CreateRoleCommand({
      RoleName: "signed-role",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:user/signer" }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
  const { Credentials } = await sts(keys).send(
    new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/signed-role", RoleSessionName: "sig" }),
  );
  const session = {
    accessKeyId: Credentials?.AccessKeyId as string,
    secretAccessKey: Credentials?.SecretAccessKey as string,
    sessionToken: Credentials?.SessionToken,
  };
  assert.equal((await sts(session).send(new GetCallerIdentityCommand({}))).Arn, "arn:aws:sts::000000000000:assumed-role/signed-role/sig");
  await rejectsWith(
    sts({ ...session, secretAccessKey: keys.secretAccessKey }).send(new GetCallerIdentityCommand({})),
    "SignatureDoesNotMatch",
    403,
  );
});
