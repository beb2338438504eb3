import type {
  CreateEventBusRequest,
  CreateEventBusResponse,
  DeleteEventBusRequest,
  DescribeEventBusRequest,
  DescribeEventBusResponse,
  EventBus,
  ListEventBusesRequest,
  ListEventBusesResponse,
  UpdateEventBusRequest,
  UpdateEventBusResponse,
} from "@aws-sdk/client-eventbridge";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import {
  BUS_NAME,
  BUS_NAME_OR_ARN,
  checkMember,
  checkRange,
  LIMIT_MESSAGE,
  LimitExceeded,
  NEXT_TOKEN,
  ResourceAlreadyExists,
  ResourceNotFound,
  throwIssues,
  ValidationException,
} from "./errors.js";
import { type BusRecord, busArn, busesIn, DEFAULT_BUS, findBus, page, requireBus } from "./model.js";
import { rulesOf } from "./rules.js";
import { tagMap, validateTags } from "./tags.js";

const MAX_BUSES = 100;
const DESCRIPTION = { max: 512 };

export function createEventBus(input: CreateEventBusRequest, ctx: RequestContext): CreateEventBusResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, BUS_NAME, issues);
  checkMember("description", input.Description, DESCRIPTION, issues);
  throwIssues(issues);
  validateTags(input.Tags);
  const name = input.Name as string;
  if (input.EventSourceName !== undefined) throw new ResourceNotFound(`Event source ${input.EventSourceName} does not exist.`);
  if (name.includes("/")) throw new ValidationException("Event bus name must not contain '/'.");
  if (name.startsWith("aws.")) throw new ValidationException("Event bus name must not start with 'aws.'.");
  const buses = busesIn(ctx.store);
  if (name === DEFAULT_BUS || buses.has(name)) throw new ResourceAlreadyExists(`Event bus ${name} already exists.`);
  if ([...buses.keys()].filter((n) => n !== DEFAULT_BUS).length >= MAX_BUSES) throw new LimitExceeded(LIMIT_MESSAGE);
  const now = ctx.runtime.now();
  const bus: BusRecord = {
    name,
    description: input.Description,
    kmsKeyIdentifier: input.KmsKeyIdentifier,
    deadLetterConfig: input.DeadLetterConfig,
    createdAt: now,
    modifiedAt: now,
    tags: tagMap(input.Tags),
  };
  buses.set(name, bus);
  return {
    EventBusArn: busArn(ctx, name),
    Description: bus.description,
    KmsKeyIdentifier: bus.kmsKeyIdentifier,
    DeadLetterConfig: bus.deadLetterConfig,
  };
}

/** Deleting a bus that does not exist succeeds; one with rules (an archive's managed rule included) must lose them first. */
export function deleteEventBus(input: DeleteEventBusRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, BUS_NAME, issues);
  throwIssues(issues);
  const name = input.Name as string;
  if (name === DEFAULT_BUS) throw new ValidationException("Cannot delete event bus default.");
  if (!busesIn(ctx.store).has(name)) return;
  if (rulesOf(ctx, name).length) {
    throw new ValidationException("EventBus can't be deleted since it has rules.");
  }
  busesIn(ctx.store).delete(name);
}

export function describeEventBus(input: DescribeEventBusRequest, ctx: RequestContext): DescribeEventBusResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, BUS_NAME_OR_ARN, issues);
  throwIssues(issues);
  const bus = requireBus(ctx, input.Name);
  return {
    ...summary(ctx, bus),
    KmsKeyIdentifier: bus.kmsKeyIdentifier,
    DeadLetterConfig: bus.deadLetterConfig,
  };
}

export function updateEventBus(input: UpdateEventBusRequest, ctx: RequestContext): UpdateEventBusResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, BUS_NAME, issues);
  checkMember("description", input.Description, DESCRIPTION, issues);
  throwIssues(issues);
  const bus = requireBus(ctx, input.Name);
  // Like AWS, the call replaces these settings: members left out are cleared.
  const updated: BusRecord = {
    ...bus,
    description: input.Description,
    kmsKeyIdentifier: input.KmsKeyIdentifier,
    deadLetterConfig: input.DeadLetterConfig,
    modifiedAt: ctx.runtime.now(),
  };
  busesIn(ctx.store).set(bus.name, updated);
  return {
    Arn: busArn(ctx, bus.name),
    Name: bus.name,
    Description: updated.description,
    KmsKeyIdentifier: updated.kmsKeyIdentifier,
    DeadLetterConfig: updated.deadLetterConfig,
  };
}

export function listEventBuses(input: ListEventBusesRequest, ctx: RequestContext): ListEventBusesResponse {
  const issues: ValidationIssue[] = [];
  checkMember("namePrefix", input.NamePrefix, BUS_NAME, issues);
  checkMember("nextToken", input.NextToken, NEXT_TOKEN, issues);
  checkRange("limit", input.Limit, 1, 100, issues);
  throwIssues(issues);
  const prefix = input.NamePrefix ?? "";
  const names = new Set(busesIn(ctx.store).keys());
  names.add(DEFAULT_BUS);
  const matching = [...names]
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name): [string, EventBus] => [name, summary(ctx, findBus(ctx.store, name, ctx.runtime.now()) as BusRecord)]);
  const { items, nextToken } = page(matching, input.NextToken, input.Limit);
  return { EventBuses: items, NextToken: nextToken };
}

function summary(ctx: RequestContext, bus: BusRecord): EventBus {
  return {
    Name: bus.name,
    Arn: busArn(ctx, bus.name),
    Description: bus.description,
    Policy: bus.policy,
    CreationTime: new Date(bus.createdAt),
    LastModifiedTime: new Date(bus.modifiedAt),
  };
}
