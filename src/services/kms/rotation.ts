import type {
  DisableKeyRotationRequest,
  EnableKeyRotationRequest,
  GetKeyRotationStatusRequest,
  GetKeyRotationStatusResponse,
  ListKeyRotationsRequest,
  ListKeyRotationsResponse,
  RotateKeyOnDemandRequest,
  RotateKeyOnDemandResponse,
  RotationsListEntry,
} from "@aws-sdk/client-kms";
import type { RequestContext } from "../types.js";
import { checkRange, LimitExceededException, UnsupportedOperationException } from "./errors.js";
import { decodeMarker, page } from "./keys.js";
import { type KeyRecord, keyArn, newMaterial, requireCustomerManaged, requireUsable, resolveKey, saveKey, shareMaterial } from "./store.js";

const DAY_MS = 86_400_000;
const MAX_ON_DEMAND_ROTATIONS = 10;

/** Only symmetric encryption keys rotate; asymmetric, HMAC and managed keys refuse. */
function rotatableKey(ctx: RequestContext, keyId: string, operation: string) {
  const ref = resolveKey(ctx, keyId, false);
  const { key } = ref;
  if (key.keySpec !== "SYMMETRIC_DEFAULT") {
    throw new UnsupportedOperationException(`${keyArn(key)} key spec ${key.keySpec} does not support ${operation}.`);
  }
  requireCustomerManaged(ctx, key);
  if (key.multiRegion && key.primaryRegion !== key.region) {
    throw new UnsupportedOperationException(
      `${keyArn(key)} is a replica key; rotation is managed on its primary key in ${key.primaryRegion}.`,
    );
  }
  return ref;
}

export function enableKeyRotation(input: EnableKeyRotationRequest, ctx: RequestContext): void {
  checkRange("rotationPeriodInDays", input.RotationPeriodInDays, 90, 2560);
  const ref = rotatableKey(ctx, input.KeyId as string, "EnableKeyRotation");
  requireUsable(ref.key);
  if (ref.key.origin === "EXTERNAL")
    throw new UnsupportedOperationException(`${keyArn(ref.key)} has imported key material, which does not support automatic rotation.`);
  const periodDays = input.RotationPeriodInDays ?? 365;
  ref.key.rotation = { periodDays, nextRotation: ctx.runtime.now() + periodDays * DAY_MS };
  saveKey(ref);
  shareMaterial(ctx, ref.key);
}

export function disableKeyRotation(input: DisableKeyRotationRequest, ctx: RequestContext): void {
  const ref = rotatableKey(ctx, input.KeyId as string, "DisableKeyRotation");
  requireUsable(ref.key);
  ref.key.rotation = undefined;
  saveKey(ref);
  shareMaterial(ctx, ref.key);
}

export function getKeyRotationStatus(input: GetKeyRotationStatusRequest, ctx: RequestContext): GetKeyRotationStatusResponse {
  const { key } = resolveKey(ctx, input.KeyId as string, false);
  if (key.keySpec !== "SYMMETRIC_DEFAULT") {
    throw new UnsupportedOperationException(`${keyArn(key)} key spec ${key.keySpec} does not support GetKeyRotationStatus.`);
  }
  // A key waiting for deletion reports rotation as off, as AWS does.
  const rotation = key.state === "PendingDeletion" ? undefined : key.rotation;
  return {
    KeyId: keyArn(key),
    KeyRotationEnabled: rotation !== undefined,
    RotationPeriodInDays: rotation?.periodDays,
    NextRotationDate: rotation ? new Date(rotation.nextRotation) : undefined,
    OnDemandRotationStartDate: key.onDemandRotationStartDate !== undefined ? new Date(key.onDemandRotationStartDate) : undefined,
  };
}

export function rotateKeyOnDemand(input: RotateKeyOnDemandRequest, ctx: RequestContext): RotateKeyOnDemandResponse {
  const ref = rotatableKey(ctx, input.KeyId as string, "RotateKeyOnDemand");
  requireUsable(ref.key);
  if (ref.key.origin === "EXTERNAL")
    throw new UnsupportedOperationException(`${keyArn(ref.key)} has imported key material, which cannot be rotated here.`);
  const onDemand = ref.key.materials.filter((m) => m.rotationType === "ON_DEMAND").length;
  if (onDemand >= MAX_ON_DEMAND_ROTATIONS) {
    throw new LimitExceededException(
      `${keyArn(ref.key)} has reached the maximum number of on-demand rotations (${MAX_ON_DEMAND_ROTATIONS}).`,
    );
  }
  const now = ctx.runtime.now();
  ref.key.materials.push(newMaterial(ref.key.keySpec, now, "ON_DEMAND"));
  ref.key.onDemandRotationStartDate = now;
  saveKey(ref);
  shareMaterial(ctx, ref.key);
  return { KeyId: ref.key.keyId };
}

function rotationEntry(key: KeyRecord, index: number): RotationsListEntry {
  const material = key.materials[index];
  return {
    KeyId: key.keyId,
    KeyMaterialId: material.id,
    KeyMaterialState: index === key.materials.length - 1 ? "CURRENT" : "NON_CURRENT",
    RotationDate: new Date(material.createdAt),
    RotationType: material.rotationType,
  };
}

export function listKeyRotations(input: ListKeyRotationsRequest, ctx: RequestContext): ListKeyRotationsResponse {
  checkRange("limit", input.Limit, 1, 1000);
  const { key } = resolveKey(ctx, input.KeyId as string, false);
  if (key.keySpec !== "SYMMETRIC_DEFAULT") {
    throw new UnsupportedOperationException(`${keyArn(key)} key spec ${key.keySpec} does not support ListKeyRotations.`);
  }
  // The first material is the key's original one, not a rotation; index keys sort as zero-padded strings.
  const rotations = key.materials
    .slice(1)
    .map((_, i): [string, RotationsListEntry] => [String(i + 1).padStart(6, "0"), rotationEntry(key, i + 1)]);
  const { items, nextMarker, truncated } = page(rotations, input.Limit ?? 100, decodeMarker(input.Marker));
  return { Rotations: items, NextMarker: nextMarker, Truncated: truncated };
}
