import type * as Iam from "@aws-sdk/client-iam";
import QRCode from "qrcode";
import { checkConstraints } from "../../iam/constraints.js";
import { errorClass } from "../../protocol/errors.js";
import { CODE_WINDOW, findStep, newSeed, timeStep } from "../../iam/totp.js";
import type { IamCollections, MfaDeviceRecord, Tag } from "../../iam/records.js";
import type { RequestContext } from "../types.js";
import {
  arnFor,
  checkPath,
  checkTags,
  date,
  DeleteConflict,
  EntityAlreadyExists,
  iam,
  LimitExceeded,
  NoSuchEntity,
  page,
  ValidationError,
  tagOperations,
} from "./common.js";
import { getUserRecord, userView } from "./users.js";

export const InvalidAuthenticationCode = errorClass("InvalidAuthenticationCodeException");

/** The members' constraints from IAM's API reference. */
const MFA_RULES = {
  VirtualMFADeviceName: { length: [1, 226] as [number, number], pattern: "[\\w+=,.@-]+" },
  SerialNumber: { length: [9, 256] as [number, number], pattern: "[\\w+=/:,.@-]+" },
  AuthenticationCode1: { length: [6, 6] as [number, number], pattern: "[\\d]+" },
  AuthenticationCode2: { length: [6, 6] as [number, number], pattern: "[\\d]+" },
};

/** AWS allows up to eight MFA devices per user. */
const DEVICES_PER_USER = 8;
/** ResyncMFADevice looks this many steps either side of the expected time (about ±30 minutes). */
const RESYNC_WINDOW = 60;

export async function createVirtualMFADevice(
  input: Iam.CreateVirtualMFADeviceRequest,
  ctx: RequestContext,
): Promise<Iam.CreateVirtualMFADeviceResponse> {
  checkConstraints(input, MFA_RULES);
  const store = iam(ctx);
  const path = checkPath(input.Path);
  const name = input.VirtualMFADeviceName as string;
  const serial = arnFor(ctx.account, "mfa", path, name);
  if (store.mfaDevices.has(serial)) throw new EntityAlreadyExists("MFADevice entity at the same path and name already exists.");
  const device: MfaDeviceRecord = {
    SerialNumber: serial,
    Path: path,
    Name: name,
    seed: newSeed(),
    CreateDate: ctx.runtime.now(),
    Tags: checkTags([], input.Tags as Tag[] | undefined),
  };
  store.mfaDevices.set(serial, device);
  // Authenticator apps read the seed from this URI, labelled with the device and the account (alias or id).
  const accountName = [...store.aliases.keys()][0] ?? ctx.account;
  const uri = `otpauth://totp/${encodeURIComponent(`${name}@${accountName}`)}?secret=${device.seed}`;
  const png = await QRCode.toBuffer(uri, { type: "png", errorCorrectionLevel: "M" });
  return {
    VirtualMFADevice: {
      SerialNumber: serial,
      Base32StringSeed: Buffer.from(device.seed, "ascii"),
      QRCodePNG: png,
      Tags: device.Tags.length ? device.Tags : undefined,
    },
  };
}

function deviceRecord(store: IamCollections, serial: string): MfaDeviceRecord {
  checkConstraints({ SerialNumber: serial }, MFA_RULES);
  const device = store.mfaDevices.get(serial);
  if (!device) throw new NoSuchEntity(`VirtualMFADevice with serial number ${serial} doesn't exist.`);
  return device;
}

function deviceView(store: IamCollections, d: MfaDeviceRecord): Iam.VirtualMFADevice {
  const user = d.UserName === undefined ? undefined : store.users.get(d.UserName);
  return {
    SerialNumber: d.SerialNumber,
    User: user ? userView(user) : undefined,
    EnableDate: date(d.EnableDate),
    Tags: d.Tags.length ? d.Tags : undefined,
  };
}

export function listVirtualMFADevices(input: Iam.ListVirtualMFADevicesRequest, ctx: RequestContext): Iam.ListVirtualMFADevicesResponse {
  const store = iam(ctx);
  const status = input.AssignmentStatus ?? "Any";
  const devices = [...store.mfaDevices.values()].filter((d) => status === "Any" || (status === "Assigned") === (d.UserName !== undefined));
  const { items, IsTruncated, Marker } = page(devices, input.Marker, input.MaxItems);
  return { VirtualMFADevices: items.map((d) => deviceView(store, d)), IsTruncated, Marker };
}

export function deleteVirtualMFADevice(input: Iam.DeleteVirtualMFADeviceRequest, ctx: RequestContext): Record<string, never> {
  const store = iam(ctx);
  const device = deviceRecord(store, input.SerialNumber as string);
  if (device.UserName !== undefined) throw new DeleteConflict("MFA device is still in use. Deactivate it first.");
  store.mfaDevices.delete(device.SerialNumber);
  return {};
}

/** The user named, or the calling IAM user; undefined for the account root, which names no user. */
function targetUser(ctx: RequestContext, userName: string | undefined): string | undefined {
  if (userName !== undefined) return getUserRecord(ctx, userName).UserName;
  if (ctx.principal.type === "user") return ctx.principal.arn.split("/").pop() as string;
  if (ctx.principal.type === "root") return undefined;
  throw new ValidationError("Must specify userName when calling with non-User credentials");
}

/**
 * Two codes of consecutive time steps, near the device's clock; returns the second code's step. Steps at
 * or before the last accepted one are refused, so a code observed once cannot be replayed.
 */
function consecutiveCodes(device: MfaDeviceRecord, code1: string, code2: string, center: number, window: number): number | undefined {
  const floor = (device.lastStep ?? Number.NEGATIVE_INFINITY) + 1;
  const second = findStep(device.seed, code2, Math.max(center - window, floor + 1), center + window);
  if (second === undefined) return undefined;
  return findStep(device.seed, code1, second - 1, second - 1) === undefined ? undefined : second;
}

export function enableMFADevice(input: Iam.EnableMFADeviceRequest, ctx: RequestContext): Record<string, never> {
  checkConstraints(input, MFA_RULES);
  const store = iam(ctx);
  const userName = getUserRecord(ctx, input.UserName as string).UserName;
  const device = deviceRecord(store, input.SerialNumber as string);
  if (device.UserName !== undefined) throw new EntityAlreadyExists("MFA Device is already in use.");
  const owned = [...store.mfaDevices.values()].filter((d) => d.UserName === userName).length;
  if (owned >= DEVICES_PER_USER) throw new LimitExceeded(`Cannot exceed quota for MFADevicesPerUser: ${DEVICES_PER_USER}`);
  const now = timeStep(ctx.runtime.now());
  const step = consecutiveCodes(device, input.AuthenticationCode1 as string, input.AuthenticationCode2 as string, now, CODE_WINDOW);
  if (step === undefined) throw new InvalidAuthenticationCode("Authentication code for device is not valid.");
  store.mfaDevices.set(device.SerialNumber, { ...device, UserName: userName, EnableDate: ctx.runtime.now(), lastStep: step, drift: 0 });
  return {};
}

function assignedDevice(store: IamCollections, userName: string | undefined, serial: string): MfaDeviceRecord {
  const device = store.mfaDevices.get(serial);
  if (!device || device.UserName === undefined || device.UserName !== userName) {
    throw new NoSuchEntity(`MFA Device with serial number ${serial} does not exist for user ${userName}.`);
  }
  return device;
}

export function deactivateMFADevice(input: Iam.DeactivateMFADeviceRequest, ctx: RequestContext): Record<string, never> {
  const store = iam(ctx);
  const device = assignedDevice(store, targetUser(ctx, input.UserName), input.SerialNumber as string);
  const { UserName: _user, EnableDate: _enabled, ...unassigned } = device;
  store.mfaDevices.set(device.SerialNumber, unassigned);
  return {};
}

/** Re-learns the device's clock offset from two consecutive codes within about half an hour. */
export function resyncMFADevice(input: Iam.ResyncMFADeviceRequest, ctx: RequestContext): Record<string, never> {
  checkConstraints(input, MFA_RULES);
  const store = iam(ctx);
  const device = assignedDevice(store, getUserRecord(ctx, input.UserName as string).UserName, input.SerialNumber as string);
  const now = timeStep(ctx.runtime.now());
  const step = consecutiveCodes(device, input.AuthenticationCode1 as string, input.AuthenticationCode2 as string, now, RESYNC_WINDOW);
  if (step === undefined) throw new InvalidAuthenticationCode("Authentication code for device is not valid.");
  store.mfaDevices.set(device.SerialNumber, { ...device, lastStep: step, drift: step - now });
  return {};
}

export function listMFADevices(input: Iam.ListMFADevicesRequest, ctx: RequestContext): Iam.ListMFADevicesResponse {
  const userName = targetUser(ctx, input.UserName);
  // The root's own devices are not modelled (IAM enables devices for users only): it lists none.
  const devices = [...iam(ctx).mfaDevices.values()]
    .filter((d) => userName !== undefined && d.UserName === userName)
    .map((d) => ({ UserName: d.UserName as string, SerialNumber: d.SerialNumber, EnableDate: date(d.EnableDate) }));
  const { items, IsTruncated, Marker } = page(devices, input.Marker, input.MaxItems);
  return { MFADevices: items, IsTruncated, Marker };
}

const deviceTags = tagOperations(
  (i: { SerialNumber?: string }, ctx) => deviceRecord(iam(ctx), i.SerialNumber as string),
  (ctx, device) => iam(ctx).mfaDevices.set(device.SerialNumber, device),
);
export const tagMFADevice = deviceTags.tag;
export const untagMFADevice = deviceTags.untag;
export const listMFADeviceTags = deviceTags.list;
