import type {
  DeleteParameterRequest,
  DeleteParametersRequest,
  DeleteParametersResult,
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  GetParameterRequest,
  GetParameterResult,
  GetParametersRequest,
  GetParametersResult,
  Parameter,
  ParameterHistory,
} from "@aws-sdk/client-ssm";
import { AwsError, ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { decryptValue } from "./crypto.js";
import { ParameterNotFound, ParameterVersionNotFound, validation } from "./errors.js";
import { checkMaxResults, page } from "./paging.js";
import { type ParameterRecord, type ParameterVersion, checkReadName, current, findParameter, parameterArn, parameters } from "./store.js";

const SECRET_REFERENCE = "/aws/reference/secretsmanager/";

/** `name`, `name:3` (a version) or `name:label`. */
function parseSelector(text: string): { name: string; selector?: string } {
  const colon = text.indexOf(":");
  return colon < 0 ? { name: text } : { name: text.slice(0, colon), selector: text.slice(colon) };
}

/** A copy of the stored record: callers change it and `set` it back. */
export function requireParameter(ctx: RequestContext, name: string): ParameterRecord {
  const record = findParameter(ctx, name);
  if (!record) throw new ParameterNotFound("");
  return structuredClone(record);
}

function selectVersion(record: ParameterRecord, selector: string | undefined): ParameterVersion {
  if (selector === undefined) return current(record);
  const key = selector.slice(1);
  if (/^[0-9]+$/.test(key)) {
    const found = record.versions.find((v) => v.version === Number(key));
    if (!found) {
      throw new ParameterVersionNotFound(
        `Systems Manager could not find version ${key} of ${record.name}. Verify the version and try again.`,
      );
    }
    return found;
  }
  const labelled = record.versions.find((v) => v.labels.includes(key));
  if (!labelled) throw new ParameterNotFound("");
  return labelled;
}

export async function readValue(ctx: RequestContext, name: string, version: ParameterVersion, withDecryption: boolean): Promise<string> {
  if (version.type !== "SecureString" || !withDecryption) return version.value;
  return decryptValue(ctx, parameterArn(ctx, name), version.value);
}

export async function toParameter(
  ctx: RequestContext,
  record: ParameterRecord,
  version: ParameterVersion,
  withDecryption: boolean,
  selector?: string,
): Promise<Parameter> {
  return {
    Name: record.name,
    Type: version.type,
    Value: await readValue(ctx, record.name, version, withDecryption),
    Version: version.version,
    Selector: selector,
    LastModifiedDate: new Date(version.lastModifiedDate),
    ARN: parameterArn(ctx, record.name),
    DataType: version.dataType,
  };
}

const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:([^:]*):([^:]*):parameter\/(.+)$/;

/**
 * Reads accept the parameter's ARN too. Parameters shared from other accounts do not exist here, so a foreign
 * ARN names nothing. ARNs drop the leading slash of path names; the stored name is whichever form exists.
 */
function fromArn(ctx: RequestContext, text: string): string {
  const match = PARAMETER_ARN.exec(text);
  if (!match) return text;
  if (match[1] !== ctx.region || match[2] !== ctx.account) throw new ParameterNotFound("");
  const rest = match[3];
  return findParameter(ctx, parseSelector(rest).name) ? rest : `/${rest}`;
}

async function resolve(ctx: RequestContext, text: string, withDecryption: boolean): Promise<Parameter> {
  if (text.startsWith(SECRET_REFERENCE)) return resolveSecret(ctx, text, withDecryption);
  const { name, selector } = parseSelector(fromArn(ctx, text));
  checkReadName(name);
  const record = requireParameter(ctx, name);
  return toParameter(ctx, record, selectVersion(record, selector), withDecryption, selector);
}

interface SecretValue {
  ARN: string;
  Name: string;
  VersionId: string;
  SecretString?: string;
  SecretBinary?: Uint8Array;
  VersionStages: string[];
  CreatedDate: Date;
}

/** `/aws/reference/secretsmanager/<secret>[:stage-or-version]` reads the secret through Secrets Manager. */
async function resolveSecret(ctx: RequestContext, text: string, withDecryption: boolean): Promise<Parameter> {
  if (!withDecryption) throw validation("WithDecryption flag must be True for retrieving a Secret Manager secret.");
  const { name, selector } = parseSelector(text);
  const secretId = name.slice(SECRET_REFERENCE.length);
  const key = selector?.slice(1);
  const byId = key !== undefined && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key);
  let secret: SecretValue;
  try {
    secret = await ctx.runtime.services.call<SecretValue>(
      "secretsmanager",
      "GetSecretValue",
      { SecretId: secretId, VersionId: byId ? key : undefined, VersionStage: byId ? undefined : key },
      { asService: "ssm", account: ctx.account, region: ctx.region },
    );
  } catch (err) {
    if (err instanceof AwsError && err.code === "ResourceNotFoundException") throw new ParameterNotFound(`Secret ${secretId} not found.`);
    throw err;
  }
  const source = {
    ...secret,
    SecretBinary: secret.SecretBinary && Buffer.from(secret.SecretBinary).toString("base64"),
    CreatedDate: secret.CreatedDate.getTime() / 1000,
  };
  return {
    Name: name,
    Type: "SecureString",
    Value: secret.SecretString ?? source.SecretBinary,
    Version: 0,
    Selector: selector,
    SourceResult: JSON.stringify(source),
    LastModifiedDate: secret.CreatedDate,
    ARN: secret.ARN,
    DataType: "text",
  };
}

export async function getParameter(input: GetParameterRequest, ctx: RequestContext): Promise<GetParameterResult> {
  return { Parameter: await resolve(ctx, input.Name as string, input.WithDecryption ?? false) };
}

function checkNames(names: string[]) {
  if (names.length < 1 || names.length > 10) {
    const constraint = names.length < 1 ? "greater than or equal to 1" : "less than or equal to 10";
    throw new ValidationFailure([{ path: "names", value: names, constraint: `Member must have length ${constraint}`, kind: "length" }]);
  }
}

/** Names that do not resolve are listed back instead of failing the request. */
function isUnresolved(err: unknown): boolean {
  return (
    err instanceof ValidationFailure ||
    (err instanceof AwsError && ["ParameterNotFound", "ParameterVersionNotFound"].includes(err.code)) ||
    (err instanceof AwsError && err.code === "ValidationException" && !err.message.startsWith("WithDecryption"))
  );
}

export async function getParameters(input: GetParametersRequest, ctx: RequestContext): Promise<GetParametersResult> {
  const names = [...new Set(input.Names ?? [])];
  checkNames(names);
  const found: Parameter[] = [];
  const invalid: string[] = [];
  for (const name of names) {
    try {
      found.push(await resolve(ctx, name, input.WithDecryption ?? false));
    } catch (err) {
      if (!isUnresolved(err)) throw err;
      invalid.push(name);
    }
  }
  return { Parameters: found, InvalidParameters: invalid };
}

export async function getParameterHistory(input: GetParameterHistoryRequest, ctx: RequestContext): Promise<GetParameterHistoryResult> {
  checkMaxResults(input.MaxResults, 50);
  const name = input.Name as string;
  checkReadName(name);
  const record = requireParameter(ctx, name);
  const { items, next } = page(record.versions, input.MaxResults ?? 50, input.NextToken);
  const history: ParameterHistory[] = [];
  for (const v of items) {
    history.push({
      Name: name,
      Type: v.type,
      KeyId: v.keyId,
      LastModifiedDate: new Date(v.lastModifiedDate),
      LastModifiedUser: v.lastModifiedUser,
      Description: v.description,
      Value: await readValue(ctx, name, v, input.WithDecryption ?? false),
      AllowedPattern: v.allowedPattern,
      Version: v.version,
      Labels: [...v.labels],
      Tier: v.tier,
      Policies: policiesOf(v),
      DataType: v.dataType,
    });
  }
  return { Parameters: history, NextToken: next };
}

export function policiesOf(version: ParameterVersion) {
  return version.policies.map((text) => ({
    PolicyText: text,
    PolicyType: (JSON.parse(text) as { Type: string }).Type,
    PolicyStatus: "Pending",
  }));
}

export function deleteParameter(input: DeleteParameterRequest, ctx: RequestContext): void {
  const name = input.Name as string;
  checkReadName(name);
  if (!findParameter(ctx, name)) throw new ParameterNotFound("");
  parameters(ctx).delete(name);
}

export function deleteParameters(input: DeleteParametersRequest, ctx: RequestContext): DeleteParametersResult {
  const names = [...new Set(input.Names ?? [])];
  checkNames(names);
  const deleted: string[] = [];
  const invalid: string[] = [];
  for (const name of names) (findParameter(ctx, name) && parameters(ctx).delete(name) ? deleted : invalid).push(name);
  return { DeletedParameters: deleted, InvalidParameters: invalid };
}
