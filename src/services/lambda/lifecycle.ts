import { randomUUID } from "node:crypto";
import type {
  CreateFunctionRequest,
  DeleteFunctionRequest,
  FunctionConfiguration,
  GetFunctionConfigurationRequest,
  GetFunctionRequest,
  GetFunctionResponse,
  UpdateFunctionCodeRequest,
  UpdateFunctionConfigurationRequest,
} from "@aws-sdk/client-lambda";
import { ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { storeCode } from "./code.js";
import { checkSettings, inTransition, lambdaTimestamp, newConfiguration, updatedConfiguration } from "./config.js";
import { InvalidParameterValueException, PreconditionFailedException, ResourceConflictException } from "./errors.js";
import { type FunctionRecord, functions } from "./functions.js";
import { nameAndQualifier, parseFunctionName, requireFunction, resolveFunction } from "./names.js";
import { concurrencyOf, forgetConcurrency } from "./concurrency.js";
import { layersFor, withLayers } from "./function-layers.js";
import { poolOf } from "./pool.js";
import { withoutInvokeConfig } from "./destinations.js";
import { withoutPolicy } from "./permissions.js";
import { forgetProvisionedConcurrency } from "./provisioned.js";
import { forgetFunctionUrls } from "./url-configs.js";
import { publishVersion } from "./versions.js";

export async function createFunction(input: CreateFunctionRequest, ctx: RequestContext): Promise<FunctionConfiguration> {
  const { name, qualifier } = parseFunctionName(input.FunctionName as string);
  if (qualifier !== undefined)
    throw new ValidationFailure([
      { path: "functionName", value: input.FunctionName, constraint: "Member must not include a qualifier", kind: "pattern" },
    ]);
  checkSettings(input);
  if ((input.PackageType ?? "Zip") === "Zip" && (!input.Runtime || !input.Handler)) {
    throw new InvalidParameterValueException(
      "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
    );
  }
  if (functions(ctx).has(name)) throw new ResourceConflictException(`Function already exist: ${name}`, { fields: { Type: "User" } });
  const code = await storeCode(input.Code ?? {}, ctx, "CreateFunction");
  const layers = await layersFor(input.Layers, code, ctx);
  if (functions(ctx).has(name)) throw new ResourceConflictException(`Function already exist: ${name}`, { fields: { Type: "User" } });
  const record: FunctionRecord = {
    latest: withLayers(newConfiguration(input, name, code, ctx), layers),
    versions: {},
    code: { $LATEST: code },
    aliases: {},
    tags: { ...(input.Tags ?? {}) },
    lastVersion: 0,
  };
  functions(ctx).set(name, record);
  if (input.Publish) publishVersion({ FunctionName: name }, ctx);
  return inTransition(functions(ctx).get(name)?.latest ?? record.latest, "create");
}

export function getFunction(input: GetFunctionRequest, ctx: RequestContext): GetFunctionResponse {
  const resolved = resolveFunction(ctx, input.FunctionName as string, input.Qualifier);
  return {
    Configuration: resolved.alias
      ? resolveFunction(ctx, input.FunctionName as string, resolved.record.aliases[resolved.alias].FunctionVersion).config
      : resolved.config,
    Code: { RepositoryType: "S3", Location: poolOf(ctx.runtime).codeUrl(resolved.code.blobId) },
    Tags: Object.keys(resolved.record.tags).length ? { ...resolved.record.tags } : undefined,
    Concurrency: concurrencyOf(ctx.store, resolved.config.FunctionName as string),
  };
}

export function getFunctionConfiguration(input: GetFunctionConfigurationRequest, ctx: RequestContext): FunctionConfiguration {
  const resolved = resolveFunction(ctx, input.FunctionName as string, input.Qualifier);
  if (!resolved.alias) return resolved.config;
  return resolveFunction(ctx, input.FunctionName as string, resolved.record.aliases[resolved.alias].FunctionVersion).config;
}

function checkRevision(record: FunctionRecord, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== record.latest.RevisionId) {
    throw new PreconditionFailedException(
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      { fields: { Type: "User" } },
    );
  }
}

export async function updateFunctionCode(input: UpdateFunctionCodeRequest, ctx: RequestContext): Promise<FunctionConfiguration> {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  const record = requireFunction(ctx, name);
  checkRevision(record, input.RevisionId);
  const code = await storeCode(
    {
      ZipFile: input.ZipFile,
      S3Bucket: input.S3Bucket,
      S3Key: input.S3Key,
      S3ObjectVersion: input.S3ObjectVersion,
      ImageUri: input.ImageUri,
    },
    ctx,
    "UpdateFunctionCode",
  );
  const latest: FunctionConfiguration = {
    ...record.latest,
    CodeSha256: code.sha256,
    CodeSize: code.size,
    LastModified: lambdaTimestamp(ctx.runtime.now()),
    RevisionId: randomUUID(),
  };
  if (input.DryRun) {
    ctx.runtime.blobs.delete(code.blobId);
    return latest;
  }
  const previous = record.code.$LATEST;
  const stillUsed = Object.entries(record.code).some(([v, c]) => v !== "$LATEST" && c.blobId === previous.blobId);
  if (!stillUsed) ctx.runtime.blobs.delete(previous.blobId);
  functions(ctx).set(name, { ...record, latest, code: { ...record.code, $LATEST: code } });
  poolOf(ctx.runtime).retire(ctx.account, ctx.region, name, "$LATEST");
  if (input.Publish) publishVersion({ FunctionName: name }, ctx);
  return inTransition(latest, "update");
}

export async function updateFunctionConfiguration(
  input: UpdateFunctionConfigurationRequest,
  ctx: RequestContext,
): Promise<FunctionConfiguration> {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  checkSettings(input);
  const layers = await layersFor(input.Layers, requireFunction(ctx, name).code.$LATEST, ctx);
  const record = requireFunction(ctx, name);
  checkRevision(record, input.RevisionId);
  const latest = withLayers(updatedConfiguration(record.latest, input, ctx), layers);
  functions(ctx).set(name, { ...record, latest });
  poolOf(ctx.runtime).retire(ctx.account, ctx.region, name, "$LATEST");
  return inTransition(latest, "update");
}

export function deleteFunction(input: DeleteFunctionRequest, ctx: RequestContext): void {
  const { name, qualifier } = nameAndQualifier(input.FunctionName as string, input.Qualifier);
  const record = requireFunction(ctx, name);
  if (qualifier === undefined) {
    for (const code of new Set(Object.values(record.code).map((c) => c.blobId))) ctx.runtime.blobs.delete(code);
    functions(ctx).delete(name);
    forgetConcurrency(ctx, name);
    forgetFunctionUrls(ctx, name);
    forgetProvisionedConcurrency(ctx, name);
    poolOf(ctx.runtime).retire(ctx.account, ctx.region, name);
    return;
  }
  if (qualifier === "$LATEST") throw new InvalidParameterValueException("$LATEST version cannot be deleted without deleting the function.");
  const { config } = resolveFunction(ctx, name, qualifier);
  if (config.Version !== qualifier)
    throw new InvalidParameterValueException("Deletion of aliases is not supported through DeleteFunction; use DeleteAlias.");
  const aliases = Object.values(record.aliases).filter(
    (a) => a.FunctionVersion === qualifier || a.RoutingConfig?.AdditionalVersionWeights?.[qualifier] !== undefined,
  );
  if (aliases.length)
    throw new ResourceConflictException(
      `Unable to delete version because the following aliases reference it: [${aliases.map((a) => a.Name).join(", ")}]`,
      { fields: { Type: "User" } },
    );
  const { [qualifier]: _config, ...versions } = record.versions;
  const { [qualifier]: removed, ...code } = record.code;
  if (!Object.values(code).some((c) => c.blobId === removed.blobId)) ctx.runtime.blobs.delete(removed.blobId);
  // What is configured on the version alone goes with it (function URLs exist only on $LATEST and aliases).
  functions(ctx).set(name, { ...withoutPolicy(withoutInvokeConfig(record, qualifier), qualifier), versions, code });
  forgetProvisionedConcurrency(ctx, name, qualifier);
  poolOf(ctx.runtime).retire(ctx.account, ctx.region, name, qualifier);
}
