import { randomBytes } from "node:crypto";
import type { Tag } from "@aws-sdk/client-secrets-manager";
import { ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidRequestException, MARKED_FOR_DELETION, ResourceNotFoundException, SECRET_NOT_FOUND } from "./errors.js";

/** One version of a secret value; the value itself is stored as KMS ciphertext (base64). */
export interface VersionRecord {
  id: string;
  createdDate: number;
  stages: string[];
  kind: "string" | "binary";
  ciphertext: string;
  /** The KMS key that encrypted this version (Decrypt needs no key id, but DescribeSecret-era keys may change). */
  kmsKeyId: string;
}

export interface SecretRecord {
  arn: string;
  name: string;
  description?: string;
  /** As the caller gave it; absent means the AWS managed key aws/secretsmanager. */
  kmsKeyId?: string;
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  deletedDate?: number;
  /** When a scheduled deletion becomes final (ms). */
  deletionDate?: number;
  tags: Tag[];
  policy?: string;
  versions: Record<string, VersionRecord>;
  rotation?: RotationSettings;
  /** On a primary: its replicas in other regions. */
  replicas?: ReplicaStatus[];
  /** On a replica: the primary's region and ARN; the replica keeps no value of its own. */
  primaryRegion?: string;
  primaryArn?: string;
}

export interface ReplicaStatus {
  region: string;
  kmsKeyId?: string;
  status: "InSync" | "Failed";
  statusMessage?: string;
}

/** A secret's rotation configuration and history. */
export interface RotationSettings {
  enabled: boolean;
  lambdaArn?: string;
  automaticallyAfterDays?: number;
  /** rate(…) or cron(…), as the caller gave it. */
  scheduleExpression?: string;
  /** The rotation window, e.g. "3h". */
  duration?: string;
  lastRotatedDate?: number;
  nextRotationDate?: number;
}

export const CURRENT = "AWSCURRENT";
export const PREVIOUS = "AWSPREVIOUS";
export const PENDING = "AWSPENDING";

const SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ARN_PREFIX = /^arn:aws[a-z-]*:secretsmanager:[^:]*:[^:]*:secret:(.+)$/;

export function secrets(ctx: RequestContext) {
  return ctx.store.collection<SecretRecord>("secrets", { sorted: true });
}

export function newSecretArn(ctx: RequestContext, name: string): string {
  const bytes = randomBytes(6);
  const suffix = Array.from(bytes, (b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join("");
  return `arn:aws:secretsmanager:${ctx.region}:${ctx.account}:secret:${name}-${suffix}`;
}

/** Scheduled deletions become final lazily: a secret past its deletion date is gone at the next look. */
function purgeIfExpired(ctx: RequestContext, secret: SecretRecord): SecretRecord | undefined {
  if (secret.deletionDate !== undefined && secret.deletionDate <= ctx.runtime.now()) {
    secrets(ctx).delete(secret.name);
    return undefined;
  }
  return secret;
}

/**
 * Finds a secret by name, full ARN, or partial ARN (the ARN without its random suffix). Returns a copy, so a
 * request that fails half-way (e.g. KMS refuses) leaves the stored secret untouched until `save`.
 */
export function findSecret(ctx: RequestContext, secretId: string): SecretRecord | undefined {
  const found = lookup(ctx, secretId);
  return found && structuredClone(found);
}

function lookup(ctx: RequestContext, secretId: string): SecretRecord | undefined {
  const found = lookupOwn(ctx, secretId);
  return found?.primaryRegion ? asReplica(ctx, found) : found;
}

/**
 * A replica reads through to its primary, so it is always in sync: the primary's versions, description,
 * tags and rotation under the replica's own ARN and key. The values stay encrypted by the primary.
 */
function asReplica(ctx: RequestContext, replica: SecretRecord): SecretRecord | undefined {
  const home = { store: ctx.runtime.storeFor(ctx.account, replica.primaryRegion as string) } as RequestContext;
  const primary = secrets(home).get(replica.name);
  if (!primary || primary.arn !== replica.primaryArn) return replica;
  return {
    ...primary,
    arn: replica.arn,
    kmsKeyId: replica.kmsKeyId,
    createdDate: replica.createdDate,
    lastAccessedDate: replica.lastAccessedDate,
    replicas: undefined,
    primaryRegion: replica.primaryRegion,
    primaryArn: replica.primaryArn,
  };
}

/** Replicas are read-only: every change is made to the primary, in its region. */
export function requireWritableSecret(ctx: RequestContext, secretId: string | undefined, allowDeleted = false): SecretRecord {
  const secret = allowDeleted ? requireSecret(ctx, secretId) : requireLiveSecret(ctx, secretId);
  if (secret.primaryRegion) {
    throw new InvalidRequestException("Operation not permitted on a replica secret. Call must be made in primary secret's region.");
  }
  return secret;
}

function lookupOwn(ctx: RequestContext, secretId: string): SecretRecord | undefined {
  const byName = secrets(ctx).get(secretId);
  if (byName) return purgeIfExpired(ctx, byName);
  const arnName = ARN_PREFIX.exec(secretId)?.[1];
  if (!arnName) return undefined;
  const partial = secrets(ctx).get(arnName);
  if (partial?.arn.startsWith(`${secretId}-`) && partial.arn.length === secretId.length + 7) return purgeIfExpired(ctx, partial);
  const full = secrets(ctx).get(arnName.slice(0, -7));
  if (full && full.arn === secretId) return purgeIfExpired(ctx, full);
  return undefined;
}

export function requireSecret(ctx: RequestContext, secretId: string | undefined): SecretRecord {
  checkSecretId(secretId);
  const secret = findSecret(ctx, secretId as string);
  if (!secret) throw new ResourceNotFoundException(SECRET_NOT_FOUND);
  return secret;
}

/** Most operations refuse secrets scheduled for deletion. */
export function requireLiveSecret(ctx: RequestContext, secretId: string | undefined): SecretRecord {
  const secret = requireSecret(ctx, secretId);
  if (secret.deletedDate !== undefined) throw new InvalidRequestException(MARKED_FOR_DELETION);
  return secret;
}

export function checkSecretId(secretId: string | undefined, path = "secretId") {
  if (secretId !== undefined && (secretId.length < 1 || secretId.length > 2048)) {
    throw new ValidationFailure([
      {
        path,
        value: secretId,
        constraint: `Member must have length ${secretId.length < 1 ? "greater than or equal to 1" : "less than or equal to 2048"}`,
        kind: "length",
      },
    ]);
  }
}

export function versionIdsToStages(secret: SecretRecord): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const version of Object.values(secret.versions)) if (version.stages.length) out[version.id] = [...version.stages];
  return out;
}

export function versionWithStage(secret: SecretRecord, stage: string): VersionRecord | undefined {
  return Object.values(secret.versions).find((v) => v.stages.includes(stage));
}
