import type { InvocationRequest, InvocationResponse } from "@aws-sdk/client-lambda";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { enqueueAsync, invocationTarget, serviceContext } from "./async-invoke.js";
import { InvalidRequestContentException, RequestTooLargeException } from "./errors.js";
import { nameAndQualifier, resolveFunction } from "./names.js";
import { type InvocationOutcome, poolOf } from "./pool.js";

const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
const TAIL_BYTES = 4096;

export async function invoke(input: InvocationRequest, ctx: RequestContext): Promise<InvocationResponse> {
  const type = input.InvocationType ?? "RequestResponse";
  const payload = input.Payload && input.Payload.length > 0 ? Buffer.from(input.Payload) : Buffer.from("{}");
  const limit = type === "Event" ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
  if (payload.length > limit)
    throw new RequestTooLargeException(`Request must be smaller than ${limit} bytes for the InvokeFunction operation`, {
      fields: { Type: "User" },
    });
  checkJson(payload);
  const { name, qualifier } = nameAndQualifier(input.FunctionName as string, input.Qualifier);
  const resolved = resolveFunction(ctx, name, qualifier);
  if (type === "DryRun") return { StatusCode: 204 };
  if (type === "Event") {
    const event = { account: ctx.account, region: ctx.region, functionName: name, qualifier, payload, requestId: ctx.requestId };
    enqueueAsync(ctx.runtime, { ...event, endpoint: ctx.origin.baseUrl });
    return { StatusCode: 202 };
  }
  const outcome = await poolOf(ctx.runtime).invoke(invocationTarget(ctx, resolved, qualifier), payload);
  const log = Buffer.from(outcome.log, "utf8");
  return {
    StatusCode: 200,
    ExecutedVersion: resolved.version,
    FunctionError: outcome.failed ? "Unhandled" : undefined,
    LogResult: input.LogType === "Tail" ? log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString("base64") : undefined,
    Payload: outcome.payload,
  };
}

/**
 * Runs a function synchronously on behalf of the service itself (event source mappings, function URLs):
 * `functionName` is a name or ARN, optionally qualified. Throws the API's errors for missing functions.
 */
export async function invokeFunction(
  runtime: ServiceRuntime,
  call: { account: string; region: string; functionName: string; qualifier?: string; payload: Buffer; endpoint?: string },
): Promise<InvocationOutcome & { executedVersion: string }> {
  const ctx = serviceContext(runtime, call.account, call.region, call.endpoint);
  const { name, qualifier } = nameAndQualifier(call.functionName, call.qualifier);
  const resolved = resolveFunction(ctx, name, qualifier);
  const outcome = await poolOf(runtime).invoke(invocationTarget(ctx, resolved, qualifier), call.payload);
  return { ...outcome, executedVersion: resolved.version };
}

/** Lambda only accepts JSON events. */
function checkJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString("utf8"));
  } catch (err) {
    throw new InvalidRequestContentException(
      `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
      { fields: { Type: "User" } },
    );
  }
}
