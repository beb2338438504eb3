import type { ConditionContext } from "../../iam/conditions.js";
import type { AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { type SecretRecord, secrets } from "./store.js";

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[^:]*:[^:]*:secret:(.+)$/;

/** The secret a SecretId names (name, full or partial ARN), read without purging or copying. */
function secretOf(id: unknown, ctx: RequestContext): SecretRecord | undefined {
  if (typeof id !== "string") return undefined;
  const all = secrets(ctx);
  const arnName = SECRET_ARN.exec(id)?.[1];
  if (!arnName) return all.get(id);
  return all.get(arnName) ?? all.get(arnName.slice(0, -7));
}

/** The secret's ARN; for a secret that does not exist (yet), the ARN pattern IAM policies match (`name-??????`). */
function secretArn(i: OperationInput, ctx: RequestContext): string {
  const id = i.SecretId ?? i.Name;
  const secret = secretOf(id, ctx);
  if (secret) return secret.arn;
  if (typeof id === "string" && id.startsWith("arn:")) return id;
  return `arn:aws:secretsmanager:${ctx.region}:${ctx.account}:secret:${String(id)}-??????`;
}

const requestKeys = (i: OperationInput): ConditionContext => ({
  "secretsmanager:secretid": i.SecretId,
  "secretsmanager:name": i.Name,
  "secretsmanager:versionid": i.VersionId,
  "secretsmanager:versionstage": i.VersionStage,
  "secretsmanager:description": i.Description,
  "secretsmanager:kmskeyid": i.KmsKeyId,
  "secretsmanager:forceoverwritereplicasecret":
    i.ForceOverwriteReplicaSecret === undefined ? undefined : String(i.ForceOverwriteReplicaSecret),
});

/** Secret operations are governed by the secret's resource policy, where it has one. */
const onSecret = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [secretArn(i, ctx)],
  resourcePolicy: (i, ctx) => secretOf(i.SecretId, ctx)?.policy,
  resourceTags: (i, ctx) => Object.fromEntries((secretOf(i.SecretId, ctx)?.tags ?? []).map((t) => [t.Key, t.Value])),
  context: requestKeys,
  ...extra,
});

export const authorization: AuthorizationTable = {
  CreateSecret: onSecret("secretsmanager:CreateSecret"),
  GetSecretValue: onSecret("secretsmanager:GetSecretValue"),
  PutSecretValue: onSecret("secretsmanager:PutSecretValue"),
  UpdateSecret: onSecret("secretsmanager:UpdateSecret"),
  UpdateSecretVersionStage: onSecret("secretsmanager:UpdateSecretVersionStage"),
  DescribeSecret: onSecret("secretsmanager:DescribeSecret"),
  ListSecrets: { action: "secretsmanager:ListSecrets" },
  ListSecretVersionIds: onSecret("secretsmanager:ListSecretVersionIds"),
  DeleteSecret: onSecret("secretsmanager:DeleteSecret"),
  RestoreSecret: onSecret("secretsmanager:RestoreSecret"),
  RotateSecret: onSecret("secretsmanager:RotateSecret", {
    // Rotating with a function makes Secrets Manager invoke it: the caller must be allowed to.
    also: (i) => (typeof i.RotationLambdaARN === "string" ? [{ action: "lambda:InvokeFunction", resources: [i.RotationLambdaARN] }] : []),
  }),
  CancelRotateSecret: onSecret("secretsmanager:CancelRotateSecret"),
  ReplicateSecretToRegions: onSecret("secretsmanager:ReplicateSecretToRegions", {
    context: (i) => ({
      ...requestKeys(i),
      "secretsmanager:addreplicaregions": (i.AddReplicaRegions ?? []).map((r: { Region?: string }) => r.Region),
    }),
  }),
  RemoveRegionsFromReplication: onSecret("secretsmanager:RemoveRegionsFromReplication"),
  StopReplicationToReplica: onSecret("secretsmanager:StopReplicationToReplica"),
  // Each secret it returns also needs secretsmanager:GetSecretValue on that secret.
  BatchGetSecretValue: {
    action: "secretsmanager:BatchGetSecretValue",
    also: (i, ctx) => [
      {
        action: "secretsmanager:GetSecretValue",
        resources: ((i.SecretIdList ?? []) as string[]).map((id) => secretArn({ SecretId: id }, ctx)),
      },
    ],
  },
  GetRandomPassword: { action: "secretsmanager:GetRandomPassword" },
  TagResource: onSecret("secretsmanager:TagResource"),
  UntagResource: onSecret("secretsmanager:UntagResource"),
  PutResourcePolicy: onSecret("secretsmanager:PutResourcePolicy"),
  GetResourcePolicy: onSecret("secretsmanager:GetResourcePolicy"),
  DeleteResourcePolicy: onSecret("secretsmanager:DeleteResourcePolicy"),
  ValidateResourcePolicy: onSecret("secretsmanager:ValidateResourcePolicy", {
    resources: (i, ctx) => [i.SecretId === undefined ? "*" : secretArn(i, ctx)],
  }),
};
