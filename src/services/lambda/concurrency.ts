import type {
  DeleteFunctionConcurrencyRequest,
  GetAccountSettingsResponse,
  GetFunctionConcurrencyRequest,
  GetFunctionConcurrencyResponse,
  PutFunctionConcurrencyRequest,
  Concurrency,
} from "@aws-sdk/client-lambda";
import { ValidationFailure } from "../../protocol/errors.js";
import type { Collection, ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { InvalidParameterValueException } from "./errors.js";
import { functions } from "./functions.js";
import { nameAndQualifier, requireFunction } from "./names.js";

/** Lambda's default quotas per account and region. */
export const ACCOUNT_CONCURRENCY = 1000;
const UNRESERVED_MINIMUM = 100;
const TOTAL_CODE_SIZE = 80_530_636_800;
const CODE_SIZE_UNZIPPED = 262_144_000;
const CODE_SIZE_ZIPPED = 52_428_800;

/** Reserved concurrency per function name (all its versions and aliases share it). */
function reservations(store: ScopeStore): Collection<{ reserved: number }> {
  return store.collection<{ reserved: number }>("concurrency");
}

/** The function's reserved concurrency, or undefined when it draws on the account's unreserved pool. */
export function reservedConcurrency(store: ScopeStore, name: string): number | undefined {
  return reservations(store).get(name)?.reserved;
}

/** GetFunction's `Concurrency`: present only while the function has a reservation. */
export function concurrencyOf(store: ScopeStore, name: string): Concurrency | undefined {
  const reserved = reservedConcurrency(store, name);
  return reserved === undefined ? undefined : { ReservedConcurrentExecutions: reserved };
}

/** What functions without a reservation share: the account limit minus every reservation. */
export function unreservedConcurrency(store: ScopeStore, except?: string): number {
  let reserved = 0;
  for (const [name, { reserved: n }] of reservations(store).entries()) if (name !== except) reserved += n;
  return ACCOUNT_CONCURRENCY - reserved;
}

/** Concurrency settings are addressed by the unqualified function: versions and aliases are refused. */
function unqualifiedName(ctx: RequestContext, functionName: string): string {
  const { name, qualifier } = nameAndQualifier(functionName, undefined);
  if (qualifier !== undefined)
    throw new InvalidParameterValueException("This operation is not supported for function versions or aliases.");
  requireFunction(ctx, name);
  return name;
}

export function putFunctionConcurrency(input: PutFunctionConcurrencyRequest, ctx: RequestContext): Concurrency {
  const reserved = input.ReservedConcurrentExecutions as number;
  if (!Number.isInteger(reserved) || reserved < 0) {
    throw new ValidationFailure([
      {
        path: "reservedConcurrentExecutions",
        value: reserved,
        constraint: "Member must have value greater than or equal to 0",
        kind: "range",
      },
    ]);
  }
  const name = unqualifiedName(ctx, input.FunctionName as string);
  if (unreservedConcurrency(ctx.store, name) - reserved < UNRESERVED_MINIMUM) {
    throw new InvalidParameterValueException(
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${UNRESERVED_MINIMUM}].`,
    );
  }
  reservations(ctx.store).set(name, { reserved });
  return { ReservedConcurrentExecutions: reserved };
}

export function getFunctionConcurrency(input: GetFunctionConcurrencyRequest, ctx: RequestContext): GetFunctionConcurrencyResponse {
  const name = unqualifiedName(ctx, input.FunctionName as string);
  return { ReservedConcurrentExecutions: reservedConcurrency(ctx.store, name) };
}

export function deleteFunctionConcurrency(input: DeleteFunctionConcurrencyRequest, ctx: RequestContext): void {
  const name = unqualifiedName(ctx, input.FunctionName as string);
  reservations(ctx.store).delete(name);
}

/** A deleted function's reservation goes with it: a new function of the same name starts unreserved. */
export function forgetConcurrency(ctx: RequestContext, name: string): void {
  reservations(ctx.store).delete(name);
}

export function getAccountSettings(_input: unknown, ctx: RequestContext): GetAccountSettingsResponse {
  let functionCount = 0;
  let totalCodeSize = 0;
  for (const record of functions(ctx).values()) {
    functionCount++;
    // Each distinct package counts once, as Lambda stores each published version's code once.
    const packages = new Map(Object.values(record.code).map((c) => [c.blobId, c.size]));
    for (const size of packages.values()) totalCodeSize += size;
  }
  return {
    AccountLimit: {
      TotalCodeSize: TOTAL_CODE_SIZE,
      CodeSizeUnzipped: CODE_SIZE_UNZIPPED,
      CodeSizeZipped: CODE_SIZE_ZIPPED,
      ConcurrentExecutions: ACCOUNT_CONCURRENCY,
      UnreservedConcurrentExecutions: unreservedConcurrency(ctx.store),
    },
    AccountUsage: { TotalCodeSize: totalCodeSize, FunctionCount: functionCount },
  };
}
