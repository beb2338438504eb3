import { randomUUID } from "node:crypto";
import type {
  ApiDestination,
  CreateApiDestinationRequest,
  CreateApiDestinationResponse,
  DeleteApiDestinationRequest,
  DescribeApiDestinationRequest,
  DescribeApiDestinationResponse,
  ListApiDestinationsRequest,
  ListApiDestinationsResponse,
  UpdateApiDestinationRequest,
  UpdateApiDestinationResponse,
} from "@aws-sdk/client-eventbridge";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { type ConnectionRecord, connectionsIn, ENDPOINT, NAME } from "./connections.js";
import {
  checkMember,
  checkRange,
  NEXT_TOKEN,
  ResourceAlreadyExists,
  ResourceNotFound,
  throwIssues,
  ValidationException,
} from "./errors.js";
import { pageByPrefix, type Scope } from "./model.js";

export interface ApiDestinationRecord {
  name: string;
  uuid: string;
  description?: string;
  connectionArn: string;
  endpoint: string;
  method: string;
  rateLimit?: number;
  createdAt: number;
  modifiedAt: number;
}

export const apiDestinationsIn = (store: ScopeStore) => store.collection<ApiDestinationRecord>("api-destinations", { sorted: true });
const destinationArn = (s: Scope, d: ApiDestinationRecord) => `arn:aws:events:${s.region}:${s.account}:api-destination/${d.name}/${d.uuid}`;

function requireDestination(ctx: RequestContext, name: string): ApiDestinationRecord {
  const destination = apiDestinationsIn(ctx.store).get(name);
  if (!destination) throw new ResourceNotFound(`Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`);
  return destination;
}

function checkDestination(input: CreateApiDestinationRequest | UpdateApiDestinationRequest, issues: ValidationIssue[]): void {
  checkMember("name", input.Name, NAME, issues);
  checkMember("description", input.Description, { max: 512 }, issues);
  checkMember("connectionArn", input.ConnectionArn, { min: 1, max: 1600 }, issues);
  checkMember("invocationEndpoint", input.InvocationEndpoint, { min: 1, max: 2048 }, issues);
  checkRange("invocationRateLimitPerSecond", input.InvocationRateLimitPerSecond, 1, Number.MAX_SAFE_INTEGER, issues);
  throwIssues(issues);
  if (input.InvocationEndpoint !== undefined && !ENDPOINT.test(input.InvocationEndpoint)) {
    throw new ValidationException("Parameter InvocationEndpoint is not valid.");
  }
}

/** The connection an ARN names, in the caller's account and region. */
function connectionByArn(ctx: RequestContext, arn: string): ConnectionRecord {
  const m = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):connection\/([^/]+)\/([^/]+)$/.exec(arn);
  const connection = m && m[1] === ctx.region && m[2] === ctx.account ? connectionsIn(ctx.store).get(m[3]) : undefined;
  if (!connection || connection.uuid !== m?.[4]) {
    throw new ResourceNotFound(`Failed to describe the connection(s). Connection '${m?.[3] ?? arn}' does not exist.`);
  }
  return connection;
}

export function createApiDestination(input: CreateApiDestinationRequest, ctx: RequestContext): CreateApiDestinationResponse {
  checkDestination(input, []);
  const name = input.Name as string;
  connectionByArn(ctx, input.ConnectionArn as string);
  if (apiDestinationsIn(ctx.store).has(name)) throw new ResourceAlreadyExists(`An api-destination '${name}' already exists.`);
  const now = ctx.runtime.now();
  const destination: ApiDestinationRecord = {
    name,
    uuid: randomUUID(),
    description: input.Description,
    connectionArn: input.ConnectionArn as string,
    endpoint: input.InvocationEndpoint as string,
    method: input.HttpMethod as string,
    rateLimit: input.InvocationRateLimitPerSecond,
    createdAt: now,
    modifiedAt: now,
  };
  apiDestinationsIn(ctx.store).set(name, destination);
  return {
    ApiDestinationArn: destinationArn(ctx, destination),
    ApiDestinationState: "ACTIVE",
    CreationTime: new Date(now),
    LastModifiedTime: new Date(now),
  };
}

export function describeApiDestination(input: DescribeApiDestinationRequest, ctx: RequestContext): DescribeApiDestinationResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, NAME, issues);
  throwIssues(issues);
  const destination = requireDestination(ctx, input.Name as string);
  return { ...destinationSummary(ctx, destination), Description: destination.description };
}

function destinationSummary(ctx: Scope, d: ApiDestinationRecord): ApiDestination {
  return {
    ApiDestinationArn: destinationArn(ctx, d),
    Name: d.name,
    ApiDestinationState: "ACTIVE",
    ConnectionArn: d.connectionArn,
    InvocationEndpoint: d.endpoint,
    HttpMethod: d.method as ApiDestination["HttpMethod"],
    InvocationRateLimitPerSecond: d.rateLimit ?? 300,
    CreationTime: new Date(d.createdAt),
    LastModifiedTime: new Date(d.modifiedAt),
  };
}

export function updateApiDestination(input: UpdateApiDestinationRequest, ctx: RequestContext): UpdateApiDestinationResponse {
  checkDestination(input, []);
  const destination = requireDestination(ctx, input.Name as string);
  if (input.ConnectionArn !== undefined) connectionByArn(ctx, input.ConnectionArn);
  const updated: ApiDestinationRecord = {
    ...destination,
    description: input.Description ?? destination.description,
    connectionArn: input.ConnectionArn ?? destination.connectionArn,
    endpoint: input.InvocationEndpoint ?? destination.endpoint,
    method: input.HttpMethod ?? destination.method,
    rateLimit: input.InvocationRateLimitPerSecond ?? destination.rateLimit,
    modifiedAt: ctx.runtime.now(),
  };
  apiDestinationsIn(ctx.store).set(destination.name, updated);
  const { ApiDestinationArn, ApiDestinationState, CreationTime, LastModifiedTime } = destinationSummary(ctx, updated);
  return { ApiDestinationArn, ApiDestinationState, CreationTime, LastModifiedTime };
}

export function deleteApiDestination(input: DeleteApiDestinationRequest, ctx: RequestContext): void {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, NAME, issues);
  throwIssues(issues);
  apiDestinationsIn(ctx.store).delete(requireDestination(ctx, input.Name as string).name);
}

export function listApiDestinations(input: ListApiDestinationsRequest, ctx: RequestContext): ListApiDestinationsResponse {
  const issues: ValidationIssue[] = [];
  checkMember("namePrefix", input.NamePrefix, NAME, issues);
  checkMember("nextToken", input.NextToken, NEXT_TOKEN, issues);
  checkRange("limit", input.Limit, 1, 100, issues);
  throwIssues(issues);
  const { items, nextToken } = pageByPrefix(
    apiDestinationsIn(ctx.store),
    input.NamePrefix,
    input,
    (d) => input.ConnectionArn === undefined || d.connectionArn === input.ConnectionArn,
    (d) => destinationSummary(ctx, d),
  );
  return { ApiDestinations: items, NextToken: nextToken };
}
