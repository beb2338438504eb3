import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  ListRolesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { timeStep, totpCode } from "../../src/iam/totp.js";
import { rejectsWith, useServer } from "../helpers.js";

/** With --enforce-iam: policies that require MFA, satisfied only by sessions created with a real TOTP code. */
const server = useServer({ enforceIam: true });
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const config = (credentials?: Keys) => ({ ...server.clientConfig(), ...(credentials ? { credentials } : {}) });
const policy = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const code = (seed: string, offset = 0) => totpCode(seed, timeStep(Date.now()) + offset);
const sessionKeys = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Keys => ({
  accessKeyId: c?.AccessKeyId as string,
  secretAccessKey: c?.SecretAccessKey as string,
  sessionToken: c?.SessionToken,
});

/** A user whose policy allows listing users only with MFA (no older than an hour), and its enabled virtual device. */
async function mfaUser(name: string): Promise<{ keys: Keys; serial: string; seed: string }> {
  const iam = new IAMClient(config());
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: name,
      PolicyName: "mfa-only",
      PolicyDocument: policy(
        {
          Effect: "Allow",
          Action: ["iam:ListUsers", "sts:AssumeRole"],
          Resource: "*",
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        },
        { Effect: "Allow", Action: "iam:ListRoles", Resource: "*", Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } } },
      ),
    }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${name}-device` }));
  const seed = Buffer.from(VirtualMFADevice?.Base32StringSeed ?? []).toString("ascii");
  const serial = VirtualMFADevice?.SerialNumber as string;
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: name,
      SerialNumber: serial,
      AuthenticationCode1: code(seed, -2),
      AuthenticationCode2: code(seed, -1),
    }),
  );
  return { keys: { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string }, serial, seed };
}

test("an MFA-required action is denied with long-term keys and allowed with a session made with a real TOTP code", async () => {
  const { keys, serial, seed } = await mfaUser("operator");
  const denied = await rejectsWith(new IAMClient(config(keys)).send(new ListUsersCommand({})), "AccessDenied", 403);
  assert.match(denied.message, /^User: arn:aws:iam::000000000000:user\/operator is not authorized to perform: iam:ListUsers/);
  await rejectsWith(new IAMClient(config(keys)).send(new ListRolesCommand({})), "AccessDenied", 403);
  // A session without MFA does not satisfy the policy either.
  const plain = await new STSClient(config(keys)).send(new GetSessionTokenCommand({}));
  await rejectsWith(new IAMClient(config(sessionKeys(plain.Credentials))).send(new ListUsersCommand({})), "AccessDenied", 403);
  const wrong = new STSClient(config(keys)).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code(seed, 8) }));
  await rejectsWith(wrong, "AccessDenied", 403);
  const withMfa = await new STSClient(config(keys)).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code(seed, 0) }));
  const mfaClient = new IAMClient(config(sessionKeys(withMfa.Credentials)));
  const users = await mfaClient.send(new ListUsersCommand({}));
  assert.ok(users.Users?.some((u) => u.UserName === "operator"));
  // aws:MultiFactorAuthAge is present (seconds since the code was checked) and within the hour.
  await mfaClient.send(new ListRolesCommand({}));
});

test("a role whose trust policy requires MFA, assumed with a TOTP code under enforcement", async () => {
  const { keys, serial, seed } = await mfaUser("admin-candidate");
  const trust = policy({
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::000000000000:user/admin-candidate" },
    Action: "sts:AssumeRole",
    Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
  });
  const { Role } = await new IAMClient(config()).send(new CreateRoleCommand({ RoleName: "break-glass", AssumeRolePolicyDocument: trust }));
  const sts = new STSClient(config(keys));
  await rejectsWith(sts.send(new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: "no-mfa" })), "AccessDenied", 403);
  const assumed = await sts.send(
    new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: "with-mfa", SerialNumber: serial, TokenCode: code(seed, 0) }),
  );
  assert.equal(assumed.AssumedRoleUser?.Arn, "arn:aws:sts::000000000000:assumed-role/break-glass/with-mfa");
});
