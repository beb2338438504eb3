import type { ScopeStore } from "../../state/store.js";
import type { ServiceRuntime } from "../types.js";
import type { MessageRecord, QueueRecord } from "./model.js";

/** A resolved queue: where its records live and its current record. */
export interface QueueRef {
  store: ScopeStore;
  account: string;
  region: string;
  name: string;
  record: QueueRecord;
}

interface Waiter {
  /** Tries to receive; true when the waiter got its answer. */
  attempt(): boolean;
  /** Answers with nothing (timeout, queue gone, shutdown). */
  finish(): void;
}

const refKey = (ref: { account: string; region: string; name: string }) => `${ref.account}/${ref.region}/${ref.name}`;

export const messageCollection = (store: ScopeStore) => store.collection<MessageRecord>("messages", { sorted: true });

/**
 * The in-memory side of SQS: each queue's messages in send order (rebuilt from the records on first use,
 * so a persistent store survives restarts) and the long polls waiting on each queue. A waiting receive
 * is woken by a send, or by a timer set for the moment the earliest hidden message becomes visible.
 */
export class SqsEngine {
  private readonly indexes = new Map<string, Map<string, MessageRecord>>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly wakeTimers = new Map<string, { at: number; cancel(): void }>();
  /** FIFO ReceiveRequestAttemptId → what that receive returned, for retries within five minutes. */
  private readonly attempts = new Map<string, { keys: string[]; tokens: string[]; expiresAt: number }>();

  /** SSE-KMS: until when each queue's current data key may be reused (see encryption.ts). */
  readonly dataKeyReuse = new Map<string, number>();

  constructor(readonly runtime: ServiceRuntime) {}

  now(): number {
    return this.runtime.now();
  }

  /** The queue's messages in send order; the map's values are the stored records. */
  messages(ref: QueueRef): Map<string, MessageRecord> {
    const key = refKey(ref);
    let index = this.indexes.get(key);
    if (!index) {
      index = new Map();
      const prefix = `${ref.name}/`;
      for (const [k, record] of messageCollection(ref.store).entriesFrom(prefix)) {
        if (!k.startsWith(prefix)) break;
        index.set(k, record);
      }
      this.indexes.set(key, index);
    }
    return index;
  }

  add(ref: QueueRef, message: MessageRecord): void {
    messageCollection(ref.store).set(message.key, message);
    this.messages(ref).set(message.key, message);
    this.visibilityChanged(ref, message.visibleAt);
  }

  /** Writes a changed record through; wakes or schedules waiters if it became (or will become) visible. */
  update(ref: QueueRef, message: MessageRecord): void {
    messageCollection(ref.store).set(message.key, message);
    this.visibilityChanged(ref, message.visibleAt);
  }

  remove(ref: QueueRef, key: string): void {
    messageCollection(ref.store).delete(key);
    this.messages(ref).delete(key);
  }

  /** Deletes every message of the queue. */
  clear(ref: QueueRef): void {
    const collection = messageCollection(ref.store);
    for (const key of this.messages(ref).keys()) collection.delete(key);
    this.indexes.delete(refKey(ref));
  }

  /** The queue is gone: its long polls answer empty now. */
  dropQueue(ref: QueueRef): void {
    this.clear(ref);
    this.finishWaiters(refKey(ref));
  }

  /**
   * Long poll: `attempt` is retried whenever a message may have become available, until it succeeds or
   * the deadline passes (then `onTimeout`). No polling: only sends and visibility timers wake it.
   */
  wait(ref: QueueRef, deadline: number, attempt: () => boolean, onTimeout: () => void): void {
    const key = refKey(ref);
    const set = this.waiters.get(key) ?? new Set<Waiter>();
    this.waiters.set(key, set);
    const timeout = this.runtime.setTimer(() => waiter.finish(), Math.max(0, deadline - this.now()));
    const waiter: Waiter = {
      attempt: () => {
        if (!attempt()) return false;
        timeout.cancel();
        set.delete(waiter);
        return true;
      },
      finish: () => {
        timeout.cancel();
        if (set.delete(waiter)) onTimeout();
      },
    };
    set.add(waiter);
    this.scheduleNextWake(ref);
  }

  rememberAttempt(key: string, messages: MessageRecord[], expiresAt: number): void {
    this.attempts.set(key, { keys: messages.map((m) => m.key), tokens: messages.map((m) => m.receiptToken ?? ""), expiresAt });
  }

  /** The messages of an earlier receive with the same attempt id, if all are still as that receive left them. */
  recallAttempt(key: string, ref: QueueRef): MessageRecord[] | undefined {
    const attempt = this.attempts.get(key);
    if (!attempt) return undefined;
    if (attempt.expiresAt <= this.now()) {
      this.attempts.delete(key);
      return undefined;
    }
    const index = this.messages(ref);
    const messages = attempt.keys.map((k) => index.get(k));
    const unchanged = messages.every((m, i) => m && m.receiptToken === attempt.tokens[i] && m.visibleAt > this.now());
    return unchanged ? (messages as MessageRecord[]) : undefined;
  }

  private visibilityChanged(ref: QueueRef, visibleAt: number): void {
    const key = refKey(ref);
    if (!this.waiters.get(key)?.size) return;
    if (visibleAt <= this.now()) this.wake(ref);
    else this.scheduleWake(ref, visibleAt);
  }

  private wake(ref: QueueRef): void {
    const set = this.waiters.get(refKey(ref));
    if (!set) return;
    for (const waiter of [...set]) if (!waiter.attempt()) break; // the first one that finds nothing: the rest would too
    if (set.size) this.scheduleNextWake(ref);
  }

  private scheduleNextWake(ref: QueueRef): void {
    const now = this.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const message of this.messages(ref).values())
      if (message.visibleAt > now && message.visibleAt < earliest) earliest = message.visibleAt;
    if (earliest !== Number.POSITIVE_INFINITY) this.scheduleWake(ref, earliest);
  }

  private scheduleWake(ref: QueueRef, at: number): void {
    const key = refKey(ref);
    const current = this.wakeTimers.get(key);
    if (current && current.at <= at) return;
    current?.cancel();
    const timer = this.runtime.setTimer(
      () => {
        this.wakeTimers.delete(key);
        this.wake(ref);
      },
      Math.max(0, at - this.now()) + 1,
    );
    this.wakeTimers.set(key, { at, cancel: () => timer.cancel() });
  }

  private finishWaiters(key: string): void {
    for (const waiter of [...(this.waiters.get(key) ?? [])]) waiter.finish();
    this.waiters.delete(key);
    this.wakeTimers.get(key)?.cancel();
    this.wakeTimers.delete(key);
  }

  /** Shutdown or state wiped: answer every long poll and forget the indexes. */
  close(): void {
    for (const key of [...this.waiters.keys()]) this.finishWaiters(key);
    this.indexes.clear();
    this.attempts.clear();
  }
}
