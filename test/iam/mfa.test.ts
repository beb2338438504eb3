import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  ListMFADevicesCommand,
  ListMFADeviceTagsCommand,
  ListVirtualMFADevicesCommand,
  PutUserPolicyCommand,
  ResyncMFADeviceCommand,
  TagMFADeviceCommand,
  UntagMFADeviceCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { base32Decode, base32Encode, timeStep, totpCode } from "../../src/iam/totp.js";
import { CLIENTS, runAws } from "../query/clients.js";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const iam = (credentials?: Keys) => new IAMClient(credentials ? { ...server.clientConfig(), credentials } : server.clientConfig());
const sts = (credentials?: Keys) => new STSClient(credentials ? { ...server.clientConfig(), credentials } : server.clientConfig());
const doc = (statement: object | object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statement });

/** The code of the current time step shifted by `offset` steps. */
const code = (seed: string, offset = 0) => totpCode(seed, timeStep(Date.now()) + offset);

async function newDevice(name: string): Promise<{ serial: string; seed: string; png: Uint8Array }> {
  const { VirtualMFADevice } = await iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
  const seed = Buffer.from(VirtualMFADevice?.Base32StringSeed ?? []).toString("ascii");
  return { serial: VirtualMFADevice?.SerialNumber as string, seed, png: VirtualMFADevice?.QRCodePNG ?? new Uint8Array() };
}

async function userWithKey(name: string, policy?: object): Promise<Keys> {
  await iam().send(new CreateUserCommand({ UserName: name }));
  if (policy) await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: doc(policy) }));
  const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
}

/** Enables with the codes of the two previous steps, so that the current and later steps remain usable for STS. */
async function enable(userName: string, serial: string, seed: string): Promise<void> {
  await iam().send(
    new EnableMFADeviceCommand({
      UserName: userName,
      SerialNumber: serial,
      AuthenticationCode1: code(seed, -2),
      AuthenticationCode2: code(seed, -1),
    }),
  );
}

test("TOTP matches RFC 6238's SHA-1 test vectors and Base32 round-trips", () => {
  const seed = base32Encode(Buffer.from("12345678901234567890"));
  assert.equal(seed, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  assert.equal(base32Decode(seed).toString(), "12345678901234567890");
  // RFC 6238 Appendix B (8-digit values; ours are their last 6 digits).
  assert.equal(totpCode(seed, Math.floor(59 / 30)), "287082");
  assert.equal(totpCode(seed, Math.floor(1111111109 / 30)), "081804");
  assert.equal(totpCode(seed, Math.floor(2000000000 / 30)), "279037");
});

test("CreateVirtualMFADevice returns the serial ARN, a 20-byte Base32 seed and a PNG QR code", async () => {
  const { serial, seed, png } = await newDevice("phone");
  assert.equal(serial, "arn:aws:iam::000000000000:mfa/phone");
  assert.match(seed, /^[A-Z2-7]{32}$/);
  assert.equal(base32Decode(seed).length, 20);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 200);
  const other = await newDevice("phone2");
  assert.notEqual(other.seed, seed);
  await rejectsWith(iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone" })), "EntityAlreadyExistsException", 409);
  await rejectsWith(iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "bad name!" })), "ValidationError", 400);
  const tagged = await iam().send(
    new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "tagged", Path: "/team/", Tags: [{ Key: "k", Value: "v" }] }),
  );
  assert.equal(tagged.VirtualMFADevice?.SerialNumber, "arn:aws:iam::000000000000:mfa/team/tagged");
});

test("EnableMFADevice needs two consecutive valid codes; list, filter, deactivate and delete follow the assignment", async () => {
  await iam().send(new CreateUserCommand({ UserName: "alice" }));
  const { serial, seed } = await newDevice("alice-phone");
  const enableWith = (c1: string, c2: string) =>
    iam().send(new EnableMFADeviceCommand({ UserName: "alice", SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
  const wrong = await rejectsWith(enableWith(code(seed, 0), code(seed, 0)), "InvalidAuthenticationCodeException", 403);
  assert.equal(wrong.message, "Authentication code for device is not valid.");
  await rejectsWith(enableWith(code(seed, -1), code(seed, 1 + 10)), "InvalidAuthenticationCodeException", 403);
  await rejectsWith(enableWith("000000", "1234567"), "ValidationError", 400);
  await rejectsWith(
    iam().send(
      new EnableMFADeviceCommand({
        UserName: "nobody",
        SerialNumber: serial,
        AuthenticationCode1: "123456",
        AuthenticationCode2: "123456",
      }),
    ),
    "NoSuchEntityException",
    404,
  );
  await enableWith(code(seed, -1), code(seed, 0));
  await iam().send(new CreateUserCommand({ UserName: "bob" }));
  await rejectsWith(
    iam().send(
      new EnableMFADeviceCommand({
        UserName: "bob",
        SerialNumber: serial,
        AuthenticationCode1: code(seed, 1),
        AuthenticationCode2: code(seed, 2),
      }),
    ),
    "EntityAlreadyExistsException",
    409,
  );
  // The root (default test keys) lists its own devices: none, IAM enables devices for users.
  assert.deepEqual((await iam().send(new ListMFADevicesCommand({}))).MFADevices, []);
  const listed = await iam().send(new ListMFADevicesCommand({ UserName: "alice" }));
  assert.deepEqual(
    listed.MFADevices?.map((d) => [d.UserName, d.SerialNumber]),
    [["alice", serial]],
  );
  assert.ok(listed.MFADevices?.[0].EnableDate instanceof Date);
  const assigned = await iam().send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Assigned" }));
  assert.deepEqual(
    assigned.VirtualMFADevices?.map((d) => [d.SerialNumber, d.User?.UserName]),
    [[serial, "alice"]],
  );
  const unassigned = await iam().send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }));
  assert.ok(unassigned.VirtualMFADevices?.every((d) => d.SerialNumber !== serial && d.User === undefined));
  const any = await iam().send(new ListVirtualMFADevicesCommand({}));
  assert.ok((any.VirtualMFADevices?.length ?? 0) > (assigned.VirtualMFADevices?.length ?? 0));
  const firstPage = await iam().send(new ListVirtualMFADevicesCommand({ MaxItems: 1 }));
  assert.equal(firstPage.VirtualMFADevices?.length, 1);
  assert.equal(firstPage.IsTruncated, true);
  const secondPage = await iam().send(new ListVirtualMFADevicesCommand({ MaxItems: 1, Marker: firstPage.Marker }));
  assert.notEqual(secondPage.VirtualMFADevices?.[0].SerialNumber, firstPage.VirtualMFADevices?.[0].SerialNumber);
  const conflict = await rejectsWith(
    iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })),
    "DeleteConflictException",
    409,
  );
  assert.match(conflict.message, /in use/);
  const userInUse = await rejectsWith(iam().send(new DeleteUserCommand({ UserName: "alice" })), "DeleteConflictException", 409);
  assert.match(userInUse.message, /must delete MFA device first/);
  await rejectsWith(iam().send(new DeactivateMFADeviceCommand({ UserName: "bob", SerialNumber: serial })), "NoSuchEntityException", 404);
  await iam().send(new DeactivateMFADeviceCommand({ UserName: "alice", SerialNumber: serial }));
  assert.deepEqual((await iam().send(new ListMFADevicesCommand({ UserName: "alice" }))).MFADevices, []);
  await iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
  await rejectsWith(iam().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })), "NoSuchEntityException", 404);
  await iam().send(new DeleteUserCommand({ UserName: "bob" }));
});

test("ResyncMFADevice accepts consecutive codes from a drifted clock; tags on devices", async () => {
  await iam().send(new CreateUserCommand({ UserName: "carol" }));
  const { serial, seed } = await newDevice("carol-phone");
  await enable("carol", serial, seed);
  const resync = (c1: string, c2: string) =>
    iam().send(new ResyncMFADeviceCommand({ UserName: "carol", SerialNumber: serial, AuthenticationCode1: c1, AuthenticationCode2: c2 }));
  await rejectsWith(resync(code(seed, 20), code(seed, 22)), "InvalidAuthenticationCodeException", 403);
  // The phone runs ten minutes fast: after resync, its current codes work with STS.
  await resync(code(seed, 20), code(seed, 21));
  const keys = await iam().send(new CreateAccessKeyCommand({ UserName: "carol" }));
  const carol = { accessKeyId: keys.AccessKey?.AccessKeyId as string, secretAccessKey: keys.AccessKey?.SecretAccessKey as string };
  const session = await sts(carol).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code(seed, 22) }));
  assert.ok(session.Credentials?.AccessKeyId?.startsWith("ASIA"));
  await iam().send(
    new TagMFADeviceCommand({
      SerialNumber: serial,
      Tags: [
        { Key: "owner", Value: "carol" },
        { Key: "x", Value: "1" },
      ],
    }),
  );
  await iam().send(new UntagMFADeviceCommand({ SerialNumber: serial, TagKeys: ["x"] }));
  const tags = await iam().send(new ListMFADeviceTagsCommand({ SerialNumber: serial }));
  assert.deepEqual(tags.Tags, [{ Key: "owner", Value: "carol" }]);
  await rejectsWith(
    iam().send(new ListMFADeviceTagsCommand({ SerialNumber: "arn:aws:iam::000000000000:mfa/none" })),
    "NoSuchEntityException",
    404,
  );
});

test("GetSessionToken verifies the TOTP code, refuses replays, and marks the session as MFA-authenticated", async () => {
  const dave = await userWithKey("dave");
  const { serial, seed } = await newDevice("dave-phone");
  await enable("dave", serial, seed);
  const denied = await rejectsWith(
    sts(dave).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code(seed, 5) })),
    "AccessDenied",
    403,
  );
  assert.equal(denied.message, "MultiFactorAuthentication failed with invalid MFA one time pass code.");
  await rejectsWith(sts(dave).send(new GetSessionTokenCommand({ SerialNumber: serial })), "AccessDenied", 403);
  await rejectsWith(sts(dave).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: "12345" })), "ValidationError", 400);
  const current = code(seed, 0);
  const session = await sts(dave).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: current, DurationSeconds: 900 }));
  assert.ok(session.Credentials?.SessionToken);
  // The same code cannot be used twice.
  await rejectsWith(sts(dave).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: current })), "AccessDenied", 403);
  // Another user's device is not the caller's.
  const eve = await userWithKey("eve");
  await rejectsWith(sts(eve).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code(seed, 1) })), "AccessDenied", 403);
});

test("A trust policy requiring aws:MultiFactorAuthPresent allows AssumeRole only with a valid code or an MFA session", async () => {
  const frank = await userWithKey("frank", { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" });
  const { serial, seed } = await newDevice("frank-phone");
  await enable("frank", serial, seed);
  const trust = doc({
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::000000000000:user/frank" },
    Action: "sts:AssumeRole",
    Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } },
  });
  const { Role } = await iam().send(new CreateRoleCommand({ RoleName: "admin-mfa", AssumeRolePolicyDocument: trust }));
  const assume = (keys: Keys, extra: object = {}) =>
    sts(keys).send(new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: "ops", ...extra }));
  await rejectsWith(assume(frank), "AccessDenied", 403);
  const bad = await rejectsWith(assume(frank, { SerialNumber: serial, TokenCode: code(seed, 7) }), "AccessDenied", 403);
  assert.equal(bad.message, "MultiFactorAuthentication failed with invalid MFA one time pass code.");
  const assumed = await assume(frank, { SerialNumber: serial, TokenCode: code(seed, 0) });
  assert.equal(assumed.AssumedRoleUser?.Arn, "arn:aws:sts::000000000000:assumed-role/admin-mfa/ops");
  // Credentials from GetSessionToken with MFA carry it to the trust policy too.
  const session = await sts(frank).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code(seed, 1) }));
  const mfaKeys = {
    accessKeyId: session.Credentials?.AccessKeyId as string,
    secretAccessKey: session.Credentials?.SecretAccessKey as string,
    sessionToken: session.Credentials?.SessionToken as string,
  };
  const viaSession = await assume(mfaKeys);
  assert.ok(viaSession.Credentials?.AccessKeyId?.startsWith("ASIA"));
  const plain = await sts(frank).send(new GetSessionTokenCommand({}));
  const plainKeys = {
    accessKeyId: plain.Credentials?.AccessKeyId as string,
    secretAccessKey: plain.Credentials?.SecretAccessKey as string,
    sessionToken: plain.Credentials?.SessionToken as string,
  };
  await rejectsWith(assume(plainKeys), "AccessDenied", 403);
});

test("AWS CLI: create-virtual-mfa-device writes the seed file, enable-mfa-device and sts get-session-token with the code", async () => {
  const keys = await userWithKey("cli-mfa");
  const { mkdtempSync, readFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "mfa-"));
  const seedFile = join(dir, "seed.txt");
  const created = await runAws(
    CLIENTS.awsV1,
    [
      "iam",
      "create-virtual-mfa-device",
      "--virtual-mfa-device-name",
      "cli-phone",
      "--outfile",
      seedFile,
      "--bootstrap-method",
      "Base32StringSeed",
    ],
    server.endpoint,
  );
  assert.equal(created.code, 0, created.stderr);
  const serial = JSON.parse(created.stdout).VirtualMFADevice.SerialNumber;
  assert.equal(serial, "arn:aws:iam::000000000000:mfa/cli-phone");
  const seed = readFileSync(seedFile, "ascii").trim();
  assert.match(seed, /^[A-Z2-7]{32}$/);
  const enabled = await runAws(
    CLIENTS.awsV1,
    [
      "iam",
      "enable-mfa-device",
      "--user-name",
      "cli-mfa",
      "--serial-number",
      serial,
      "--authentication-code1",
      code(seed, -2),
      "--authentication-code2",
      code(seed, -1),
    ],
    server.endpoint,
  );
  assert.equal(enabled.code, 0, enabled.stderr);
  const env = { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
  const wrong = await runAws(
    CLIENTS.awsV1,
    ["sts", "get-session-token", "--serial-number", serial, "--token-code", code(seed, 6)],
    server.endpoint,
    env,
  );
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /AccessDenied.*MultiFactorAuthentication failed with invalid MFA one time pass code\./);
  const session = await runAws(
    CLIENTS.awsV1,
    ["sts", "get-session-token", "--serial-number", serial, "--token-code", code(seed, 0)],
    server.endpoint,
    env,
  );
  assert.equal(session.code, 0, session.stderr);
  assert.match(JSON.parse(session.stdout).Credentials.AccessKeyId, /^ASIA/);
});
