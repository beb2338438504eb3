import type { AliasConfiguration, FunctionConfiguration, ListFunctionsRequest, ListFunctionsResponse } from "@aws-sdk/client-lambda";
import { ValidationFailure, type ValidationIssue } from "../../protocol/errors.js";
import type { Collection } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import type { StoredCode } from "./code.js";
import { InvalidParameterValueException } from "./errors.js";

/**
 * One function of an account and region: its unpublished ($LATEST) configuration and its published
 * versions, each kept exactly as the API returns it (plain JSON: Lambda's timestamps are strings).
 */
export interface FunctionRecord {
  latest: FunctionConfiguration;
  /** Published versions by number ("1", "2", …). */
  versions: Record<string, FunctionConfiguration>;
  /** Deployment packages by version ("$LATEST", "1", …). */
  code: Record<string, StoredCode>;
  aliases: Record<string, AliasConfiguration>;
  tags: Record<string, string>;
  /** The highest version number ever published (numbers are never reused). */
  lastVersion: number;
  /** RevisionId of $LATEST when the last version was published: unchanged code publishes nothing new. */
  publishedRevision?: string;
}

export function functions(ctx: RequestContext): Collection<FunctionRecord> {
  return ctx.store.collection<FunctionRecord>("functions", { sorted: true });
}

/** ListFunctions never returns more than 50 functions, whatever MaxItems says. */
const PAGE_LIMIT = 50;
const MASTER_REGION = /^(ALL|[a-z]{2}(-gov)?-[a-z]+-\d)$/;

export function listFunctions(input: ListFunctionsRequest, ctx: RequestContext): ListFunctionsResponse {
  checkListInput(input);
  if (input.MasterRegion !== undefined && input.FunctionVersion !== "ALL") {
    throw new InvalidParameterValueException("FunctionVersion must be set to ALL when MasterRegion is specified.");
  }
  const limit = Math.min(input.MaxItems ?? PAGE_LIMIT, PAGE_LIMIT);
  const position = input.Marker !== undefined ? decodeMarker(input.Marker) : undefined;
  const page: FunctionConfiguration[] = [];
  for (const [name, record] of functions(ctx).entriesFrom(position?.name ?? "")) {
    const listed = listedConfigurations(record, input);
    const start = position && name === position.name ? position.index : 0;
    for (let i = start; i < listed.length; i++) {
      if (page.length === limit) return { Functions: page, NextMarker: encodeMarker(name, i) };
      page.push(withoutState(listed[i]));
    }
  }
  return { Functions: page };
}

/** ListFunctions returns a subset of the configuration: state and update status only come from GetFunction. */
function withoutState(config: FunctionConfiguration): FunctionConfiguration {
  const {
    State: _state,
    StateReason: _reason,
    StateReasonCode: _reasonCode,
    LastUpdateStatus: _update,
    LastUpdateStatusReason: _updateReason,
    LastUpdateStatusReasonCode: _updateCode,
    ...listed
  } = config;
  return listed;
}

function checkListInput(input: ListFunctionsRequest): void {
  const issues: ValidationIssue[] = [];
  const max = input.MaxItems;
  if (max !== undefined && (max < 1 || max > 10_000)) {
    const constraint = max < 1 ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 10000";
    issues.push({ path: "maxItems", value: max, constraint, kind: "range" });
  }
  if (input.MasterRegion !== undefined && !MASTER_REGION.test(input.MasterRegion)) {
    issues.push({
      path: "masterRegion",
      value: input.MasterRegion,
      constraint: "Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}",
      kind: "pattern",
    });
  }
  if (issues.length) throw new ValidationFailure(issues);
}

/** $LATEST alone, or with FunctionVersion=ALL every published version too; MasterRegion keeps Lambda@Edge replicas only. */
function listedConfigurations(record: FunctionRecord, input: ListFunctionsRequest): FunctionConfiguration[] {
  const all =
    input.FunctionVersion === "ALL"
      ? [
          record.latest,
          ...Object.keys(record.versions)
            .sort((a, b) => Number(a) - Number(b))
            .map((v) => record.versions[v]),
        ]
      : [record.latest];
  const master = input.MasterRegion;
  if (master === undefined) return all;
  return all.filter((c) => c.MasterArn !== undefined && (master === "ALL" || c.MasterArn.split(":")[3] === master));
}

/** The marker names the next entry to return: a function and the index of its configuration in the listing. */
function encodeMarker(name: string, index: number): string {
  return Buffer.from(JSON.stringify([name, index]), "utf8").toString("base64url");
}

function decodeMarker(marker: string): { name: string; index: number } {
  try {
    const [name, index] = JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) as unknown[];
    if (typeof name === "string" && Number.isInteger(index) && (index as number) >= 0) return { name, index: index as number };
  } catch {
    // not one of ours
  }
  throw new InvalidParameterValueException("Invalid Marker value.");
}
