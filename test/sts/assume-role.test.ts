import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  AssumeRoleCommand,
  GetAccessKeyInfoCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { iamCredentials } from "../../src/iam/credentials.js";
import { stsSessions } from "../../src/iam/records.js";
import { MemoryBackend } from "../../src/state/store.js";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const iam = (accessKeyId = "test") => new IAMClient({ ...server.clientConfig(), credentials: { accessKeyId, secretAccessKey: "test" } });
const doc = (statement: object | object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statement });
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const sts = (credentials?: Keys) => new STSClient(credentials ? { ...server.clientConfig(), credentials } : server.clientConfig());

/** A user of the default account with an access key and, optionally, an identity policy. */
async function userWithKey(name: string, policy?: object): Promise<Keys> {
  await iam().send(new CreateUserCommand({ UserName: name }));
  if (policy) await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: doc(policy) }));
  const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
}

const ALLOW_ASSUME = { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" };

test("AssumeRole checks the trust policy's principal and sts:ExternalId, and returns working ASIA keys", async () => {
  const keys = await userWithKey("deployer", ALLOW_ASSUME);
  const trust = doc({
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::000000000000:user/deployer" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": "secret-123" } },
  });
  const { Role } = await iam().send(new CreateRoleCommand({ RoleName: "deploy", AssumeRolePolicyDocument: trust }));
  const denied = await rejectsWith(
    sts(keys).send(new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: "s1" })),
    "AccessDenied",
    403,
  );
  assert.equal(
    denied.message,
    "User: arn:aws:iam::000000000000:user/deployer is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/deploy",
  );
  const wrongId = sts(keys).send(new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: "s1", ExternalId: "other" }));
  await rejectsWith(wrongId, "AccessDenied", 403);
  const before = Date.now();
  const assumed = await sts(keys).send(
    new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: "s1", ExternalId: "secret-123", DurationSeconds: 900 }),
  );
  assert.match(assumed.Credentials?.AccessKeyId ?? "", /^ASIA[A-Z2-7]{16}$/);
  assert.ok(assumed.Credentials?.SessionToken);
  const expires = assumed.Credentials?.Expiration?.getTime() ?? 0;
  assert.ok(expires >= before + 899_000 && expires <= Date.now() + 901_000);
  assert.equal(assumed.AssumedRoleUser?.Arn, "arn:aws:sts::000000000000:assumed-role/deploy/s1");
  assert.equal(assumed.AssumedRoleUser?.AssumedRoleId, `${Role?.RoleId}:s1`);

  const session = {
    accessKeyId: assumed.Credentials?.AccessKeyId as string,
    secretAccessKey: assumed.Credentials?.SecretAccessKey as string,
    sessionToken: assumed.Credentials?.SessionToken,
  };
  const identity = await sts(session).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, "arn:aws:sts::000000000000:assumed-role/deploy/s1");
  assert.equal(identity.UserId, `${Role?.RoleId}:s1`);
  assert.equal(identity.Account, "000000000000");
  // The session is not trusted by its own role; a role that trusts the role (not the user) accepts it, for up to an hour.
  await rejectsWith(sts(session).send(new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: "s2" })), "AccessDenied", 403);
  const next = await iam().send(
    new CreateRoleCommand({
      RoleName: "next",
      MaxSessionDuration: 43200,
      AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: Role?.Arn }, Action: "sts:AssumeRole" }),
    }),
  );
  const hop = await sts(session).send(new AssumeRoleCommand({ RoleArn: next.Role?.Arn, RoleSessionName: "hop" }));
  assert.equal(hop.AssumedRoleUser?.Arn, "arn:aws:sts::000000000000:assumed-role/next/hop");
  const chained = await rejectsWith(
    sts(session).send(new AssumeRoleCommand({ RoleArn: next.Role?.Arn, RoleSessionName: "s2", DurationSeconds: 7200 })),
    "ValidationError",
    400,
  );
  assert.equal(chained.message, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  await rejectsWith(sts(session).send(new GetSessionTokenCommand({})), "AccessDenied", 403);
});

test("a trust policy naming the account needs the caller's identity policy; naming the user does not", async () => {
  const withoutPolicy = await userWithKey("plain");
  const withPolicy = await userWithKey("allowed", ALLOW_ASSUME);
  await iam().send(
    new CreateRoleCommand({
      RoleName: "account-trust",
      AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: "000000000000" }, Action: "sts:AssumeRole" }),
    }),
  );
  const arn = "arn:aws:iam::000000000000:role/account-trust";
  await rejectsWith(sts(withoutPolicy).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "x1" })), "AccessDenied", 403);
  const ok = await sts(withPolicy).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "x2" }));
  assert.ok(ok.Credentials?.AccessKeyId);

  await iam().send(
    new CreateRoleCommand({
      RoleName: "user-trust",
      AssumeRolePolicyDocument: doc({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::000000000000:user/plain" },
        Action: "sts:AssumeRole",
      }),
    }),
  );
  const direct = await sts(withoutPolicy).send(
    new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/user-trust", RoleSessionName: "x3" }),
  );
  assert.ok(direct.Credentials?.AccessKeyId);
  const denyAll = await userWithKey("denied", [ALLOW_ASSUME, { Effect: "Deny", Action: "sts:*", Resource: "*" }]);
  await rejectsWith(sts(denyAll).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "x4" })), "AccessDenied", 403);
});

test("cross-account AssumeRole needs both the trust policy and the caller's identity policy", async () => {
  const other = iam("111111111111");
  await other.send(
    new CreateRoleCommand({
      RoleName: "partner",
      AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }),
    }),
  );
  await other.send(
    new CreateRoleCommand({
      RoleName: "closed",
      AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "sts:AssumeRole" }),
    }),
  );
  const keys = await userWithKey("traveller", ALLOW_ASSUME);
  const { AssumedRoleUser } = await sts(keys).send(
    new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111111111111:role/partner", RoleSessionName: "trip" }),
  );
  assert.equal(AssumedRoleUser?.Arn, "arn:aws:sts::111111111111:assumed-role/partner/trip");
  await rejectsWith(
    sts(keys).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111111111111:role/closed", RoleSessionName: "trip" })),
    "AccessDenied",
    403,
  );
  const stranger = await userWithKey("stranger");
  await rejectsWith(
    sts(stranger).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111111111111:role/partner", RoleSessionName: "trip" })),
    "AccessDenied",
    403,
  );
});

test("AssumeRole input rules: duration limits, session names, session policies, missing roles", async () => {
  await iam().send(
    new CreateRoleCommand({
      RoleName: "limits",
      AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: "000000000000" }, Action: "sts:AssumeRole" }),
    }),
  );
  const arn = "arn:aws:iam::000000000000:role/limits";
  const tooLong = await rejectsWith(
    sts().send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "s", DurationSeconds: 7200 })),
    "ValidationError",
    400,
  );
  assert.match(tooLong.message, /RoleSessionName|roleSessionName/);
  const over = await rejectsWith(
    sts().send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "ok", DurationSeconds: 7200 })),
    "ValidationError",
    400,
  );
  assert.equal(over.message, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  const under = await rejectsWith(
    sts().send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "ok", DurationSeconds: 60 })),
    "ValidationError",
    400,
  );
  assert.equal(
    under.message,
    "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
  );
  await rejectsWith(sts().send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "bad name" })), "ValidationError", 400);
  const malformed = await rejectsWith(
    sts().send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "ok", Policy: doc({ Effect: "Allow", Action: "s3:*" }) })),
    "MalformedPolicyDocumentException",
    400,
  );
  assert.equal(malformed.message, "Policy statement must contain resources.");
  const packed = await sts().send(
    new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "ok", Policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) }),
  );
  assert.ok((packed.PackedPolicySize ?? 0) > 0 && (packed.PackedPolicySize ?? 0) < 100);
  const missing = await rejectsWith(
    sts().send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/ghost", RoleSessionName: "ok" })),
    "AccessDenied",
    403,
  );
  assert.equal(
    missing.message,
    "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/ghost",
  );
});

test("GetSessionToken returns temporary keys of the same user; GetAccessKeyInfo names the account", async () => {
  const keys = await userWithKey("sessioned");
  const { Credentials } = await sts(keys).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
  assert.match(Credentials?.AccessKeyId ?? "", /^ASIA/);
  const identity = await sts({
    accessKeyId: Credentials?.AccessKeyId as string,
    secretAccessKey: Credentials?.SecretAccessKey as string,
    sessionToken: Credentials?.SessionToken,
  }).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, "arn:aws:iam::000000000000:user/sessioned");
  await rejectsWith(sts(keys).send(new GetSessionTokenCommand({ DurationSeconds: 200000 })), "ValidationError", 400);
  const info = await sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: keys.accessKeyId }));
  assert.equal(info.Account, "000000000000");
  const other = await iam("111111111111").send(new CreateUserCommand({ UserName: "far" }));
  assert.ok(other.User);
  const { AccessKey } = await iam("111111111111").send(new CreateAccessKeyCommand({ UserName: "far" }));
  assert.equal((await sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: AccessKey?.AccessKeyId }))).Account, "111111111111");
});

test("the credential resolver: session keys until they expire, IAM keys, then the default mapping", () => {
  const state = new MemoryBackend();
  let now = 1_000_000;
  const resolve = iamCredentials(state, () => now);
  const principal = {
    type: "assumed-role" as const,
    account: "123456789012",
    arn: "arn:aws:sts::123456789012:assumed-role/r/s",
    userId: "AROAX:s",
  };
  stsSessions(state, "123456789012").set("ASIAEXAMPLEEXAMPLE12", {
    AccessKeyId: "ASIAEXAMPLEEXAMPLE12",
    SecretAccessKey: "secret",
    SessionToken: "token",
    Expiration: now + 1000,
    principal,
  });
  assert.deepEqual(resolve("ASIAEXAMPLEEXAMPLE12"), { principal, secretAccessKey: "secret" });
  now += 1000;
  assert.throws(
    () => resolve("ASIAEXAMPLEEXAMPLE12"),
    (err: Error & { code?: string; status?: number }) => {
      assert.equal(err.code, "ExpiredToken");
      assert.equal(err.status, 403);
      assert.equal(err.message, "The security token included in the request is expired");
      return true;
    },
  );
  assert.equal(resolve("123456789012")?.principal.arn, "arn:aws:iam::123456789012:root");
  assert.equal(resolve("AKIAUNKNOWNUNKNOWN12")?.principal.arn, "arn:aws:iam::000000000000:root");
  assert.equal(resolve("test")?.secretAccessKey, "test");
});
