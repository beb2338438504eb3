import type { PutParameterRequest, PutParameterResult } from "@aws-sdk/client-ssm";
import { ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { DEFAULT_KEY, encryptValue } from "./crypto.js";
import { mergeTags } from "./labels.js";
import {
  InvalidAllowedPatternException,
  InvalidPolicyAttributeException,
  InvalidPolicyTypeException,
  ParameterAlreadyExists,
  ParameterMaxVersionLimitExceeded,
  ParameterPatternMismatchException,
  validation,
} from "./errors.js";
import {
  type ParameterRecord,
  type ParameterType,
  type Tier,
  checkNewName,
  current,
  findParameter,
  parameterArn,
  parameters,
} from "./store.js";

const STANDARD_LIMIT = 4096;
const ADVANCED_LIMIT = 8192;
const MAX_VERSIONS = 100;
const DATA_TYPES = ["text", "aws:ec2:image", "aws:ssm:integration"];
const POLICY_TYPES = ["Expiration", "ExpirationNotification", "NoChangeNotification"];

function tooLong(path: string, value: string, limit: number): ValidationFailure {
  return new ValidationFailure([{ path, value, constraint: `Member must have length less than or equal to ${limit}`, kind: "length" }]);
}

/** Intelligent-Tiering picks Standard unless the value or policies need Advanced; Advanced never goes back. */
function resolveTier(requested: string | undefined, existing: Tier | undefined, value: string, policies: string[]): Tier {
  const needsAdvanced = value.length > STANDARD_LIMIT || policies.length > 0;
  const tier: Tier =
    requested === "Intelligent-Tiering"
      ? needsAdvanced || existing === "Advanced"
        ? "Advanced"
        : "Standard"
      : ((requested ?? existing ?? "Standard") as Tier);
  if (tier === "Standard" && existing === "Advanced") {
    throw validation(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (tier === "Standard" && value.length > STANDARD_LIMIT) {
    throw validation(
      "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
    );
  }
  if (tier === "Standard" && policies.length) {
    throw validation("Parameter policies are only supported for advanced-tier parameters. Use the Advanced or Intelligent-Tiering tier.");
  }
  return tier;
}

/** Policies arrive as one JSON array; each policy is kept as its own JSON text, as DescribeParameters returns them. */
function parsePolicies(text: string | undefined): string[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidPolicyAttributeException("The policy document is not valid JSON.");
  }
  if (!Array.isArray(parsed)) throw new InvalidPolicyAttributeException("Parameter policies must be a JSON array of policies.");
  return parsed.map((policy: { Type?: unknown; Attributes?: unknown }) => {
    if (typeof policy?.Type !== "string" || !POLICY_TYPES.includes(policy.Type)) {
      throw new InvalidPolicyTypeException(
        "The policy type is not supported. Parameter Store supports the following policy types: Expiration, ExpirationNotification, and NoChangeNotification.",
      );
    }
    if (!attributesValid(policy.Type, policy.Attributes)) {
      throw new InvalidPolicyAttributeException("A parameter policy attribute or attribute value is not valid.");
    }
    return JSON.stringify(policy);
  });
}

/** Expiration needs a Timestamp; the notifications a whole number of Days or Hours (Before / After). */
function attributesValid(type: string, attributes: unknown): boolean {
  if (!attributes || typeof attributes !== "object") return false;
  const a = attributes as Record<string, unknown>;
  if (type === "Expiration") return typeof a.Timestamp === "string" && !Number.isNaN(Date.parse(a.Timestamp));
  const amount = type === "ExpirationNotification" ? a.Before : a.After;
  return /^[1-9][0-9]*$/.test(String(amount)) && (a.Unit === "Days" || a.Unit === "Hours");
}

function checkAllowedPattern(pattern: string | undefined, type: ParameterType, value: string) {
  if (pattern === undefined) return;
  if (pattern.length > 1024) throw tooLong("allowedPattern", pattern, 1024);
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch {
    throw new InvalidAllowedPatternException(`The allowed pattern ${pattern} is not a valid regular expression.`);
  }
  const items = type === "StringList" ? value.split(",") : [value];
  if (!items.every((item) => regex.test(item))) {
    throw new ParameterPatternMismatchException(`Parameter value, cannot be validated against allowedPattern: ${pattern}`);
  }
}

function checkDataType(dataType: string, type: ParameterType, value: string) {
  if (!DATA_TYPES.includes(dataType)) {
    throw validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
  }
  if (dataType === "aws:ec2:image") {
    if (type !== "String") throw validation("The aws:ec2:image data type is only supported for the String parameter type.");
    if (!/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(value)) throw validation(`Invalid AMI ID format: ${value}`);
  }
}

export async function putParameter(input: PutParameterRequest, ctx: RequestContext): Promise<PutParameterResult> {
  const name = input.Name as string;
  const value = input.Value as string;
  checkNewName(name);
  if (value.length < 1)
    throw new ValidationFailure([
      { path: "value", value, constraint: "Member must have length greater than or equal to 1", kind: "length" },
    ]);
  if (value.length > ADVANCED_LIMIT) throw tooLong("value", value, ADVANCED_LIMIT);
  if (input.Description !== undefined && input.Description.length > 1024) throw tooLong("description", input.Description, 1024);
  if (input.Tags?.length && input.Overwrite) {
    throw validation(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  const existing = findParameter(ctx, name);
  if (existing && !input.Overwrite) {
    throw new ParameterAlreadyExists(
      "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    );
  }
  const previous = existing ? current(existing) : undefined;
  const type = (input.Type ?? previous?.type) as ParameterType | undefined;
  if (!type) throw validation("A parameter type is required when you create a parameter.");
  if (input.KeyId !== undefined && type !== "SecureString") throw validation("KeyId is required for SecureString type parameter only.");
  const allowedPattern = input.AllowedPattern ?? previous?.allowedPattern;
  checkAllowedPattern(allowedPattern, type, value);
  const dataType = input.DataType ?? previous?.dataType ?? "text";
  checkDataType(dataType, type, value);
  const policies = parsePolicies(input.Policies);
  const tier = resolveTier(input.Tier, previous?.tier, value, policies);
  const record: ParameterRecord = existing ? structuredClone(existing) : { name, versions: [], tags: mergeTags([], input.Tags ?? []) };
  dropOldestVersion(record, name);
  const keyId =
    type === "SecureString" ? (input.KeyId ?? (previous?.type === "SecureString" ? previous.keyId : undefined) ?? DEFAULT_KEY) : undefined;
  const stored = keyId ? await encryptValue(ctx, keyId, parameterArn(ctx, name), value) : value;
  const version = (previous?.version ?? 0) + 1;
  record.versions.push({
    version,
    type,
    value: stored,
    keyId,
    description: input.Description ?? previous?.description,
    allowedPattern,
    tier,
    policies: input.Policies !== undefined ? policies : (previous?.policies ?? []),
    dataType,
    lastModifiedDate: ctx.runtime.now(),
    lastModifiedUser: ctx.principal.arn,
    labels: [],
  });
  parameters(ctx).set(name, record);
  return { Version: version, Tier: tier };
}

/** At 100 versions the oldest goes, unless a label still points at it. */
function dropOldestVersion(record: ParameterRecord, name: string) {
  if (record.versions.length < MAX_VERSIONS) return;
  const oldest = record.versions[0];
  if (oldest.labels.length) {
    throw new ParameterMaxVersionLimitExceeded(
      `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
    );
  }
  record.versions.shift();
}
