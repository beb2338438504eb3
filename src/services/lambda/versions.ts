import { randomUUID } from "node:crypto";
import type {
  AliasConfiguration,
  AliasRoutingConfiguration,
  CreateAliasRequest,
  DeleteAliasRequest,
  FunctionConfiguration,
  GetAliasRequest,
  ListAliasesRequest,
  ListAliasesResponse,
  ListVersionsByFunctionRequest,
  ListVersionsByFunctionResponse,
  PublishVersionRequest,
  UpdateAliasRequest,
} from "@aws-sdk/client-lambda";
import { ValidationFailure } from "../../protocol/errors.js";
import { page } from "./paging.js";
import type { RequestContext } from "../types.js";
import { functionArn, lambdaTimestamp } from "./config.js";
import {
  InvalidParameterValueException,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
} from "./errors.js";
import { type FunctionRecord, functions } from "./functions.js";
import { nameAndQualifier, requireFunction } from "./names.js";

/** Snapshots $LATEST as the next version number, unless nothing changed since the last publication. */
export function publishVersion(input: PublishVersionRequest, ctx: RequestContext): FunctionConfiguration {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  const record = requireFunction(ctx, name);
  const latest = record.latest;
  if (input.CodeSha256 !== undefined && input.CodeSha256 !== latest.CodeSha256) {
    throw new InvalidParameterValueException(
      `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${latest.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
    );
  }
  if (input.RevisionId !== undefined && input.RevisionId !== latest.RevisionId) {
    throw new PreconditionFailedException(
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  }
  if (record.publishedRevision === latest.RevisionId && record.versions[String(record.lastVersion)]) {
    return record.versions[String(record.lastVersion)];
  }
  const version = String(record.lastVersion + 1);
  const published: FunctionConfiguration = {
    ...latest,
    Version: version,
    FunctionArn: functionArn(ctx, name, version),
    Description: input.Description ?? latest.Description,
    LastModified: lambdaTimestamp(ctx.runtime.now()),
    RevisionId: randomUUID(),
  };
  functions(ctx).set(name, {
    ...record,
    versions: { ...record.versions, [version]: published },
    code: { ...record.code, [version]: record.code.$LATEST },
    lastVersion: record.lastVersion + 1,
    publishedRevision: latest.RevisionId,
  });
  return published;
}

/** ListVersionsByFunction and ListAliases accept MaxItems up to 10,000. */
const MAX_ITEMS = 10_000;

export function listVersionsByFunction(input: ListVersionsByFunctionRequest, ctx: RequestContext): ListVersionsByFunctionResponse {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  const record = requireFunction(ctx, name);
  const all = [
    record.latest,
    ...Object.keys(record.versions)
      .sort((a, b) => Number(a) - Number(b))
      .map((v) => record.versions[v]),
  ];
  const { items, next } = page(all, input.Marker, input.MaxItems, MAX_ITEMS);
  return { Versions: items, NextMarker: next };
}

// ---- Aliases -----------------------------------------------------------------------------------------

const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;

function checkAliasName(name: string): void {
  if (name.length > 128 || !ALIAS_NAME.test(name)) {
    throw new ValidationFailure([
      {
        path: "name",
        value: name,
        constraint: "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
        kind: "pattern",
      },
    ]);
  }
}

function aliasArn(ctx: RequestContext, fn: string, alias: string): string {
  return functionArn(ctx, fn, alias);
}

/** An alias points at $LATEST or a published version; weighted routing only between two published versions. */
function checkTargets(ctx: RequestContext, record: FunctionRecord, version: string, routing: AliasRoutingConfiguration | undefined): void {
  const name = record.latest.FunctionName as string;
  if (version !== "$LATEST" && !record.versions[version])
    throw new ResourceNotFoundException(`Function not found: ${functionArn(ctx, name, version)}`);
  const weights = routing?.AdditionalVersionWeights ?? {};
  const entries = Object.entries(weights);
  if (entries.length > 1) throw new InvalidParameterValueException("Number of items in AdditionalVersionWeights cannot be greater than 1");
  for (const [extra, weight] of entries) {
    if (version === "$LATEST")
      throw new InvalidParameterValueException("$LATEST is not supported for an alias pointing to more than 1 version");
    if (!record.versions[extra]) throw new InvalidParameterValueException(`Function not found: ${functionArn(ctx, name, extra)}`);
    if (extra === version)
      throw new InvalidParameterValueException("Cannot set additional version weight for the same version as the alias' primary version.");
    if (!(weight >= 0 && weight <= 1))
      throw new ValidationFailure([
        {
          path: "routingConfig.additionalVersionWeights",
          value: weight,
          constraint: "Member must have value less than or equal to 1.0",
          kind: "range",
        },
      ]);
  }
}

export function createAlias(input: CreateAliasRequest, ctx: RequestContext): AliasConfiguration {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  const aliasName = input.Name as string;
  checkAliasName(aliasName);
  const record = requireFunction(ctx, name);
  if (record.aliases[aliasName])
    throw new ResourceConflictException(`Alias already exists: ${aliasArn(ctx, name, aliasName)}`, { fields: { Type: "User" } });
  checkTargets(ctx, record, input.FunctionVersion as string, input.RoutingConfig);
  const alias: AliasConfiguration = {
    AliasArn: aliasArn(ctx, name, aliasName),
    Name: aliasName,
    FunctionVersion: input.FunctionVersion,
    Description: input.Description ?? "",
    RoutingConfig: input.RoutingConfig,
    RevisionId: randomUUID(),
  };
  functions(ctx).set(name, { ...record, aliases: { ...record.aliases, [aliasName]: alias } });
  return alias;
}

function requireAlias(ctx: RequestContext, functionName: string, aliasName: string): { record: FunctionRecord; alias: AliasConfiguration } {
  const { name } = nameAndQualifier(functionName, undefined);
  const record = requireFunction(ctx, name);
  const alias = record.aliases[aliasName];
  if (!alias) throw new ResourceNotFoundException(`Cannot find alias arn: ${aliasArn(ctx, name, aliasName)}`);
  return { record, alias };
}

export function getAlias(input: GetAliasRequest, ctx: RequestContext): AliasConfiguration {
  return requireAlias(ctx, input.FunctionName as string, input.Name as string).alias;
}

export function updateAlias(input: UpdateAliasRequest, ctx: RequestContext): AliasConfiguration {
  const { record, alias } = requireAlias(ctx, input.FunctionName as string, input.Name as string);
  if (input.RevisionId !== undefined && input.RevisionId !== alias.RevisionId) {
    throw new PreconditionFailedException(
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  }
  const updated: AliasConfiguration = {
    ...alias,
    FunctionVersion: input.FunctionVersion ?? alias.FunctionVersion,
    Description: input.Description ?? alias.Description,
    RoutingConfig: input.RoutingConfig ?? alias.RoutingConfig,
    RevisionId: randomUUID(),
  };
  checkTargets(ctx, record, updated.FunctionVersion as string, updated.RoutingConfig);
  functions(ctx).set(record.latest.FunctionName as string, { ...record, aliases: { ...record.aliases, [alias.Name as string]: updated } });
  return updated;
}

export function deleteAlias(input: DeleteAliasRequest, ctx: RequestContext): void {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  checkAliasName(input.Name as string);
  const record = requireFunction(ctx, name);
  const { [input.Name as string]: _removed, ...aliases } = record.aliases;
  functions(ctx).set(name, { ...record, aliases });
}

export function listAliases(input: ListAliasesRequest, ctx: RequestContext): ListAliasesResponse {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  const record = requireFunction(ctx, name);
  const all = Object.keys(record.aliases)
    .sort()
    .map((a) => record.aliases[a])
    .filter((a) => input.FunctionVersion === undefined || a.FunctionVersion === input.FunctionVersion);
  const { items, next } = page(all, input.Marker, input.MaxItems, MAX_ITEMS);
  return { Aliases: items, NextMarker: next };
}
