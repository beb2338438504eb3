import type { FilterCriteria } from "@aws-sdk/client-lambda";
import { type Json, type JsonObject, matchesPattern, PatternError, parsePattern } from "../../../internal/event-pattern.js";
import { InvalidParameterValueException } from "../errors.js";

/** Lambda's default quota of filters per event source mapping. */
const MAX_FILTERS = 5;
const MAX_PATTERN_LENGTH = 4096;

/** Checks FilterCriteria as CreateEventSourceMapping does; returns the parsed patterns. */
export function parseFilters(criteria: FilterCriteria | undefined): JsonObject[] {
  const filters = criteria?.Filters ?? [];
  if (filters.length > MAX_FILTERS)
    throw new InvalidParameterValueException(`The number of filters exceeds the limit of ${MAX_FILTERS} per event source mapping.`);
  return filters.map((filter) => {
    const text = filter.Pattern ?? "";
    try {
      if (text.length > MAX_PATTERN_LENGTH) throw new PatternError("pattern too long");
      return parsePattern(text);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      throw new InvalidParameterValueException("Invalid filter pattern definition.", { fields: { Type: "User" } });
    }
  });
}

/** A record passes when there are no filters or any filter matches it (filters are ORed). */
export function passesFilters(patterns: JsonObject[], record: JsonObject): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesPattern(pattern, record));
}

/** SQS records are filtered with their body parsed when it is JSON; other bodies match as plain strings. */
export function sqsFilterView(record: JsonObject): JsonObject {
  const body = record.body;
  if (typeof body !== "string") return record;
  try {
    return { ...record, body: JSON.parse(body) as Json };
  } catch {
    return record;
  }
}

/**
 * Kinesis records are filtered as their `kinesis` payload with `data` decoded and parsed: patterns on `data`
 * only match JSON data (other data is left out of the view), patterns on metadata match as usual.
 */
export function kinesisFilterView(payload: JsonObject, data: Uint8Array): JsonObject {
  const { data: _encoded, ...metadata } = payload;
  try {
    return { ...metadata, data: JSON.parse(Buffer.from(data).toString("utf8")) as Json };
  } catch {
    return metadata;
  }
}
