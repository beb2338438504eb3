import { randomUUID } from "node:crypto";
import { servicePrincipal } from "../../auth/principal.js";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { functionArn } from "./config.js";
import { deliver, invokeConfigOf } from "./destinations.js";
import { type ResolvedFunction, resolveFunction } from "./names.js";
import { type InvocationTarget, poolOf } from "./pool.js";

/** Lambda retries a failed asynchronous invocation after about one minute, then after two more. */
const DEFAULT_RETRY_DELAY_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_MAX_EVENT_AGE_S = 21_600;
const ERROR_MESSAGE_BYTES = 1024;

/** One queued Event invocation: retried and finally reported under the request id the caller got. */
export interface AsyncEvent {
  account: string;
  region: string;
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  requestId: string;
  endpoint: string;
  enqueuedAt: number;
  invokeCount: number;
  last?: { payload: Buffer; failed: boolean; version: string };
}

/** Overcast's own endpoint, for functions invoked by the service itself rather than by a request. */
export function endpointOf(runtime: ServiceRuntime): string {
  const { hostname, host, port } = runtime.options;
  const name = hostname ?? (host === "0.0.0.0" || host === "::" ? "localhost" : host);
  return `http://${name.includes(":") ? `[${name}]` : name}:${port}`;
}

/** A request context for work Lambda does on its own (event sources, retries), acting as lambda.amazonaws.com. */
export function serviceContext(runtime: ServiceRuntime, account: string, region: string, endpoint = endpointOf(runtime)): RequestContext {
  const url = new URL(endpoint);
  return {
    requestId: randomUUID(),
    service: "lambda",
    operation: "-",
    account,
    region,
    principal: servicePrincipal(account, "lambda"),
    store: runtime.storeFor(account, region),
    origin: { baseUrl: endpoint, host: url.host, secure: url.protocol === "https:", headers: {} },
    runtime,
  };
}

export function invocationTarget(ctx: RequestContext, resolved: ResolvedFunction, qualifier: string | undefined): InvocationTarget {
  return {
    account: ctx.account,
    region: ctx.region,
    config: resolved.config,
    code: resolved.code,
    version: resolved.version,
    invokedArn: functionArn(ctx, resolved.config.FunctionName as string, resolved.alias ?? (qualifier || undefined)),
    endpoint: ctx.origin.baseUrl,
  };
}

/** Base retry delay: Lambda's minute, or the lambdaAsyncRetryDelayMs option so tests need not wait. */
function retryDelayMs(runtime: ServiceRuntime, retry: number): number {
  return (runtime.options.lambdaAsyncRetryDelayMs ?? DEFAULT_RETRY_DELAY_MS) * (retry + 1);
}

export function enqueueAsync(runtime: ServiceRuntime, event: Omit<AsyncEvent, "enqueuedAt" | "invokeCount">): void {
  schedule(runtime, { ...event, enqueuedAt: runtime.now(), invokeCount: 0 }, 0);
}

function schedule(runtime: ServiceRuntime, event: AsyncEvent, delayMs: number): void {
  runtime.setTimer(() => {
    attempt(runtime, event).catch((err) => console.error("[overcast] asynchronous invocation failed:", err));
  }, delayMs);
}

async function attempt(runtime: ServiceRuntime, event: AsyncEvent): Promise<void> {
  const ctx = serviceContext(runtime, event.account, event.region, event.endpoint);
  let resolved: ResolvedFunction;
  try {
    resolved = resolveFunction(ctx, event.functionName, event.qualifier);
  } catch {
    return; // the function or its alias is gone: nothing left to run or report
  }
  const settings = invokeConfigOf(resolved.record, event.qualifier);
  const maxAgeMs = (settings?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000;
  if (runtime.now() - event.enqueuedAt > maxAgeMs) return finish(ctx, event, resolved, "EventAgeExceeded");
  let outcome: { payload: Buffer; failed: boolean };
  try {
    outcome = await poolOf(runtime).invoke(invocationTarget(ctx, resolved, event.qualifier), event.payload);
  } catch (err) {
    // Throttled: back in the queue, not counted as an attempt (bounded by the event's maximum age).
    if (err instanceof AwsError) return schedule(runtime, event, retryDelayMs(runtime, 0));
    outcome = {
      payload: Buffer.from(JSON.stringify({ errorMessage: (err as Error).message, errorType: "ServiceException" })),
      failed: true,
    };
  }
  event.invokeCount += 1;
  event.last = { ...outcome, version: resolved.version };
  if (!outcome.failed) return finish(ctx, event, resolved, "Success");
  if (event.invokeCount <= (settings?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES))
    return schedule(runtime, event, retryDelayMs(runtime, event.invokeCount - 1));
  return finish(ctx, event, resolved, "RetriesExhausted");
}

type Condition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

/** Sends the invocation record to the configured destination, and a failed event to the dead-letter queue. */
async function finish(ctx: RequestContext, event: AsyncEvent, resolved: ResolvedFunction, condition: Condition): Promise<void> {
  const settings = invokeConfigOf(resolved.record, event.qualifier);
  const name = resolved.config.FunctionName as string;
  const sourceArn = functionArn(ctx, name);
  const invokeLambda = (account: string, region: string, functionName: string, payload: Buffer) =>
    enqueueAsync(ctx.runtime, { account, region, functionName, payload, requestId: randomUUID(), endpoint: event.endpoint });
  const destination =
    condition === "Success" ? settings?.DestinationConfig.OnSuccess?.Destination : settings?.DestinationConfig.OnFailure?.Destination;
  if (destination)
    await deliver(ctx.runtime, destination, JSON.stringify(invocationRecord(ctx, event, resolved, condition)), { sourceArn, invokeLambda });
  const deadLetter = resolved.config.DeadLetterConfig?.TargetArn;
  if (condition !== "Success" && deadLetter) {
    await deliver(ctx.runtime, deadLetter, event.payload.toString("utf8"), { sourceArn, attributes: deadLetterAttributes(event) });
  }
}

/** Lambda's invocation record, member for member. */
function invocationRecord(ctx: RequestContext, event: AsyncEvent, resolved: ResolvedFunction, condition: Condition) {
  const last = event.last;
  return {
    version: "1.0",
    timestamp: new Date(ctx.runtime.now()).toISOString(),
    requestContext: {
      requestId: event.requestId,
      functionArn: functionArn(ctx, resolved.config.FunctionName as string, last?.version ?? resolved.version),
      condition,
      approximateInvokeCount: event.invokeCount,
    },
    requestPayload: parsedJson(event.payload),
    ...(last
      ? {
          responseContext: { statusCode: 200, executedVersion: last.version, ...(last.failed ? { functionError: "Unhandled" } : {}) },
          responsePayload: parsedJson(last.payload),
        }
      : {}),
  };
}

/** What the dead-letter message says about the failure: request id, status code and the error message's first KB. */
function deadLetterAttributes(event: AsyncEvent): Record<string, { DataType: string; StringValue: string }> {
  const error = parsedJson(event.last?.payload ?? Buffer.alloc(0)) as { errorMessage?: unknown } | null;
  const message = typeof error?.errorMessage === "string" ? error.errorMessage : `Event age exceeded for request ${event.requestId}`;
  return {
    RequestID: { DataType: "String", StringValue: event.requestId },
    ErrorCode: { DataType: "Number", StringValue: "200" },
    ErrorMessage: { DataType: "String", StringValue: Buffer.from(message, "utf8").subarray(0, ERROR_MESSAGE_BYTES).toString("utf8") },
  };
}

function parsedJson(payload: Buffer): unknown {
  if (payload.length === 0) return null;
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return payload.toString("utf8");
  }
}
