import type {
  AddTagsToResourceRequest,
  LabelParameterVersionRequest,
  LabelParameterVersionResult,
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  RemoveTagsFromResourceRequest,
  Tag,
  UnlabelParameterVersionRequest,
  UnlabelParameterVersionResult,
} from "@aws-sdk/client-ssm";
import type { RequestContext } from "../types.js";
import {
  InvalidResourceId,
  InvalidTag,
  ParameterVersionLabelLimitExceeded,
  ParameterVersionNotFound,
  TooManyTagsError,
  validation,
} from "./errors.js";
import { requireParameter } from "./get.js";
import { type ParameterRecord, type ParameterVersion, checkReadName, current, findParameter, parameters } from "./store.js";

const MAX_LABELS_PER_VERSION = 10;
const MAX_TAGS = 50;

/** Labels: up to 100 letters, digits, . - _; not starting with a digit or with aws/ssm. */
const isValidLabel = (label: string) =>
  label.length <= 100 && /^[A-Za-z0-9_.-]+$/.test(label) && !/^[0-9]/.test(label) && !/^(aws|ssm)/i.test(label);

function versionOf(record: ParameterRecord, number: number | undefined): ParameterVersion {
  if (number === undefined) return current(record);
  const found = record.versions.find((v) => v.version === number);
  if (!found) {
    throw new ParameterVersionNotFound(
      `Systems Manager could not find version ${number} of ${record.name}. Verify the version and try again.`,
    );
  }
  return found;
}

function loadParameter(ctx: RequestContext, name: string): ParameterRecord {
  checkReadName(name);
  return requireParameter(ctx, name);
}

export function labelParameterVersion(input: LabelParameterVersionRequest, ctx: RequestContext): LabelParameterVersionResult {
  const record = loadParameter(ctx, input.Name as string);
  const target = versionOf(record, input.ParameterVersion);
  const labels = input.Labels ?? [];
  if (labels.length < 1 || labels.length > 10) throw validation("A request can label a parameter version with 1 to 10 labels.");
  const invalid = labels.filter((l) => !isValidLabel(l));
  const valid = [...new Set(labels.filter(isValidLabel))];
  const added = valid.filter((l) => !target.labels.includes(l));
  if (target.labels.length + added.length > MAX_LABELS_PER_VERSION) {
    throw new ParameterVersionLabelLimitExceeded(
      "A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.",
    );
  }
  // A label names one version of a parameter: attaching it here moves it off any other version.
  for (const v of record.versions) if (v !== target) v.labels = v.labels.filter((l) => !valid.includes(l));
  target.labels.push(...added);
  parameters(ctx).set(record.name, record);
  return { InvalidLabels: invalid, ParameterVersion: target.version };
}

export function unlabelParameterVersion(input: UnlabelParameterVersionRequest, ctx: RequestContext): UnlabelParameterVersionResult {
  const record = loadParameter(ctx, input.Name as string);
  const target = versionOf(record, input.ParameterVersion);
  const labels = input.Labels ?? [];
  const removed = labels.filter((l) => target.labels.includes(l));
  target.labels = target.labels.filter((l) => !removed.includes(l));
  parameters(ctx).set(record.name, record);
  return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !removed.includes(l)) };
}

/** Only parameters are taggable here; ids of other SSM resource types name nothing that exists. */
function taggedParameter(ctx: RequestContext, type: string | undefined, id: string): ParameterRecord {
  const record = type === "Parameter" ? findParameter(ctx, id) : undefined;
  if (!record) throw new InvalidResourceId("");
  return structuredClone(record);
}

/** Adds or replaces tags, with the limits PutParameter and AddTagsToResource share. */
export function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const merged = current.map((t) => ({ ...t }));
  for (const tag of added) {
    if (/^aws:/i.test(tag.Key as string)) throw new InvalidTag("The aws: prefix is reserved for AWS use and can't be used in tag keys.");
    const existing = merged.find((t) => t.Key === tag.Key);
    if (existing) existing.Value = tag.Value;
    else merged.push({ Key: tag.Key, Value: tag.Value });
  }
  if (merged.length > MAX_TAGS) throw new TooManyTagsError("");
  return merged;
}

export function addTagsToResource(input: AddTagsToResourceRequest, ctx: RequestContext): void {
  const record = taggedParameter(ctx, input.ResourceType, input.ResourceId as string);
  record.tags = mergeTags(record.tags, input.Tags ?? []);
  parameters(ctx).set(record.name, record);
}

export function removeTagsFromResource(input: RemoveTagsFromResourceRequest, ctx: RequestContext): void {
  const record = taggedParameter(ctx, input.ResourceType, input.ResourceId as string);
  const removed = new Set(input.TagKeys ?? []);
  record.tags = record.tags.filter((t) => !removed.has(t.Key as string));
  parameters(ctx).set(record.name, record);
}

export function listTagsForResource(input: ListTagsForResourceRequest, ctx: RequestContext): ListTagsForResourceResult {
  const record = taggedParameter(ctx, input.ResourceType, input.ResourceId as string);
  return { TagList: record.tags.map((t) => ({ ...t })) };
}
