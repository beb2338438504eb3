import { randomUUID } from "node:crypto";
import type {
  CreateEndpointResponse,
  CreatePlatformApplicationInput,
  CreatePlatformApplicationResponse,
  CreatePlatformEndpointInput,
  DeleteEndpointInput,
  DeletePlatformApplicationInput,
  GetEndpointAttributesInput,
  GetEndpointAttributesResponse,
  GetPlatformApplicationAttributesInput,
  GetPlatformApplicationAttributesResponse,
  ListEndpointsByPlatformApplicationInput,
  ListEndpointsByPlatformApplicationResponse,
  ListPlatformApplicationsInput,
  ListPlatformApplicationsResponse,
  PublishInput,
  PublishResponse,
  SetEndpointAttributesInput,
  SetPlatformApplicationAttributesInput,
} from "@aws-sdk/client-sns";
import { errorClass } from "../../protocol/errors.js";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { recordDelivery } from "./delivery.js";
import { perProtocolMessages } from "./envelope.js";
import { invalid, NotFound } from "./errors.js";
import type { PlatformApplicationRecord, PlatformEndpointRecord } from "./model.js";
import { pageAfter } from "./paging.js";

const EndpointDisabled = errorClass("EndpointDisabledException");
const PlatformApplicationDisabled = errorClass("PlatformApplicationDisabledException");

/** Each platform's credential attributes: all of them are needed to create the application. */
const PLATFORMS: Record<string, string[]> = {
  ADM: ["PlatformPrincipal", "PlatformCredential"],
  APNS: ["PlatformCredential"],
  APNS_SANDBOX: ["PlatformCredential"],
  BAIDU: ["PlatformPrincipal", "PlatformCredential"],
  GCM: ["PlatformCredential"],
  MPNS: ["PlatformPrincipal", "PlatformCredential"],
  WNS: ["PlatformPrincipal", "PlatformCredential"],
};
/** Write-only attributes: accepted, never returned. */
const SECRET_ATTRIBUTES = new Set(["PlatformCredential", "PlatformPrincipal"]);
const APPLICATION_ATTRIBUTES = new Set([
  ...SECRET_ATTRIBUTES,
  "Enabled",
  "EventEndpointCreated",
  "EventEndpointDeleted",
  "EventEndpointUpdated",
  "EventDeliveryFailure",
  "SuccessFeedbackRoleArn",
  "FailureFeedbackRoleArn",
  "SuccessFeedbackSampleRate",
  "ApplePlatformTeamID",
  "ApplePlatformBundleID",
  "AuthenticationMethod",
]);
const ENDPOINT_ATTRIBUTES = new Set(["CustomUserData", "Enabled", "Token"]);
const MAX_CUSTOM_USER_DATA = 2048;
const MAX_MESSAGE_BYTES = 262_144;
const PAGE_SIZE = 100;

const applicationsIn = (store: ScopeStore) => store.collection<PlatformApplicationRecord>("platform-applications", { sorted: true });
const endpointsIn = (store: ScopeStore) => store.collection<PlatformEndpointRecord>("platform-endpoints", { sorted: true });

export function createPlatformApplication(input: CreatePlatformApplicationInput, ctx: RequestContext): CreatePlatformApplicationResponse {
  const name = input.Name as string;
  const platform = input.Platform as string;
  if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name)) throw invalid("Invalid platform application name");
  const required = PLATFORMS[platform];
  if (!required) throw invalid("Platform Reason: Invalid platform");
  const attributes = input.Attributes ?? {};
  validateAttributes(attributes, APPLICATION_ATTRIBUTES);
  for (const key of required)
    if (!attributes[key]) throw invalid(`Attributes Reason: ${key} attribute is required for platform ${platform}`);
  const arn = `arn:aws:sns:${ctx.region}:${ctx.account}:app/${platform}/${name}`;
  const existing = applicationsIn(ctx.store).get(arn);
  if (existing) return { PlatformApplicationArn: existing.arn };
  applicationsIn(ctx.store).set(arn, { arn, name, platform, attributes: { Enabled: "true", ...attributes } });
  return { PlatformApplicationArn: arn };
}

export function getPlatformApplicationAttributes(
  input: GetPlatformApplicationAttributesInput,
  ctx: RequestContext,
): GetPlatformApplicationAttributesResponse {
  return { Attributes: visible(findApplication(ctx, input.PlatformApplicationArn).attributes) };
}

export function setPlatformApplicationAttributes(input: SetPlatformApplicationAttributesInput, ctx: RequestContext): void {
  const app = findApplication(ctx, input.PlatformApplicationArn);
  const attributes = input.Attributes ?? {};
  validateAttributes(attributes, APPLICATION_ATTRIBUTES);
  Object.assign(app.attributes, attributes);
  applicationsIn(ctx.store).set(app.arn, app);
}

/** Deleting an application deletes its endpoints; deleting one that is gone succeeds, as SNS does. */
export function deletePlatformApplication(input: DeletePlatformApplicationInput, ctx: RequestContext): void {
  const arn = input.PlatformApplicationArn as string;
  if (!applicationsIn(ctx.store).delete(arn)) return;
  for (const endpoint of [...endpointsOf(ctx.store, arn)]) endpointsIn(ctx.store).delete(endpoint.arn);
}

export function listPlatformApplications(input: ListPlatformApplicationsInput, ctx: RequestContext): ListPlatformApplicationsResponse {
  const page = pageAfter((from) => applicationsIn(ctx.store).entriesFrom(from), input.NextToken, PAGE_SIZE);
  return {
    PlatformApplications: page.items.map((app) => ({ PlatformApplicationArn: app.arn, Attributes: visible(app.attributes) })),
    NextToken: page.next,
  };
}

export function createPlatformEndpoint(input: CreatePlatformEndpointInput, ctx: RequestContext): CreateEndpointResponse {
  const app = findApplication(ctx, input.PlatformApplicationArn);
  const token = input.Token as string;
  if (token === "") throw invalid("Token Reason: cannot be empty");
  const attributes = { ...(input.Attributes ?? {}) };
  validateAttributes(attributes, ENDPOINT_ATTRIBUTES);
  if (input.CustomUserData !== undefined) attributes.CustomUserData = input.CustomUserData;
  validateCustomUserData(attributes.CustomUserData);
  const wanted = { Enabled: "true", ...attributes, Token: token };
  // The same token again is the same device: SNS answers with its endpoint unless the attributes differ.
  for (const endpoint of endpointsOf(ctx.store, app.arn)) {
    if (endpoint.attributes.Token !== token) continue;
    if (Object.entries(wanted).every(([k, v]) => endpoint.attributes[k] === v)) return { EndpointArn: endpoint.arn };
    throw invalid(`Token Reason: Endpoint ${endpoint.arn} already exists with the same Token, but different attributes.`);
  }
  const arn = `arn:aws:sns:${ctx.region}:${ctx.account}:endpoint/${app.platform}/${app.name}/${randomUUID()}`;
  endpointsIn(ctx.store).set(arn, { arn, applicationArn: app.arn, attributes: wanted });
  return { EndpointArn: arn };
}

export function getEndpointAttributes(input: GetEndpointAttributesInput, ctx: RequestContext): GetEndpointAttributesResponse {
  return { Attributes: { ...findEndpoint(ctx, input.EndpointArn).attributes } };
}

export function setEndpointAttributes(input: SetEndpointAttributesInput, ctx: RequestContext): void {
  const endpoint = findEndpoint(ctx, input.EndpointArn);
  const attributes = input.Attributes ?? {};
  validateAttributes(attributes, ENDPOINT_ATTRIBUTES);
  validateCustomUserData(attributes.CustomUserData);
  if (attributes.Enabled !== undefined && attributes.Enabled !== "true" && attributes.Enabled !== "false") throw invalid("Enabled");
  Object.assign(endpoint.attributes, attributes);
  endpointsIn(ctx.store).set(endpoint.arn, endpoint);
}

export function deleteEndpoint(input: DeleteEndpointInput, ctx: RequestContext): void {
  endpointsIn(ctx.store).delete(input.EndpointArn as string);
}

export function listEndpointsByPlatformApplication(
  input: ListEndpointsByPlatformApplicationInput,
  ctx: RequestContext,
): ListEndpointsByPlatformApplicationResponse {
  const app = findApplication(ctx, input.PlatformApplicationArn);
  const page = pageAfter((from) => endpointEntries(ctx.store, app.arn, from), input.NextToken, PAGE_SIZE);
  return { Endpoints: page.items.map((e) => ({ EndpointArn: e.arn, Attributes: { ...e.attributes } })), NextToken: page.next };
}

/** Publish with an endpoint's TargetArn: the push is recorded for inspection, in the platform's own message if given. */
export function publishToEndpoint(input: PublishInput, ctx: RequestContext): PublishResponse {
  const endpoint = findEndpoint(ctx, input.TargetArn, "Endpoint does not exist");
  const app = findApplication(ctx, endpoint.applicationArn);
  if (app.attributes.Enabled === "false") throw new PlatformApplicationDisabled("Platform application is disabled");
  if (endpoint.attributes.Enabled === "false") throw new EndpointDisabled("Endpoint is disabled");
  const message = input.Message ?? "";
  if (message === "") throw invalid("Empty message");
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalid("Message too long");
  const messageId = randomUUID();
  recordDelivery(ctx.store, {
    protocol: "application",
    endpoint: endpoint.arn,
    messageId,
    subject: input.Subject,
    message:
      input.MessageStructure === undefined ? message : platformMessage(perProtocolMessages(input.MessageStructure, message), app.platform),
    messageAttributes: input.MessageAttributes,
    timestamp: new Date(ctx.runtime.now()).toISOString(),
  });
  return { MessageId: messageId };
}

/** A push carries its platform's entry (e.g. "GCM", "APNS") or the default. */
const platformMessage = (messages: Record<string, string>, platform: string) => messages[platform] ?? messages.default;

function findApplication(ctx: RequestContext, arn: string | undefined): PlatformApplicationRecord {
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:app\/[A-Z_]+\/.+$/.test(arn ?? "")) throw invalid("PlatformApplicationArn");
  const app = applicationsIn(ctx.store).get(arn as string);
  if (!app) throw new NotFound("PlatformApplication does not exist");
  return app;
}

function findEndpoint(ctx: RequestContext, arn: string | undefined, notFound = "Endpoint does not exist"): PlatformEndpointRecord {
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/[A-Z_]+\/.+\/.+$/.test(arn ?? "")) throw invalid("EndpointArn");
  const endpoint = endpointsIn(ctx.store).get(arn as string);
  if (!endpoint) throw new NotFound(notFound);
  return endpoint;
}

/** An application's endpoints, in ARN order from `from`: their ARNs share the prefix endpoint/<platform>/<name>/. */
function* endpointEntries(store: ScopeStore, applicationArn: string, from?: string): Generator<[string, PlatformEndpointRecord]> {
  const prefix = `${applicationArn.replace(":app/", ":endpoint/")}/`;
  for (const entry of endpointsIn(store).entriesFrom(from && from > prefix ? from : prefix)) {
    if (!entry[0].startsWith(prefix)) return;
    yield entry;
  }
}

function* endpointsOf(store: ScopeStore, applicationArn: string): Generator<PlatformEndpointRecord> {
  for (const [, endpoint] of endpointEntries(store, applicationArn)) yield endpoint;
}

function validateAttributes(attributes: Record<string, string>, allowed: Set<string>): void {
  for (const key of Object.keys(attributes)) if (!allowed.has(key)) throw invalid(`Attributes Reason: Invalid attribute name: ${key}`);
}

function validateCustomUserData(data: string | undefined): void {
  if (data !== undefined && Buffer.byteLength(data) > MAX_CUSTOM_USER_DATA) {
    throw invalid(`CustomUserData Reason: must be at most ${MAX_CUSTOM_USER_DATA} bytes long in UTF-8 encoding`);
  }
}

function visible(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !SECRET_ATTRIBUTES.has(key)));
}
