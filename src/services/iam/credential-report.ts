import type * as Iam from "@aws-sdk/client-iam";
import type { AccessKeyRecord, IamCollections } from "../../iam/records.js";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { iam } from "./common.js";

const ReportNotPresent = errorClass("CredentialReportNotPresentException");
const ReportExpired = errorClass("CredentialReportExpiredException");

/** IAM regenerates a report older than four hours, and refuses to serve it past that age. */
const REPORT_LIFETIME_MS = 4 * 3600 * 1000;
const REPORT_KEY = "report";
const DAY_MS = 24 * 3600 * 1000;

/** The columns of AWS's credential report, in its order. */
const COLUMNS = [
  "user",
  "arn",
  "user_creation_time",
  "password_enabled",
  "password_last_used",
  "password_last_changed",
  "password_next_rotation",
  "mfa_active",
  ...[1, 2].flatMap((n) =>
    ["active", "last_rotated", "last_used_date", "last_used_region", "last_used_service"].map((c) => `access_key_${n}_${c}`),
  ),
  ...[1, 2].flatMap((n) => [`cert_${n}_active`, `cert_${n}_last_rotated`]),
];

/** User names may hold commas: such fields are quoted, as CSV requires. */
const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The report's time format: ISO 8601 to the second with an explicit UTC offset (2014-06-17T16:04:09+00:00). */
const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");

/** Two key columns groups; key usage is not tracked, which the report spells N/A (never used). */
function keyColumns(keys: AccessKeyRecord[]): string[] {
  return [0, 1].flatMap((i) => {
    const key = keys[i];
    return [key ? String(key.Status === "Active") : "false", key ? time(key.CreateDate) : "N/A", "N/A", "N/A", "N/A"];
  });
}

function reportRows(store: IamCollections, account: string, now: number): string[][] {
  const keysOf = (owner: string | undefined) =>
    [...store.accessKeys.values()].filter((k) => k.UserName === owner).sort((a, b) => a.CreateDate - b.CreateDate);
  const hasMfa = (owner: string) => [...store.mfaDevices.values()].some((d) => d.UserName === owner);
  const maxAgeDays = store.passwordPolicy.get("policy")?.MaxPasswordAge;
  const users = [...store.users.values()];
  // The account's own creation time is not modelled: the oldest thing IAM knows of stands in for it.
  const accountCreated = Math.min(now, ...users.map((u) => u.CreateDate), ...[...store.accessKeys.values()].map((k) => k.CreateDate));
  const root = [
    "<root_account>",
    `arn:aws:iam::${account}:root`,
    time(accountCreated),
    "not_supported",
    "no_information",
    "not_supported",
    "not_supported",
    "false",
    ...keyColumns(keysOf(undefined)),
    "false",
    "N/A",
    "false",
    "N/A",
  ];
  const rows = users.map((u) => {
    const login = store.loginProfiles.get(u.UserName);
    const nextRotation = login && maxAgeDays !== undefined ? time(login.CreateDate + maxAgeDays * DAY_MS) : "N/A";
    return [
      u.UserName,
      u.Arn,
      time(u.CreateDate),
      String(login !== undefined),
      login ? "no_information" : "N/A",
      login ? time(login.CreateDate) : "N/A",
      nextRotation,
      String(hasMfa(u.UserName)),
      ...keyColumns(keysOf(u.UserName)),
      "false",
      "N/A",
      "false",
      "N/A",
    ];
  });
  return [COLUMNS, root, ...rows];
}

/**
 * Starts a report when none is fresh (answering STARTED, as IAM does while it works) and reports
 * COMPLETE once one exists. The report is built at once: a later GetCredentialReport finds it.
 */
export function generateCredentialReport(_input: unknown, ctx: RequestContext): Iam.GenerateCredentialReportResponse {
  const store = iam(ctx);
  const now = ctx.runtime.now();
  const existing = store.credentialReport.get(REPORT_KEY);
  if (existing && now - existing.GeneratedTime < REPORT_LIFETIME_MS) return { State: "COMPLETE" };
  const content = reportRows(store, ctx.account, now)
    .map((row) => row.map(csvField).join(","))
    .join("\n");
  store.credentialReport.set(REPORT_KEY, { GeneratedTime: now, Content: content });
  return { State: "STARTED", Description: "No report exists. Starting a new report generation task" };
}

export function getCredentialReport(_input: unknown, ctx: RequestContext): Iam.GetCredentialReportResponse {
  const report = iam(ctx).credentialReport.get(REPORT_KEY);
  if (!report) throw new ReportNotPresent("Credential report not present. Use GenerateCredentialReport to generate a report.");
  if (ctx.runtime.now() - report.GeneratedTime >= REPORT_LIFETIME_MS) {
    throw new ReportExpired("Credential report has expired. Use GenerateCredentialReport to generate a new report.");
  }
  return { Content: Buffer.from(report.Content, "utf8"), ReportFormat: "text/csv", GeneratedTime: new Date(report.GeneratedTime) };
}
