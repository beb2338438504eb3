import type { ReplicateKeyRequest, ReplicateKeyResponse, UpdatePrimaryRegionRequest } from "@aws-sdk/client-kms";
import type { RequestContext } from "../types.js";
import { AlreadyExistsException, checkLength, NotFoundException, UnsupportedOperationException, validation } from "./errors.js";
import { keyMetadata } from "./keys.js";
import { checkPolicy, checkTags } from "./policy.js";
import { defaultPolicy, type KeyRecord, keyArn, keyCollection, requireNotPendingDeletion, resolveKey, updateRelatedKeys } from "./store.js";

const REGION = /^([a-z]+-){2,3}\d+$/;

/**
 * Copies a multi-region primary key into another region of this process. Material (for AWS_KMS keys),
 * key spec, usage and rotation are shared; description, policy, tags and state are the replica's own.
 */
export function replicateKey(input: ReplicateKeyRequest, ctx: RequestContext): ReplicateKeyResponse {
  const ref = resolveKey(ctx, input.KeyId as string, false);
  const { key } = ref;
  const region = input.ReplicaRegion as string;
  if (!key.multiRegion) throw new UnsupportedOperationException(`${keyArn(key)} is not a multi-Region key.`);
  if (key.primaryRegion !== key.region)
    throw new UnsupportedOperationException(`${keyArn(key)} is not a primary key. Only primary keys can be replicated.`);
  requireNotPendingDeletion(key);
  if (!REGION.test(region)) throw validation(`${region} is not a valid AWS Region.`);
  checkLength("description", input.Description, 0, 8192);
  if (input.Policy !== undefined) checkPolicy(input.Policy);
  const tags = checkTags(input.Tags ?? []);
  const replicaArn = keyArn({ account: key.account, region, keyId: key.keyId });
  if (region === key.region || (key.replicaRegions ?? []).includes(region))
    throw new AlreadyExistsException(`Key '${replicaArn}' already exists`);

  const shared = key.origin === "AWS_KMS";
  const copy = structuredClone(key);
  const replica: KeyRecord = {
    ...copy,
    region,
    createdAt: ctx.runtime.now(),
    description: input.Description ?? "",
    policy: input.Policy ?? defaultPolicy(key.account),
    tags,
    state: shared ? "Enabled" : "PendingImport",
    materials: shared ? copy.materials : [],
    validTo: undefined,
    expirationModel: undefined,
    deletionDate: undefined,
    pendingWindowInDays: undefined,
    replicaRegions: [...(key.replicaRegions ?? []), region],
  };
  keyCollection(ctx.runtime.storeFor(key.account, region)).set(key.keyId, replica);
  key.replicaRegions = replica.replicaRegions;
  keyCollection(ref.store).set(key.keyId, key);
  updateRelatedKeys(ctx, key, (related) => {
    related.replicaRegions = replica.replicaRegions;
  });
  return { ReplicaKeyMetadata: keyMetadata(replica), ReplicaPolicy: replica.policy, ReplicaTags: tags };
}

/** Swaps roles: the replica in PrimaryRegion becomes the primary, and this key one of its replicas. */
export function updatePrimaryRegion(input: UpdatePrimaryRegionRequest, ctx: RequestContext): void {
  const ref = resolveKey(ctx, input.KeyId as string, false);
  const { key } = ref;
  const target = input.PrimaryRegion as string;
  if (!key.multiRegion) throw new UnsupportedOperationException(`${keyArn(key)} is not a multi-Region key.`);
  if (key.primaryRegion !== key.region) throw new UnsupportedOperationException(`${keyArn(key)} is not a primary key.`);
  requireNotPendingDeletion(key);
  if (target === key.region) return;
  if (!(key.replicaRegions ?? []).includes(target)) {
    throw new NotFoundException(`Key '${keyArn({ account: key.account, region: target, keyId: key.keyId })}' does not exist`);
  }
  const replicaRegions = [key.region, ...(key.replicaRegions ?? []).filter((r) => r !== target)];
  const relabel = (copy: KeyRecord) => {
    copy.primaryRegion = target;
    copy.replicaRegions = replicaRegions;
  };
  updateRelatedKeys(ctx, key, relabel);
  relabel(key);
  keyCollection(ref.store).set(key.keyId, key);
}
