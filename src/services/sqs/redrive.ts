import type { QueueRef, SqsEngine } from "./engine.js";
import type { MessageRecord } from "./model.js";
import { arnOf, queueCollection, saveQueue } from "./queues.js";

export interface Redrive {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function redriveTarget(ref: QueueRef): Redrive | undefined {
  const raw = ref.record.attributes.RedrivePolicy;
  return raw ? (JSON.parse(raw) as Redrive) : undefined;
}

/** A queue of the same account and region, by ARN (dead-letter queues must be there). */
export function sameScopeQueue(ref: QueueRef, arn: string): QueueRef | undefined {
  const prefix = `arn:aws:sqs:${ref.region}:${ref.account}:`;
  if (!arn.startsWith(prefix)) return undefined;
  const name = arn.slice(prefix.length);
  const record = queueCollection(ref.store).get(name);
  return record ? { ...ref, name, record } : undefined;
}

/** Moves the message to the dead-letter queue; false (deliver it instead) if that queue is gone. */
export function moveToDeadLetterQueue(source: QueueRef, message: MessageRecord, redrive: Redrive, engine: SqsEngine): boolean {
  const target = sameScopeQueue(source, redrive.deadLetterTargetArn);
  if (!target || target.name === source.name) return false;
  engine.remove(source, message.key);
  transfer(target, message, engine, { deadLetterSourceArn: arnOf(source) });
  return true;
}

/** Re-enqueues a message in another queue under a new sequence number, visible at once. */
export function transfer(target: QueueRef, message: MessageRecord, engine: SqsEngine, changes: Partial<MessageRecord> = {}): void {
  const sequence = target.record.nextSequence ?? 1;
  target.record.nextSequence = sequence + 1;
  saveQueue(target);
  const sequenceNumber = String(sequence).padStart(20, "0");
  engine.add(target, {
    ...message,
    key: `${target.name}/${sequenceNumber}`,
    queue: target.name,
    sequenceNumber,
    visibleAt: engine.now(),
    receiptToken: undefined,
    receivedAt: undefined,
    ...changes,
  });
}
