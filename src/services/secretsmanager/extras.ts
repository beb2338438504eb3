import { randomInt } from "node:crypto";
import type {
  DeleteResourcePolicyRequest,
  DeleteResourcePolicyResponse,
  GetRandomPasswordRequest,
  GetRandomPasswordResponse,
  GetResourcePolicyRequest,
  GetResourcePolicyResponse,
  PutResourcePolicyRequest,
  PutResourcePolicyResponse,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
  ValidateResourcePolicyRequest,
  ValidateResourcePolicyResponse,
  ValidationErrorsEntry,
} from "@aws-sdk/client-secrets-manager";
import type { RequestContext } from "../types.js";
import { InvalidParameterException, MalformedPolicyDocumentException, PublicPolicyException } from "./errors.js";
import { requireSecret, requireWritableSecret } from "./store.js";
import { save } from "./values.js";

const CLASSES = {
  lowercase: "abcdefghijklmnopqrstuvwxyz",
  uppercase: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  numbers: "0123456789",
  punctuation: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  space: " ",
};

export function getRandomPassword(input: GetRandomPasswordRequest): GetRandomPasswordResponse {
  const length = input.PasswordLength ?? 32;
  if (length < 1 || length > 4096) throw new InvalidParameterException("Password length must be between 1 and 4096.");
  const excluded = new Set(input.ExcludeCharacters ?? "");
  const wanted = [
    !input.ExcludeLowercase && CLASSES.lowercase,
    !input.ExcludeUppercase && CLASSES.uppercase,
    !input.ExcludeNumbers && CLASSES.numbers,
    !input.ExcludePunctuation && CLASSES.punctuation,
    input.IncludeSpace && CLASSES.space,
  ]
    .filter((set): set is string => typeof set === "string")
    .map((set) => [...set].filter((c) => !excluded.has(c)).join(""))
    .filter((set) => set.length > 0);
  if (wanted.length === 0)
    throw new InvalidParameterException("The password can't be generated because all of the character types are excluded.");
  const requireEach = input.RequireEachIncludedType ?? true;
  if (requireEach && length < wanted.length) {
    throw new InvalidParameterException("The password length is too short to include a character from each included type.");
  }
  const all = wanted.join("");
  const chars = Array.from({ length }, () => all[randomInt(all.length)]);
  if (requireEach) {
    // One character of each type at distinct random positions, the rest uniform over all types.
    const positions = shuffle(Array.from({ length }, (_, i) => i)).slice(0, wanted.length);
    wanted.forEach((set, i) => {
      chars[positions[i]] = set[randomInt(set.length)];
    });
  }
  return { RandomPassword: chars.join("") };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Adds or replaces tags, with the limits CreateSecret and TagResource share. */
export function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const merged = current.map((t) => ({ ...t }));
  for (const tag of added) {
    const key = tag.Key ?? "";
    if (key.length < 1 || key.length > 128 || (tag.Value ?? "").length > 256) {
      throw new InvalidParameterException("Invalid tag key or value.");
    }
    if (key.toLowerCase().startsWith("aws:")) {
      throw new InvalidParameterException("Invalid tag key: the aws: prefix is reserved for AWS use.");
    }
    const existing = merged.find((t) => t.Key === key);
    if (existing) existing.Value = tag.Value;
    else merged.push({ Key: key, Value: tag.Value });
  }
  if (merged.length > 50) throw new InvalidParameterException("Number of tags exceeds the maximum of 50.");
  return merged;
}

export function tagResource(input: TagResourceRequest, ctx: RequestContext): void {
  const secret = requireWritableSecret(ctx, input.SecretId, true);
  secret.tags = mergeTags(secret.tags, input.Tags ?? []);
  save(ctx, secret);
}

export function untagResource(input: UntagResourceRequest, ctx: RequestContext): void {
  const secret = requireWritableSecret(ctx, input.SecretId, true);
  const removed = new Set(input.TagKeys ?? []);
  secret.tags = secret.tags.filter((t) => !removed.has(t.Key ?? ""));
  save(ctx, secret);
}

interface PolicyStatement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  Condition?: unknown;
}

function parsePolicy(text: string): { Version?: unknown; Statement?: unknown } {
  try {
    const policy = JSON.parse(text) as unknown;
    if (policy && typeof policy === "object" && !Array.isArray(policy)) return policy as { Version?: unknown; Statement?: unknown };
  } catch {
    // reported below
  }
  throw new MalformedPolicyDocumentException("This resource policy contains a syntax error.");
}

/** Statements as written; anything that is not an object becomes an empty statement, which fails the checks. */
const statementsOf = (policy: { Statement?: unknown }): PolicyStatement[] =>
  (Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : []).map((s: unknown) =>
    s && typeof s === "object" ? (s as PolicyStatement) : {},
  );

/** The structural checks AWS's policy validation reports as errors (not warnings). */
function policyErrors(text: string): ValidationErrorsEntry[] {
  const policy = parsePolicy(text);
  const errors: ValidationErrorsEntry[] = [];
  const statements = statementsOf(policy);
  if (statements.length === 0) errors.push({ CheckName: "POLICY_SYNTAX", ErrorMessage: "The policy must contain at least one statement." });
  for (const s of statements) {
    if (s.Effect !== "Allow" && s.Effect !== "Deny")
      errors.push({ CheckName: "POLICY_SYNTAX", ErrorMessage: "Each statement must have an Effect of Allow or Deny." });
    if (s.Action === undefined) errors.push({ CheckName: "POLICY_SYNTAX", ErrorMessage: "Each statement must contain an Action." });
    if (s.Principal === undefined)
      errors.push({ CheckName: "POLICY_SYNTAX", ErrorMessage: "A resource policy statement must contain a Principal." });
  }
  return errors;
}

/** Allow statements for any principal without conditions grant public access. */
function isPublic(text: string): boolean {
  return statementsOf(parsePolicy(text)).some((s) => {
    const principal = s.Principal as string | { AWS?: unknown } | null | undefined;
    const anyone =
      principal === "*" || (!!principal && typeof principal === "object" && ([] as unknown[]).concat(principal.AWS ?? []).includes("*"));
    return s.Effect === "Allow" && anyone && s.Condition === undefined;
  });
}

export function putResourcePolicy(input: PutResourcePolicyRequest, ctx: RequestContext): PutResourcePolicyResponse {
  const secret = requireWritableSecret(ctx, input.SecretId);
  const text = input.ResourcePolicy as string;
  if (text.length > 20480) throw new InvalidParameterException("The resource policy must be no larger than 20480 characters.");
  const errors = policyErrors(text);
  if (errors.length) throw new MalformedPolicyDocumentException(errors[0].ErrorMessage as string);
  if ((input.BlockPublicPolicy ?? true) && isPublic(text)) {
    throw new PublicPolicyException(
      "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.",
    );
  }
  secret.policy = text;
  save(ctx, secret);
  return { ARN: secret.arn, Name: secret.name };
}

export function getResourcePolicy(input: GetResourcePolicyRequest, ctx: RequestContext): GetResourcePolicyResponse {
  const secret = requireSecret(ctx, input.SecretId);
  return { ARN: secret.arn, Name: secret.name, ResourcePolicy: secret.policy };
}

export function deleteResourcePolicy(input: DeleteResourcePolicyRequest, ctx: RequestContext): DeleteResourcePolicyResponse {
  const secret = requireWritableSecret(ctx, input.SecretId);
  secret.policy = undefined;
  save(ctx, secret);
  return { ARN: secret.arn, Name: secret.name };
}

export function validateResourcePolicy(input: ValidateResourcePolicyRequest, ctx: RequestContext): ValidateResourcePolicyResponse {
  if (input.SecretId !== undefined) requireSecret(ctx, input.SecretId);
  const errors = policyErrors(input.ResourcePolicy as string);
  return { PolicyValidationPassed: errors.length === 0, ValidationErrors: errors };
}
