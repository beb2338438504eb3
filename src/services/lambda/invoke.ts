import type { InvocationRequest, InvocationResponse } from "@aws-sdk/client-lambda";
import type { RequestContext } from "../types.js";
import { functionArn } from "./config.js";
import { InvalidRequestContentException, RequestTooLargeException } from "./errors.js";
import { resolveFunction } from "./names.js";
import { type InvocationTarget, poolOf } from "./pool.js";

const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
const TAIL_BYTES = 4096;
/** Lambda retries a failed asynchronous invocation twice: after about one minute, then two more. */
const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

export async function invoke(input: InvocationRequest, ctx: RequestContext): Promise<InvocationResponse> {
  const type = input.InvocationType ?? "RequestResponse";
  const payload = input.Payload && input.Payload.length > 0 ? Buffer.from(input.Payload) : Buffer.from("{}");
  const limit = type === "Event" ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
  if (payload.length > limit)
    throw new RequestTooLargeException(`Request must be smaller than ${limit} bytes for the InvokeFunction operation`, {
      fields: { Type: "User" },
    });
  checkJson(payload);
  const resolved = resolveFunction(ctx, input.FunctionName as string, input.Qualifier);
  const name = resolved.config.FunctionName as string;
  const target: InvocationTarget = {
    account: ctx.account,
    region: ctx.region,
    config: resolved.config,
    code: resolved.code,
    version: resolved.version,
    invokedArn: functionArn(ctx, name, resolved.alias ?? (input.Qualifier || undefined)),
    endpoint: ctx.origin.baseUrl,
  };
  if (type === "DryRun") return { StatusCode: 204 };
  if (type === "Event") {
    queueAsync(ctx, target, payload, 0);
    return { StatusCode: 202 };
  }
  const outcome = await poolOf(ctx.runtime).invoke(target, payload);
  const log = Buffer.from(outcome.log, "utf8");
  return {
    StatusCode: 200,
    ExecutedVersion: resolved.version,
    FunctionError: outcome.failed ? "Unhandled" : undefined,
    LogResult: input.LogType === "Tail" ? log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString("base64") : undefined,
    Payload: outcome.payload,
  };
}

/** Lambda only accepts JSON events. */
function checkJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString("utf8"));
  } catch (err) {
    throw new InvalidRequestContentException(
      `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
      {
        fields: { Type: "User" },
      },
    );
  }
}

/** Event invocations run in the background; failures are retried on AWS's schedule, then dropped. */
function queueAsync(ctx: RequestContext, target: InvocationTarget, payload: Buffer, attempt: number): void {
  const delay = attempt === 0 ? 0 : ASYNC_RETRY_DELAYS_MS[attempt - 1];
  ctx.runtime.setTimer(() => {
    poolOf(ctx.runtime)
      .invoke(target, payload)
      .then(
        (outcome) => {
          if (outcome.failed && attempt < ASYNC_RETRY_DELAYS_MS.length) queueAsync(ctx, target, payload, attempt + 1);
        },
        () => {
          if (attempt < ASYNC_RETRY_DELAYS_MS.length) queueAsync(ctx, target, payload, attempt + 1);
        },
      );
  }, delay);
}
