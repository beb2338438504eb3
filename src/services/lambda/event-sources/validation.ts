import type { CreateEventSourceMappingRequest } from "@aws-sdk/client-lambda";
import { AwsError, ValidationFailure, type ValidationIssue } from "../../../protocol/errors.js";
import type { CallOptions, RequestContext } from "../../types.js";
import { InvalidParameterValueException } from "../errors.js";
import { nameAndQualifier, resolveFunction } from "../names.js";

export type SourceKind = "sqs" | "dynamodb" | "kinesis";

type Settings = Partial<Omit<CreateEventSourceMappingRequest, "StartingPositionTimestamp">> & { StartingPositionTimestamp?: unknown };

const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_-]{1,80}(\.fifo)?$/;
const STREAM_ARN = /^arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]+\/stream\/.+$/;
const KINESIS_ARN = /^arn:aws[a-zA-Z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}(\/consumer\/[a-zA-Z0-9_.-]{1,128}:\d+)?$/;
const ANY_KINESIS_ARN = /^arn:aws[a-zA-Z-]*:kinesis:/;
/** Where stream mappings send the records of discarded batches: a queue, a topic, or (since 2024) an S3 bucket. */
const STREAM_DESTINATION = /^arn:aws[a-zA-Z-]*:(sqs|sns):|^arn:aws[a-zA-Z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const STREAM_ONLY = [
  "StartingPosition",
  "ParallelizationFactor",
  "BisectBatchOnFunctionError",
  "MaximumRetryAttempts",
  "MaximumRecordAgeInSeconds",
  "TumblingWindowInSeconds",
  "DestinationConfig",
] as const;

/** Which poller serves an event source ARN (a Kinesis stream or stream consumer); a malformed Kinesis ARN names no stream. */
export function sourceKind(arn: string): SourceKind {
  if (SQS_ARN.test(arn)) return "sqs";
  if (STREAM_ARN.test(arn)) return "dynamodb";
  if (KINESIS_ARN.test(arn)) return "kinesis";
  if (ANY_KINESIS_ARN.test(arn)) throw new InvalidParameterValueException(`Stream not found: ${arn}`, { fields: { Type: "User" } });
  throw new InvalidParameterValueException("Unrecognized event source, must be kinesis, dynamodb stream or sqs.", {
    fields: { Type: "User" },
  });
}

/** The ranges and combinations Lambda accepts for the source's kind. */
export function checkSettings(kind: SourceKind, input: Settings): void {
  const issues: ValidationIssue[] = [];
  range(issues, "batchSize", input.BatchSize, 1, 10_000);
  range(issues, "maximumBatchingWindowInSeconds", input.MaximumBatchingWindowInSeconds, 0, 300);
  range(issues, "scalingConfig.maximumConcurrency", input.ScalingConfig?.MaximumConcurrency, 2, 1000);
  range(issues, "parallelizationFactor", input.ParallelizationFactor, 1, 10);
  range(issues, "maximumRetryAttempts", input.MaximumRetryAttempts, -1, 10_000);
  range(issues, "maximumRecordAgeInSeconds", input.MaximumRecordAgeInSeconds, -1, 604_800);
  range(issues, "tumblingWindowInSeconds", input.TumblingWindowInSeconds, 0, 900);
  if (issues.length) throw new ValidationFailure(issues);
  if (kind === "sqs") checkQueueSettings(input);
  else checkStreamSettings(kind, input);
}

function checkQueueSettings(input: Settings): void {
  for (const member of STREAM_ONLY) {
    const value = input[member];
    const unset =
      value === undefined ||
      (member === "DestinationConfig" && !(value as { OnFailure?: { Destination?: string } }).OnFailure?.Destination);
    if (!unset) throw new InvalidParameterValueException(`Unsupported ${member} parameter for given event source mapping type.`);
  }
  if ((input.BatchSize ?? 10) > 10 && !(input.MaximumBatchingWindowInSeconds ?? 0))
    throw new InvalidParameterValueException(
      "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
    );
  if (input.EventSourceArn?.endsWith(".fifo") && (input.BatchSize ?? 10) > 10)
    throw new InvalidParameterValueException("Batch size for FIFO queues must be less than or equal to 10.");
}

function checkStreamSettings(kind: SourceKind, input: Settings): void {
  if (input.ScalingConfig !== undefined)
    throw new InvalidParameterValueException("Unsupported ScalingConfig parameter for given event source mapping type.");
  if (input.StartingPosition === undefined)
    throw new InvalidParameterValueException(
      "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.",
    );
  if (input.StartingPosition === "AT_TIMESTAMP" && kind !== "kinesis")
    throw new InvalidParameterValueException(
      "Unsupported starting position for arn type: AT_TIMESTAMP is only supported for Kinesis streams.",
    );
  if (input.StartingPosition === "AT_TIMESTAMP" && input.StartingPositionTimestamp === undefined)
    throw new InvalidParameterValueException("Need to specify a timestamp");
  const age = input.MaximumRecordAgeInSeconds;
  if (age !== undefined && age !== -1 && age < 60)
    throw new InvalidParameterValueException("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.");
  const destination = input.DestinationConfig?.OnFailure?.Destination;
  if (destination && !STREAM_DESTINATION.test(destination))
    throw new InvalidParameterValueException(`The destination ARN ${destination} is invalid.`);
}

function range(issues: ValidationIssue[], path: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || (value >= min && value <= max)) return;
  const constraint =
    value < min ? `Member must have value greater than or equal to ${min}` : `Member must have value less than or equal to ${max}`;
  issues.push({ path, value, constraint, kind: "range" });
}

/** The source must exist; an SQS queue must keep messages hidden at least as long as the function may run. */
export async function checkSource(ctx: RequestContext, kind: SourceKind, arn: string, fnArn: string): Promise<void> {
  const [, , , region, account, resource] = arn.split(":");
  const options = { account, region, asService: "lambda", sourceArn: fnArn };
  if (kind === "sqs") {
    const visibility = await queueVisibility(ctx, resource, options);
    const { name, qualifier } = nameAndQualifier(fnArn, undefined);
    const timeout = resolveFunction(ctx, name, qualifier).config.Timeout ?? 3;
    if (visibility < timeout)
      throw new InvalidParameterValueException(
        `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${timeout} seconds`,
      );
    return;
  }
  try {
    await describeStream(ctx, kind, arn, options);
  } catch {
    throw new InvalidParameterValueException(`Stream not found: ${arn}`, { fields: { Type: "User" } });
  }
}

/** Reads the stream's description, as Lambda does to check the source exists (a consumer: the consumer's). */
async function describeStream(ctx: RequestContext, kind: SourceKind, arn: string, options: CallOptions): Promise<void> {
  const call = ctx.runtime.services.call.bind(ctx.runtime.services);
  if (kind === "dynamodb") await call("dynamodbstreams", "DescribeStream", { StreamArn: arn, Limit: 1 }, options);
  else if (arn.includes("/consumer/")) await call("kinesis", "DescribeStreamConsumer", { ConsumerARN: arn }, options);
  else await call("kinesis", "DescribeStreamSummary", { StreamARN: arn }, options);
}

async function queueVisibility(
  ctx: RequestContext,
  queueName: string,
  options: { account: string; region: string; asService: string; sourceArn: string },
): Promise<number> {
  try {
    const { QueueUrl } = await ctx.runtime.services.call<{ QueueUrl: string }>(
      "sqs",
      "GetQueueUrl",
      { QueueName: queueName, QueueOwnerAWSAccountId: options.account },
      options,
    );
    const { Attributes } = await ctx.runtime.services.call<{ Attributes?: Record<string, string> }>(
      "sqs",
      "GetQueueAttributes",
      { QueueUrl, AttributeNames: ["VisibilityTimeout"] },
      options,
    );
    return Number(Attributes?.VisibilityTimeout ?? 30);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    throw new InvalidParameterValueException(
      "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.",
      { fields: { Type: "User" } },
    );
  }
}
