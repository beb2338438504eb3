import type {
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityBatchRequestEntry,
  ChangeMessageVisibilityBatchResult,
  ChangeMessageVisibilityRequest,
  DeleteMessageBatchRequest,
  DeleteMessageBatchRequestEntry,
  DeleteMessageBatchResult,
  DeleteMessageRequest,
} from "@aws-sdk/client-sqs";
import type { RequestContext } from "../types.js";
import { isFifo } from "./attributes.js";
import { checkBatchEntries, runBatch } from "./batch.js";
import type { QueueRef, SqsEngine } from "./engine.js";
import { invalidParameter, MissingParameter } from "./errors.js";
import { resolveQueue } from "./queues.js";
import { decodeReceiptHandle, MAX_VISIBILITY_SECONDS } from "./receive.js";

export function deleteMessage(input: DeleteMessageRequest, ctx: RequestContext, engine: SqsEngine): void {
  remove(resolveQueue(ctx, input.QueueUrl as string), input.ReceiptHandle as string, engine);
}

export function deleteMessageBatch(input: DeleteMessageBatchRequest, ctx: RequestContext, engine: SqsEngine): DeleteMessageBatchResult {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  checkBatchEntries(input.Entries, "DeleteMessageBatchRequestEntry");
  return runBatch(input.Entries ?? [], (entry: DeleteMessageBatchRequestEntry) => {
    remove(ref, required(entry.ReceiptHandle, "ReceiptHandle"), engine);
    return { Id: entry.Id };
  });
}

export function changeMessageVisibility(input: ChangeMessageVisibilityRequest, ctx: RequestContext, engine: SqsEngine): void {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  changeVisibility(ref, input.ReceiptHandle as string, input.VisibilityTimeout as number, engine);
}

export function changeMessageVisibilityBatch(
  input: ChangeMessageVisibilityBatchRequest,
  ctx: RequestContext,
  engine: SqsEngine,
): ChangeMessageVisibilityBatchResult {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  checkBatchEntries(input.Entries, "ChangeMessageVisibilityBatchRequestEntry");
  return runBatch(input.Entries ?? [], (entry: ChangeMessageVisibilityBatchRequestEntry) => {
    changeVisibility(ref, required(entry.ReceiptHandle, "ReceiptHandle"), entry.VisibilityTimeout ?? 0, engine);
    return { Id: entry.Id };
  });
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === "") throw new MissingParameter(`The request must contain the parameter ${name}.`);
  return value;
}

/**
 * A stale handle (the message was received again since) succeeds without deleting, as AWS documents; a
 * gone message is already deleted. FIFO queues refuse handles whose visibility timeout has passed.
 */
function remove(ref: QueueRef, handle: string, engine: SqsEngine): void {
  const { key, token } = decodeReceiptHandle(ref, handle);
  const message = engine.messages(ref).get(key);
  if (!message || message.receiptToken !== token) return;
  if (isFifo(ref.record) && message.visibleAt <= engine.now()) {
    throw invalidParameter("ReceiptHandle", handle, "The receipt handle has expired.");
  }
  engine.remove(ref, key);
}

/**
 * A deleted message or a superseded handle is an error; a handle whose visibility timeout has already
 * run out (the message is waiting to be received again) is accepted and changes nothing, as on AWS.
 */
function changeVisibility(ref: QueueRef, handle: string, timeout: number, engine: SqsEngine): void {
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_VISIBILITY_SECONDS) {
    throw invalidParameter("VisibilityTimeout", timeout, "Must be between 0 and 43200, if provided.");
  }
  const { key, token } = decodeReceiptHandle(ref, handle);
  const message = engine.messages(ref).get(key);
  if (!message || message.receivedAt === undefined || message.receiptToken !== token) {
    throw invalidParameter("ReceiptHandle", handle, "Message does not exist or is not available for visibility timeout change.");
  }
  const now = engine.now();
  if (message.visibleAt <= now) return;
  // The 12-hour limit counts from when the message was received, not from this call.
  if (Math.floor((now - message.receivedAt) / 1000) + timeout > MAX_VISIBILITY_SECONDS) {
    throw invalidParameter(
      "VisibilityTimeout",
      timeout,
      `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`,
    );
  }
  message.visibleAt = now + timeout * 1000;
  engine.update(ref, message);
}
