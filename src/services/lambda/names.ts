import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import type { StoredCode } from "./code.js";
import { functionArn } from "./config.js";
import { InvalidParameterValueException, ResourceNotFoundException } from "./errors.js";
import { type FunctionRecord, functions } from "./functions.js";

const FUNCTION_NAME =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const QUALIFIER = /^(|[a-zA-Z0-9$_-]+)$/;

/** A function name as the API accepts it: plain, partial ARN or full ARN, optionally qualified. */
export function parseFunctionName(value: string): { name: string; qualifier?: string } {
  const match = value.length <= 170 ? FUNCTION_NAME.exec(value) : null;
  if (!match || match[7].length > 64) {
    throw new ValidationFailure([
      {
        path: "functionName",
        value,
        constraint:
          "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
        kind: "pattern",
      },
    ]);
  }
  return { name: match[7], qualifier: match[9] };
}

/** The function's name and the qualifier from the name and/or the Qualifier parameter, which must agree. */
export function nameAndQualifier(functionName: string, qualifier: string | undefined): { name: string; qualifier?: string } {
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) {
    throw new ValidationFailure([
      {
        path: "qualifier",
        value: qualifier,
        constraint: "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
        kind: "pattern",
      },
    ]);
  }
  const parsed = parseFunctionName(functionName);
  if (parsed.qualifier !== undefined && qualifier !== undefined && parsed.qualifier !== qualifier) {
    throw new InvalidParameterValueException("The derived qualifier from the function name does not match the specified qualifier.");
  }
  return { name: parsed.name, qualifier: qualifier ?? parsed.qualifier };
}

export function requireFunction(ctx: RequestContext, name: string): FunctionRecord {
  const record = functions(ctx).get(name);
  if (!record) throw new ResourceNotFoundException(`Function not found: ${functionArn(ctx, name)}`);
  return record;
}

export interface ResolvedFunction {
  record: FunctionRecord;
  config: FunctionConfiguration;
  code: StoredCode;
  /** The version that runs: "$LATEST" or a number (aliases resolve to their version). */
  version: string;
  alias?: string;
}

/** Resolves a qualifier to the version it names: $LATEST, a version number, or an alias (with weighted routing). */
export function resolveFunction(ctx: RequestContext, functionName: string, qualifierParam?: string): ResolvedFunction {
  const { name, qualifier } = nameAndQualifier(functionName, qualifierParam);
  const record = requireFunction(ctx, name);
  const notFound = () => new ResourceNotFoundException(`Function not found: ${functionArn(ctx, name, qualifier)}`);
  if (qualifier === undefined || qualifier === "" || qualifier === "$LATEST") {
    return { record, config: record.latest, code: record.code.$LATEST, version: "$LATEST" };
  }
  if (/^\d+$/.test(qualifier)) {
    const config = record.versions[qualifier];
    if (!config) throw notFound();
    return { record, config, code: record.code[qualifier], version: qualifier };
  }
  const alias = record.aliases[qualifier];
  if (!alias) throw notFound();
  const version = routedVersion(alias.FunctionVersion as string, alias.RoutingConfig?.AdditionalVersionWeights);
  const config = version === "$LATEST" ? record.latest : record.versions[version];
  if (!config) throw notFound();
  return { record, config, code: record.code[version], version, alias: qualifier };
}

/** Weighted alias routing: each additional version gets its share of invocations, the rest go to the main one. */
function routedVersion(main: string, weights: Record<string, number> | undefined): string {
  if (!weights) return main;
  let roll = Math.random();
  for (const [version, weight] of Object.entries(weights)) {
    if (roll < weight) return version;
    roll -= weight;
  }
  return main;
}
