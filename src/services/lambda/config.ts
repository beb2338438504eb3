import { randomUUID } from "node:crypto";
import type { CreateFunctionRequest, FunctionConfiguration, UpdateFunctionConfigurationRequest } from "@aws-sdk/client-lambda";
import { ValidationFailure, type ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidParameterValueException } from "./errors.js";

/** Runtimes Overcast can execute, each as a local process. */
export const SUPPORTED_RUNTIME = /^(nodejs\d+\.x|python3\.\d+|provided\.al2(023)?)$/;
/** Runtimes Lambda no longer accepts for new or updated functions. */
const DEPRECATED_RUNTIMES = new Set([
  "nodejs",
  "nodejs4.3",
  "nodejs4.3-edge",
  "nodejs6.10",
  "nodejs8.10",
  "nodejs10.x",
  "nodejs12.x",
  "nodejs14.x",
  "nodejs16.x",
  "python2.7",
  "python3.6",
  "python3.7",
  "python3.8",
  "provided",
  "dotnetcore1.0",
  "dotnetcore2.0",
  "dotnetcore2.1",
  "dotnetcore3.1",
  "dotnet6",
  "java8",
  "ruby2.5",
  "ruby2.7",
  "go1.x",
]);
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const HANDLER = /^[^\s]+$/;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const RESERVED_ENV = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);
const ENV_LIMIT_BYTES = 4096;
const DEAD_LETTER_TARGET = /^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:[a-zA-Z0-9_.-]+$/;

/** Settings shared by CreateFunction and UpdateFunctionConfiguration. */
type Settings = Partial<
  Pick<
    CreateFunctionRequest,
    "Runtime" | "Role" | "Handler" | "Timeout" | "MemorySize" | "Environment" | "Description" | "DeadLetterConfig"
  >
>;

export function checkSettings(input: Settings, issues: ValidationIssue[] = []): void {
  if (input.Role !== undefined && !ROLE.test(input.Role)) {
    issues.push({
      path: "role",
      value: input.Role,
      constraint: `Member must satisfy regular expression pattern: ${ROLE.source.slice(1, -1)}`,
      kind: "pattern",
    });
  }
  if (input.Handler !== undefined && (input.Handler.length > 128 || !HANDLER.test(input.Handler))) {
    issues.push({
      path: "handler",
      value: input.Handler,
      constraint: "Member must satisfy regular expression pattern: [^\\s]+",
      kind: "pattern",
    });
  }
  range(issues, "timeout", input.Timeout, 1, 900);
  range(issues, "memorySize", input.MemorySize, 128, 10240);
  if (input.Description !== undefined && input.Description.length > 256) {
    issues.push({
      path: "description",
      value: input.Description,
      constraint: "Member must have length less than or equal to 256",
      kind: "length",
    });
  }
  if (issues.length) throw new ValidationFailure(issues);
  if (input.Runtime !== undefined) checkRuntime(input.Runtime);
  checkEnvironment(input.Environment?.Variables);
  checkDeadLetterTarget(input.DeadLetterConfig?.TargetArn);
}

/** Failed asynchronous events can go to a standard SQS queue or SNS topic; an empty ARN removes the target. */
function checkDeadLetterTarget(arn: string | undefined): void {
  if (!arn) return;
  if (!arn.startsWith("arn:")) throw new InvalidParameterValueException("Invalid dead letter queue ARN: ARNs must start with 'arn:'");
  if (!DEAD_LETTER_TARGET.test(arn) || arn.endsWith(".fifo"))
    throw new InvalidParameterValueException(
      `Invalid dead letter queue ARN: ${arn}. It must be an Amazon SQS queue or an Amazon SNS topic.`,
    );
}

function range(issues: ValidationIssue[], path: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || (value >= min && value <= max)) return;
  const constraint =
    value < min ? `Member must have value greater than or equal to ${min}` : `Member must have value less than or equal to ${max}`;
  issues.push({ path, value, constraint, kind: "range" });
}

function checkRuntime(runtime: string): void {
  if (DEPRECATED_RUNTIMES.has(runtime)) {
    throw new InvalidParameterValueException(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  }
  if (!SUPPORTED_RUNTIME.test(runtime)) {
    throw new InvalidParameterValueException(
      `The runtime parameter of ${runtime} is not supported by Overcast: use nodejs*, python3.* or provided.al2/al2023.`,
    );
  }
}

function checkEnvironment(variables: Record<string, string> | undefined): void {
  if (!variables) return;
  const reserved = Object.keys(variables).filter((k) => RESERVED_ENV.has(k));
  if (reserved.length) {
    throw new InvalidParameterValueException(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
  const invalid = Object.keys(variables).find((k) => !ENV_KEY.test(k));
  if (invalid !== undefined) {
    throw new ValidationFailure([
      {
        path: "environment.variables",
        value: invalid,
        constraint: "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+",
        kind: "pattern",
      },
    ]);
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured, "utf8") > ENV_LIMIT_BYTES) {
    throw new InvalidParameterValueException(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
}

/** Lambda's own timestamp format: `2024-05-01T12:00:00.000+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

export function functionArn(ctx: RequestContext, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
}

/** The $LATEST configuration of a new function, in the state Lambda reports once it is Active. */
export function newConfiguration(
  input: CreateFunctionRequest,
  name: string,
  code: { sha256: string; size: number },
  ctx: RequestContext,
): FunctionConfiguration {
  return {
    FunctionName: name,
    FunctionArn: functionArn(ctx, name),
    Runtime: input.Runtime,
    Role: input.Role,
    Handler: input.Handler,
    CodeSize: code.size,
    Description: input.Description ?? "",
    Timeout: input.Timeout ?? 3,
    MemorySize: input.MemorySize ?? 128,
    LastModified: lambdaTimestamp(ctx.runtime.now()),
    CodeSha256: code.sha256,
    Version: "$LATEST",
    Environment: input.Environment?.Variables ? { Variables: { ...input.Environment.Variables } } : undefined,
    TracingConfig: { Mode: input.TracingConfig?.Mode ?? "PassThrough" },
    RevisionId: randomUUID(),
    State: "Active",
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: input.Architectures ?? ["x86_64"],
    EphemeralStorage: { Size: input.EphemeralStorage?.Size ?? 512 },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${name}` },
    DeadLetterConfig: input.DeadLetterConfig?.TargetArn ? { TargetArn: input.DeadLetterConfig.TargetArn } : undefined,
  };
}

/** Applies UpdateFunctionConfiguration's members to a configuration. */
export function updatedConfiguration(
  current: FunctionConfiguration,
  input: UpdateFunctionConfigurationRequest,
  ctx: RequestContext,
): FunctionConfiguration {
  const next: FunctionConfiguration = { ...current, LastModified: lambdaTimestamp(ctx.runtime.now()), RevisionId: randomUUID() };
  if (input.Runtime !== undefined) next.Runtime = input.Runtime;
  if (input.Role !== undefined) next.Role = input.Role;
  if (input.Handler !== undefined) next.Handler = input.Handler;
  if (input.Description !== undefined) next.Description = input.Description;
  if (input.Timeout !== undefined) next.Timeout = input.Timeout;
  if (input.MemorySize !== undefined) next.MemorySize = input.MemorySize;
  if (input.Environment !== undefined) next.Environment = { Variables: { ...(input.Environment.Variables ?? {}) } };
  if (input.TracingConfig?.Mode !== undefined) next.TracingConfig = { Mode: input.TracingConfig.Mode };
  if (input.EphemeralStorage?.Size !== undefined) next.EphemeralStorage = { Size: input.EphemeralStorage.Size };
  if (input.DeadLetterConfig !== undefined)
    next.DeadLetterConfig = input.DeadLetterConfig.TargetArn ? { TargetArn: input.DeadLetterConfig.TargetArn } : undefined;
  return next;
}

/** What the API returns right after a create or update: the transition Lambda reports before it settles. */
export function inTransition(config: FunctionConfiguration, kind: "create" | "update"): FunctionConfiguration {
  return kind === "create"
    ? { ...config, State: "Pending", StateReason: "The function is being created.", StateReasonCode: "Creating" }
    : { ...config, LastUpdateStatus: "InProgress", LastUpdateStatusReason: "The function is being updated." };
}
