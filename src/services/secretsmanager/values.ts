import { randomUUID } from "node:crypto";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { DecryptionFailure, EncryptionFailure, InvalidParameterException, ResourceExistsException } from "./errors.js";
import { CURRENT, PREVIOUS, type SecretRecord, type VersionRecord, secrets } from "./store.js";

/** Secrets Manager's own AWS managed key, used when the secret names none. */
export const DEFAULT_KMS_KEY = "alias/aws/secretsmanager";
/** AWS keeps about 100 versions; deprecated (unlabelled) ones beyond that are removed oldest first. */
const MAX_VERSIONS = 100;

export interface SecretValue {
  SecretString?: string;
  SecretBinary?: Uint8Array;
}

/** The caller's value, checked as every value-setting operation does. Undefined when neither is given. */
export function requestedValue(input: SecretValue): SecretValue | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw new InvalidParameterException("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  const size = input.SecretString !== undefined ? Buffer.byteLength(input.SecretString) : input.SecretBinary?.length;
  if (size === undefined) return undefined;
  if (size > 65536) throw new InvalidParameterException("The secret value must be no larger than 65536 bytes.");
  return input.SecretString !== undefined ? { SecretString: input.SecretString } : { SecretBinary: input.SecretBinary };
}

export function checkToken(token: string | undefined) {
  if (token !== undefined && (token.length < 32 || token.length > 64)) {
    throw new InvalidParameterException("ClientRequestToken must be 32-64 characters long.");
  }
}

/** Values are encrypted under the primary's ARN and in its region; a replica reads them from there. */
const encryptionContext = (secret: SecretRecord, versionId: string) => ({
  SecretARN: secret.primaryArn ?? secret.arn,
  SecretVersionId: versionId,
});

function kmsOptions(ctx: RequestContext, secret?: SecretRecord) {
  return { asService: "secretsmanager", account: ctx.account, region: secret?.primaryRegion ?? ctx.region };
}

/** KMS refusing (missing, disabled or pending-deletion key) reaches the caller as Secrets Manager's own error. */
async function viaKms<T>(call: () => Promise<T>, failure: new (message: string) => AwsError, message: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AwsError) throw new failure(`${message} ${err.message}`);
    throw err;
  }
}

export async function encrypt(ctx: RequestContext, secret: SecretRecord, versionId: string, plaintext: Buffer): Promise<string> {
  const out = await viaKms(
    () =>
      ctx.runtime.services.call<{ CiphertextBlob: Uint8Array }>(
        "kms",
        "Encrypt",
        { KeyId: secret.kmsKeyId ?? DEFAULT_KMS_KEY, Plaintext: plaintext, EncryptionContext: encryptionContext(secret, versionId) },
        kmsOptions(ctx),
      ),
    EncryptionFailure,
    "Secrets Manager can't encrypt the protected secret text using the provided KMS key.",
  );
  return Buffer.from(out.CiphertextBlob).toString("base64");
}

async function decrypt(ctx: RequestContext, secret: SecretRecord, version: VersionRecord): Promise<Buffer> {
  const out = await viaKms(
    () =>
      ctx.runtime.services.call<{ Plaintext: Uint8Array }>(
        "kms",
        "Decrypt",
        { CiphertextBlob: Buffer.from(version.ciphertext, "base64"), EncryptionContext: encryptionContext(secret, version.id) },
        kmsOptions(ctx, secret),
      ),
    DecryptionFailure,
    "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
  );
  return Buffer.from(out.Plaintext);
}

export async function readValue(ctx: RequestContext, secret: SecretRecord, version: VersionRecord): Promise<SecretValue> {
  const plaintext = await decrypt(ctx, secret, version);
  return version.kind === "string" ? { SecretString: plaintext.toString("utf8") } : { SecretBinary: plaintext };
}

async function sameValue(ctx: RequestContext, secret: SecretRecord, version: VersionRecord, value: SecretValue): Promise<boolean> {
  const stored = await readValue(ctx, secret, version);
  if (value.SecretString !== undefined) return stored.SecretString === value.SecretString;
  return (
    stored.SecretBinary !== undefined &&
    value.SecretBinary !== undefined &&
    Buffer.from(stored.SecretBinary).equals(Buffer.from(value.SecretBinary))
  );
}

/**
 * Adds a version carrying `stages`, moving each label off the version that had it; when AWSCURRENT moves,
 * the version that had it becomes AWSPREVIOUS. A token naming an existing version with the same value is a
 * retry and changes nothing. Returns the version (new or retried); the caller saves the secret.
 */
export async function addVersion(
  ctx: RequestContext,
  secret: SecretRecord,
  value: SecretValue,
  token: string | undefined,
  stages: string[] = [CURRENT],
): Promise<{ version: VersionRecord; created: boolean }> {
  const versionId = token ?? randomUUID();
  const existing = secret.versions[versionId];
  if (existing) {
    if (await sameValue(ctx, secret, existing, value)) return { version: existing, created: false };
    throw new ResourceExistsException("You can't modify an existing version, you can only create new versions.");
  }
  const plaintext =
    value.SecretString !== undefined ? Buffer.from(value.SecretString, "utf8") : Buffer.from(value.SecretBinary as Uint8Array);
  const version: VersionRecord = {
    id: versionId,
    createdDate: ctx.runtime.now(),
    stages: [],
    kind: value.SecretString !== undefined ? "string" : "binary",
    ciphertext: await encrypt(ctx, secret, versionId, plaintext),
    kmsKeyId: secret.kmsKeyId ?? DEFAULT_KMS_KEY,
  };
  secret.versions[versionId] = version;
  for (const stage of stages) moveStage(secret, stage, versionId);
  pruneDeprecated(secret);
  secret.lastChangedDate = ctx.runtime.now();
  return { version, created: true };
}

/** Attaches `stage` to `versionId` (or just detaches it when undefined), keeping AWSPREVIOUS as AWS does. */
export function moveStage(secret: SecretRecord, stage: string, versionId: string | undefined) {
  const from = Object.values(secret.versions).find((v) => v.stages.includes(stage));
  if (from?.id === versionId) return;
  if (from) from.stages = from.stages.filter((s) => s !== stage);
  if (versionId) secret.versions[versionId].stages.push(stage);
  if (stage === CURRENT && from && versionId) {
    for (const v of Object.values(secret.versions)) v.stages = v.stages.filter((s) => s !== PREVIOUS);
    from.stages.push(PREVIOUS);
  }
}

function pruneDeprecated(secret: SecretRecord) {
  const deprecated = Object.values(secret.versions)
    .filter((v) => v.stages.length === 0)
    .sort((a, b) => a.createdDate - b.createdDate);
  let excess = Object.keys(secret.versions).length - MAX_VERSIONS;
  for (const v of deprecated) {
    if (excess-- <= 0) break;
    delete secret.versions[v.id];
  }
}

export function save(ctx: RequestContext, secret: SecretRecord) {
  if (secret.primaryRegion) {
    // A replica (read through its primary) only keeps what is its own.
    const own = secrets(ctx).get(secret.name);
    if (own) secrets(ctx).set(secret.name, { ...own, lastAccessedDate: secret.lastAccessedDate });
    return;
  }
  secrets(ctx).set(secret.name, secret);
}
