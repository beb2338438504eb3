import type {
  BatchGetItemInput,
  BatchGetItemOutput,
  BatchWriteItemInput,
  BatchWriteItemOutput,
  KeysAndAttributes,
} from "@aws-sdk/client-dynamodb";
import type { RequestContext } from "../types.js";
import { type CapacityReport, consumedCapacity, mergeCapacity, readCapacity, writeCapacity } from "./capacity.js";
import { ConstraintChecker, ValidationException } from "./errors.js";
import { project } from "./expressions/evaluate.js";
import { type PreparedWrite, commit, prepareDelete, preparePut, readItem, tableOf } from "./items.js";
import { attributesToGet, checkNoMix, checkUnused, decodeItem, optionalProjection, placeholdersOf } from "./request.js";
import { storageKey, validateKey } from "./storage.js";
import { type Item, itemSize, itemToWire } from "./values.js";

const MAX_GET_KEYS = 100;
const MAX_WRITES = 25;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const duplicates = () => new ValidationException("Provided list of item keys contains duplicates");

export function batchGetItem(input: BatchGetItemInput, ctx: RequestContext): BatchGetItemOutput {
  const requests = Object.entries(input.RequestItems ?? {});
  new ConstraintChecker().length("requestItems", requests, 1, 100).throwIfAny();
  const total = requests.reduce((n, [, r]) => n + (r.Keys?.length ?? 0), 0);
  if (total > MAX_GET_KEYS) throw new ValidationException("Too many items requested for the BatchGetItem call");
  const plans = requests.map(([name, request]) => planGet(ctx, name, request));
  const responses: NonNullable<BatchGetItemOutput["Responses"]> = {};
  const unprocessed: Record<string, KeysAndAttributes> = {};
  const reports: CapacityReport[] = [];
  let bytes = 0;
  for (const { name, request, table, keys, projection } of plans) {
    responses[name] = [];
    keys.forEach((key, i) => {
      if (bytes >= MAX_RESPONSE_BYTES) {
        unprocessed[name] ??= { ...request, Keys: [] };
        unprocessed[name].Keys?.push((request.Keys ?? [])[i]);
        return;
      }
      const item = readItem(ctx, table, key);
      const size = item ? itemSize(item) : 0;
      bytes += size;
      reports.push(readCapacity(table, size, !!request.ConsistentRead));
      if (item) responses[name].push(itemToWire(projection ? project(item, projection) : item));
    });
  }
  const capacity = mergeCapacity(reports)
    .map((r) => consumedCapacity(r, input.ReturnConsumedCapacity))
    .filter((c) => c !== undefined);
  return { Responses: responses, UnprocessedKeys: unprocessed, ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
}

function planGet(ctx: RequestContext, name: string, request: KeysAndAttributes) {
  const table = tableOf(ctx, name);
  checkNoMix(request, ["AttributesToGet"], ["ProjectionExpression"]);
  const placeholders = placeholdersOf(request, [request.ProjectionExpression]);
  const projection = optionalProjection(request.ProjectionExpression, placeholders) ?? attributesToGet(request.AttributesToGet);
  checkUnused(placeholders);
  new ConstraintChecker().length(`requestItems.${name}.member.keys`, request.Keys, 1, 100).throwIfAny();
  const keys = (request.Keys ?? []).map((k) => storageKey(table.keySchema, validateKey(table, decodeItem(k as Record<string, unknown>))));
  if (new Set(keys).size !== keys.length) throw duplicates();
  return { name, request, table, keys, projection };
}

export function batchWriteItem(input: BatchWriteItemInput, ctx: RequestContext): BatchWriteItemOutput {
  const requests = Object.entries(input.RequestItems ?? {});
  new ConstraintChecker().length("requestItems", requests, 1, 25).throwIfAny();
  const total = requests.reduce((n, [, r]) => n + r.length, 0);
  if (total > MAX_WRITES) throw new ValidationException("Too many items requested for the BatchWriteItem call");
  const writes: PreparedWrite[] = [];
  for (const [name, list] of requests) {
    const seen = new Set<string>();
    for (const request of list) {
      if (!!request.PutRequest === !!request.DeleteRequest) {
        throw new ValidationException(
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        );
      }
      const write = request.PutRequest
        ? preparePut(ctx, { TableName: name, Item: request.PutRequest.Item })
        : prepareDelete(ctx, { TableName: name, Key: request.DeleteRequest?.Key });
      if (seen.has(write.key)) throw duplicates();
      seen.add(write.key);
      writes.push(write);
    }
  }
  ctx.runtime.state.transaction(() => {
    for (const write of writes) commit(ctx, write);
  });
  const reports = writes.map((w) => writeCapacity(w.table, w.old, w.next));
  const capacity = mergeCapacity(reports)
    .map((r) => consumedCapacity(r, input.ReturnConsumedCapacity))
    .filter((c) => c !== undefined);
  return { UnprocessedItems: {}, ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
}

export type { Item };
