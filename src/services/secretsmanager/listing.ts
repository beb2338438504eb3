import type {
  APIErrorType,
  BatchGetSecretValueRequest,
  BatchGetSecretValueResponse,
  Filter,
  ListSecretsRequest,
  ListSecretsResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  SecretListEntry,
  SecretValueEntry,
} from "@aws-sdk/client-secrets-manager";
import { AwsError, ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidNextTokenException, InvalidParameterException } from "./errors.js";
import { describe, getSecretValue } from "./secrets.js";
import { type SecretRecord, findSecret, requireSecret, secrets } from "./store.js";

function checkMaxResults(max: number | undefined, limit: number) {
  if (max !== undefined && (max < 1 || max > limit)) {
    const constraint = max < 1 ? "greater than or equal to 1" : `less than or equal to ${limit}`;
    throw new ValidationFailure([{ path: "maxResults", value: max, constraint: `Member must have value ${constraint}`, kind: "range" }]);
  }
}

/** Tokens are offsets into the (stably sorted) result list. */
function page<T>(items: T[], max: number, token: string | undefined): { items: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, "base64").toString("utf8"));
    if (!Number.isInteger(start) || start < 0) throw new InvalidNextTokenException("The NextToken value is invalid.");
  }
  const end = start + max;
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString("base64") : undefined };
}

/** Words as the "all" filter splits them: runs of letters or digits, split at lower→upper case changes. */
const words = (text: string) =>
  text.split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])/).filter(Boolean);

function attributeMatches(secret: SecretRecord, key: string, value: string): boolean {
  const starts = (text: string | undefined, caseless = false) =>
    text !== undefined && (caseless ? text.toLowerCase().startsWith(value.toLowerCase()) : text.startsWith(value));
  switch (key) {
    case "name":
      return starts(secret.name);
    case "description":
      return starts(secret.description, true);
    case "tag-key":
      return secret.tags.some((t) => starts(t.Key));
    case "tag-value":
      return secret.tags.some((t) => starts(t.Value));
    case "primary-region":
    case "owning-service":
      return false;
    default: {
      const haystack = [secret.name, secret.description ?? "", ...secret.tags.flatMap((t) => [t.Key ?? "", t.Value ?? ""])].flatMap(words);
      return words(value).every((w) => haystack.some((h) => h.toLowerCase().startsWith(w.toLowerCase())));
    }
  }
}

/** Filters combine with AND; a filter's values with OR, and "!value" excludes. */
function matchesFilters(secret: SecretRecord, filters: Filter[]): boolean {
  return filters.every((filter) => {
    const values = filter.Values ?? [];
    const positive = values.filter((v) => !v.startsWith("!"));
    const negative = values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
    if (negative.some((v) => attributeMatches(secret, filter.Key as string, v))) return false;
    return positive.length === 0 || positive.some((v) => attributeMatches(secret, filter.Key as string, v));
  });
}

function checkFilters(filters: Filter[]) {
  for (const filter of filters) {
    if (!filter.Key) throw new InvalidParameterException("Invalid filter key");
    for (const value of filter.Values ?? []) {
      if (value.length > 512 || !/^!?[a-zA-Z0-9 :_@/+=.\-!]*$/.test(value)) {
        throw new InvalidParameterException(`Invalid filter value: ${value}`);
      }
    }
  }
}

function filteredSecrets(ctx: RequestContext, filters: Filter[], includeDeleted: boolean): SecretRecord[] {
  checkFilters(filters);
  const out: SecretRecord[] = [];
  for (const [name] of secrets(ctx).entries()) {
    const secret = findSecret(ctx, name);
    if (!secret || (secret.deletedDate !== undefined && !includeDeleted)) continue;
    if (matchesFilters(secret, filters)) out.push(secret);
  }
  return out;
}

const SORT_KEYS: Record<string, (s: SecretRecord) => number | string> = {
  "created-date": (s) => s.createdDate,
  "last-accessed-date": (s) => s.lastAccessedDate ?? 0,
  "last-changed-date": (s) => s.lastChangedDate,
  name: (s) => s.name,
};

export function listSecrets(input: ListSecretsRequest, ctx: RequestContext): ListSecretsResponse {
  checkMaxResults(input.MaxResults, 100);
  const found = filteredSecrets(ctx, input.Filters ?? [], input.IncludePlannedDeletion ?? false);
  const key = SORT_KEYS[input.SortBy ?? "created-date"];
  const direction = (input.SortOrder ?? "desc") === "asc" ? 1 : -1;
  found.sort((a, b) => (key(a) < key(b) ? -direction : key(a) > key(b) ? direction : a.name < b.name ? -1 : 1));
  const { items, next } = page(found, input.MaxResults ?? 100, input.NextToken);
  return { SecretList: items.map(listEntry), NextToken: next };
}

/** ListSecrets shows what DescribeSecret does, under its own name for the version map. */
function listEntry(secret: SecretRecord): SecretListEntry {
  const { VersionIdsToStages, ...rest } = describe(secret);
  return { ...rest, SecretVersionsToStages: VersionIdsToStages } as SecretListEntry;
}

export function listSecretVersionIds(input: ListSecretVersionIdsRequest, ctx: RequestContext): ListSecretVersionIdsResponse {
  checkMaxResults(input.MaxResults, 100);
  const secret = requireSecret(ctx, input.SecretId);
  const versions = Object.values(secret.versions)
    .filter((v) => input.IncludeDeprecated || v.stages.length > 0)
    .sort((a, b) => b.createdDate - a.createdDate);
  const { items, next } = page(versions, input.MaxResults ?? 100, input.NextToken);
  return {
    ARN: secret.arn,
    Name: secret.name,
    Versions: items.map((v) => ({
      VersionId: v.id,
      VersionStages: v.stages.length ? [...v.stages] : undefined,
      CreatedDate: new Date(v.createdDate),
      KmsKeyIds: [v.kmsKeyId.startsWith("alias/aws/") ? "DefaultEncryptionKey" : v.kmsKeyId],
    })),
    NextToken: next,
  };
}

export async function batchGetSecretValue(input: BatchGetSecretValueRequest, ctx: RequestContext): Promise<BatchGetSecretValueResponse> {
  const { SecretIdList: ids, Filters: filters } = input;
  if ((ids === undefined) === (filters === undefined)) {
    throw new InvalidParameterException("Either SecretIdList or Filters must be specified, but not both.");
  }
  if (ids && (ids.length < 1 || ids.length > 20)) {
    throw new InvalidParameterException("SecretIdList must contain between 1 and 20 secret identifiers.");
  }
  if (ids && input.MaxResults !== undefined) {
    throw new InvalidParameterException("The parameter MaxResults can only be used with Filters.");
  }
  checkMaxResults(input.MaxResults, 20);
  let next: string | undefined;
  let targets: string[] = ids ?? [];
  if (filters) {
    const found = filteredSecrets(ctx, filters, false);
    const paged = page(found, input.MaxResults ?? 20, input.NextToken);
    targets = paged.items.map((s) => s.arn);
    next = paged.next;
  }
  const values: SecretValueEntry[] = [];
  const errors: APIErrorType[] = [];
  for (const id of targets) {
    try {
      values.push(await getSecretValue({ SecretId: id }, ctx));
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      errors.push({ SecretId: id, ErrorCode: err.code, Message: err.message });
    }
  }
  return { SecretValues: values, Errors: errors.length ? errors : undefined, NextToken: next };
}
