import type { Tag } from "@aws-sdk/client-ssm";
import { ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { HierarchyLevelLimitExceededException, validation } from "./errors.js";

export type ParameterType = "String" | "StringList" | "SecureString";
export type Tier = "Standard" | "Advanced";

/** One version as PutParameter wrote it; SecureString values are KMS ciphertext (base64). */
export interface ParameterVersion {
  version: number;
  type: ParameterType;
  value: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: Tier;
  policies: string[];
  dataType: string;
  lastModifiedDate: number;
  lastModifiedUser: string;
  labels: string[];
}

export interface ParameterRecord {
  name: string;
  /** Ascending by version; the last one is current. */
  versions: ParameterVersion[];
  tags: Tag[];
}

export const MAX_DEPTH = 15;
const SEGMENT = /^[A-Za-z0-9_.-]+$/;
const INVALID_NAME =
  'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

export function parameters(ctx: RequestContext) {
  return ctx.store.collection<ParameterRecord>("parameters", { sorted: true });
}

export const current = (record: ParameterRecord) => record.versions[record.versions.length - 1];

/** When the current version's Expiration policy deletes the parameter (ms), if it has one. */
function expiryOf(version: ParameterVersion): number | undefined {
  for (const text of version.policies) {
    const policy = JSON.parse(text) as { Type: string; Attributes: { Timestamp?: string } };
    if (policy.Type === "Expiration") return Date.parse(policy.Attributes.Timestamp as string);
  }
  return undefined;
}

/** Expired parameters are deleted, as Parameter Store does, the next time anything looks at them. */
export function liveParameter(ctx: RequestContext, record: ParameterRecord): ParameterRecord | undefined {
  const expiry = expiryOf(current(record));
  if (expiry !== undefined && expiry <= ctx.runtime.now()) {
    parameters(ctx).delete(record.name);
    return undefined;
  }
  return record;
}

export function findParameter(ctx: RequestContext, name: string): ParameterRecord | undefined {
  const record = parameters(ctx).get(name);
  return record && liveParameter(ctx, record);
}

export function parameterArn(ctx: RequestContext, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/${name.replace(/^\//, "")}`;
}

export function segmentsOf(name: string): string[] {
  return name.startsWith("/") ? name.slice(1).split("/") : [name];
}

/** A well-formed name: a plain name, or a path of sub-paths under a leading slash. */
export function isWellFormed(name: string): boolean {
  if (name.length < 1 || name.length > 2048) return false;
  if (name.includes("/") && !name.startsWith("/")) return false;
  return segmentsOf(name).every((s) => SEGMENT.test(s));
}

function checkLength(name: string) {
  if (name.length > 2048) {
    throw new ValidationFailure([
      { path: "name", value: name, constraint: "Member must have length less than or equal to 2048", kind: "length" },
    ]);
  }
}

/** The name rules of PutParameter: format, reserved aws/ssm prefixes, and hierarchy depth. */
export function checkNewName(name: string) {
  checkLength(name);
  if (!isWellFormed(name)) throw validation(INVALID_NAME);
  if (/^(aws|ssm)/i.test(segmentsOf(name)[0])) {
    throw validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  }
  checkDepth(name);
}

export function checkDepth(name: string) {
  if (segmentsOf(name).length > MAX_DEPTH) {
    throw new HierarchyLevelLimitExceededException(
      "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.",
    );
  }
}

/** Reads accept any well-formed name (including AWS's public /aws/ paths). */
export function checkReadName(name: string) {
  checkLength(name);
  if (!isWellFormed(name)) throw validation(INVALID_NAME);
}

export function checkPath(path: string) {
  checkLength(path);
  const ok = path === "/" || (path.startsWith("/") && isWellFormed(path.replace(/\/$/, "")));
  if (!ok) {
    throw validation(
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
    );
  }
  checkDepth(path.replace(/\/$/, ""));
}

/** Whether `name` lies under `path`: directly (one level) or anywhere below (recursive). */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith("/") ? path : `${path}/`;
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes("/");
}
