import type {
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  GetSecretValueRequest,
  GetSecretValueResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  RestoreSecretRequest,
  RestoreSecretResponse,
  UpdateSecretRequest,
  UpdateSecretResponse,
  UpdateSecretVersionStageRequest,
  UpdateSecretVersionStageResponse,
} from "@aws-sdk/client-secrets-manager";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { mergeTags } from "./extras.js";
import {
  InvalidParameterException,
  InvalidRequestException,
  MARKED_FOR_DELETION,
  ResourceExistsException,
  ResourceNotFoundException,
} from "./errors.js";
import {
  CURRENT,
  type SecretRecord,
  type VersionRecord,
  checkSecretId,
  findSecret,
  newSecretArn,
  requireLiveSecret,
  requireSecret,
  requireWritableSecret,
  secrets,
  versionIdsToStages,
  versionWithStage,
} from "./store.js";
import { addReplicas, replicationStatus } from "./replication.js";
import { rotationFields } from "./rotation.js";
import { addVersion, checkToken, moveStage, readValue, save, requestedValue } from "./values.js";

const NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const DAY = 86_400_000;

function checkName(name: string) {
  if (name.length > 512) {
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 512`,
      { status: 400 },
    );
  }
  if (!NAME.test(name)) {
    throw new AwsError(
      "ValidationException",
      "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
      { status: 400 },
    );
  }
}

function checkDescription(description: string | undefined) {
  if (description !== undefined && description.length > 2048) {
    throw new InvalidParameterException("Description must be no longer than 2048 characters.");
  }
}

export async function createSecret(input: CreateSecretRequest, ctx: RequestContext): Promise<CreateSecretResponse> {
  const name = input.Name as string;
  checkName(name);
  checkDescription(input.Description);
  checkToken(input.ClientRequestToken);
  const value = requestedValue(input);
  const existing = findSecret(ctx, name);
  if (existing) {
    if (existing.deletedDate !== undefined) {
      throw new InvalidRequestException("You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    const retried = input.ClientRequestToken ? existing.versions[input.ClientRequestToken] : undefined;
    if (retried && value && !(await addVersion(ctx, existing, value, retried.id)).created) {
      return { ARN: existing.arn, Name: name, VersionId: retried.id };
    }
    throw new ResourceExistsException(`The operation failed because the secret ${name} already exists.`);
  }
  const now = ctx.runtime.now();
  const secret: SecretRecord = {
    arn: newSecretArn(ctx, name),
    name,
    description: input.Description,
    kmsKeyId: input.KmsKeyId,
    createdDate: now,
    lastChangedDate: now,
    tags: mergeTags([], input.Tags ?? []),
    versions: {},
  };
  const version = value ? (await addVersion(ctx, secret, value, input.ClientRequestToken)).version : undefined;
  if (input.AddReplicaRegions?.length) await addReplicas(ctx, secret, input.AddReplicaRegions, input.ForceOverwriteReplicaSecret ?? false);
  save(ctx, secret);
  return {
    ARN: secret.arn,
    Name: name,
    VersionId: version?.id,
    ReplicationStatus: secret.replicas ? replicationStatus(secret) : undefined,
  };
}

/** The version GetSecretValue reads: by id and/or stage, AWSCURRENT by default. */
function selectVersion(secret: SecretRecord, versionId: string | undefined, stage: string | undefined): VersionRecord {
  if (versionId !== undefined) {
    const version = secret.versions[versionId];
    if (!version || (stage !== undefined && !version.stages.includes(stage))) {
      throw new ResourceNotFoundException(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    }
    return version;
  }
  const label = stage ?? CURRENT;
  const version = versionWithStage(secret, label);
  if (!version) throw new ResourceNotFoundException(`Secrets Manager can't find the specified secret value for staging label: ${label}`);
  return version;
}

export async function getSecretValue(input: GetSecretValueRequest, ctx: RequestContext): Promise<GetSecretValueResponse> {
  const secret = requireLiveSecret(ctx, input.SecretId);
  const version = selectVersion(secret, input.VersionId, input.VersionStage);
  const value = await readValue(ctx, secret, version);
  // AWS records access dates to the day.
  const today = Math.floor(ctx.runtime.now() / DAY) * DAY;
  if (secret.lastAccessedDate !== today) {
    secret.lastAccessedDate = today;
    save(ctx, secret);
  }
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    ...value,
    VersionStages: [...version.stages],
    CreatedDate: new Date(version.createdDate),
  };
}

export async function putSecretValue(input: PutSecretValueRequest, ctx: RequestContext): Promise<PutSecretValueResponse> {
  const secret = requireWritableSecret(ctx, input.SecretId);
  checkToken(input.ClientRequestToken);
  const value = requestedValue(input);
  if (!value) throw new InvalidRequestException("You must provide either SecretString or SecretBinary.");
  const stages = input.VersionStages ?? [CURRENT];
  if (stages.length < 1 || stages.length > 20)
    throw new InvalidParameterException("VersionStages must contain between 1 and 20 staging labels.");
  const { version, created } = await addVersion(ctx, secret, value, input.ClientRequestToken, stages);
  if (created) save(ctx, secret);
  return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
}

export async function updateSecret(input: UpdateSecretRequest, ctx: RequestContext): Promise<UpdateSecretResponse> {
  const secret = requireWritableSecret(ctx, input.SecretId);
  checkDescription(input.Description);
  checkToken(input.ClientRequestToken);
  const value = requestedValue(input);
  if (input.Description !== undefined) secret.description = input.Description;
  if (input.KmsKeyId !== undefined) secret.kmsKeyId = input.KmsKeyId;
  secret.lastChangedDate = ctx.runtime.now();
  const version = value ? (await addVersion(ctx, secret, value, input.ClientRequestToken)).version : undefined;
  save(ctx, secret);
  return { ARN: secret.arn, Name: secret.name, VersionId: version?.id };
}

export function updateSecretVersionStage(input: UpdateSecretVersionStageRequest, ctx: RequestContext): UpdateSecretVersionStageResponse {
  const secret = requireWritableSecret(ctx, input.SecretId);
  const stage = input.VersionStage as string;
  const { RemoveFromVersionId: removeFrom, MoveToVersionId: moveTo } = input;
  for (const id of [removeFrom, moveTo]) {
    if (id !== undefined && !secret.versions[id]) {
      throw new InvalidParameterException(`The parameter VersionId can't be found: ${id}`);
    }
  }
  const holder = versionWithStage(secret, stage);
  if (holder && holder.id !== moveTo && holder.id !== removeFrom) {
    throw new InvalidParameterException(
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  }
  if (removeFrom !== undefined && holder?.id !== removeFrom) {
    throw new InvalidParameterException(`The staging label ${stage} is not attached to version ${removeFrom}.`);
  }
  if (stage === CURRENT && moveTo === undefined && removeFrom !== undefined) {
    throw new InvalidParameterException(
      "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.",
    );
  }
  moveStage(secret, stage, moveTo);
  secret.lastChangedDate = ctx.runtime.now();
  save(ctx, secret);
  return { ARN: secret.arn, Name: secret.name };
}

export function describeSecret(input: DescribeSecretRequest, ctx: RequestContext): DescribeSecretResponse {
  return describe(requireSecret(ctx, input.SecretId));
}

export function describe(secret: SecretRecord): DescribeSecretResponse {
  const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    LastChangedDate: date(secret.lastChangedDate),
    LastAccessedDate: date(secret.lastAccessedDate),
    DeletedDate: date(secret.deletedDate),
    Tags: secret.tags.length ? secret.tags.map((t) => ({ ...t })) : undefined,
    VersionIdsToStages: versionIdsToStages(secret),
    CreatedDate: date(secret.createdDate),
    ...rotationFields(secret),
    PrimaryRegion: secret.primaryRegion ?? (secret.replicas?.length ? secret.arn.split(":")[3] : undefined),
    ReplicationStatus: secret.replicas?.length ? replicationStatus(secret) : undefined,
  };
}

export function deleteSecret(input: DeleteSecretRequest, ctx: RequestContext): DeleteSecretResponse {
  checkSecretId(input.SecretId);
  const { RecoveryWindowInDays: window, ForceDeleteWithoutRecovery: force } = input;
  if (force && window !== undefined) {
    throw new InvalidParameterException("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  if (window !== undefined && (window < 7 || window > 30)) {
    throw new InvalidParameterException("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  }
  const secret = requireWritableSecret(ctx, input.SecretId, true);
  if (secret.replicas?.length) {
    throw new InvalidRequestException(
      `You can't delete secret ${secret.name} that still has replica regions [${secret.replicas.map((r) => r.region).join(", ")}]`,
    );
  }
  const now = ctx.runtime.now();
  if (force) {
    secrets(ctx).delete(secret.name);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(now) };
  }
  if (secret.deletedDate !== undefined) {
    throw new InvalidRequestException(MARKED_FOR_DELETION);
  }
  secret.deletedDate = now;
  secret.deletionDate = now + (window ?? 30) * DAY;
  save(ctx, secret);
  return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(secret.deletionDate) };
}

export function restoreSecret(input: RestoreSecretRequest, ctx: RequestContext): RestoreSecretResponse {
  const secret = requireWritableSecret(ctx, input.SecretId, true);
  secret.deletedDate = undefined;
  secret.deletionDate = undefined;
  save(ctx, secret);
  return { ARN: secret.arn, Name: secret.name };
}
