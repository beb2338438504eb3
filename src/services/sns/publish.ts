import { createHash, randomUUID } from "node:crypto";
import type {
  MessageAttributeValue,
  PublishBatchInput,
  PublishBatchRequestEntry,
  PublishBatchResponse,
  PublishInput,
  PublishResponse,
} from "@aws-sdk/client-sns";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { deliver, deliveryFor, recordDelivery } from "./delivery.js";
import { messageFor, perProtocolMessages, type SnsMessage } from "./envelope.js";
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  EmptyBatchRequest,
  InvalidBatchEntryId,
  invalid,
  TooManyEntriesInBatchRequest,
} from "./errors.js";
import { type FilterPolicyScope, matchesAttributes, matchesBody, parseFilterPolicy } from "./filter-policy.js";
import type { DedupRecord, SubscriptionRecord, TopicRecord } from "./model.js";
import { publishToEndpoint } from "./platform.js";
import { E164, isOptedOut } from "./sms.js";
import { findTopic, isFifo, saveTopic, topicStore, topicSubscriptions } from "./topics.js";

const MAX_MESSAGE_BYTES = 262_144;
const MAX_BATCH = 10;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const DEDUP_WINDOW_MS = 5 * 60_000;

type Entry = Omit<PublishBatchRequestEntry, "Id">;

export async function publish(input: PublishInput, ctx: RequestContext): Promise<PublishResponse> {
  const targets = [input.TopicArn, input.TargetArn, input.PhoneNumber].filter((t) => t !== undefined);
  if (targets.length === 0) throw invalid("TopicArn or TargetArn Reason: no value for required parameter");
  if (targets.length > 1) throw invalid("TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber can be specified");
  if (input.PhoneNumber !== undefined) return publishSms(input, ctx);
  const arn = (input.TopicArn ?? input.TargetArn) as string;
  if (input.TargetArn !== undefined && arn.includes(":endpoint/")) return publishToEndpoint(input, ctx);
  const topic = findTopic(ctx, arn, input.TopicArn !== undefined ? "TopicArn" : "TargetArn");
  const msg = prepare(topic, input, ctx);
  const duplicate = isFifo(topic) ? rememberDeduplication(ctx, topic, msg) : undefined;
  if (duplicate) return { MessageId: duplicate.messageId, SequenceNumber: duplicate.sequenceNumber };
  await fanOut(ctx, topic, msg);
  return { MessageId: msg.messageId, SequenceNumber: msg.sequenceNumber };
}

export async function publishBatch(input: PublishBatchInput, ctx: RequestContext): Promise<PublishBatchResponse> {
  const topic = findTopic(ctx, input.TopicArn);
  const entries = input.PublishBatchRequestEntries ?? [];
  if (entries.length === 0) throw new EmptyBatchRequest("The batch request doesn't contain any entries.");
  if (entries.length > MAX_BATCH) throw new TooManyEntriesInBatchRequest("The batch request contains more entries than permissible.");
  if (new Set(entries.map((e) => e.Id)).size !== entries.length)
    throw new BatchEntryIdsNotDistinct("Two or more batch entries in the request have the same Id.");
  if (!entries.every((e) => BATCH_ID.test(e.Id ?? ""))) {
    throw new InvalidBatchEntryId(
      "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
    );
  }
  if (entries.reduce((sum, e) => sum + entrySize(e), 0) > MAX_MESSAGE_BYTES) {
    throw new BatchRequestTooLong("The length of all the messages put together is more than the limit.");
  }
  const response: Required<PublishBatchResponse> = { Successful: [], Failed: [] };
  for (const entry of entries) {
    try {
      const msg = prepare(topic, entry, ctx);
      const duplicate = isFifo(topic) ? rememberDeduplication(ctx, topic, msg) : undefined;
      if (!duplicate) await fanOut(ctx, topic, msg);
      response.Successful.push({
        Id: entry.Id,
        MessageId: duplicate?.messageId ?? msg.messageId,
        SequenceNumber: duplicate?.sequenceNumber ?? msg.sequenceNumber,
      });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      response.Failed.push({
        Id: entry.Id,
        Code: err.queryCode ?? err.code.replace(/Exception$/, ""),
        Message: err.message,
        SenderFault: true,
      });
    }
  }
  return response;
}

/** Validates one message and turns it into what subscribers receive. */
function prepare(topic: TopicRecord, entry: Entry, ctx: RequestContext): SnsMessage {
  const message = entry.Message ?? "";
  if (message === "") throw invalid("Empty message");
  if (entry.Subject !== undefined && !validSubject(entry.Subject)) throw invalid("Subject");
  if (entrySize(entry) > MAX_MESSAGE_BYTES) throw invalid("Message too long");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) validateAttribute(name, value);
  const msg: SnsMessage = {
    messageId: randomUUID(),
    topicArn: topic.arn,
    subject: entry.Subject,
    message,
    timestamp: new Date(ctx.runtime.now()).toISOString(),
    messageAttributes: entry.MessageAttributes,
  };
  if (entry.MessageStructure !== undefined) {
    msg.perProtocol = perProtocolMessages(entry.MessageStructure, message);
    msg.message = msg.perProtocol.default;
  }
  if (isFifo(topic)) Object.assign(msg, fifoFields(topic, entry, message));
  else if (entry.MessageDeduplicationId !== undefined) {
    throw invalid(
      "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
    );
  }
  return msg;
}

const validSubject = (subject: string) =>
  subject.length >= 1 && subject.length <= 100 && /^[\x20-\x7e]+$/.test(subject) && subject.trim() === subject;

function entrySize(entry: Entry): number {
  let size = Buffer.byteLength(entry.Message ?? "");
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    size += value.BinaryValue ? value.BinaryValue.length : Buffer.byteLength(value.StringValue ?? "");
  }
  return size;
}

function validateAttribute(name: string, value: MessageAttributeValue): void {
  if (
    !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
    name.includes("..") ||
    name.startsWith(".") ||
    name.endsWith(".") ||
    /^(AWS|Amazon)\./i.test(name)
  ) {
    throw invalid(`The message attribute name '${name}' is invalid`);
  }
  const type = value.DataType ?? "";
  const base = /^(String|Number|Binary)(\..+)?$/.exec(type)?.[1];
  if (!base) {
    throw invalid(
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  }
  const empty = base === "Binary" ? !value.BinaryValue?.length : !value.StringValue;
  if (empty)
    throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
  if (base === "Number" && !Number.isFinite(Number(value.StringValue)))
    throw invalid(`Could not cast message attribute '${name}' value to number.`);
  if (type === "String.Array" && !isJsonArray(value.StringValue as string)) {
    throw invalid(
      `The message attribute '${name}' with type 'String.Array' must be a valid JSON array of strings, numbers, true, false, or null.`,
    );
  }
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

function fifoFields(topic: TopicRecord, entry: Entry, message: string): Partial<SnsMessage> {
  if (!entry.MessageGroupId) throw invalid("The MessageGroupId parameter is required for FIFO topics");
  if (!/^[\x21-\x7e]{1,128}$/.test(entry.MessageGroupId)) throw invalid("MessageGroupId");
  let deduplicationId = entry.MessageDeduplicationId;
  if (deduplicationId === undefined) {
    if (topic.attributes.ContentBasedDeduplication !== "true") {
      throw invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    }
    deduplicationId = createHash("sha256").update(message).digest("hex");
  } else if (!/^[\x21-\x7e]{1,128}$/.test(deduplicationId)) {
    throw invalid("MessageDeduplicationId");
  }
  return { messageGroupId: entry.MessageGroupId, deduplicationId };
}

/** Within 5 minutes a FIFO topic accepts a repeated deduplication id but delivers it once. */
function rememberDeduplication(ctx: RequestContext, topic: TopicRecord, msg: SnsMessage): DedupRecord | undefined {
  const dedup = topicStore(ctx, topic.arn).collection<DedupRecord>("deduplication");
  const key = `${topic.arn}|${msg.deduplicationId}`;
  const now = ctx.runtime.now();
  const seen = dedup.get(key);
  if (seen && seen.expiresAt > now) return seen;
  const fresh = findTopic(ctx, topic.arn);
  fresh.sequence++;
  saveTopic(ctx, fresh);
  msg.sequenceNumber = (10n ** 19n + BigInt(fresh.sequence)).toString();
  dedup.set(key, { messageId: msg.messageId, sequenceNumber: msg.sequenceNumber, expiresAt: now + DEDUP_WINDOW_MS });
  return undefined;
}

async function fanOut(ctx: RequestContext, topic: TopicRecord, msg: SnsMessage): Promise<void> {
  const subs = [...topicSubscriptions(topicStore(ctx, topic.arn), topic.arn)].filter((sub) => !sub.pending && accepts(sub, msg));
  if (subs.length === 0) return;
  const delivery = await deliveryFor(ctx, topic);
  // One at a time, so that a FIFO topic's order reaches each queue unchanged.
  for (const sub of subs) await deliver(delivery, sub, msg);
}

function accepts(sub: SubscriptionRecord, msg: SnsMessage): boolean {
  const text = sub.attributes.FilterPolicy;
  if (!text) return true;
  const scope = (sub.attributes.FilterPolicyScope ?? "MessageAttributes") as FilterPolicyScope;
  const policy = parseFilterPolicy(text, scope);
  return scope === "MessageBody" ? matchesBody(policy, messageFor(msg, sub.protocol)) : matchesAttributes(policy, msg.messageAttributes);
}

function publishSms(input: PublishInput, ctx: RequestContext): PublishResponse {
  const phone = input.PhoneNumber as string;
  if (!E164.test(phone)) throw invalid(`PhoneNumber Reason: ${phone} is not valid to publish to`);
  if (!input.Message) throw invalid("Empty message");
  if (Buffer.byteLength(input.Message) > 1600) throw invalid("Message too long");
  const messageId = randomUUID();
  // An opted-out number accepts the request but is never texted, as SNS does.
  if (isOptedOut(ctx.store, phone)) return { MessageId: messageId };
  const timestamp = new Date(ctx.runtime.now()).toISOString();
  recordDelivery(ctx.store, {
    protocol: "sms",
    endpoint: phone,
    messageId,
    message: input.Message,
    messageAttributes: input.MessageAttributes,
    timestamp,
  });
  return { MessageId: messageId };
}
