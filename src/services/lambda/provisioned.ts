import { randomUUID } from "node:crypto";
import type {
  DeleteProvisionedConcurrencyConfigRequest,
  GetProvisionedConcurrencyConfigRequest,
  GetProvisionedConcurrencyConfigResponse,
  ListProvisionedConcurrencyConfigsRequest,
  ListProvisionedConcurrencyConfigsResponse,
  PutProvisionedConcurrencyConfigRequest,
  PutProvisionedConcurrencyConfigResponse,
} from "@aws-sdk/client-lambda";
import { errorClass, ValidationFailure } from "../../protocol/errors.js";
import type { Collection, ScopeStore } from "../../state/store.js";
import { page } from "./paging.js";
import type { RequestContext } from "../types.js";
import { invocationTarget } from "./async-invoke.js";
import { reservedConcurrency } from "./concurrency.js";
import { functionArn, lambdaTimestamp } from "./config.js";
import { InvalidParameterValueException, ResourceNotFoundException } from "./errors.js";
import { nameAndQualifier, requireFunction, resolveFunction } from "./names.js";
import { poolOf } from "./pool.js";

const ProvisionedConcurrencyConfigNotFoundException = errorClass("ProvisionedConcurrencyConfigNotFoundException", 404);

/** One version's or alias's provisioned concurrency, with the state of its environments. */
interface ProvisionedRecord {
  functionName: string;
  qualifier: string;
  requested: number;
  allocated: number;
  /** Which Put the environments being started belong to. */
  attempt: string;
  status: "IN_PROGRESS" | "READY" | "FAILED";
  statusReason?: string;
  lastModified: string;
}

/** Keyed `name:qualifier`. */
function configs(store: ScopeStore): Collection<ProvisionedRecord> {
  return store.collection<ProvisionedRecord>("provisioned-concurrency", { sorted: true });
}

/** A published version or an alias of an existing function; $LATEST cannot be provisioned. */
function addressed(ctx: RequestContext, functionName: string, qualifierParam: string | undefined) {
  const { name, qualifier } = nameAndQualifier(functionName, qualifierParam);
  requireFunction(ctx, name);
  if (qualifier === "$LATEST" || !qualifier)
    throw new InvalidParameterValueException("Provisioned Concurrency Configs cannot be applied to unpublished function versions.", {
      fields: { Type: "User" },
    });
  return { name, qualifier, key: `${name}:${qualifier}` };
}

function describe(record: ProvisionedRecord): GetProvisionedConcurrencyConfigResponse {
  return {
    RequestedProvisionedConcurrentExecutions: record.requested,
    AllocatedProvisionedConcurrentExecutions: record.allocated,
    AvailableProvisionedConcurrentExecutions: record.allocated,
    Status: record.status,
    StatusReason: record.statusReason,
    LastModified: record.lastModified,
  };
}

export function putProvisionedConcurrencyConfig(
  input: PutProvisionedConcurrencyConfigRequest,
  ctx: RequestContext,
): PutProvisionedConcurrencyConfigResponse {
  const requested = input.ProvisionedConcurrentExecutions as number;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new ValidationFailure([
      {
        path: "provisionedConcurrentExecutions",
        value: requested,
        constraint: "Member must have value greater than or equal to 1",
        kind: "range",
      },
    ]);
  }
  const { name, qualifier, key } = addressed(ctx, input.FunctionName as string, input.Qualifier);
  const resolved = resolveFunction(ctx, name, qualifier);
  const weights = resolved.alias ? resolved.record.aliases[resolved.alias].RoutingConfig?.AdditionalVersionWeights : undefined;
  if (weights && Object.keys(weights).length) {
    throw new InvalidParameterValueException("Alias with weights can not be used with Provisioned Concurrency", {
      fields: { Type: "User" },
    });
  }
  const reserved = reservedConcurrency(ctx.store, name);
  const others = [...configs(ctx.store).entriesFrom(`${name}:`)]
    .filter(([k]) => k.startsWith(`${name}:`) && k !== key)
    .reduce((sum, [, r]) => sum + r.requested, 0);
  if (reserved !== undefined && others + requested > reserved) {
    throw new InvalidParameterValueException(
      "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
      { fields: { Type: "User" } },
    );
  }
  const record: ProvisionedRecord = {
    functionName: name,
    qualifier,
    requested,
    allocated: 0,
    attempt: randomUUID(),
    status: "IN_PROGRESS",
    lastModified: lambdaTimestamp(ctx.runtime.now()),
  };
  configs(ctx.store).set(key, record);
  const store = ctx.store;
  const settle = (update: Partial<ProvisionedRecord>) => {
    const current = configs(store).get(key);
    // A later Put or a Delete in the meantime owns the record now.
    if (current?.attempt === record.attempt) configs(store).set(key, { ...current, ...update });
  };
  poolOf(ctx.runtime)
    .provision(invocationTarget(ctx, resolved, qualifier), requested)
    .then(
      () => settle({ allocated: requested, status: "READY" }),
      (err: Error) => settle({ status: "FAILED", statusReason: `FUNCTION_ERROR_INIT_FAILURE: ${err.message}` }),
    );
  const { LastModified: _modified, ...accepted } = describe(record);
  return { ...accepted, LastModified: record.lastModified };
}

function requireConfig(ctx: RequestContext, key: string): ProvisionedRecord {
  const record = configs(ctx.store).get(key);
  if (!record)
    throw new ProvisionedConcurrencyConfigNotFoundException("No Provisioned Concurrency Config found for this function", {
      fields: { Type: "User" },
    });
  return record;
}

export function getProvisionedConcurrencyConfig(
  input: GetProvisionedConcurrencyConfigRequest,
  ctx: RequestContext,
): GetProvisionedConcurrencyConfigResponse {
  const { key } = addressed(ctx, input.FunctionName as string, input.Qualifier);
  return describe(requireConfig(ctx, key));
}

export function deleteProvisionedConcurrencyConfig(input: DeleteProvisionedConcurrencyConfigRequest, ctx: RequestContext): void {
  const { name, qualifier, key } = addressed(ctx, input.FunctionName as string, input.Qualifier);
  requireConfig(ctx, key);
  configs(ctx.store).delete(key);
  try {
    poolOf(ctx.runtime).unprovision(ctx.account, ctx.region, name, resolveFunction(ctx, name, qualifier).version);
  } catch (err) {
    // The alias or version is gone already; its environments went with it.
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
}

export function listProvisionedConcurrencyConfigs(
  input: ListProvisionedConcurrencyConfigsRequest,
  ctx: RequestContext,
): ListProvisionedConcurrencyConfigsResponse {
  const { name } = nameAndQualifier(input.FunctionName as string, undefined);
  requireFunction(ctx, name);
  const all = [...configs(ctx.store).entriesFrom(`${name}:`)].filter(([k]) => k.startsWith(`${name}:`)).map(([, r]) => r);
  const { items, next } = page(all, input.Marker, input.MaxItems);
  return {
    ProvisionedConcurrencyConfigs: items.map((r) => ({ FunctionArn: functionArn(ctx, r.functionName, r.qualifier), ...describe(r) })),
    NextMarker: next,
  };
}

/** A deleted function's provisioned concurrency goes with it, and a deleted version's with the version. */
export function forgetProvisionedConcurrency(ctx: RequestContext, name: string, version?: string): void {
  if (version !== undefined) {
    configs(ctx.store).delete(`${name}:${version}`);
    return;
  }
  for (const [key] of [...configs(ctx.store).entriesFrom(`${name}:`)]) if (key.startsWith(`${name}:`)) configs(ctx.store).delete(key);
}
