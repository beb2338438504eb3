import { randomUUID } from "node:crypto";
import { unzipSync } from "fflate";
import type {
  AddLayerVersionPermissionRequest,
  Architecture,
  AddLayerVersionPermissionResponse,
  DeleteLayerVersionRequest,
  GetLayerVersionByArnRequest,
  GetLayerVersionPolicyRequest,
  GetLayerVersionPolicyResponse,
  GetLayerVersionRequest,
  GetLayerVersionResponse,
  LayersListItem,
  LayerVersionsListItem,
  ListLayersRequest,
  ListLayersResponse,
  ListLayerVersionsRequest,
  ListLayerVersionsResponse,
  PublishLayerVersionRequest,
  PublishLayerVersionResponse,
  RemoveLayerVersionPermissionRequest,
  Runtime,
} from "@aws-sdk/client-lambda";
import { ValidationFailure } from "../../protocol/errors.js";
import type { Collection, ScopeStore } from "../../state/store.js";
import { page } from "./paging.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { type StoredCode, storeCode } from "./code.js";
import { lambdaTimestamp } from "./config.js";
import {
  InvalidParameterValueException,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
} from "./errors.js";
import { poolOf } from "./pool.js";

/** One published layer version; deleted ones stay (hidden) so functions that use them keep working, as in AWS. */
export interface LayerVersionRecord {
  version: number;
  content: StoredCode;
  unzippedSize: number;
  description: string;
  createdDate: string;
  compatibleRuntimes?: Runtime[];
  compatibleArchitectures?: Architecture[];
  licenseInfo?: string;
  policy?: { revisionId: string; statements: LayerStatement[] };
  deleted?: boolean;
}

interface LayerStatement {
  Sid: string;
  Effect: "Allow";
  Principal: string;
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

interface LayerRecord {
  lastVersion: number;
  versions: Record<string, LayerVersionRecord>;
}

const LAYER_NAME = /^(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:)?([a-zA-Z0-9-_]+)$/;
export const LAYER_VERSION_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;
const STATEMENT_ID = /^([a-zA-Z0-9-_]+)$/;
const NOT_FOUND = "The resource you requested does not exist.";

export function layers(store: ScopeStore): Collection<LayerRecord> {
  return store.collection<LayerRecord>("layers", { sorted: true });
}

function layerName(value: string): string {
  const match = value.length <= 140 ? LAYER_NAME.exec(value) : null;
  if (!match) {
    throw new ValidationFailure([
      {
        path: "layerName",
        value,
        constraint:
          "Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
        kind: "pattern",
      },
    ]);
  }
  return match[2];
}

const layerArn = (region: string, account: string, name: string) => `arn:aws:lambda:${region}:${account}:layer:${name}`;

function versionOf(ctx: RequestContext, name: string, version: number | undefined): LayerVersionRecord {
  const found = layers(ctx.store).get(name)?.versions[String(version)];
  if (!found || found.deleted) throw new ResourceNotFoundException(NOT_FOUND, { fields: { Type: "User" } });
  return found;
}

export async function publishLayerVersion(input: PublishLayerVersionRequest, ctx: RequestContext): Promise<PublishLayerVersionResponse> {
  const name = layerName(input.LayerName as string);
  const source = input.Content ?? {};
  const content = await storeCode(
    { ZipFile: source.ZipFile, S3Bucket: source.S3Bucket, S3Key: source.S3Key, S3ObjectVersion: source.S3ObjectVersion },
    ctx,
    "PublishLayerVersion",
  );
  const record = layers(ctx.store).get(name) ?? { lastVersion: 0, versions: {} };
  const version = record.lastVersion + 1;
  const published: LayerVersionRecord = {
    version,
    content,
    unzippedSize: await unzippedSize(ctx.runtime, content),
    description: input.Description ?? "",
    createdDate: lambdaTimestamp(ctx.runtime.now()),
    compatibleRuntimes: input.CompatibleRuntimes,
    compatibleArchitectures: input.CompatibleArchitectures,
    licenseInfo: input.LicenseInfo,
  };
  layers(ctx.store).set(name, { lastVersion: version, versions: { ...record.versions, [version]: published } });
  return describe(ctx, name, published);
}

function describe(ctx: RequestContext, name: string, v: LayerVersionRecord): GetLayerVersionResponse {
  const arn = layerArn(ctx.region, ctx.account, name);
  return {
    Content: { Location: poolOf(ctx.runtime).codeUrl(v.content.blobId), CodeSha256: v.content.sha256, CodeSize: v.content.size },
    LayerArn: arn,
    LayerVersionArn: `${arn}:${v.version}`,
    Description: v.description,
    CreatedDate: v.createdDate,
    Version: v.version,
    CompatibleRuntimes: v.compatibleRuntimes,
    CompatibleArchitectures: v.compatibleArchitectures,
    LicenseInfo: v.licenseInfo,
  };
}

function listItem(ctx: RequestContext, name: string, v: LayerVersionRecord): LayerVersionsListItem {
  const { Content: _content, LayerArn: _arn, ...item } = describe(ctx, name, v);
  return item;
}

export function getLayerVersion(input: GetLayerVersionRequest, ctx: RequestContext): GetLayerVersionResponse {
  const name = layerName(input.LayerName as string);
  return describe(ctx, name, versionOf(ctx, name, input.VersionNumber));
}

export function getLayerVersionByArn(input: GetLayerVersionByArnRequest, ctx: RequestContext): GetLayerVersionResponse {
  const match = LAYER_VERSION_ARN.exec(input.Arn ?? "");
  if (!match || (input.Arn as string).length > 140) {
    throw new ValidationFailure([
      {
        path: "arn",
        value: input.Arn,
        constraint:
          "Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
        kind: "pattern",
      },
    ]);
  }
  const [, region, account, name, version] = match;
  const owner = { ...ctx, region, account, store: ctx.runtime.storeFor(account, region) };
  return describe(owner, name, versionOf(owner, name, Number(version)));
}

function compatible(v: LayerVersionRecord, runtime: Runtime | undefined, architecture: Architecture | undefined): boolean {
  if (runtime !== undefined && !(v.compatibleRuntimes ?? []).includes(runtime)) return false;
  return architecture === undefined || (v.compatibleArchitectures ?? []).includes(architecture);
}

/** Newest first, the order Lambda lists versions in. */
function liveVersions(record: LayerRecord): LayerVersionRecord[] {
  return Object.values(record.versions)
    .filter((v) => !v.deleted)
    .sort((a, b) => b.version - a.version);
}

export function listLayers(input: ListLayersRequest, ctx: RequestContext): ListLayersResponse {
  const all: LayersListItem[] = [];
  for (const [name, record] of layers(ctx.store).entries()) {
    const latest = liveVersions(record).find((v) => compatible(v, input.CompatibleRuntime, input.CompatibleArchitecture));
    if (latest)
      all.push({ LayerName: name, LayerArn: layerArn(ctx.region, ctx.account, name), LatestMatchingVersion: listItem(ctx, name, latest) });
  }
  const { items, next } = page(all, input.Marker, input.MaxItems);
  return { Layers: items, NextMarker: next };
}

export function listLayerVersions(input: ListLayerVersionsRequest, ctx: RequestContext): ListLayerVersionsResponse {
  const name = layerName(input.LayerName as string);
  const record = layers(ctx.store).get(name);
  const all = record ? liveVersions(record).filter((v) => compatible(v, input.CompatibleRuntime, input.CompatibleArchitecture)) : [];
  const { items, next } = page(
    all.map((v) => listItem(ctx, name, v)),
    input.Marker,
    input.MaxItems,
  );
  return { LayerVersions: items, NextMarker: next };
}

/** Deleting is idempotent; the content stays for functions that already use the version. */
export function deleteLayerVersion(input: DeleteLayerVersionRequest, ctx: RequestContext): void {
  const name = layerName(input.LayerName as string);
  const record = layers(ctx.store).get(name);
  const version = record?.versions[String(input.VersionNumber)];
  if (!record || !version || version.deleted) return;
  const versions = { ...record.versions, [version.version]: { ...version, deleted: true, policy: undefined } };
  layers(ctx.store).set(name, { ...record, versions });
}

// ---- Layer permissions --------------------------------------------------------------------------------

function savePolicy(ctx: RequestContext, name: string, version: LayerVersionRecord, statements: LayerStatement[]): string {
  const record = layers(ctx.store).get(name) as LayerRecord;
  const revisionId = randomUUID();
  const policy = statements.length ? { revisionId, statements } : undefined;
  layers(ctx.store).set(name, { ...record, versions: { ...record.versions, [version.version]: { ...version, policy } } });
  return revisionId;
}

function checkRevision(version: LayerVersionRecord, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== version.policy?.revisionId) {
    throw new PreconditionFailedException(
      "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id",
      { fields: { Type: "User" } },
    );
  }
}

export function addLayerVersionPermission(input: AddLayerVersionPermissionRequest, ctx: RequestContext): AddLayerVersionPermissionResponse {
  const name = layerName(input.LayerName as string);
  const sid = input.StatementId as string;
  if (sid.length > 100 || !STATEMENT_ID.test(sid)) {
    throw new ValidationFailure([
      { path: "statementId", value: sid, constraint: "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)", kind: "pattern" },
    ]);
  }
  if (input.Action !== "lambda:GetLayerVersion") {
    throw new ValidationFailure([
      {
        path: "action",
        value: input.Action,
        constraint: "Member must satisfy regular expression pattern: lambda:GetLayerVersion",
        kind: "pattern",
      },
    ]);
  }
  const principal = input.Principal as string;
  if (principal !== "*" && !/^\d{12}$/.test(principal) && !/^arn:aws[a-zA-Z-]*:iam::\d{12}:root$/.test(principal)) {
    throw new ValidationFailure([
      {
        path: "principal",
        value: principal,
        constraint: "Member must satisfy regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root",
        kind: "pattern",
      },
    ]);
  }
  if (input.OrganizationId !== undefined && principal !== "*")
    throw new InvalidParameterValueException("OrganizationId can only be specified when the principal is '*'.");
  const version = versionOf(ctx, name, input.VersionNumber);
  checkRevision(version, input.RevisionId);
  const statements = version.policy?.statements ?? [];
  if (statements.some((s) => s.Sid === sid)) {
    throw new ResourceConflictException(
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      { fields: { Type: "User" } },
    );
  }
  const statement: LayerStatement = {
    Sid: sid,
    Effect: "Allow",
    Principal: /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal,
    Action: "lambda:GetLayerVersion",
    Resource: `${layerArn(ctx.region, ctx.account, name)}:${version.version}`,
    Condition: input.OrganizationId ? { StringEquals: { "aws:PrincipalOrgID": input.OrganizationId } } : undefined,
  };
  const revisionId = savePolicy(ctx, name, version, [...statements, statement]);
  return { Statement: JSON.stringify(statement), RevisionId: revisionId };
}

export function removeLayerVersionPermission(input: RemoveLayerVersionPermissionRequest, ctx: RequestContext): void {
  const name = layerName(input.LayerName as string);
  const version = versionOf(ctx, name, input.VersionNumber);
  checkRevision(version, input.RevisionId);
  const statements = version.policy?.statements ?? [];
  if (!statements.some((s) => s.Sid === input.StatementId)) {
    throw new ResourceNotFoundException(`Statement ${input.StatementId} is not found in resource policy.`, { fields: { Type: "User" } });
  }
  savePolicy(
    ctx,
    name,
    version,
    statements.filter((s) => s.Sid !== input.StatementId),
  );
}

export function getLayerVersionPolicy(input: GetLayerVersionPolicyRequest, ctx: RequestContext): GetLayerVersionPolicyResponse {
  const name = layerName(input.LayerName as string);
  const version = versionOf(ctx, name, input.VersionNumber);
  if (!version.policy)
    throw new ResourceNotFoundException("No policy is associated with the given resource.", { fields: { Type: "User" } });
  return {
    Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: version.policy.statements }),
    RevisionId: version.policy.revisionId,
  };
}

/** Sum of the sizes a package's files have once extracted, read from the zip's directory without inflating. */
export async function unzippedSize(runtime: ServiceRuntime, code: StoredCode): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of runtime.blobs.read(code.blobId)) chunks.push(chunk as Buffer);
  let total = 0;
  unzipSync(Buffer.concat(chunks), {
    filter: (file) => {
      total += file.originalSize;
      return false;
    },
  });
  return total;
}
