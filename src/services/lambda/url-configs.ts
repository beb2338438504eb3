import { randomBytes } from "node:crypto";
import type {
  Cors,
  CreateFunctionUrlConfigRequest,
  CreateFunctionUrlConfigResponse,
  DeleteFunctionUrlConfigRequest,
  FunctionUrlConfig,
  GetFunctionUrlConfigRequest,
  GetFunctionUrlConfigResponse,
  ListFunctionUrlConfigsRequest,
  ListFunctionUrlConfigsResponse,
  UpdateFunctionUrlConfigRequest,
  UpdateFunctionUrlConfigResponse,
} from "@aws-sdk/client-lambda";
import { ValidationFailure } from "../../protocol/errors.js";
import type { Collection, ScopeStore } from "../../state/store.js";
import { page } from "./paging.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { functionArn } from "./config.js";
import { InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from "./errors.js";
import { nameAndQualifier, requireFunction } from "./names.js";

/** A function URL: for the unqualified function ($LATEST) or one alias, under a random 32-character id. */
export interface UrlRecord {
  urlId: string;
  functionName: string;
  qualifier?: string;
  authType: "NONE" | "AWS_IAM";
  cors?: Cors;
  invokeMode: "BUFFERED";
  creationTime: string;
  lastModifiedTime: string;
}

const ALIAS_QUALIFIER = /^(?!^\d+$)[0-9a-zA-Z-_]+$/;
const MAX_AGE_LIMIT = 86_400;
const NOT_FOUND = "The resource you requested does not exist.";

/** URL configurations by `name` or `name:alias`. */
function urls(store: ScopeStore): Collection<UrlRecord> {
  return store.collection<UrlRecord>("function-urls", { sorted: true });
}

/** The index the HTTP route looks URL ids up in: id → `name` or `name:alias`. */
function urlIds(store: ScopeStore): Collection<string> {
  return store.collection<string>("function-url-ids");
}

/** The URL a configuration answers on: our host form, on the port and scheme the client reached us by. */
function urlOf(ctx: RequestContext, record: UrlRecord): string {
  const port = /:(\d+)$/.exec(ctx.origin.host)?.[1] ?? String(ctx.runtime.options.port);
  return `${ctx.origin.secure ? "https" : "http"}://${record.urlId}.lambda-url.${ctx.region}.localhost.localstack.cloud:${port}/`;
}

/** The function (which must exist) and the alias (which must exist too) a request addresses. */
function addressed(
  ctx: RequestContext,
  functionName: string,
  qualifierParam: string | undefined,
): { key: string; name: string; qualifier?: string } {
  const { name, qualifier } = nameAndQualifier(functionName, qualifierParam);
  if (qualifier !== undefined && (qualifier.length > 128 || !ALIAS_QUALIFIER.test(qualifier))) {
    throw new ValidationFailure([
      {
        path: "qualifier",
        value: qualifier,
        constraint: "Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
        kind: "pattern",
      },
    ]);
  }
  const record = requireFunction(ctx, name);
  if (qualifier !== undefined && !record.aliases[qualifier])
    throw new ResourceNotFoundException(`Function not found: ${functionArn(ctx, name, qualifier)}`, { fields: { Type: "User" } });
  return { key: qualifier === undefined ? name : `${name}:${qualifier}`, name, qualifier };
}

function checkSettings(authType: string | undefined, cors: Cors | undefined, invokeMode: string | undefined): void {
  if (invokeMode === "RESPONSE_STREAM")
    throw new InvalidParameterValueException("InvokeMode RESPONSE_STREAM is not supported by Overcast; use BUFFERED.", {
      fields: { Type: "User" },
    });
  const maxAge = cors?.MaxAge;
  if (maxAge !== undefined && (maxAge < 0 || maxAge > MAX_AGE_LIMIT)) {
    const constraint =
      maxAge < 0 ? "Member must have value greater than or equal to 0" : `Member must have value less than or equal to ${MAX_AGE_LIMIT}`;
    throw new ValidationFailure([{ path: "cors.maxAge", value: maxAge, constraint, kind: "range" }]);
  }
  const longMethod = cors?.AllowMethods?.find((m) => m.length > 6);
  if (longMethod !== undefined) {
    throw new ValidationFailure([
      {
        path: "cors.allowMethods",
        value: cors?.AllowMethods,
        constraint: "Member must satisfy constraint: [Member must have length less than or equal to 6]",
        kind: "length",
      },
    ]);
  }
  void authType; // the model's enum check covers AuthType
}

function describe(ctx: RequestContext, record: UrlRecord): FunctionUrlConfig {
  return {
    FunctionUrl: urlOf(ctx, record),
    FunctionArn: functionArn(ctx, record.functionName, record.qualifier),
    AuthType: record.authType,
    Cors: record.cors,
    CreationTime: record.creationTime,
    LastModifiedTime: record.lastModifiedTime,
    InvokeMode: record.invokeMode,
  };
}

export function createFunctionUrlConfig(input: CreateFunctionUrlConfigRequest, ctx: RequestContext): CreateFunctionUrlConfigResponse {
  checkSettings(input.AuthType, input.Cors, input.InvokeMode);
  const { key, name, qualifier } = addressed(ctx, input.FunctionName as string, input.Qualifier);
  if (urls(ctx.store).has(key)) {
    throw new ResourceConflictException(
      `Failed to create function url config for [functionArn = ${functionArn(ctx, name, qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
      { fields: { Type: "User" } },
    );
  }
  const now = new Date(ctx.runtime.now()).toISOString();
  const record: UrlRecord = {
    urlId: newUrlId(),
    functionName: name,
    qualifier,
    authType: input.AuthType as UrlRecord["authType"],
    cors: input.Cors,
    invokeMode: "BUFFERED",
    creationTime: now,
    lastModifiedTime: now,
  };
  urls(ctx.store).set(key, record);
  urlIds(ctx.store).set(record.urlId, key);
  const { LastModifiedTime: _modified, ...created } = describe(ctx, record);
  return created as CreateFunctionUrlConfigResponse;
}

/** 32 lowercase letters and digits, as Lambda's URL ids. */
function newUrlId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(32), (b) => alphabet[b % alphabet.length]).join("");
}

function requireUrl(ctx: RequestContext, functionName: string, qualifier: string | undefined): { key: string; record: UrlRecord } {
  const { key } = addressed(ctx, functionName, qualifier);
  const record = urls(ctx.store).get(key);
  if (!record) throw new ResourceNotFoundException(NOT_FOUND, { fields: { Type: "User" } });
  return { key, record };
}

export function getFunctionUrlConfig(input: GetFunctionUrlConfigRequest, ctx: RequestContext): GetFunctionUrlConfigResponse {
  return describe(ctx, requireUrl(ctx, input.FunctionName as string, input.Qualifier).record) as GetFunctionUrlConfigResponse;
}

export function updateFunctionUrlConfig(input: UpdateFunctionUrlConfigRequest, ctx: RequestContext): UpdateFunctionUrlConfigResponse {
  checkSettings(input.AuthType, input.Cors, input.InvokeMode);
  const { key, record } = requireUrl(ctx, input.FunctionName as string, input.Qualifier);
  const updated: UrlRecord = {
    ...record,
    authType: (input.AuthType as UrlRecord["authType"]) ?? record.authType,
    cors: input.Cors ?? record.cors,
    lastModifiedTime: new Date(ctx.runtime.now()).toISOString(),
  };
  urls(ctx.store).set(key, updated);
  return describe(ctx, updated) as UpdateFunctionUrlConfigResponse;
}

export function deleteFunctionUrlConfig(input: DeleteFunctionUrlConfigRequest, ctx: RequestContext): void {
  const { key, record } = requireUrl(ctx, input.FunctionName as string, input.Qualifier);
  urls(ctx.store).delete(key);
  urlIds(ctx.store).delete(record.urlId);
}

export function listFunctionUrlConfigs(input: ListFunctionUrlConfigsRequest, ctx: RequestContext): ListFunctionUrlConfigsResponse {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  requireFunction(ctx, name);
  const all = [...urls(ctx.store).entriesFrom(name)].filter(([key]) => key === name || key.startsWith(`${name}:`)).map(([, r]) => r);
  const { items, next } = page(all, input.Marker, input.MaxItems);
  return { FunctionUrlConfigs: items.map((r) => describe(ctx, r)), NextMarker: next };
}

/** A deleted function's URLs go with it (and an alias's, should it be deleted while the function stays). */
export function forgetFunctionUrls(ctx: RequestContext, name: string): void {
  for (const [key, record] of [...urls(ctx.store).entriesFrom(name)]) {
    if (key !== name && !key.startsWith(`${name}:`)) continue;
    urls(ctx.store).delete(key);
    urlIds(ctx.store).delete(record.urlId);
  }
}

/** The URL configuration behind a URL id, searched in every account's store of the host's region. */
export function findUrl(
  runtime: ServiceRuntime,
  urlId: string,
  region: string | undefined,
): { account: string; region: string; record: UrlRecord } | undefined {
  for (const scope of runtime.state.scopes("lambda")) {
    if (region !== undefined && scope.region !== region) continue;
    const store = runtime.storeFor(scope.account, scope.region);
    const key = urlIds(store).get(urlId);
    const record = key === undefined ? undefined : urls(store).get(key);
    if (record) return { account: scope.account, region: scope.region, record };
  }
  return undefined;
}
