import type {
  RemoveRegionsFromReplicationRequest,
  RemoveRegionsFromReplicationResponse,
  ReplicaRegionType,
  ReplicateSecretToRegionsRequest,
  ReplicateSecretToRegionsResponse,
  ReplicationStatusType,
  StopReplicationToReplicaRequest,
  StopReplicationToReplicaResponse,
} from "@aws-sdk/client-secrets-manager";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidParameterException, InvalidRequestException } from "./errors.js";
import { requireSecret, requireWritableSecret, type SecretRecord, secrets } from "./store.js";
import { encrypt, readValue, save } from "./values.js";

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/**
 * Replicas live in other regions of this process under the primary's name, with the primary's ARN in
 * their region. They read through to the primary (see asReplica in store.ts), so they are always in sync.
 */
export async function replicateSecretToRegions(
  input: ReplicateSecretToRegionsRequest,
  ctx: RequestContext,
): Promise<ReplicateSecretToRegionsResponse> {
  const secret = requireWritableSecret(ctx, input.SecretId);
  await addReplicas(ctx, secret, input.AddReplicaRegions ?? [], input.ForceOverwriteReplicaSecret ?? false);
  save(ctx, secret);
  return { ARN: secret.arn, ReplicationStatus: replicationStatus(secret) };
}

/** Also used by CreateSecret's AddReplicaRegions; the caller saves the primary. */
export async function addReplicas(ctx: RequestContext, secret: SecretRecord, regions: ReplicaRegionType[], force: boolean): Promise<void> {
  if (regions.length === 0) throw new InvalidParameterException("You must specify at least one Region to replicate to.");
  const seen = new Set<string>();
  for (const { Region: region } of regions) {
    if (!region || !REGION.test(region)) throw new InvalidParameterException(`Invalid replica region: ${region}`);
    if (region === ctx.region)
      throw new InvalidParameterException("Invalid replica region: you can't replicate a secret to its own Region.");
    if (seen.has(region)) throw new InvalidParameterException(`Duplicate replica region: ${region}`);
    seen.add(region);
  }
  for (const { Region: region, KmsKeyId: kmsKeyId } of regions) {
    const others = (secret.replicas ?? []).filter((r) => r.region !== region);
    secret.replicas = [...others, await createReplica(ctx, secret, region as string, kmsKeyId, force)];
  }
}

async function createReplica(ctx: RequestContext, primary: SecretRecord, region: string, kmsKeyId: string | undefined, force: boolean) {
  const there = regionContext(ctx, region);
  const existing = secrets(there).get(primary.name);
  if (existing && existing.primaryArn !== primary.arn && !force) {
    return { region, kmsKeyId, status: "Failed" as const, statusMessage: "Replication failed: Secret name already exists in Region" };
  }
  if (kmsKeyId !== undefined) {
    try {
      await ctx.runtime.services.call(
        "kms",
        "DescribeKey",
        { KeyId: kmsKeyId },
        { account: ctx.account, region, asService: "secretsmanager" },
      );
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      return {
        region,
        kmsKeyId,
        status: "Failed" as const,
        statusMessage: `Replication failed: KMS key ${kmsKeyId} can't be found in ${region}`,
      };
    }
  }
  const now = ctx.runtime.now();
  secrets(there).set(primary.name, {
    arn: primary.arn.replace(`:secretsmanager:${ctx.region}:`, `:secretsmanager:${region}:`),
    name: primary.name,
    kmsKeyId,
    createdDate: now,
    lastChangedDate: now,
    tags: [],
    versions: {},
    primaryRegion: ctx.region,
    primaryArn: primary.arn,
  });
  return { region, kmsKeyId, status: "InSync" as const };
}

export function removeRegionsFromReplication(
  input: RemoveRegionsFromReplicationRequest,
  ctx: RequestContext,
): RemoveRegionsFromReplicationResponse {
  const secret = requireWritableSecret(ctx, input.SecretId);
  const removing = input.RemoveReplicaRegions ?? [];
  if (removing.length === 0) throw new InvalidParameterException("You must specify at least one Region to remove.");
  for (const region of removing) {
    if (!secret.replicas?.some((r) => r.region === region))
      throw new InvalidParameterException(`The secret isn't replicated to Region ${region}.`);
  }
  for (const region of removing) {
    const there = regionContext(ctx, region);
    if (secrets(there).get(secret.name)?.primaryArn === secret.arn) secrets(there).delete(secret.name);
  }
  secret.replicas = secret.replicas?.filter((r) => !removing.includes(r.region));
  save(ctx, secret);
  return { ARN: secret.arn, ReplicationStatus: replicationStatus(secret) };
}

/** Promotes a replica to a standalone secret of its region: its values are copied and encrypted here. */
export async function stopReplicationToReplica(
  input: StopReplicationToReplicaRequest,
  ctx: RequestContext,
): Promise<StopReplicationToReplicaResponse> {
  const replica = requireSecret(ctx, input.SecretId);
  if (!replica.primaryRegion || !replica.primaryArn) throw new InvalidRequestException("The secret isn't a replica secret.");
  const standalone: SecretRecord = { ...replica, versions: {}, primaryRegion: undefined, primaryArn: undefined, replicas: undefined };
  for (const version of Object.values(replica.versions)) {
    const value = await readValue(ctx, replica, version);
    const plaintext = value.SecretString !== undefined ? Buffer.from(value.SecretString) : Buffer.from(value.SecretBinary as Uint8Array);
    standalone.versions[version.id] = {
      ...version,
      ciphertext: await encrypt(ctx, standalone, version.id, plaintext),
      kmsKeyId: replica.kmsKeyId ?? version.kmsKeyId,
    };
  }
  secrets(ctx).set(standalone.name, standalone);
  const home = regionContext(ctx, replica.primaryRegion);
  const primary = secrets(home).get(replica.name);
  if (primary?.arn === replica.primaryArn) {
    secrets(home).set(primary.name, { ...primary, replicas: primary.replicas?.filter((r) => r.region !== ctx.region) });
  }
  return { ARN: standalone.arn };
}

export function replicationStatus(secret: SecretRecord): ReplicationStatusType[] {
  return (secret.replicas ?? []).map((r) => ({
    Region: r.region,
    KmsKeyId: r.kmsKeyId ?? "alias/aws/secretsmanager",
    Status: r.status,
    StatusMessage: r.statusMessage,
  }));
}

function regionContext(ctx: RequestContext, region: string): RequestContext {
  return { ...ctx, region, store: ctx.runtime.storeFor(ctx.account, region) };
}
