import type { BatchResultErrorEntry } from "@aws-sdk/client-sqs";
import { AwsError } from "../../protocol/errors.js";
import { BatchEntryIdsNotDistinct, EmptyBatchRequest, InvalidBatchEntryId, TooManyEntriesInBatchRequest } from "./errors.js";

const MAX_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The request-level rules every *Batch operation shares: 1–10 entries with distinct, well-formed ids. */
export function checkBatchEntries(entries: { Id?: string }[] | undefined, entryType: string): void {
  const list = entries ?? [];
  if (list.length === 0) throw new EmptyBatchRequest(`There should be at least one ${entryType} in the request.`);
  if (list.length > MAX_ENTRIES) {
    throw new TooManyEntriesInBatchRequest(`Maximum number of entries per request are ${MAX_ENTRIES}. You have sent ${list.length}.`);
  }
  const seen = new Set<string>();
  for (const { Id: id } of list) {
    if (!id || !ENTRY_ID.test(id)) {
      throw new InvalidBatchEntryId(
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      );
    }
    if (seen.has(id)) throw new BatchEntryIdsNotDistinct(`Id ${id} repeated.`);
    seen.add(id);
  }
}

/** Runs each entry on its own: an entry's AWS error becomes its Failed entry, the others still succeed. */
export function runBatch<E extends { Id?: string }, R>(
  entries: E[],
  run: (entry: E) => R,
): { Successful: R[]; Failed: BatchResultErrorEntry[] } {
  const Successful: R[] = [];
  const Failed: BatchResultErrorEntry[] = [];
  for (const entry of entries) {
    try {
      Successful.push(run(entry));
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      Failed.push({ Id: entry.Id, SenderFault: (err.status ?? 400) < 500, Code: err.queryCode ?? err.code, Message: err.message });
    }
  }
  return { Successful, Failed };
}
