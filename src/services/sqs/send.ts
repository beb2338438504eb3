import { createHash, randomUUID } from "node:crypto";
import type {
  SendMessageBatchRequest,
  SendMessageBatchRequestEntry,
  SendMessageBatchResult,
  SendMessageBatchResultEntry,
  SendMessageRequest,
  SendMessageResult,
} from "@aws-sdk/client-sqs";
import type { RequestContext } from "../types.js";
import { attributeNumber, isFifo } from "./attributes.js";
import { checkBatchEntries, runBatch } from "./batch.js";
import type { QueueRef, SqsEngine } from "./engine.js";
import { BatchRequestTooLong, InvalidParameterValue, invalidParameter, MissingParameter } from "./errors.js";
import { checkBody, md5Hex, md5OfAttributes, storeMessageAttributes, storeSystemAttributes } from "./message-attributes.js";
import { type DedupRecord, MAX_MESSAGE_SIZE, type MessageRecord } from "./model.js";
import { ensureDataKey } from "./encryption.js";
import { resolveQueue, saveQueue } from "./queues.js";

const DEDUP_WINDOW_MS = 5 * 60_000;
/** Group and deduplication ids: 1–128 of alphanumerics and ASCII punctuation. */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

type SendInput = Omit<SendMessageRequest, "QueueUrl">;

export async function sendMessage(input: SendMessageRequest, ctx: RequestContext, engine: SqsEngine): Promise<SendMessageResult> {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  await ensureDataKey(ref, ctx, engine.dataKeyReuse);
  return enqueue(ref, input, ctx, engine);
}

export async function sendMessageBatch(
  input: SendMessageBatchRequest,
  ctx: RequestContext,
  engine: SqsEngine,
): Promise<SendMessageBatchResult> {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  const entries = input.Entries ?? [];
  checkBatchEntries(entries, "SendMessageBatchRequestEntry");
  const total = entries.reduce((sum, entry) => sum + messageSize(entry), 0);
  if (total > MAX_MESSAGE_SIZE) {
    throw new BatchRequestTooLong(`Batch requests cannot be longer than ${MAX_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`);
  }
  await ensureDataKey(ref, ctx, engine.dataKeyReuse);
  return runBatch(
    entries,
    (entry: SendMessageBatchRequestEntry): SendMessageBatchResultEntry => ({
      Id: entry.Id as string,
      ...enqueue(ref, entry, ctx, engine),
    }),
  );
}

/** Body plus attribute names, types and values: what counts against the size limits. */
function messageSize(entry: SendInput): number {
  let size = Buffer.byteLength(entry.MessageBody ?? "");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    size += value.BinaryValue ? value.BinaryValue.length : Buffer.byteLength(value.StringValue ?? "");
  }
  return size;
}

type Enqueued = SendMessageResult & { MessageId: string; MD5OfMessageBody: string };

function enqueue(ref: QueueRef, input: SendInput, ctx: RequestContext, engine: SqsEngine): Enqueued {
  const body = input.MessageBody ?? "";
  if (body === "") throw new MissingParameter("The request must contain the parameter MessageBody.");
  checkBody(body);
  const attributes = storeMessageAttributes(input.MessageAttributes);
  const systemAttributes = storeSystemAttributes(input.MessageSystemAttributes);
  const limit = attributeNumber(ref.record, "MaximumMessageSize");
  if (Buffer.byteLength(body) + attributes.size > limit) {
    throw new InvalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`);
  }
  const digests = {
    MD5OfMessageBody: md5Hex(body),
    MD5OfMessageAttributes: attributes.stored ? md5OfAttributes(attributes.stored) : undefined,
    MD5OfMessageSystemAttributes: systemAttributes ? md5OfAttributes(systemAttributes) : undefined,
  };
  const delay = messageDelay(ref, input);
  const fifo = fifoIds(ref, input, body);
  const now = engine.now();
  const dedupKey = fifo && dedupRecordKey(ref, fifo.groupId, fifo.dedupId);
  if (dedupKey) {
    const seen = dedupCollection(ref).get(dedupKey);
    if (seen && seen.expiresAt > now) return { MessageId: seen.messageId, SequenceNumber: seen.sequenceNumber, ...digests };
  }
  const sequence = ref.record.nextSequence ?? 1;
  ref.record.nextSequence = sequence + 1;
  saveQueue(ref);
  const sequenceNumber = String(sequence).padStart(20, "0");
  const message: MessageRecord = {
    key: `${ref.name}/${sequenceNumber}`,
    queue: ref.name,
    messageId: randomUUID(),
    body,
    md5OfBody: digests.MD5OfMessageBody,
    attributes: attributes.stored,
    md5OfAttributes: digests.MD5OfMessageAttributes,
    systemAttributes,
    md5OfSystemAttributes: digests.MD5OfMessageSystemAttributes,
    senderId: ctx.principal.userId,
    sentAt: now,
    visibleAt: now + delay * 1000,
    receiveCount: 0,
    sequenceNumber,
    groupId: fifo ? fifo.groupId : input.MessageGroupId,
    dedupId: fifo ? fifo.dedupId : undefined,
  };
  engine.add(ref, message);
  if (dedupKey) dedupCollection(ref).set(dedupKey, { messageId: message.messageId, sequenceNumber, expiresAt: now + DEDUP_WINDOW_MS });
  return { MessageId: message.messageId, ...digests, SequenceNumber: fifo ? sequenceNumber : undefined };
}

const dedupCollection = (ref: QueueRef) => ref.store.collection<DedupRecord>("dedup");

/** With DeduplicationScope messageGroup, the same id may be used once per group. */
function dedupRecordKey(ref: QueueRef, groupId: string, dedupId: string): string {
  const perGroup = ref.record.attributes.DeduplicationScope === "messageGroup";
  return JSON.stringify([ref.name, perGroup ? groupId : "", dedupId]);
}

function messageDelay(ref: QueueRef, input: SendInput): number {
  if (input.DelaySeconds === undefined) return attributeNumber(ref.record, "DelaySeconds");
  if (isFifo(ref.record)) {
    throw invalidParameter("DelaySeconds", input.DelaySeconds, "The request include parameter that is not valid for this queue type.");
  }
  if (input.DelaySeconds < 0 || input.DelaySeconds > 900) {
    throw invalidParameter("DelaySeconds", input.DelaySeconds, "DelaySeconds must be >= 0 and <= 900.");
  }
  return input.DelaySeconds;
}

/** FIFO queues need a group id and a deduplication id (given, or the body's SHA-256 with content-based deduplication). */
function fifoIds(ref: QueueRef, input: SendInput, body: string): { groupId: string; dedupId: string } | undefined {
  if (!isFifo(ref.record)) {
    if (input.MessageDeduplicationId !== undefined) {
      throw invalidParameter(
        "MessageDeduplicationId",
        input.MessageDeduplicationId,
        "The request include parameter that is not valid for this queue type",
      );
    }
    return undefined;
  }
  const groupId = input.MessageGroupId;
  if (groupId === undefined) throw new MissingParameter("The request must contain the parameter MessageGroupId.");
  if (!FIFO_ID.test(groupId))
    throw invalidParameter(
      "MessageGroupId",
      groupId,
      "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
    );
  let dedupId = input.MessageDeduplicationId;
  if (dedupId === undefined) {
    if (ref.record.attributes.ContentBasedDeduplication !== "true") {
      throw new InvalidParameterValue(
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
      );
    }
    dedupId = createHash("sha256").update(body).digest("hex");
  } else if (!FIFO_ID.test(dedupId)) {
    throw invalidParameter(
      "MessageDeduplicationId",
      dedupId,
      "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
    );
  }
  return { groupId, dedupId };
}
