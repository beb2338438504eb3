import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { JsonObject } from "../../../internal/event-pattern.js";
import type { CallOptions, ServiceRuntime } from "../../types.js";
import { invokeFunction } from "../invoke.js";
import { parseFilters, passesFilters, sqsFilterView } from "./filters.js";
import { currentMapping, type PollerHandle, pause, type StoredMapping } from "./state.js";

/** Lambda starts with five concurrent batches per queue; ScalingConfig.MaximumConcurrency caps it. */
const DEFAULT_CONCURRENCY = 5;
const LONG_POLL_SECONDS = 20;
const PROBLEM_BACKOFF_MS = 5_000;

interface QueueSource {
  url: string;
  arn: string;
  region: string;
  call: CallOptions;
}

/** Starts the mapping's poll loops: each long-polls the queue, so an empty queue costs no CPU. */
export function pollQueue(runtime: ServiceRuntime, handle: PollerHandle): void {
  const mapping = currentMapping(runtime, handle);
  if (!mapping) return;
  const loops = mapping.ScalingConfig?.MaximumConcurrency ?? DEFAULT_CONCURRENCY;
  for (let i = 0; i < loops; i++) {
    pollLoop(runtime, handle).catch((err) => console.error("[overcast] SQS event source poller failed:", err));
  }
}

async function pollLoop(runtime: ServiceRuntime, handle: PollerHandle): Promise<void> {
  let source: QueueSource | undefined;
  for (let mapping = currentMapping(runtime, handle); mapping; mapping = currentMapping(runtime, handle)) {
    try {
      source ??= await queueSource(runtime, mapping);
      const messages = await collectBatch(runtime, source, mapping);
      if (!handle.active()) return release(runtime, source, messages);
      if (messages.length) await processBatch(runtime, handle, source, mapping, messages);
    } catch {
      // The queue or function is missing, or a call failed: retry later, as Lambda keeps polling.
      source = undefined;
      await pause(runtime, PROBLEM_BACKOFF_MS);
    }
  }
}

async function queueSource(runtime: ServiceRuntime, mapping: StoredMapping): Promise<QueueSource> {
  const arn = mapping.EventSourceArn as string;
  const [, , , region, account, name] = arn.split(":");
  const call: CallOptions = { account, region, asService: "lambda", sourceArn: mapping.FunctionArn };
  const { QueueUrl } = await runtime.services.call<{ QueueUrl: string }>(
    "sqs",
    "GetQueueUrl",
    { QueueName: name, QueueOwnerAWSAccountId: account },
    call,
  );
  return { url: QueueUrl, arn, region, call };
}

/** Up to BatchSize messages: whatever one long poll returns, or, with a batching window, what arrives within it. */
async function collectBatch(runtime: ServiceRuntime, source: QueueSource, mapping: StoredMapping): Promise<Message[]> {
  const batchSize = mapping.BatchSize ?? 10;
  const windowMs = (mapping.MaximumBatchingWindowInSeconds ?? 0) * 1000;
  const messages = await receive(runtime, source, Math.min(10, batchSize), LONG_POLL_SECONDS);
  if (windowMs === 0 || messages.length === 0) return messages;
  const deadline = runtime.now() + windowMs;
  while (messages.length < batchSize && runtime.now() < deadline) {
    const wait = Math.min(LONG_POLL_SECONDS, Math.floor((deadline - runtime.now()) / 1000));
    const more = await receive(runtime, source, Math.min(10, batchSize - messages.length), wait);
    messages.push(...more);
    if (!more.length && wait === 0) await pause(runtime, Math.max(0, deadline - runtime.now()));
  }
  return messages;
}

async function receive(runtime: ServiceRuntime, source: QueueSource, max: number, waitSeconds: number): Promise<Message[]> {
  const result = await runtime.services.call<{ Messages?: Message[] }>(
    "sqs",
    "ReceiveMessage",
    {
      QueueUrl: source.url,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    },
    source.call,
  );
  return result.Messages ?? [];
}

/**
 * Filters, invokes and acknowledges one batch. Filtered-out messages are deleted; on success the batch is
 * deleted except the items the function reported as failed; on failure every message stays, to become
 * visible again (and be redriven by the queue's own policy).
 */
async function processBatch(
  runtime: ServiceRuntime,
  handle: PollerHandle,
  source: QueueSource,
  mapping: StoredMapping,
  messages: Message[],
): Promise<void> {
  const patterns = parseFilters(mapping.FilterCriteria);
  const records = messages.map((m) => sqsRecord(m, source));
  const passed = records.map((r) => passesFilters(patterns, sqsFilterView(r)));
  const kept = records.filter((_, i) => passed[i]);
  const keptMessages = messages.filter((_, i) => passed[i]);
  await deleteMessages(
    runtime,
    source,
    messages.filter((_, i) => !passed[i]),
  );
  if (!kept.length) return;
  const outcome = await invokeFunction(runtime, {
    account: handle.account,
    region: handle.region,
    functionName: mapping.FunctionArn as string,
    payload: Buffer.from(JSON.stringify({ Records: kept })),
  });
  if (outcome.failed) return;
  const failed = mapping.FunctionResponseTypes?.includes("ReportBatchItemFailures")
    ? reportedFailures(outcome.payload, keptMessages)
    : new Set<string>();
  if (failed === "all") return;
  await deleteMessages(
    runtime,
    source,
    keptMessages.filter((m) => !failed.has(m.MessageId as string)),
  );
}

/**
 * The message ids a ReportBatchItemFailures response names. An empty or null response means all succeeded;
 * a response that is not JSON, or names an id that is empty or not in the batch, fails the whole batch.
 */
function reportedFailures(payload: Buffer, batch: Message[]): Set<string> | "all" {
  let response: unknown;
  try {
    response = payload.length ? JSON.parse(payload.toString("utf8")) : null;
  } catch {
    return "all";
  }
  const items = (response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (items === undefined || items === null) return new Set();
  if (!Array.isArray(items)) return "all";
  const ids = new Set(batch.map((m) => m.MessageId as string));
  const failed = new Set<string>();
  for (const item of items) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || !ids.has(id)) return "all";
    failed.add(id);
  }
  return failed;
}

async function deleteMessages(runtime: ServiceRuntime, source: QueueSource, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle }));
    await runtime.services.call("sqs", "DeleteMessageBatch", { QueueUrl: source.url, Entries: entries }, source.call);
  }
}

/** Messages received after the mapping stopped go back to the queue at once instead of waiting out their visibility. */
async function release(runtime: ServiceRuntime, source: QueueSource, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    await runtime.services
      .call("sqs", "ChangeMessageVisibilityBatch", { QueueUrl: source.url, Entries: entries }, source.call)
      .catch(() => {});
  }
}

/** One record of Lambda's SQS event, member for member. */
function sqsRecord(message: Message, source: QueueSource): JsonObject {
  const attributes = message.MessageAttributes ?? {};
  return {
    messageId: message.MessageId ?? null,
    receiptHandle: message.ReceiptHandle ?? null,
    body: message.Body ?? "",
    attributes: { ...(message.Attributes ?? {}) },
    messageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, recordAttribute(value)])),
    md5OfBody: message.MD5OfBody ?? null,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: source.arn,
    awsRegion: source.region,
  };
}

function recordAttribute(value: MessageAttributeValue): JsonObject {
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
    stringListValues: [],
    binaryListValues: [],
    dataType: value.DataType ?? "String",
  };
}
