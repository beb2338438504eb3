import type { RequestContext } from "../types.js";
import { ExpiredIteratorException, InvalidArgumentException } from "./errors.js";

/** Shard iterators are valid for 5 minutes. */
const ITERATOR_TTL_MS = 300_000;

/** Where an iterator reads: the records of one shard from sequence number `from` on. */
export interface IteratorState {
  stream: string;
  /** The stream's incarnation: an iterator outlives neither DeleteStream nor a new stream of the same name. */
  uid: string;
  shard: string;
  /** "" reads from the trim horizon, which moves as records expire. */
  from: string;
  /** Whether the record at `from` itself was already read (AFTER_SEQUENCE_NUMBER, LATEST). */
  exclusive: boolean;
  issuedAt: number;
}

/** Opaque to clients; the state travels in the iterator so that nothing is kept per iterator. */
export function encodeIterator(state: IteratorState): string {
  const { stream, uid, shard, from, exclusive, issuedAt } = state;
  return Buffer.from(JSON.stringify([stream, uid, shard, from, exclusive ? 1 : 0, issuedAt])).toString("base64");
}

/** The iterator's state, or undefined when it is not one of ours. Pure: IAM declarations read it too. */
export function parseIterator(text: string): IteratorState | undefined {
  try {
    const fields = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as unknown[];
    const [stream, uid, shard, from, exclusive, issuedAt] = fields;
    const valid =
      Array.isArray(fields) &&
      typeof stream === "string" &&
      typeof uid === "string" &&
      typeof shard === "string" &&
      typeof from === "string" &&
      typeof issuedAt === "number";
    if (valid) return { stream, uid, shard, from, exclusive: exclusive === 1, issuedAt };
  } catch {
    // Not base64 JSON: not ours.
  }
  return undefined;
}

export function decodeIterator(text: string, ctx: RequestContext): IteratorState {
  const state = parseIterator(text);
  if (!state) throw new InvalidArgumentException("Invalid ShardIterator.");
  const now = ctx.runtime.now();
  if (now - state.issuedAt > ITERATOR_TTL_MS) {
    throw new ExpiredIteratorException(
      `Iterator expired. The iterator was created at time ${javaDate(state.issuedAt)} while right now it is ${javaDate(now)} ` +
        `which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
    );
  }
  return state;
}

/** Dates as Kinesis (a Java service) prints them: `Thu Jul 02 12:57:57 UTC 2015`. */
function javaDate(ms: number): string {
  const [weekday, day, month, year, time] = new Date(ms).toUTCString().replace(",", "").split(" ");
  return `${weekday} ${month} ${day} ${time} UTC ${year}`;
}
