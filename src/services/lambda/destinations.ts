import type {
  DeleteFunctionEventInvokeConfigRequest,
  DestinationConfig,
  FunctionEventInvokeConfig,
  GetFunctionEventInvokeConfigRequest,
  ListFunctionEventInvokeConfigsRequest,
  ListFunctionEventInvokeConfigsResponse,
  PutFunctionEventInvokeConfigRequest,
  UpdateFunctionEventInvokeConfigRequest,
} from "@aws-sdk/client-lambda";
import { AwsError, ValidationFailure, type ValidationIssue } from "../../protocol/errors.js";
import { page } from "./paging.js";
import type { CallOptions, RequestContext, ServiceRuntime } from "../types.js";
import { functionArn } from "./config.js";
import { InvalidParameterValueException, ResourceNotFoundException } from "./errors.js";
import { type FunctionRecord, functions } from "./functions.js";
import { nameAndQualifier, requireFunction, resolveFunction } from "./names.js";

/** The asynchronous-invocation settings of one qualifier, as the API returns them (LastModified in epoch seconds). */
export interface StoredInvokeConfig {
  LastModified: number;
  FunctionArn: string;
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig: DestinationConfig;
}

/** Settings live in the function's record by qualifier ("$LATEST", a version, an alias): deleted with it. */
type WithInvokeConfigs = FunctionRecord & { eventInvokeConfigs?: Record<string, StoredInvokeConfig> };

const DESTINATION_PATTERN = /^$|^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;

/** The settings that apply to an invocation of `qualifier` (undefined: $LATEST). */
export function invokeConfigOf(record: FunctionRecord, qualifier: string | undefined): StoredInvokeConfig | undefined {
  return (record as WithInvokeConfigs).eventInvokeConfigs?.[qualifier || "$LATEST"];
}

/** The record without a deleted version's settings. */
export function withoutInvokeConfig(record: FunctionRecord, qualifier: string): FunctionRecord {
  const configs = (record as WithInvokeConfigs).eventInvokeConfigs;
  if (!configs?.[qualifier]) return record;
  const { [qualifier]: _removed, ...rest } = configs;
  return { ...record, eventInvokeConfigs: rest } as WithInvokeConfigs;
}

function target(ctx: RequestContext, functionName: string, qualifierParam: string | undefined) {
  const { name, qualifier } = nameAndQualifier(functionName, qualifierParam);
  const record = requireFunction(ctx, name) as WithInvokeConfigs;
  if (qualifier && qualifier !== "$LATEST") resolveFunction(ctx, name, qualifier);
  const key = qualifier || "$LATEST";
  return { name, record, key, arn: functionArn(ctx, name, key) };
}

export function putFunctionEventInvokeConfig(input: PutFunctionEventInvokeConfigRequest, ctx: RequestContext): FunctionEventInvokeConfig {
  return save(ctx, input, false);
}

export function updateFunctionEventInvokeConfig(
  input: UpdateFunctionEventInvokeConfigRequest,
  ctx: RequestContext,
): FunctionEventInvokeConfig {
  return save(ctx, input, true);
}

/** Put replaces every setting; Update changes only the members given, on an existing configuration. */
function save(ctx: RequestContext, input: PutFunctionEventInvokeConfigRequest, merge: boolean): FunctionEventInvokeConfig {
  checkSettings(input);
  const { name, record, key, arn } = target(ctx, input.FunctionName as string, input.Qualifier);
  const current = record.eventInvokeConfigs?.[key];
  if (merge && !current) throw notConfigured(arn);
  const base: Partial<StoredInvokeConfig> = merge && current ? current : {};
  const config: StoredInvokeConfig = {
    LastModified: ctx.runtime.now() / 1000,
    FunctionArn: arn,
    MaximumRetryAttempts: input.MaximumRetryAttempts ?? base.MaximumRetryAttempts,
    MaximumEventAgeInSeconds: input.MaximumEventAgeInSeconds ?? base.MaximumEventAgeInSeconds,
    DestinationConfig: {
      OnSuccess: { ...(input.DestinationConfig?.OnSuccess ?? base.DestinationConfig?.OnSuccess ?? {}) },
      OnFailure: { ...(input.DestinationConfig?.OnFailure ?? base.DestinationConfig?.OnFailure ?? {}) },
    },
  };
  functions(ctx).set(name, { ...record, eventInvokeConfigs: { ...(record.eventInvokeConfigs ?? {}), [key]: config } } as WithInvokeConfigs);
  return output(config);
}

function output(config: StoredInvokeConfig): FunctionEventInvokeConfig {
  return { ...config, LastModified: new Date(config.LastModified * 1000) };
}

export function getFunctionEventInvokeConfig(input: GetFunctionEventInvokeConfigRequest, ctx: RequestContext): FunctionEventInvokeConfig {
  const { record, key, arn } = target(ctx, input.FunctionName as string, input.Qualifier);
  const config = record.eventInvokeConfigs?.[key];
  if (!config) throw notConfigured(arn);
  return output(config);
}

export function deleteFunctionEventInvokeConfig(input: DeleteFunctionEventInvokeConfigRequest, ctx: RequestContext): void {
  const { name, record, key, arn } = target(ctx, input.FunctionName as string, input.Qualifier);
  if (!record.eventInvokeConfigs?.[key]) throw notConfigured(arn);
  const { [key]: _removed, ...rest } = record.eventInvokeConfigs;
  functions(ctx).set(name, { ...record, eventInvokeConfigs: rest } as WithInvokeConfigs);
}

export function listFunctionEventInvokeConfigs(
  input: ListFunctionEventInvokeConfigsRequest,
  ctx: RequestContext,
): ListFunctionEventInvokeConfigsResponse {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  const record = requireFunction(ctx, name) as WithInvokeConfigs;
  const all = Object.values(record.eventInvokeConfigs ?? {}).sort((a, b) => a.LastModified - b.LastModified);
  const { items, next } = page(all, input.Marker, input.MaxItems);
  return { FunctionEventInvokeConfigs: items.map(output), NextMarker: next };
}

function notConfigured(arn: string): AwsError {
  return new ResourceNotFoundException(`The function ${arn} doesn't have an EventInvokeConfig`, { fields: { Type: "User" } });
}

function checkSettings(input: PutFunctionEventInvokeConfigRequest): void {
  const issues: ValidationIssue[] = [];
  range(issues, "maximumRetryAttempts", input.MaximumRetryAttempts, 0, 2);
  range(issues, "maximumEventAgeInSeconds", input.MaximumEventAgeInSeconds, 60, 21_600);
  for (const kind of ["onSuccess", "onFailure"] as const) {
    const destination = input.DestinationConfig?.[kind === "onSuccess" ? "OnSuccess" : "OnFailure"]?.Destination;
    if (destination !== undefined && !DESTINATION_PATTERN.test(destination))
      issues.push({
        path: `destinationConfig.${kind}.destination`,
        value: destination,
        constraint: `Member must satisfy regular expression pattern: ${DESTINATION_PATTERN.source.slice(4, -1)}`,
        kind: "pattern",
      });
  }
  if (issues.length) throw new ValidationFailure(issues);
  if (input.MaximumRetryAttempts === undefined && input.MaximumEventAgeInSeconds === undefined && !input.DestinationConfig)
    throw new InvalidParameterValueException("You must specify at least one of error handling or destination setting.");
  checkDestination(input.DestinationConfig?.OnSuccess?.Destination);
  checkDestination(input.DestinationConfig?.OnFailure?.Destination);
}

function range(issues: ValidationIssue[], path: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || (value >= min && value <= max)) return;
  const constraint =
    value < min ? `Member must have value greater than or equal to ${min}` : `Member must have value less than or equal to ${max}`;
  issues.push({ path, value, constraint, kind: "range" });
}

/** The destinations of asynchronous invocations (S3 buckets serve only stream mappings, through `bucketObject`). */
function destinationService(arn: string): "sqs" | "sns" | "lambda" | "events" | undefined {
  const [, , service, , , ...resource] = arn.split(":");
  if (service === "sqs" && resource.length === 1) return "sqs";
  if (service === "sns" && resource.length === 1) return "sns";
  if (service === "lambda" && resource[0] === "function") return "lambda";
  if (service === "events" && resource.length === 1 && /^event-bus\/[^/]+$/.test(resource[0])) return "events";
  return undefined;
}

function checkDestination(arn: string | undefined): void {
  if (arn && !destinationService(arn)) throw new InvalidParameterValueException(`The destination ARN ${arn} is invalid.`);
}

export interface DeliveryOptions {
  /** The function whose record this is: aws:SourceArn of the delivery. */
  sourceArn: string;
  /** Message attributes (DLQ messages carry RequestID, ErrorCode, ErrorMessage). */
  attributes?: Record<string, { DataType: string; StringValue: string }>;
  /** Invokes a Lambda destination asynchronously with the record. */
  invokeLambda?: (account: string, region: string, functionName: string, payload: Buffer) => void;
  /** An S3 destination (stream mappings): the object to write, by the mapping's account (a bucket ARN names none). */
  bucketObject?: { key: string; account: string; region: string };
}

/**
 * Sends a record to an SQS queue, SNS topic, Lambda function, event bus or S3 bucket, in the destination's own account and
 * region. Delivery failures are dropped, as Lambda does (it only reports a metric).
 */
export async function deliver(runtime: ServiceRuntime, arn: string, body: string, options: DeliveryOptions): Promise<void> {
  const [, , , region, account, ...resource] = arn.split(":");
  const call = { account, region, asService: "lambda", sourceArn: options.sourceArn };
  try {
    if (options.bucketObject) return await putRecordObject(runtime, resource[0], body, options.bucketObject, options.sourceArn);
    switch (destinationService(arn)) {
      case "sqs": {
        const { QueueUrl } = await runtime.services.call<{ QueueUrl: string }>(
          "sqs",
          "GetQueueUrl",
          { QueueName: resource[0], QueueOwnerAWSAccountId: account },
          call,
        );
        await runtime.services.call("sqs", "SendMessage", { QueueUrl, MessageBody: body, MessageAttributes: options.attributes }, call);
        return;
      }
      case "sns":
        await runtime.services.call("sns", "Publish", { TopicArn: arn, Message: body, MessageAttributes: options.attributes }, call);
        return;
      case "lambda":
        options.invokeLambda?.(account, region, resource.slice(1).join(":"), Buffer.from(body, "utf8"));
        return;
      case "events":
        await putInvocationEvent(runtime, arn, body, options.sourceArn);
        return;
    }
  } catch (err) {
    // Background work: a failure must not escape as an unhandled rejection; only our own bugs are worth a line.
    if (!(err instanceof AwsError || err instanceof ValidationFailure))
      console.error("[overcast] lambda destination delivery failed:", err);
  }
}

/** Writes a failure record (with its payload) as a JSON object; S3 event notifications then fire as for any PUT. */
async function putRecordObject(
  runtime: ServiceRuntime,
  bucket: string,
  body: string,
  object: { key: string; account: string; region: string },
  sourceArn: string,
): Promise<void> {
  const input = { Bucket: bucket, Key: object.key, Body: Buffer.from(body, "utf8"), ContentType: "application/json" };
  await runtime.services.call("s3", "PutObject", input, { account: object.account, region: object.region, asService: "lambda", sourceArn });
}

/**
 * An invocation record on an event bus: the record is the event's detail, its condition names the detail
 * type, and the resources are the bus and the function's qualified ARN, as Lambda sends them.
 */
async function putInvocationEvent(runtime: ServiceRuntime, busArn: string, body: string, functionArn: string): Promise<void> {
  const record = JSON.parse(body) as { requestContext?: { condition?: string; functionArn?: string } };
  const outcome = record.requestContext?.condition === "Success" ? "Success" : "Failure";
  const entry = {
    Source: "lambda",
    DetailType: `Lambda Function Invocation Result - ${outcome}`,
    Detail: body,
    EventBusName: busArn,
    Resources: [busArn, record.requestContext?.functionArn ?? functionArn],
  };
  // Sent from the function's account: EventBridge names it in the event and applies the bus's policy to it.
  const [, , , region, account] = functionArn.split(":");
  const call: CallOptions = { account, region, asService: "lambda", sourceArn: functionArn };
  const result = await runtime.services.call<{ FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] }>(
    "events",
    "PutEvents",
    { Entries: [entry] },
    call,
  );
  const failure = result.FailedEntryCount ? result.Entries?.[0] : undefined;
  // Lambda only counts a failed delivery in a metric; the log line says why nothing reached the bus.
  if (failure)
    console.warn(`[overcast] lambda destination ${busArn} refused the record: ${failure.ErrorCode} ${failure.ErrorMessage ?? ""}`);
}
