import type {
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
  Parameter,
  ParameterMetadata,
  ParametersFilter,
  ParameterStringFilter,
} from "@aws-sdk/client-ssm";
import type { RequestContext } from "../types.js";
import { InvalidFilterKey, InvalidFilterOption, InvalidFilterValue, validation } from "./errors.js";
import { policiesOf, toParameter } from "./get.js";
import { checkMaxResults, page } from "./paging.js";
import {
  type ParameterRecord,
  type ParameterVersion,
  checkPath,
  current,
  liveParameter,
  parameterArn,
  parameters,
  underPath,
} from "./store.js";

/** Which options each filter key accepts (the first is the default). */
const OPTIONS: Record<string, string[]> = {
  Name: ["Equals", "BeginsWith", "Contains"],
  Type: ["Equals", "BeginsWith"],
  KeyId: ["Equals", "BeginsWith"],
  Path: ["OneLevel", "Recursive"],
  Tier: ["Equals"],
  DataType: ["Equals"],
  Label: ["Equals"],
  tag: ["Equals"],
};
const DESCRIBE_KEYS = ["Name", "Type", "KeyId", "Path", "Tier", "DataType"];
const BY_PATH_KEYS = ["Type", "KeyId", "Label"];
const ENUM_VALUES: Record<string, string[]> = {
  Type: ["String", "StringList", "SecureString"],
  Tier: ["Standard", "Advanced", "Intelligent-Tiering"],
  DataType: ["text", "aws:ec2:image", "aws:ssm:integration"],
};

const baseKey = (key: string) => (key.startsWith("tag:") ? "tag" : key);

function checkFilters(filters: ParameterStringFilter[], allowed: string[]) {
  for (const filter of filters) {
    const key = filter.Key as string;
    const base = baseKey(key);
    if ((base !== "tag" || key.length <= 4) && !allowed.includes(key)) {
      throw new InvalidFilterKey(
        `The following filter key is not valid: ${key}. Valid filter keys include: [${[...allowed, "tag:"].join(", ")}].`,
      );
    }
    const options = OPTIONS[base];
    if (filter.Option !== undefined && !options.includes(filter.Option)) {
      throw new InvalidFilterOption(
        `The following filter option is not valid: ${filter.Option}. Valid options include: [${options.join(", ")}].`,
      );
    }
    const values = filter.Values ?? [];
    if (values.length > 50) throw new InvalidFilterValue("A filter can have at most 50 values.");
    if (values.length === 0 && base !== "tag")
      throw new InvalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
    for (const value of values) {
      if (value.length < 1 || value.length > 1024) throw new InvalidFilterValue(`The following filter value is not valid: ${value}.`);
      if (ENUM_VALUES[base] && !ENUM_VALUES[base].includes(value)) {
        throw new InvalidFilterValue(
          `The following filter value is not valid: ${value}. Valid values include: [${ENUM_VALUES[base].join(", ")}].`,
        );
      }
      if (base === "Path") checkPath(value);
    }
  }
}

function compare(option: string, actual: string | undefined, wanted: string): boolean {
  if (actual === undefined) return false;
  if (option === "BeginsWith") return actual.startsWith(wanted);
  if (option === "Contains") return actual.includes(wanted);
  return actual === wanted;
}

function filterMatches(record: ParameterRecord, version: ParameterVersion, filter: ParameterStringFilter): boolean {
  const key = filter.Key as string;
  const base = baseKey(key);
  const option = filter.Option ?? OPTIONS[base][0];
  const values = filter.Values ?? [];
  switch (base) {
    case "tag": {
      const tag = record.tags.find((t) => t.Key === key.slice(4));
      return tag !== undefined && (values.length === 0 || values.some((v) => compare(option, tag.Value, v)));
    }
    case "Path":
      return values.some((path) => underPath(record.name, path, option === "Recursive"));
    case "Label":
      return values.some((label) => version.labels.includes(label));
    default: {
      const actual = { Name: record.name, Type: version.type, KeyId: version.keyId, Tier: version.tier, DataType: version.dataType }[base];
      return values.some((v) => compare(option, actual, v));
    }
  }
}

/** The legacy Filters: Name by prefix, Type and KeyId by equality. */
function legacyMatches(record: ParameterRecord, version: ParameterVersion, filter: ParametersFilter): boolean {
  const values = filter.Values ?? [];
  if (filter.Key === "Name") return values.some((v) => record.name.startsWith(v));
  if (filter.Key === "Type") return values.includes(version.type);
  return version.keyId !== undefined && values.includes(version.keyId);
}

function metadata(ctx: RequestContext, record: ParameterRecord): ParameterMetadata {
  const v = current(record);
  return {
    Name: record.name,
    ARN: parameterArn(ctx, record.name),
    Type: v.type,
    KeyId: v.keyId,
    LastModifiedDate: new Date(v.lastModifiedDate),
    LastModifiedUser: v.lastModifiedUser,
    Description: v.description,
    AllowedPattern: v.allowedPattern,
    Version: v.version,
    Tier: v.tier,
    Policies: policiesOf(v),
    DataType: v.dataType,
  };
}

export function describeParameters(input: DescribeParametersRequest, ctx: RequestContext): DescribeParametersResult {
  checkMaxResults(input.MaxResults, 50);
  const legacy = input.Filters ?? [];
  const filters = input.ParameterFilters ?? [];
  if (legacy.length && filters.length) throw validation("You can use either Filters or ParameterFilters in a single request.");
  checkFilters(filters, DESCRIBE_KEYS);
  // Shared lists parameters other accounts shared through RAM; none are shared with this one.
  if (input.Shared) return { Parameters: [] };
  const found: ParameterMetadata[] = [];
  for (const stored of [...parameters(ctx).values()]) {
    const record = liveParameter(ctx, stored);
    if (!record) continue;
    const version = current(record);
    if (!legacy.every((f) => legacyMatches(record, version, f))) continue;
    if (!filters.every((f) => filterMatches(record, version, f))) continue;
    found.push(metadata(ctx, record));
  }
  const { items, next } = page(found, input.MaxResults ?? 10, input.NextToken);
  return { Parameters: items, NextToken: next };
}

/** A Label filter selects the labelled version; otherwise the current one. */
function versionFor(record: ParameterRecord, filters: ParameterStringFilter[]): ParameterVersion | undefined {
  const labels = filters.filter((f) => f.Key === "Label").flatMap((f) => f.Values ?? []);
  const version = labels.length ? record.versions.find((v) => v.labels.some((l) => labels.includes(l))) : current(record);
  if (!version) return undefined;
  return filters.every((f) => filterMatches(record, version, f)) ? version : undefined;
}

export async function getParametersByPath(input: GetParametersByPathRequest, ctx: RequestContext): Promise<GetParametersByPathResult> {
  checkMaxResults(input.MaxResults, 10);
  const path = input.Path as string;
  checkPath(path);
  const filters = input.ParameterFilters ?? [];
  checkFilters(filters, BY_PATH_KEYS);
  const prefix = path.endsWith("/") ? path : `${path}/`;
  const matches: [ParameterRecord, ParameterVersion][] = [];
  const candidates: ParameterRecord[] = [];
  for (const [name, record] of parameters(ctx).entriesFrom(prefix)) {
    if (!name.startsWith(prefix)) break;
    if (underPath(name, path, input.Recursive ?? false)) candidates.push(record);
  }
  for (const stored of candidates) {
    const record = liveParameter(ctx, stored);
    if (!record) continue;
    const version = versionFor(record, filters);
    if (version) matches.push([record, version]);
  }
  const { items, next } = page(matches, input.MaxResults ?? 10, input.NextToken);
  const out: Parameter[] = [];
  for (const [record, version] of items) out.push(await toParameter(ctx, record, version, input.WithDecryption ?? false));
  return { Parameters: out, NextToken: next };
}
