import { randomUUID } from "node:crypto";
import type {
  Connection,
  ConnectionAuthResponseParameters,
  ConnectionHttpParameters,
  ConnectionState,
  CreateConnectionAuthRequestParameters,
  CreateConnectionRequest,
  CreateConnectionResponse,
  DeauthorizeConnectionRequest,
  DeauthorizeConnectionResponse,
  DeleteConnectionRequest,
  DeleteConnectionResponse,
  DescribeConnectionRequest,
  DescribeConnectionResponse,
  ListConnectionsRequest,
  ListConnectionsResponse,
  UpdateConnectionRequest,
  UpdateConnectionResponse,
} from "@aws-sdk/client-eventbridge";
import type { ValidationIssue } from "../../protocol/errors.js";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import {
  type Constraint,
  checkMember,
  checkRange,
  NEXT_TOKEN,
  ResourceAlreadyExists,
  ResourceNotFound,
  throwIssues,
  ValidationException,
} from "./errors.js";
import { guarded, pageByPrefix, type Scope } from "./model.js";

export interface ConnectionRecord {
  name: string;
  uuid: string;
  description?: string;
  authorizationType: "BASIC" | "API_KEY" | "OAUTH_CLIENT_CREDENTIALS";
  /** As given, secrets included: invocations need them; responses leave them out. */
  auth: CreateConnectionAuthRequestParameters;
  state: ConnectionState;
  stateReason?: string;
  createdAt: number;
  modifiedAt: number;
  authorizedAt?: number;
}

export const NAME: Constraint = { min: 1, max: 64, pattern: "[\\.\\-_A-Za-z0-9]+" };
export const ENDPOINT = /^https?:\/\/[^\s]+$/;

export const connectionsIn = (store: ScopeStore) => store.collection<ConnectionRecord>("connections", { sorted: true });
const connectionArn = (s: Scope, c: ConnectionRecord) => `arn:aws:events:${s.region}:${s.account}:connection/${c.name}/${c.uuid}`;

function requireConnection(ctx: RequestContext, name: string): ConnectionRecord {
  const connection = connectionsIn(ctx.store).get(name);
  if (!connection) throw new ResourceNotFound(`Failed to describe the connection(s). Connection '${name}' does not exist.`);
  return connection;
}

/** The parameters block the authorization type needs must be there, and no other kind. */
function checkAuth(type: string, auth: CreateConnectionAuthRequestParameters): void {
  const given = { BASIC: auth.BasicAuthParameters, API_KEY: auth.ApiKeyAuthParameters, OAUTH_CLIENT_CREDENTIALS: auth.OAuthParameters };
  const kinds = Object.entries(given).filter(([, v]) => v !== undefined);
  if (kinds.length !== 1 || kinds[0][0] !== type) {
    throw new ValidationException(`Parameter(s) AuthParameters must be specified for AuthorizationType ${type} only.`);
  }
  const endpoint = auth.OAuthParameters?.AuthorizationEndpoint;
  if (endpoint !== undefined && !ENDPOINT.test(endpoint)) throw new ValidationException("Parameter AuthorizationEndpoint is not valid.");
}

export function createConnection(input: CreateConnectionRequest, ctx: RequestContext): CreateConnectionResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, NAME, issues);
  checkMember("description", input.Description, { max: 512 }, issues);
  throwIssues(issues);
  const name = input.Name as string;
  checkAuth(input.AuthorizationType as string, input.AuthParameters ?? {});
  if (connectionsIn(ctx.store).has(name)) throw new ResourceAlreadyExists(`Connection ${name} already exists.`);
  const now = ctx.runtime.now();
  const oauth = input.AuthorizationType === "OAUTH_CLIENT_CREDENTIALS";
  const connection: ConnectionRecord = {
    name,
    uuid: randomUUID(),
    description: input.Description,
    authorizationType: input.AuthorizationType as ConnectionRecord["authorizationType"],
    auth: input.AuthParameters ?? {},
    // Key and basic credentials are usable at once; OAuth ones once a token was obtained.
    state: oauth ? "AUTHORIZING" : "AUTHORIZED",
    createdAt: now,
    modifiedAt: now,
    authorizedAt: oauth ? undefined : now,
  };
  connectionsIn(ctx.store).set(name, connection);
  if (oauth) authorizeLater(ctx.runtime, ctx, name);
  return {
    ConnectionArn: connectionArn(ctx, connection),
    ConnectionState: connection.state,
    CreationTime: new Date(now),
    LastModifiedTime: new Date(now),
  };
}

/** Obtains a first OAuth token in the background: the connection becomes AUTHORIZED, or DEAUTHORIZED saying why. */
function authorizeLater(runtime: ServiceRuntime, scope: Scope, name: string): void {
  const authorize = () => {
    const store = runtime.storeFor(scope.account, scope.region);
    const connection = connectionsIn(store).get(name);
    if (!connection) return;
    oauthToken(connection)
      .then(
        () => update(store, name, { state: "AUTHORIZED", stateReason: undefined, authorizedAt: runtime.now() }),
        (err: unknown) => update(store, name, { state: "DEAUTHORIZED", stateReason: err instanceof Error ? err.message : String(err) }),
      )
      .catch((err: unknown) => console.error("[overcast] events: authorizing a connection failed:", err));
  };
  runtime.setTimer(guarded("authorizing a connection", authorize), 0);
}

function update(store: ScopeStore, name: string, changes: Partial<ConnectionRecord>): void {
  const current = connectionsIn(store).get(name);
  if (current) connectionsIn(store).set(name, { ...current, ...changes });
}

/** The OAuth client-credentials exchange: Basic client authentication plus the connection's OAuth parameters. */
export async function oauthToken(connection: ConnectionRecord): Promise<string> {
  const oauth = connection.auth.OAuthParameters;
  if (!oauth?.AuthorizationEndpoint) throw new Error("The connection has no OAuth parameters.");
  const client = oauth.ClientParameters;
  const url = new URL(oauth.AuthorizationEndpoint);
  const extra = oauth.OAuthHttpParameters ?? {};
  for (const q of extra.QueryStringParameters ?? []) url.searchParams.set(q.Key as string, q.Value ?? "");
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  for (const b of extra.BodyParameters ?? []) form.set(b.Key as string, b.Value ?? "");
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${client?.ClientID}:${client?.ClientSecret}`).toString("base64")}`,
    "content-type": "application/x-www-form-urlencoded",
    ...Object.fromEntries((extra.HeaderParameters ?? []).map((h) => [h.Key as string, h.Value ?? ""])),
  };
  const method = oauth.HttpMethod ?? "POST";
  const response = await fetch(url, {
    method,
    headers,
    body: method === "GET" ? undefined : form.toString(),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: unknown };
  if (!response.ok || typeof body.access_token !== "string") {
    throw new Error(`Failed to obtain an OAuth token: the authorization endpoint answered ${response.status}.`);
  }
  return body.access_token;
}

export function describeConnection(input: DescribeConnectionRequest, ctx: RequestContext): DescribeConnectionResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, NAME, issues);
  throwIssues(issues);
  const connection = requireConnection(ctx, input.Name as string);
  return {
    ...summary(ctx, connection),
    Description: connection.description,
    AuthParameters: withoutSecrets(connection.auth),
  };
}

/** Responses never carry passwords, key values, client secrets or parameters marked secret. */
function withoutSecrets(auth: CreateConnectionAuthRequestParameters): ConnectionAuthResponseParameters {
  const publicParameters = (p: ConnectionHttpParameters | undefined): ConnectionHttpParameters | undefined =>
    p && {
      HeaderParameters: p.HeaderParameters?.map((h) => (h.IsValueSecret ? { Key: h.Key, IsValueSecret: true } : h)),
      QueryStringParameters: p.QueryStringParameters?.map((q) => (q.IsValueSecret ? { Key: q.Key, IsValueSecret: true } : q)),
      BodyParameters: p.BodyParameters?.map((b) => (b.IsValueSecret ? { Key: b.Key, IsValueSecret: true } : b)),
    };
  const oauth = auth.OAuthParameters;
  return {
    BasicAuthParameters: auth.BasicAuthParameters && { Username: auth.BasicAuthParameters.Username },
    ApiKeyAuthParameters: auth.ApiKeyAuthParameters && { ApiKeyName: auth.ApiKeyAuthParameters.ApiKeyName },
    OAuthParameters: oauth && {
      ClientParameters: { ClientID: oauth.ClientParameters?.ClientID },
      AuthorizationEndpoint: oauth.AuthorizationEndpoint,
      HttpMethod: oauth.HttpMethod,
      OAuthHttpParameters: publicParameters(oauth.OAuthHttpParameters),
    },
    InvocationHttpParameters: publicParameters(auth.InvocationHttpParameters),
  };
}

function summary(ctx: Scope, c: ConnectionRecord): Connection {
  return {
    ConnectionArn: connectionArn(ctx, c),
    Name: c.name,
    ConnectionState: c.state,
    StateReason: c.stateReason,
    AuthorizationType: c.authorizationType,
    CreationTime: new Date(c.createdAt),
    LastModifiedTime: new Date(c.modifiedAt),
    LastAuthorizedTime: c.authorizedAt === undefined ? undefined : new Date(c.authorizedAt),
  };
}

export function updateConnection(input: UpdateConnectionRequest, ctx: RequestContext): UpdateConnectionResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, NAME, issues);
  checkMember("description", input.Description, { max: 512 }, issues);
  throwIssues(issues);
  const connection = requireConnection(ctx, input.Name as string);
  const type = input.AuthorizationType ?? connection.authorizationType;
  const given = input.AuthParameters ?? {};
  // Parameters given replace the stored ones block by block; a new authorization type needs its own block.
  const auth = (
    type === connection.authorizationType ? { ...connection.auth, ...stripUndefined(given) } : given
  ) as CreateConnectionAuthRequestParameters;
  checkAuth(type, auth);
  const now = ctx.runtime.now();
  const oauth = type === "OAUTH_CLIENT_CREDENTIALS";
  const updated: ConnectionRecord = {
    ...connection,
    description: input.Description ?? connection.description,
    authorizationType: type,
    auth,
    state: oauth ? "AUTHORIZING" : "AUTHORIZED",
    stateReason: undefined,
    modifiedAt: now,
    authorizedAt: oauth ? connection.authorizedAt : now,
  };
  connectionsIn(ctx.store).set(connection.name, updated);
  if (oauth) authorizeLater(ctx.runtime, ctx, connection.name);
  const { ConnectionArn, ConnectionState, CreationTime, LastModifiedTime, LastAuthorizedTime } = summary(ctx, updated);
  return { ConnectionArn, ConnectionState, CreationTime, LastModifiedTime, LastAuthorizedTime };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function deauthorizeConnection(input: DeauthorizeConnectionRequest, ctx: RequestContext): DeauthorizeConnectionResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, NAME, issues);
  throwIssues(issues);
  const connection = requireConnection(ctx, input.Name as string);
  const updated = { ...connection, state: "DEAUTHORIZED" as const, modifiedAt: ctx.runtime.now() };
  connectionsIn(ctx.store).set(connection.name, updated);
  const { ConnectionArn, CreationTime, LastModifiedTime, LastAuthorizedTime } = summary(ctx, updated);
  return { ConnectionArn, ConnectionState: "DEAUTHORIZING", CreationTime, LastModifiedTime, LastAuthorizedTime };
}

export function deleteConnection(input: DeleteConnectionRequest, ctx: RequestContext): DeleteConnectionResponse {
  const issues: ValidationIssue[] = [];
  checkMember("name", input.Name, NAME, issues);
  throwIssues(issues);
  const connection = requireConnection(ctx, input.Name as string);
  connectionsIn(ctx.store).delete(connection.name);
  const { ConnectionArn, CreationTime, LastModifiedTime, LastAuthorizedTime } = summary(ctx, connection);
  return { ConnectionArn, ConnectionState: "DELETING", CreationTime, LastModifiedTime, LastAuthorizedTime };
}

export function listConnections(input: ListConnectionsRequest, ctx: RequestContext): ListConnectionsResponse {
  const issues: ValidationIssue[] = [];
  checkMember("namePrefix", input.NamePrefix, NAME, issues);
  checkMember("nextToken", input.NextToken, NEXT_TOKEN, issues);
  checkRange("limit", input.Limit, 1, 100, issues);
  throwIssues(issues);
  const { items, nextToken } = pageByPrefix(
    connectionsIn(ctx.store),
    input.NamePrefix,
    input,
    (c) => input.ConnectionState === undefined || c.state === input.ConnectionState,
    (c) => summary(ctx, c),
  );
  return { Connections: items, NextToken: nextToken };
}
