import { randomUUID } from "node:crypto";
import type {
  CreateEventSourceMappingRequest,
  DeleteEventSourceMappingRequest,
  EventSourceMappingConfiguration,
  GetEventSourceMappingRequest,
  ListEventSourceMappingsRequest,
  ListEventSourceMappingsResponse,
  UpdateEventSourceMappingRequest,
} from "@aws-sdk/client-lambda";
import { ValidationFailure } from "../../../protocol/errors.js";
import type { RequestContext } from "../../types.js";
import { functionArn } from "../config.js";
import { InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from "../errors.js";
import { nameAndQualifier, requireFunction, resolveFunction } from "../names.js";
import { parseFilters } from "./filters.js";
import { restartPoller, stopPoller } from "./pollers.js";
import { mappingCollection, type StoredMapping } from "./state.js";
import { forgetCheckpoints } from "./streams.js";
import { checkSettings, checkSource, type SourceKind, sourceKind } from "./validation.js";

const LIST_LIMIT = 100;

/** The state a change reports in its response; reads right after see the settled state (Enabled or Disabled). */
function output(mapping: StoredMapping, transition?: string): EventSourceMappingConfiguration {
  return {
    ...mapping,
    State: transition ?? mapping.State,
    LastModified: new Date(mapping.LastModified * 1000),
    StartingPositionTimestamp:
      mapping.StartingPositionTimestamp !== undefined ? new Date(mapping.StartingPositionTimestamp * 1000) : undefined,
  };
}

/** The function a mapping invokes, as its (optionally qualified) ARN. */
function targetFunctionArn(ctx: RequestContext, functionName: string): string {
  const { name, qualifier } = nameAndQualifier(functionName, undefined);
  requireFunction(ctx, name);
  if (qualifier) resolveFunction(ctx, name, qualifier);
  return functionArn(ctx, name, qualifier);
}

export async function createEventSourceMapping(
  input: CreateEventSourceMappingRequest,
  ctx: RequestContext,
): Promise<EventSourceMappingConfiguration> {
  const arn = input.EventSourceArn;
  if (!arn) throw new InvalidParameterValueException("Unrecognized event source, must be kinesis, dynamodb stream or sqs.");
  const kind = sourceKind(arn);
  const fnArn = targetFunctionArn(ctx, input.FunctionName as string);
  checkSettings(kind, input);
  parseFilters(input.FilterCriteria);
  const duplicate = [...mappingCollection(ctx.store).values()].find((m) => m.EventSourceArn === arn && m.FunctionArn === fnArn);
  if (duplicate) {
    const source = kind === "sqs" ? "SQS arn" : "event source";
    throw new ResourceConflictException(
      `An event source mapping with ${source} (" ${arn} ") and function (" ${input.FunctionName} ") already exists. Please update or delete the existing mapping with UUID ${duplicate.UUID}`,
      { fields: { Type: "User" } },
    );
  }
  await checkSource(ctx, kind, arn, fnArn);
  const uuid = randomUUID();
  const mapping = newMapping(ctx, kind, uuid, arn, fnArn, input);
  mappingCollection(ctx.store).set(uuid, mapping);
  restartPoller(ctx.runtime, ctx.account, ctx.region, mapping);
  return output(mapping, "Creating");
}

function newMapping(
  ctx: RequestContext,
  kind: SourceKind,
  uuid: string,
  arn: string,
  fnArn: string,
  input: CreateEventSourceMappingRequest,
): StoredMapping {
  const common = {
    UUID: uuid,
    EventSourceArn: arn,
    FunctionArn: fnArn,
    LastModified: ctx.runtime.now() / 1000,
    State: input.Enabled === false ? ("Disabled" as const) : ("Enabled" as const),
    StateTransitionReason: "USER_INITIATED",
    FunctionResponseTypes: input.FunctionResponseTypes ?? [],
    EventSourceMappingArn: `arn:aws:lambda:${ctx.region}:${ctx.account}:event-source-mapping:${uuid}`,
    FilterCriteria: input.FilterCriteria?.Filters?.length ? input.FilterCriteria : undefined,
  };
  if (kind === "sqs") {
    return {
      ...common,
      BatchSize: input.BatchSize ?? 10,
      MaximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
      ScalingConfig: input.ScalingConfig,
    };
  }
  return {
    ...common,
    StartingPosition: input.StartingPosition,
    StartingPositionTimestamp: input.StartingPositionTimestamp ? input.StartingPositionTimestamp.getTime() / 1000 : undefined,
    BatchSize: input.BatchSize ?? 100,
    MaximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
    ParallelizationFactor: input.ParallelizationFactor ?? 1,
    LastProcessingResult: "No records processed",
    DestinationConfig: { OnFailure: { ...(input.DestinationConfig?.OnFailure ?? {}) } },
    MaximumRecordAgeInSeconds: input.MaximumRecordAgeInSeconds ?? -1,
    BisectBatchOnFunctionError: input.BisectBatchOnFunctionError ?? false,
    MaximumRetryAttempts: input.MaximumRetryAttempts ?? -1,
    TumblingWindowInSeconds: input.TumblingWindowInSeconds ?? 0,
  };
}

function requireMapping(ctx: RequestContext, uuid: string): StoredMapping {
  const mapping = mappingCollection(ctx.store).get(uuid);
  if (!mapping) throw new ResourceNotFoundException("The resource you requested does not exist.", { fields: { Type: "User" } });
  return mapping;
}

export function getEventSourceMapping(input: GetEventSourceMappingRequest, ctx: RequestContext): EventSourceMappingConfiguration {
  return output(requireMapping(ctx, input.UUID as string));
}

export async function updateEventSourceMapping(
  input: UpdateEventSourceMappingRequest,
  ctx: RequestContext,
): Promise<EventSourceMappingConfiguration> {
  const current = requireMapping(ctx, input.UUID as string);
  const kind = sourceKind(current.EventSourceArn as string);
  const fnArn = input.FunctionName !== undefined ? targetFunctionArn(ctx, input.FunctionName) : (current.FunctionArn as string);
  const merged = { ...current, ...definedMembers(input), FunctionName: fnArn };
  checkSettings(kind, merged);
  parseFilters(input.FilterCriteria);
  if (fnArn !== current.FunctionArn) await checkSource(ctx, kind, current.EventSourceArn as string, fnArn);
  const state = input.Enabled === undefined ? current.State : input.Enabled ? "Enabled" : "Disabled";
  const { Enabled: _enabled, FunctionName: _name, ...settings } = definedMembers(input);
  const updated: StoredMapping = {
    ...current,
    ...settings,
    FunctionArn: fnArn,
    State: state,
    LastModified: ctx.runtime.now() / 1000,
    FilterCriteria:
      input.FilterCriteria !== undefined
        ? input.FilterCriteria.Filters?.length
          ? input.FilterCriteria
          : undefined
        : current.FilterCriteria,
  } as StoredMapping;
  mappingCollection(ctx.store).set(updated.UUID as string, updated);
  restartPoller(ctx.runtime, ctx.account, ctx.region, updated);
  const transition = state === current.State ? "Updating" : state === "Enabled" ? "Enabling" : "Disabling";
  return output(updated, transition);
}

/** The members an update request actually sets. */
function definedMembers(input: UpdateEventSourceMappingRequest): Partial<UpdateEventSourceMappingRequest> {
  return Object.fromEntries(Object.entries(input).filter(([key, value]) => value !== undefined && key !== "UUID"));
}

export function deleteEventSourceMapping(input: DeleteEventSourceMappingRequest, ctx: RequestContext): EventSourceMappingConfiguration {
  const mapping = requireMapping(ctx, input.UUID as string);
  mappingCollection(ctx.store).delete(mapping.UUID as string);
  stopPoller(ctx.runtime, ctx.account, ctx.region, mapping.UUID as string);
  forgetCheckpoints(ctx.store, mapping.UUID as string);
  return output(mapping, "Deleting");
}

export function listEventSourceMappings(input: ListEventSourceMappingsRequest, ctx: RequestContext): ListEventSourceMappingsResponse {
  const max = input.MaxItems;
  if (max !== undefined && (max < 1 || max > 10_000)) {
    const constraint = max < 1 ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 10000";
    throw new ValidationFailure([{ path: "maxItems", value: max, constraint, kind: "range" }]);
  }
  const wanted = input.FunctionName !== undefined ? nameAndQualifier(input.FunctionName, undefined) : undefined;
  const all = [...mappingCollection(ctx.store).values()]
    .filter((m) => input.EventSourceArn === undefined || m.EventSourceArn === input.EventSourceArn)
    .filter((m) => !wanted || sameFunction(m.FunctionArn as string, wanted))
    .sort((a, b) => a.LastModified - b.LastModified || (a.UUID as string).localeCompare(b.UUID as string));
  const start = input.Marker === undefined ? 0 : Number(Buffer.from(input.Marker, "base64url").toString("utf8"));
  if (!Number.isInteger(start) || start < 0) throw new InvalidParameterValueException("Invalid Marker value.");
  const limit = Math.min(max ?? LIST_LIMIT, LIST_LIMIT);
  const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString("base64url") : undefined;
  return { EventSourceMappings: all.slice(start, start + limit).map((m) => output(m)), NextMarker: next };
}

/** An unqualified name lists the mappings of every version and alias; a qualified one only its own. */
function sameFunction(mappedArn: string, wanted: { name: string; qualifier?: string }): boolean {
  const mapped = nameAndQualifier(mappedArn, undefined);
  return mapped.name === wanted.name && (wanted.qualifier === undefined || mapped.qualifier === wanted.qualifier);
}
