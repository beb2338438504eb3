import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  UpdateAccessKeyCommand,
  UpdateAccountPasswordPolicyCommand,
} from "@aws-sdk/client-iam";
import { timeStep, totpCode } from "../../src/iam/totp.js";
import { CLIENTS, runAws } from "../query/clients.js";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const iam = () => new IAMClient(server.clientConfig());

const HEADER =
  "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
  "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
  "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
  "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

function parseReport(content: Uint8Array | undefined): Record<string, string>[] {
  const [header, ...rows] = Buffer.from(content ?? [])
    .toString("utf8")
    .split("\n");
  const columns = header.split(",");
  return rows.map((row) => Object.fromEntries(row.split(",").map((v, i) => [columns[i], v])));
}

test("GetCredentialReport before any report: ReportNotPresent (410)", async () => {
  const err = await rejectsWith(iam().send(new GetCredentialReportCommand({})), "CredentialReportNotPresentException", 410);
  assert.match(err.message, /GenerateCredentialReport/);
});

test("the credential report: STARTED then COMPLETE; CSV with AWS's columns, the root row and each user's credentials", async () => {
  await iam().send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, MaxPasswordAge: 90 }));
  await iam().send(new CreateUserCommand({ UserName: "ana" }));
  await iam().send(new CreateLoginProfileCommand({ UserName: "ana", Password: "Secr3t!Password" }));
  const first = await iam().send(new CreateAccessKeyCommand({ UserName: "ana" }));
  const second = await iam().send(new CreateAccessKeyCommand({ UserName: "ana" }));
  await iam().send(new UpdateAccessKeyCommand({ UserName: "ana", AccessKeyId: second.AccessKey?.AccessKeyId, Status: "Inactive" }));
  const { VirtualMFADevice } = await iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "ana" }));
  const seed = Buffer.from(VirtualMFADevice?.Base32StringSeed ?? []).toString("ascii");
  const step = timeStep(Date.now());
  await iam().send(
    new EnableMFADeviceCommand({
      UserName: "ana",
      SerialNumber: VirtualMFADevice?.SerialNumber,
      AuthenticationCode1: totpCode(seed, step - 1),
      AuthenticationCode2: totpCode(seed, step),
    }),
  );
  await iam().send(new CreateUserCommand({ UserName: "ben,jr" }));

  const started = await iam().send(new GenerateCredentialReportCommand({}));
  assert.equal(started.State, "STARTED");
  const complete = await iam().send(new GenerateCredentialReportCommand({}));
  assert.equal(complete.State, "COMPLETE");
  const report = await iam().send(new GetCredentialReportCommand({}));
  assert.equal(report.ReportFormat, "text/csv");
  assert.ok(report.GeneratedTime instanceof Date && Math.abs(report.GeneratedTime.getTime() - Date.now()) < 60_000);
  const text = Buffer.from(report.Content ?? []).toString("utf8");
  assert.equal(text.split("\n")[0], HEADER);
  const rows = parseReport(report.Content);
  const root = rows[0];
  assert.equal(root.user, "<root_account>");
  assert.equal(root.arn, "arn:aws:iam::000000000000:root");
  assert.equal(root.password_enabled, "not_supported");
  assert.match(root.user_creation_time, TIME);
  const ana = rows.find((r) => r.user === "ana");
  assert.ok(ana);
  assert.equal(ana.arn, "arn:aws:iam::000000000000:user/ana");
  assert.match(ana.user_creation_time, TIME);
  assert.equal(ana.password_enabled, "true");
  assert.match(ana.password_last_changed, TIME);
  const rotation =
    Date.parse(ana.password_next_rotation.replace("+00:00", "Z")) - Date.parse(ana.password_last_changed.replace("+00:00", "Z"));
  assert.equal(rotation, 90 * 24 * 3600 * 1000);
  assert.equal(ana.mfa_active, "true");
  assert.equal(ana.access_key_1_active, "true");
  assert.equal(ana.access_key_2_active, "false");
  assert.match(ana.access_key_1_last_rotated, TIME);
  assert.equal(ana.access_key_1_last_used_date, "N/A");
  assert.equal(ana.cert_1_active, "false");
  assert.equal(ana.cert_2_last_rotated, "N/A");
  assert.ok(first.AccessKey);
  // A name with a comma is quoted, as CSV requires.
  assert.ok(text.includes('\n"ben,jr","arn:aws:iam::000000000000:user/ben,jr",'));
  const ben = text.split("\n").find((l) => l.startsWith('"ben,jr"')) ?? "";
  assert.ok(ben.includes(",false,N/A,N/A,N/A,false,"), ben);
});

test("AWS CLI: generate-credential-report and get-credential-report (base64 content decoded by the CLI)", async () => {
  const generated = await runAws(CLIENTS.awsV1, ["iam", "generate-credential-report"], server.endpoint);
  assert.equal(generated.code, 0, generated.stderr);
  assert.match(JSON.parse(generated.stdout).State, /^(STARTED|COMPLETE)$/);
  const got = await runAws(CLIENTS.awsV1, ["iam", "get-credential-report"], server.endpoint);
  assert.equal(got.code, 0, got.stderr);
  const body = JSON.parse(got.stdout);
  assert.equal(body.ReportFormat, "text/csv");
  assert.equal(Buffer.from(body.Content, "base64").toString("utf8").split("\n")[0], HEADER);
});
