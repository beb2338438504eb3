import { randomBytes } from "node:crypto";
import type { Message, ReceiveMessageRequest, ReceiveMessageResult } from "@aws-sdk/client-sqs";
import type { RequestContext } from "../types.js";
import { attributeNumber, isFifo } from "./attributes.js";
import type { QueueRef, SqsEngine } from "./engine.js";
import { invalidParameter, ReceiptHandleIsInvalid } from "./errors.js";
import { md5OfAttributes, outputAttribute } from "./message-attributes.js";
import type { MessageRecord, StoredAttribute } from "./model.js";
import { moveToDeadLetterQueue, redriveTarget } from "./redrive.js";
import { resolveQueue } from "./queues.js";

export const MAX_VISIBILITY_SECONDS = 43_200;
const ATTEMPT_WINDOW_MS = 5 * 60_000;

const SYSTEM_ATTRIBUTES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "SequenceNumber",
  "MessageDeduplicationId",
  "MessageGroupId",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
] as const;

interface Selection {
  system: Set<string>;
  /** null: all message attributes. */
  names: string[] | null;
}

export async function receiveMessage(input: ReceiveMessageRequest, ctx: RequestContext, engine: SqsEngine): Promise<ReceiveMessageResult> {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  const max = checkRange("MaxNumberOfMessages", input.MaxNumberOfMessages, 1, 10, "Must be between 1 and 10, if provided.") ?? 1;
  const visibility =
    checkRange("VisibilityTimeout", input.VisibilityTimeout, 0, MAX_VISIBILITY_SECONDS, "Must be >= 0 and <= 43200, if provided.") ??
    attributeNumber(ref.record, "VisibilityTimeout");
  const wait =
    checkRange("WaitTimeSeconds", input.WaitTimeSeconds, 0, 20, "Must be >= 0 and <= 20, if provided.") ??
    attributeNumber(ref.record, "ReceiveMessageWaitTimeSeconds");
  const selection = selectionOf(input);
  const attemptKey =
    isFifo(ref.record) && input.ReceiveRequestAttemptId
      ? `${ref.account}/${ref.region}/${ref.name}/${input.ReceiveRequestAttemptId}`
      : undefined;
  const render = (taken: MessageRecord[]): ReceiveMessageResult => ({
    Messages: taken.length ? taken.map((m) => toMessage(m, selection)) : undefined,
  });
  if (attemptKey) {
    const repeated = engine.recallAttempt(attemptKey, ref);
    if (repeated) return render(repeated);
  }
  const attempt = (): MessageRecord[] => {
    const taken = take(ref, engine, max, visibility);
    if (attemptKey && taken.length) engine.rememberAttempt(attemptKey, taken, engine.now() + ATTEMPT_WINDOW_MS);
    return taken;
  };
  const first = attempt();
  if (first.length || wait === 0) return render(first);
  return new Promise((resolve) => {
    engine.wait(
      ref,
      engine.now() + wait * 1000,
      () => {
        const taken = attempt();
        if (taken.length) resolve(render(taken));
        return taken.length > 0;
      },
      () => resolve({}),
    );
  });
}

function checkRange(name: string, value: number | undefined, min: number, max: number, reason: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw invalidParameter(name, value, reason);
  return value;
}

/**
 * Takes up to `max` visible messages and hides them for `visibility` seconds. Expired messages are
 * dropped and over-received ones moved to the dead-letter queue on the way. For FIFO queues a group with a
 * message in flight is skipped, and a group's messages are only taken in order.
 */
function take(ref: QueueRef, engine: SqsEngine, max: number, visibility: number): MessageRecord[] {
  const now = engine.now();
  const fifo = isFifo(ref.record);
  const retentionMs = attributeNumber(ref.record, "MessageRetentionPeriod") * 1000;
  const redrive = redriveTarget(ref);
  const blocked = fifo ? inFlightGroups(ref, engine, now) : new Set<string>();
  const taken: MessageRecord[] = [];
  for (const message of engine.messages(ref).values()) {
    if (taken.length === max) break;
    if (message.sentAt + retentionMs <= now) {
      engine.remove(ref, message.key);
      continue;
    }
    const group = message.groupId ?? "";
    if (fifo && blocked.has(group)) continue;
    if (message.visibleAt > now) {
      if (fifo) blocked.add(group);
      continue;
    }
    if (redrive && message.receiveCount >= redrive.maxReceiveCount && moveToDeadLetterQueue(ref, message, redrive, engine)) continue;
    message.receiveCount += 1;
    message.firstReceiveAt ??= now;
    message.receivedAt = now;
    message.receiptToken = randomBytes(12).toString("hex");
    message.visibleAt = now + visibility * 1000;
    engine.update(ref, message);
    taken.push(message);
  }
  return taken;
}

function inFlightGroups(ref: QueueRef, engine: SqsEngine, now: number): Set<string> {
  const groups = new Set<string>();
  for (const message of engine.messages(ref).values()) {
    if (message.receivedAt !== undefined && message.visibleAt > now) groups.add(message.groupId ?? "");
  }
  return groups;
}

function selectionOf(input: ReceiveMessageRequest): Selection {
  const requested = [...((input.AttributeNames ?? []) as string[]), ...((input.MessageSystemAttributeNames ?? []) as string[])];
  const system = new Set<string>(requested.includes("All") ? SYSTEM_ATTRIBUTES : requested);
  const names = input.MessageAttributeNames ?? [];
  const all = names.includes("All") || names.includes(".*");
  return { system, names: all ? null : names };
}

function wantsAttribute(selection: Selection, name: string): boolean {
  if (selection.names === null) return true;
  return selection.names.some((pattern) => (pattern.endsWith(".*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name));
}

function toMessage(message: MessageRecord, selection: Selection): Message {
  const attributes: Record<string, StoredAttribute> = {};
  for (const [name, value] of Object.entries(message.attributes ?? {})) if (wantsAttribute(selection, name)) attributes[name] = value;
  const returned = Object.keys(attributes).length > 0;
  const system = systemAttributes(message);
  const selected: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES)
    if (selection.system.has(name) && system[name] !== undefined) selected[name] = system[name] as string;
  return {
    MessageId: message.messageId,
    ReceiptHandle: encodeReceiptHandle(message),
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    Attributes: Object.keys(selected).length ? selected : undefined,
    MD5OfMessageAttributes: returned ? md5OfAttributes(attributes) : undefined,
    MessageAttributes: returned ? Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, outputAttribute(v)])) : undefined,
  };
}

function systemAttributes(message: MessageRecord): Record<string, string | undefined> {
  return {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: message.firstReceiveAt !== undefined ? String(message.firstReceiveAt) : undefined,
    SequenceNumber: message.dedupId !== undefined ? message.sequenceNumber : undefined,
    MessageDeduplicationId: message.dedupId,
    MessageGroupId: message.groupId,
    AWSTraceHeader: message.systemAttributes?.AWSTraceHeader?.StringValue,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
}

/** Receipt handles name the message and the receive they came from; only the latest one is current. */
function encodeReceiptHandle(message: MessageRecord): string {
  return Buffer.from(JSON.stringify([message.key, message.receiptToken])).toString("base64");
}

export function decodeReceiptHandle(ref: QueueRef, handle: string): { key: string; token: string } {
  try {
    const decoded = JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as unknown;
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      decoded.every((x) => typeof x === "string") &&
      decoded[0].startsWith(`${ref.name}/`)
    ) {
      return { key: decoded[0], token: decoded[1] };
    }
  } catch {
    // fall through
  }
  throw new ReceiptHandleIsInvalid(`The input receipt handle "${handle}" is not a valid receipt handle.`);
}

/** The approximate counters of GetQueueAttributes. */
export function queueCounters(ref: QueueRef, engine: SqsEngine): { visible: number; inFlight: number; delayed: number } {
  const now = engine.now();
  const retentionMs = attributeNumber(ref.record, "MessageRetentionPeriod") * 1000;
  const counters = { visible: 0, inFlight: 0, delayed: 0 };
  for (const message of engine.messages(ref).values()) {
    if (message.sentAt + retentionMs <= now) engine.remove(ref, message.key);
    else if (message.visibleAt <= now) counters.visible++;
    else if (message.receivedAt !== undefined) counters.inFlight++;
    else counters.delayed++;
  }
  return counters;
}
