import type {
  CancelKeyDeletionRequest,
  CancelKeyDeletionResponse,
  CreateKeyRequest,
  CreateKeyResponse,
  DescribeKeyRequest,
  DescribeKeyResponse,
  DisableKeyRequest,
  EnableKeyRequest,
  KeyMetadata,
  ListKeysRequest,
  ListKeysResponse,
  ScheduleKeyDeletionRequest,
  ScheduleKeyDeletionResponse,
  UpdateKeyDescriptionRequest,
} from "@aws-sdk/client-kms";
import type { RequestContext } from "../types.js";
import {
  CustomKeyStoreNotFoundException,
  checkLength,
  checkRange,
  InvalidMarkerException,
  KMSInvalidStateException,
  UnsupportedOperationException,
  validation,
} from "./errors.js";
import { KEY_SPECS } from "./material.js";
import { checkPolicy, checkTags } from "./policy.js";
import {
  currentMaterial,
  defaultPolicy,
  expire,
  type KeyRecord,
  keyArn,
  keyCollection,
  newKeyId,
  newMaterial,
  requireNotPendingDeletion,
  resolveKey,
  saveKey,
  requireCustomerManaged,
} from "./store.js";

const DAY_MS = 86_400_000;

/** The spec a CreateKey asks for, checked against the usage it asks for (AWS's key spec table). */
function chooseSpec(input: CreateKeyRequest): { keySpec: string; keyUsage: string } {
  if (input.KeySpec && input.CustomerMasterKeySpec) {
    throw validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
  }
  const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
  const keyUsage = input.KeyUsage ?? "ENCRYPT_DECRYPT";
  const info = KEY_SPECS[keySpec];
  if (!info) throw new UnsupportedOperationException(`KeySpec ${keySpec} is not supported in this region.`);
  if (!info.usages.includes(keyUsage)) throw validation(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  return { keySpec, keyUsage };
}

export function createKey(input: CreateKeyRequest, ctx: RequestContext): CreateKeyResponse {
  checkLength("description", input.Description, 0, 8192);
  const { keySpec, keyUsage } = chooseSpec(input);
  if (input.CustomKeyStoreId) throw new CustomKeyStoreNotFoundException(`Custom key store ${input.CustomKeyStoreId} does not exist.`);
  const origin = input.Origin ?? "AWS_KMS";
  if (origin !== "AWS_KMS" && origin !== "EXTERNAL") {
    throw new UnsupportedOperationException(`Origin ${origin} requires a custom key store, which is not available.`);
  }
  if (origin === "EXTERNAL" && keySpec !== "SYMMETRIC_DEFAULT") {
    throw new UnsupportedOperationException(`KeySpec ${keySpec} does not support Origin EXTERNAL.`);
  }
  if (input.Policy !== undefined) checkPolicy(input.Policy);
  const tags = checkTags(input.Tags ?? []);
  const now = ctx.runtime.now();
  const multiRegion = input.MultiRegion ?? false;
  const key: KeyRecord = {
    keyId: newKeyId(multiRegion),
    account: ctx.account,
    region: ctx.region,
    createdAt: now,
    description: input.Description ?? "",
    keySpec,
    keyUsage,
    state: origin === "EXTERNAL" ? "PendingImport" : "Enabled",
    origin,
    manager: "CUSTOMER",
    multiRegion,
    primaryRegion: multiRegion ? ctx.region : undefined,
    replicaRegions: multiRegion ? [] : undefined,
    policy: input.Policy ?? defaultPolicy(ctx.account),
    tags,
    materials: origin === "EXTERNAL" ? [] : [newMaterial(keySpec, now)],
  };
  keyCollection(ctx.store).set(key.keyId, key);
  return { KeyMetadata: keyMetadata(key) };
}

export function keyMetadata(key: KeyRecord): KeyMetadata {
  const info = KEY_SPECS[key.keySpec];
  const usage = key.keyUsage;
  const material = currentMaterial(key);
  return {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: keyArn(key),
    CreationDate: new Date(key.createdAt),
    Enabled: key.state === "Enabled",
    Description: key.description,
    KeyUsage: usage as KeyMetadata["KeyUsage"],
    KeyState: key.state,
    DeletionDate: key.deletionDate !== undefined ? new Date(key.deletionDate) : undefined,
    PendingDeletionWindowInDays: key.state === "PendingDeletion" ? key.pendingWindowInDays : undefined,
    Origin: key.origin,
    ExpirationModel: key.expirationModel,
    ValidTo: key.validTo !== undefined ? new Date(key.validTo) : undefined,
    KeyManager: key.manager,
    CustomerMasterKeySpec: key.keySpec as KeyMetadata["CustomerMasterKeySpec"],
    KeySpec: key.keySpec as KeyMetadata["KeySpec"],
    EncryptionAlgorithms: usage === "ENCRYPT_DECRYPT" ? (info.encryptionAlgorithms as KeyMetadata["EncryptionAlgorithms"]) : undefined,
    SigningAlgorithms: usage === "SIGN_VERIFY" ? (info.signingAlgorithms as KeyMetadata["SigningAlgorithms"]) : undefined,
    MacAlgorithms: usage === "GENERATE_VERIFY_MAC" ? (info.macAlgorithms as KeyMetadata["MacAlgorithms"]) : undefined,
    KeyAgreementAlgorithms: usage === "KEY_AGREEMENT" ? (info.keyAgreementAlgorithms as KeyMetadata["KeyAgreementAlgorithms"]) : undefined,
    MultiRegion: key.multiRegion,
    MultiRegionConfiguration: key.multiRegion ? multiRegionConfiguration(key) : undefined,
    CurrentKeyMaterialId: key.keySpec === "SYMMETRIC_DEFAULT" && material ? material.id : undefined,
  };
}

function multiRegionConfiguration(key: KeyRecord): KeyMetadata["MultiRegionConfiguration"] {
  const arnIn = (region: string) => keyArn({ account: key.account, region, keyId: key.keyId });
  const primary = key.primaryRegion as string;
  const replicas = key.replicaRegions ?? [];
  return {
    MultiRegionKeyType: primary === key.region ? "PRIMARY" : "REPLICA",
    PrimaryKey: { Arn: arnIn(primary), Region: primary },
    ReplicaKeys: replicas.map((region) => ({ Arn: arnIn(region), Region: region })),
  };
}

export function describeKey(input: DescribeKeyRequest, ctx: RequestContext): DescribeKeyResponse {
  return { KeyMetadata: keyMetadata(resolveKey(ctx, input.KeyId as string).key) };
}

/** Markers are the last key id returned, opaque to callers. */
export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const decoded = Buffer.from(marker, "base64url").toString("utf8");
  if (!decoded || Buffer.from(decoded).toString("base64url") !== marker) throw new InvalidMarkerException("Invalid marker");
  return decoded;
}

export const encodeMarker = (last: string) => Buffer.from(last).toString("base64url");

/** One page of a sorted collection after `marker`, with KMS's NextMarker/Truncated pair. */
export function page<T>(entries: Iterable<[string, T]>, limit: number, after: string | undefined) {
  const items: [string, T][] = [];
  let truncated = false;
  for (const entry of entries) {
    if (after !== undefined && entry[0] <= after) continue;
    if (items.length === limit) {
      truncated = true;
      break;
    }
    items.push(entry);
  }
  const nextMarker = truncated ? encodeMarker(items[items.length - 1][0]) : undefined;
  return { items: items.map(([, v]) => v), nextMarker, truncated };
}

export function listKeys(input: ListKeysRequest, ctx: RequestContext): ListKeysResponse {
  checkRange("limit", input.Limit, 1, 1000);
  const after = decodeMarker(input.Marker);
  const live = [...keyCollection(ctx.store).entries()].filter(([, key]) => !expire(ctx, { store: ctx.store, key }));
  const { items, nextMarker, truncated } = page(live, input.Limit ?? 100, after);
  return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: keyArn(k) })), NextMarker: nextMarker, Truncated: truncated };
}

export function enableKey(input: EnableKeyRequest, ctx: RequestContext): void {
  const ref = resolveKey(ctx, input.KeyId as string, false);
  requireCustomerManaged(ctx, ref.key);
  requireNotPendingDeletion(ref.key);
  if (ref.key.state === "PendingImport") throw new KMSInvalidStateException(`${keyArn(ref.key)} is pending import.`);
  ref.key.state = "Enabled";
  saveKey(ref);
}

export function disableKey(input: DisableKeyRequest, ctx: RequestContext): void {
  const ref = resolveKey(ctx, input.KeyId as string, false);
  requireCustomerManaged(ctx, ref.key);
  requireNotPendingDeletion(ref.key);
  if (ref.key.state === "PendingImport") throw new KMSInvalidStateException(`${keyArn(ref.key)} is pending import.`);
  ref.key.state = "Disabled";
  saveKey(ref);
}

export function scheduleKeyDeletion(input: ScheduleKeyDeletionRequest, ctx: RequestContext): ScheduleKeyDeletionResponse {
  checkRange("pendingWindowInDays", input.PendingWindowInDays, 7, 30);
  const ref = resolveKey(ctx, input.KeyId as string, false);
  requireCustomerManaged(ctx, ref.key);
  requireNotPendingDeletion(ref.key);
  if (ref.key.multiRegion && ref.key.primaryRegion === ref.key.region && (ref.key.replicaRegions ?? []).length > 0) {
    throw new UnsupportedOperationException(
      `${keyArn(ref.key)} can only be scheduled for deletion when it has no replica keys. Delete its replica keys first.`,
    );
  }
  const days = input.PendingWindowInDays ?? 30;
  ref.key.state = "PendingDeletion";
  ref.key.pendingWindowInDays = days;
  ref.key.deletionDate = ctx.runtime.now() + days * DAY_MS;
  saveKey(ref);
  return { KeyId: keyArn(ref.key), DeletionDate: new Date(ref.key.deletionDate), KeyState: "PendingDeletion", PendingWindowInDays: days };
}

export function cancelKeyDeletion(input: CancelKeyDeletionRequest, ctx: RequestContext): CancelKeyDeletionResponse {
  const ref = resolveKey(ctx, input.KeyId as string, false);
  requireCustomerManaged(ctx, ref.key);
  if (ref.key.state !== "PendingDeletion") throw new KMSInvalidStateException(`${keyArn(ref.key)} is not pending deletion.`);
  ref.key.state = ref.key.materials.length ? "Disabled" : "PendingImport";
  ref.key.deletionDate = undefined;
  ref.key.pendingWindowInDays = undefined;
  saveKey(ref);
  return { KeyId: keyArn(ref.key) };
}

export function updateKeyDescription(input: UpdateKeyDescriptionRequest, ctx: RequestContext): void {
  checkLength("description", input.Description, 0, 8192);
  const ref = resolveKey(ctx, input.KeyId as string, false);
  requireCustomerManaged(ctx, ref.key);
  requireNotPendingDeletion(ref.key);
  ref.key.description = input.Description as string;
  saveKey(ref);
}
