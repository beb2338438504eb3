import { randomInt } from "node:crypto";
import type {
  CheckIfPhoneNumberIsOptedOutInput,
  CheckIfPhoneNumberIsOptedOutResponse,
  CreateSMSSandboxPhoneNumberInput,
  DeleteSMSSandboxPhoneNumberInput,
  GetSMSAttributesInput,
  GetSMSAttributesResponse,
  GetSMSSandboxAccountStatusResult,
  ListOriginationNumbersRequest,
  ListOriginationNumbersResult,
  ListPhoneNumbersOptedOutInput,
  ListPhoneNumbersOptedOutResponse,
  ListSMSSandboxPhoneNumbersInput,
  ListSMSSandboxPhoneNumbersResult,
  OptInPhoneNumberInput,
  SetSMSAttributesInput,
  VerifySMSSandboxPhoneNumberInput,
} from "@aws-sdk/client-sns";
import { errorClass } from "../../protocol/errors.js";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { recordDelivery } from "./delivery.js";
import { invalid, ResourceNotFound } from "./errors.js";
import type { SandboxNumberRecord } from "./model.js";
import { decodeToken, pageAfter } from "./paging.js";

const OptedOut = errorClass("OptedOutException");
const Verification = errorClass("VerificationException", 400);

export const E164 = /^\+[1-9][0-9]{1,14}$/;
const PAGE_SIZE = 100;

/** The account's SMS preferences and how each is checked. */
const SMS_ATTRIBUTES: Record<string, (value: string) => boolean> = {
  MonthlySpendLimit: (v) => /^\d+$/.test(v),
  DeliveryStatusIAMRole: (v) => v === "" || /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(v),
  DeliveryStatusSuccessSamplingRate: (v) => /^\d+$/.test(v) && Number(v) <= 100,
  DefaultSenderID: (v) => /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/.test(v),
  DefaultSMSType: (v) => v === "Promotional" || v === "Transactional",
  UsageReportS3Bucket: (v) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v),
};

const settingsIn = (store: ScopeStore) => store.collection<Record<string, string>>("sms-settings");
const optedOutIn = (store: ScopeStore) => store.collection<{ phoneNumber: string; at: number }>("sms-opted-out", { sorted: true });
const sandboxIn = (store: ScopeStore) => store.collection<SandboxNumberRecord>("sms-sandbox", { sorted: true });

export function setSMSAttributes(input: SetSMSAttributesInput, ctx: RequestContext): Record<string, never> {
  const attributes = input.attributes ?? {};
  for (const [key, value] of Object.entries(attributes)) {
    const check = SMS_ATTRIBUTES[key];
    if (!check) throw invalid(`attributes Reason: ${key} is not a valid attribute`);
    if (!check(value)) throw invalid(`attributes Reason: ${key}: Invalid value [${value}]`);
  }
  settingsIn(ctx.store).set("account", { ...(settingsIn(ctx.store).get("account") ?? {}), ...attributes });
  return {};
}

export function getSMSAttributes(input: GetSMSAttributesInput, ctx: RequestContext): GetSMSAttributesResponse {
  const all = settingsIn(ctx.store).get("account") ?? {};
  const wanted = input.attributes?.length ? input.attributes : Object.keys(all);
  return { attributes: Object.fromEntries(wanted.filter((k) => all[k] !== undefined).map((k) => [k, all[k]])) };
}

export function checkIfPhoneNumberIsOptedOut(
  input: CheckIfPhoneNumberIsOptedOutInput,
  ctx: RequestContext,
): CheckIfPhoneNumberIsOptedOutResponse {
  return { isOptedOut: isOptedOut(ctx.store, phone(input.phoneNumber, "phoneNumber")) };
}

export function listPhoneNumbersOptedOut(input: ListPhoneNumbersOptedOutInput, ctx: RequestContext): ListPhoneNumbersOptedOutResponse {
  const page = pageAfter((from) => optedOutIn(ctx.store).entriesFrom(from), input.nextToken, PAGE_SIZE);
  return { phoneNumbers: page.items.map((entry) => entry.phoneNumber), nextToken: page.next };
}

export function optInPhoneNumber(input: OptInPhoneNumberInput, ctx: RequestContext): Record<string, never> {
  optedOutIn(ctx.store).delete(phone(input.phoneNumber, "phoneNumber"));
  return {};
}

/** A recipient's STOP reply, which only the phone network can send: Overcast's inspection route stands in for it. */
export function optOut(store: ScopeStore, phoneNumber: string, at: number): void {
  optedOutIn(store).set(phoneNumber, { phoneNumber, at });
}

export const isOptedOut = (store: ScopeStore, phoneNumber: string) => optedOutIn(store).has(phoneNumber);

/** Local accounts are outside the SMS sandbox: messages reach any number; the sandbox list still works. */
export function getSMSSandboxAccountStatus(): GetSMSSandboxAccountStatusResult {
  return { IsInSandbox: false };
}

/** Adds a destination number and texts it a one-time password (recorded, like every SMS). */
export function createSMSSandboxPhoneNumber(input: CreateSMSSandboxPhoneNumberInput, ctx: RequestContext): Record<string, never> {
  const number = phone(input.PhoneNumber, "PhoneNumber");
  if (isOptedOut(ctx.store, number)) throw new OptedOut("Phone number is opted out.");
  const now = ctx.runtime.now();
  const oneTimePassword = String(randomInt(0, 1_000_000)).padStart(6, "0");
  sandboxIn(ctx.store).set(number, { phoneNumber: number, status: "Pending", oneTimePassword, createdAt: now });
  recordDelivery(ctx.store, {
    protocol: "sms",
    endpoint: number,
    messageId: `sandbox-${now}`,
    message: `Your Amazon SNS verification code is: ${oneTimePassword}`,
    timestamp: new Date(now).toISOString(),
  });
  return {};
}

export function verifySMSSandboxPhoneNumber(input: VerifySMSSandboxPhoneNumberInput, ctx: RequestContext): Record<string, never> {
  const record = sandboxNumber(ctx, input.PhoneNumber);
  if (record.status === "Verified") return {};
  if (input.OneTimePassword !== record.oneTimePassword) {
    throw new Verification("Invalid one-time password.", { fields: { Status: record.status } });
  }
  sandboxIn(ctx.store).set(record.phoneNumber, { ...record, status: "Verified" });
  return {};
}

export function deleteSMSSandboxPhoneNumber(input: DeleteSMSSandboxPhoneNumberInput, ctx: RequestContext): Record<string, never> {
  sandboxIn(ctx.store).delete(sandboxNumber(ctx, input.PhoneNumber).phoneNumber);
  return {};
}

export function listSMSSandboxPhoneNumbers(input: ListSMSSandboxPhoneNumbersInput, ctx: RequestContext): ListSMSSandboxPhoneNumbersResult {
  const page = pageAfter((from) => sandboxIn(ctx.store).entriesFrom(from), input.NextToken, maxResults(input.MaxResults, 100));
  return { PhoneNumbers: page.items.map((n) => ({ PhoneNumber: n.phoneNumber, Status: n.status })), NextToken: page.next };
}

/** The account owns no origination numbers locally; the list is empty but the request is checked. */
export function listOriginationNumbers(input: ListOriginationNumbersRequest): ListOriginationNumbersResult {
  maxResults(input.MaxResults, 30);
  if (input.NextToken !== undefined) decodeToken(input.NextToken);
  return { PhoneNumbers: [] };
}

function sandboxNumber(ctx: RequestContext, phoneNumber: string | undefined): SandboxNumberRecord {
  const record = sandboxIn(ctx.store).get(phone(phoneNumber, "PhoneNumber"));
  if (!record) throw new ResourceNotFound("Phone number does not exist in the sandbox.");
  return record;
}

function phone(value: string | undefined, member: string): string {
  if (!E164.test(value ?? "")) throw invalid(member);
  return value as string;
}

function maxResults(value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1 || value > max) throw invalid(`MaxResults Reason: must be between 1 and ${max}`);
  return value;
}
