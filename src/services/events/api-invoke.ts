import type { ConnectionHttpParameters } from "@aws-sdk/client-eventbridge";
import type { ServiceRuntime } from "../types.js";
import { apiDestinationsIn } from "./api-destinations.js";
import { type ConnectionRecord, connectionsIn, oauthToken } from "./connections.js";
import type { TargetDelivery } from "./delivery.js";
import { PermanentFailure } from "./errors.js";
import { select } from "./input.js";
import type { Scope } from "./model.js";

const HTTP_TIMEOUT_MS = 5_000;
/** Answers EventBridge retries; any other failure status is final. */
const RETRIED_STATUSES = new Set([401, 407, 409, 429]);

/**
 * Calls an API destination: its endpoint with `*` path segments filled from the target's
 * PathParameterValues, the connection's and the target's headers and query parameters, and the
 * connection's credentials. Target parameter values may be JSON paths into the event.
 */
export async function invokeApiDestination(
  runtime: ServiceRuntime,
  scope: Scope,
  resource: string,
  d: TargetDelivery,
  body: string,
): Promise<void> {
  const store = runtime.storeFor(scope.account, scope.region);
  const [, name, uuid] = resource.split("/");
  const destination = apiDestinationsIn(store).get(name);
  if (!destination || !uuid || destination.uuid !== uuid)
    throw new PermanentFailure("ResourceNotFoundException", `API destination ${name} does not exist.`);
  const connectionName = destination.connectionArn.split("/")[1];
  const connection = connectionsIn(store).get(connectionName);
  if (connection?.state !== "AUTHORIZED") {
    throw new PermanentFailure("ConnectionNotAuthorized", `Connection ${connectionName} is not authorized.`);
  }
  const http = d.target.HttpParameters ?? {};
  const resolve = (value: string) => {
    if (!value.startsWith("$.")) return value;
    const found = select(d.event, value);
    return typeof found === "string" ? found : JSON.stringify(found ?? null);
  };
  const pathValues = [...(http.PathParameterValues ?? [])];
  const url = new URL(destination.endpoint.replace(/\*/g, () => encodeURIComponent(resolve(pathValues.shift() ?? ""))));
  const invocation = connection.auth.InvocationHttpParameters ?? {};
  for (const q of invocation.QueryStringParameters ?? []) url.searchParams.set(q.Key as string, q.Value ?? "");
  for (const [key, value] of Object.entries(http.QueryStringParameters ?? {})) url.searchParams.set(key, resolve(value));
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Amazon/EventBridge/ApiDestinations",
    ...Object.fromEntries((invocation.HeaderParameters ?? []).map((h) => [h.Key?.toLowerCase() as string, h.Value ?? ""])),
    ...Object.fromEntries(Object.entries(http.HeaderParameters ?? {}).map(([k, v]) => [k.toLowerCase(), resolve(v)])),
    ...(await credentialHeaders(connection)),
  };
  const sendsBody = destination.method !== "GET" && destination.method !== "HEAD";
  const response = await fetch(url, {
    method: destination.method,
    headers,
    body: sendsBody ? withBodyParameters(body, invocation) : undefined,
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return;
  const message = `The API destination answered ${response.status}.`;
  if (response.status >= 500 || RETRIED_STATUSES.has(response.status)) throw new Error(message);
  throw new PermanentFailure(`HTTP_${response.status}`, message);
}

async function credentialHeaders(connection: ConnectionRecord): Promise<Record<string, string>> {
  const { BasicAuthParameters: basic, ApiKeyAuthParameters: key } = connection.auth;
  if (connection.authorizationType === "BASIC" && basic) {
    return { authorization: `Basic ${Buffer.from(`${basic.Username}:${basic.Password}`).toString("base64")}` };
  }
  if (connection.authorizationType === "API_KEY" && key) return { [(key.ApiKeyName as string).toLowerCase()]: key.ApiKeyValue ?? "" };
  return { authorization: `Bearer ${await oauthToken(connection)}` };
}

/** The connection's body parameters join a JSON object body; other bodies go as they are. */
function withBodyParameters(body: string, invocation: ConnectionHttpParameters): string {
  const extra = invocation.BodyParameters ?? [];
  if (!extra.length) return body;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return body;
    return JSON.stringify({ ...parsed, ...Object.fromEntries(extra.map((b) => [b.Key as string, b.Value ?? ""])) });
  } catch {
    return body;
  }
}
