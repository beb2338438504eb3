import { randomUUID } from "node:crypto";
import type {
  CancelRotateSecretRequest,
  CancelRotateSecretResponse,
  DescribeSecretResponse,
  RotateSecretRequest,
  RotateSecretResponse,
  RotationRulesType,
} from "@aws-sdk/client-secrets-manager";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { InvalidParameterException, InvalidRequestException, ResourceNotFoundException } from "./errors.js";
import { CURRENT, PENDING, type RotationSettings, type SecretRecord, requireWritableSecret, secrets, versionWithStage } from "./store.js";
import { checkToken, save } from "./values.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
const RATE = /^rate\((\d+) (hours?|days?)\)$/;
const CRON = /^cron\((\S+ ){5}\S+\)$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/;
/** How often the schedule is checked for secrets that are due. */
export const ROTATION_SWEEP_MS = 60_000;

/**
 * Configures rotation and, unless told to wait, starts it: Secrets Manager invokes the rotation function
 * for each of the four steps in turn, in the background, and the function itself creates the AWSPENDING
 * version (createSecret) and moves AWSCURRENT to it (finishSecret) through the Secrets Manager API.
 */
export async function rotateSecret(input: RotateSecretRequest, ctx: RequestContext): Promise<RotateSecretResponse> {
  checkToken(input.ClientRequestToken);
  const secret = requireWritableSecret(ctx, input.SecretId);
  if (rotationInProgress(secret))
    throw new InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.");
  const lambdaArn = input.RotationLambdaARN ?? secret.rotation?.lambdaArn;
  if (!lambdaArn) throw new InvalidRequestException("No Lambda rotation function ARN is associated with this secret.");
  if (!LAMBDA_ARN.test(lambdaArn)) throw new InvalidParameterException("The rotation Lambda ARN is not valid.");
  await requireFunction(ctx, lambdaArn);
  const rules = input.RotationRules ? checkedRules(input.RotationRules) : undefined;
  const previous = secret.rotation;
  const rotation: RotationSettings = {
    ...previous,
    enabled: true,
    lambdaArn,
    ...(rules ?? {}),
  };
  const token = input.ClientRequestToken ?? randomUUID();
  const now = ctx.runtime.now();
  rotation.nextRotationDate = nextRotation(rotation, rotation.lastRotatedDate ?? now);
  secret.rotation = rotation;
  save(ctx, secret);
  const job = { runtime: ctx.runtime, account: ctx.account, region: ctx.region, name: secret.name, lambdaArn };
  if (input.RotateImmediately === false) {
    // AWS only tries the configuration, with the testSecret step, when asked not to rotate now.
    ctx.runtime.setTimer(() => void invokeStep(job, "testSecret", secret.arn, token).catch(() => undefined), 0);
    return { ARN: secret.arn, Name: secret.name };
  }
  ctx.runtime.setTimer(() => void runRotation(job, secret.arn, token), 0);
  return { ARN: secret.arn, Name: secret.name, VersionId: token };
}

/** Turns rotation off; a rotation in progress is left as it is, as AWS leaves its labels. */
export function cancelRotateSecret(input: CancelRotateSecretRequest, ctx: RequestContext): CancelRotateSecretResponse {
  const secret = requireWritableSecret(ctx, input.SecretId);
  const pending = rotationInProgress(secret) ? versionWithStage(secret, PENDING)?.id : undefined;
  if (secret.rotation) {
    secret.rotation = { ...secret.rotation, enabled: false, nextRotationDate: undefined };
    save(ctx, secret);
  }
  return { ARN: secret.arn, Name: secret.name, VersionId: pending };
}

export function rotationFields(secret: SecretRecord): Partial<DescribeSecretResponse> {
  const rotation = secret.rotation;
  if (!rotation) return {};
  const rules: RotationRulesType = {};
  if (rotation.automaticallyAfterDays !== undefined) rules.AutomaticallyAfterDays = rotation.automaticallyAfterDays;
  if (rotation.scheduleExpression !== undefined) rules.ScheduleExpression = rotation.scheduleExpression;
  if (rotation.duration !== undefined) rules.Duration = rotation.duration;
  return {
    RotationEnabled: rotation.enabled,
    RotationLambdaARN: rotation.lambdaArn,
    RotationRules: Object.keys(rules).length ? rules : undefined,
    LastRotatedDate: rotation.lastRotatedDate === undefined ? undefined : new Date(rotation.lastRotatedDate),
    NextRotationDate: rotation.enabled && rotation.nextRotationDate !== undefined ? new Date(rotation.nextRotationDate) : undefined,
  };
}

/** Starts the rotation of every secret whose schedule is due, in every account and region. */
export function rotateDueSecrets(runtime: ServiceRuntime): void {
  const now = runtime.now();
  for (const scope of runtime.state.scopes("secretsmanager")) {
    const holder = { store: runtime.storeFor(scope.account, scope.region) } as RequestContext;
    for (const secret of secrets(holder).values()) {
      const rotation = secret.rotation;
      if (!rotation?.enabled || !rotation.lambdaArn || rotation.nextRotationDate === undefined || rotation.nextRotationDate > now) continue;
      if (secret.deletedDate !== undefined || rotationInProgress(secret)) continue;
      // Due: the next window is counted from now, so a failing function is retried once per period, not per sweep.
      secrets(holder).set(secret.name, { ...secret, rotation: { ...rotation, nextRotationDate: nextRotation(rotation, now) } });
      const job = { runtime, account: scope.account, region: scope.region, name: secret.name, lambdaArn: rotation.lambdaArn };
      void runRotation(job, secret.arn, randomUUID());
    }
  }
}

interface RotationJob {
  runtime: ServiceRuntime;
  account: string;
  region: string;
  name: string;
  lambdaArn: string;
}

/** The four steps in order; the first failing step ends the rotation, leaving AWSPENDING where it is. */
async function runRotation(job: RotationJob, arn: string, token: string): Promise<void> {
  for (const step of STEPS) {
    try {
      await invokeStep(job, step, arn, token);
    } catch {
      return;
    }
  }
  const holder = { store: job.runtime.storeFor(job.account, job.region) } as RequestContext;
  const secret = secrets(holder).get(job.name);
  if (!secret?.rotation || secret.arn !== arn) return;
  if (versionWithStage(secret, CURRENT)?.id !== token) return; // finishSecret did not move AWSCURRENT: not rotated
  const now = job.runtime.now();
  secrets(holder).set(secret.name, {
    ...secret,
    rotation: { ...secret.rotation, lastRotatedDate: now, nextRotationDate: nextRotation(secret.rotation, now) },
  });
}

async function invokeStep(job: RotationJob, step: string, arn: string, token: string): Promise<void> {
  const payload = { Step: step, SecretId: arn, ClientRequestToken: token, RotationToken: randomUUID() };
  const out = await job.runtime.services.call<{ FunctionError?: string; Payload?: Uint8Array }>(
    "lambda",
    "Invoke",
    { FunctionName: job.lambdaArn, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(payload)) },
    { account: job.account, region: job.region, asService: "secretsmanager", sourceArn: arn },
  );
  if (out.FunctionError) throw new Error(`rotation step ${step} failed: ${Buffer.from(out.Payload ?? []).toString()}`);
}

async function requireFunction(ctx: RequestContext, lambdaArn: string): Promise<void> {
  const [account, region] = [lambdaArn.split(":")[4], lambdaArn.split(":")[3]];
  try {
    await ctx.runtime.services.call("lambda", "GetFunction", { FunctionName: lambdaArn }, { account, region, asService: "secretsmanager" });
  } catch (err) {
    if (err instanceof AwsError) throw new ResourceNotFoundException(`Secrets Manager can't find the rotation function ${lambdaArn}.`);
    throw err;
  }
}

/** AWSPENDING on a version that is not AWSCURRENT: an earlier rotation has not finished. */
function rotationInProgress(secret: SecretRecord): boolean {
  const pending = versionWithStage(secret, PENDING);
  return pending !== undefined && !pending.stages.includes(CURRENT);
}

function checkedRules(rules: RotationRulesType): Partial<RotationSettings> {
  const { AutomaticallyAfterDays: days, ScheduleExpression: expression, Duration: duration } = rules;
  if (days !== undefined && expression !== undefined) {
    throw new InvalidParameterException("You can't specify both AutomaticallyAfterDays and ScheduleExpression.");
  }
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 1000)) {
    throw new InvalidParameterException("AutomaticallyAfterDays must be between 1 and 1000.");
  }
  if (expression !== undefined) checkSchedule(expression);
  if (duration !== undefined) {
    const hours = /^(\d+)h$/.exec(duration)?.[1];
    if (!hours || Number(hours) < 1 || Number(hours) > 24) throw new InvalidParameterException("Duration must be between 1h and 24h.");
  }
  if (days === undefined && expression === undefined) {
    throw new InvalidParameterException("RotationRules must specify AutomaticallyAfterDays or ScheduleExpression.");
  }
  return { automaticallyAfterDays: days, scheduleExpression: expression, duration };
}

function checkSchedule(expression: string): void {
  const rate = RATE.exec(expression);
  if (rate) {
    const hours = Number(rate[1]) * (rate[2].startsWith("day") ? 24 : 1);
    if (hours < 4 || hours > 1000 * 24) throw new InvalidParameterException("The rotation schedule must be between 4 hours and 1000 days.");
    return;
  }
  if (!CRON.test(expression)) throw new InvalidParameterException("The ScheduleExpression is not valid.");
}

/** When the next scheduled rotation is due; cron schedules are kept but not computed here (undefined). */
function nextRotation(rotation: RotationSettings, from: number): number | undefined {
  if (rotation.automaticallyAfterDays !== undefined) return from + rotation.automaticallyAfterDays * DAY;
  const rate = rotation.scheduleExpression ? RATE.exec(rotation.scheduleExpression) : null;
  if (rate) return from + Number(rate[1]) * (rate[2].startsWith("day") ? DAY : HOUR);
  return undefined;
}
