import { attributeNumber } from "./attributes.js";
import type { SqsEngine } from "./engine.js";
import type { DedupRecord } from "./model.js";
import { queueCollection } from "./queues.js";

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Receives and counters drop expired messages of the queue they touch; this sweep does it for queues
 * nobody reads, and forgets deduplication ids whose five-minute window has passed.
 */
export function startHousekeeping(engine: SqsEngine): void {
  engine.runtime.setTimer(() => sweep(engine), SWEEP_INTERVAL_MS, true);
}

export function sweep(engine: SqsEngine): void {
  const now = engine.now();
  for (const scope of engine.runtime.state.scopes("sqs")) {
    const store = engine.runtime.storeFor(scope.account, scope.region);
    for (const [name, record] of queueCollection(store).entries()) {
      const ref = { store, account: scope.account, region: scope.region, name, record };
      const retentionMs = attributeNumber(record, "MessageRetentionPeriod") * 1000;
      for (const message of engine.messages(ref).values()) if (message.sentAt + retentionMs <= now) engine.remove(ref, message.key);
    }
    const dedup = store.collection<DedupRecord>("dedup");
    for (const [key, entry] of [...dedup.entries()]) if (entry.expiresAt <= now) dedup.delete(key);
  }
}
