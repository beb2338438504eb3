import type * as Iam from "@aws-sdk/client-iam";
import type { IamCollections, OidcProviderRecord, Tag } from "../../iam/records.js";
import type { RequestContext } from "../types.js";
import {
  checkTags,
  date,
  EntityAlreadyExists,
  iam,
  InvalidInput,
  LimitExceeded,
  NoSuchEntity,
  ValidationError,
  tagOperations,
} from "./common.js";

/** IAM's quotas for one OIDC provider. */
const MAX_CLIENT_IDS = 100;
const MAX_THUMBPRINTS = 5;

/** The issuer without its scheme, as IAM names the provider (`arn:…:oidc-provider/token.example.com/id/1`) and tokens' iss claims it. */
export function issuerHost(url: string): string {
  return url.replace(/^https:\/\//i, "").replace(/\/$/, "");
}

export function providerArn(account: string, url: string): string {
  return `arn:aws:iam::${account}:oidc-provider/${issuerHost(url)}`;
}

function provider(store: IamCollections, arn: string): OidcProviderRecord {
  const record = store.oidcProviders.get(arn);
  if (!record) throw new NoSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
  return record;
}

function checkThumbprints(list: string[]): string[] {
  if (list.length > MAX_THUMBPRINTS) throw new LimitExceeded(`Thumbprint list must contain at most ${MAX_THUMBPRINTS} entries.`);
  for (const t of list) {
    if (!/^[0-9a-fA-F]{40}$/.test(t)) throw new ValidationError(`Thumbprint ${t} must be a 40-character hexadecimal SHA-1 fingerprint.`);
  }
  return list;
}

function checkClientIds(list: string[]): string[] {
  const unique = [...new Set(list)];
  if (unique.length > MAX_CLIENT_IDS)
    throw new LimitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
  for (const id of unique) if (id.length < 1 || id.length > 255) throw new ValidationError("Client ID must be 1 to 255 characters.");
  return unique;
}

export function createOpenIDConnectProvider(
  input: Iam.CreateOpenIDConnectProviderRequest,
  ctx: RequestContext,
): Iam.CreateOpenIDConnectProviderResponse {
  const store = iam(ctx);
  const url = input.Url as string;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInput("Invalid Open ID Connect Provider URL");
  }
  if (parsed.protocol !== "https:" || parsed.search || parsed.hash) throw new InvalidInput("Invalid Open ID Connect Provider URL");
  const arn = providerArn(ctx.account, url);
  if (store.oidcProviders.has(arn)) throw new EntityAlreadyExists(`Provider with url ${url} already exists.`);
  const record: OidcProviderRecord = {
    Arn: arn,
    Url: issuerHost(url),
    ClientIDList: checkClientIds(input.ClientIDList ?? []),
    ThumbprintList: checkThumbprints(input.ThumbprintList ?? []),
    CreateDate: ctx.runtime.now(),
    Tags: checkTags([], input.Tags as Tag[] | undefined),
  };
  store.oidcProviders.set(arn, record);
  return { OpenIDConnectProviderArn: arn, Tags: record.Tags.length ? record.Tags : undefined };
}

export function getOpenIDConnectProvider(
  input: Iam.GetOpenIDConnectProviderRequest,
  ctx: RequestContext,
): Iam.GetOpenIDConnectProviderResponse {
  const p = provider(iam(ctx), input.OpenIDConnectProviderArn as string);
  return {
    Url: p.Url,
    ClientIDList: p.ClientIDList,
    ThumbprintList: p.ThumbprintList,
    CreateDate: date(p.CreateDate),
    Tags: p.Tags.length ? p.Tags : undefined,
  };
}

export function listOpenIDConnectProviders(_input: unknown, ctx: RequestContext): Iam.ListOpenIDConnectProvidersResponse {
  return { OpenIDConnectProviderList: [...iam(ctx).oidcProviders.keys()].map((Arn) => ({ Arn })) };
}

export function deleteOpenIDConnectProvider(input: Iam.DeleteOpenIDConnectProviderRequest, ctx: RequestContext): Record<string, never> {
  const store = iam(ctx);
  store.oidcProviders.delete(provider(store, input.OpenIDConnectProviderArn as string).Arn);
  return {};
}

function update(ctx: RequestContext, arn: string, change: (p: OidcProviderRecord) => Partial<OidcProviderRecord>): Record<string, never> {
  const store = iam(ctx);
  const record = provider(store, arn);
  store.oidcProviders.set(record.Arn, { ...record, ...change(record) });
  return {};
}

export function addClientIDToOpenIDConnectProvider(input: Iam.AddClientIDToOpenIDConnectProviderRequest, ctx: RequestContext) {
  return update(ctx, input.OpenIDConnectProviderArn as string, (p) => ({
    ClientIDList: checkClientIds([...p.ClientIDList, input.ClientID as string]),
  }));
}

/** Removing a client id the provider does not have succeeds, as AWS documents. */
export function removeClientIDFromOpenIDConnectProvider(input: Iam.RemoveClientIDFromOpenIDConnectProviderRequest, ctx: RequestContext) {
  return update(ctx, input.OpenIDConnectProviderArn as string, (p) => ({
    ClientIDList: p.ClientIDList.filter((id) => id !== input.ClientID),
  }));
}

export function updateOpenIDConnectProviderThumbprint(input: Iam.UpdateOpenIDConnectProviderThumbprintRequest, ctx: RequestContext) {
  return update(ctx, input.OpenIDConnectProviderArn as string, () => ({ ThumbprintList: checkThumbprints(input.ThumbprintList ?? []) }));
}

const oidcTags = tagOperations(
  (i: { OpenIDConnectProviderArn?: string }, ctx) => provider(iam(ctx), i.OpenIDConnectProviderArn as string),
  (ctx, p) => iam(ctx).oidcProviders.set(p.Arn, p),
);
export const tagOpenIDConnectProvider = oidcTags.tag;
export const untagOpenIDConnectProvider = oidcTags.untag;
export const listOpenIDConnectProviderTags = oidcTags.list;
