import { randomUUID } from "node:crypto";
import type * as Iam from "@aws-sdk/client-iam";
import type { IamCollections, SamlProviderRecord, Tag } from "../../iam/records.js";
import { parseXml } from "../../protocol/xml.js";
import type { RequestContext } from "../types.js";
import { checkTags, date, EntityAlreadyExists, iam, InvalidInput, NoSuchEntity, tagOperations } from "./common.js";

/** Metadata without a validUntil is trusted this long, as IAM does for such documents. */
const DEFAULT_VALIDITY_MS = 100 * 365 * 24 * 3600 * 1000;

/**
 * The metadata must be a SAML 2.0 EntityDescriptor with an IdP role; its validUntil (if any) bounds the
 * provider's validity. The signing certificate inside is kept but not used: assertions are not verified.
 */
function validUntil(document: string, now: number): number {
  let root: ReturnType<typeof parseXml>;
  try {
    root = parseXml(document);
  } catch {
    throw new InvalidInput("Could not parse metadata");
  }
  const entity = root.name === "EntityDescriptor" ? root : root.children.find((c) => c.name === "EntityDescriptor");
  if (!entity?.children.some((c) => c.name === "IDPSSODescriptor")) throw new InvalidInput("Could not parse metadata");
  const until = entity.attributes.validUntil ?? root.attributes.validUntil;
  const ms = until === undefined ? Number.NaN : Date.parse(until);
  return Number.isNaN(ms) ? now + DEFAULT_VALIDITY_MS : ms;
}

function provider(store: IamCollections, arn: string): SamlProviderRecord {
  const record = store.samlProviders.get(arn);
  if (!record) throw new NoSuchEntity(`Manifest not found for arn ${arn}`);
  return record;
}

export function createSAMLProvider(input: Iam.CreateSAMLProviderRequest, ctx: RequestContext): Iam.CreateSAMLProviderResponse {
  const store = iam(ctx);
  const name = input.Name as string;
  const arn = `arn:aws:iam::${ctx.account}:saml-provider/${name}`;
  if (store.samlProviders.has(arn)) throw new EntityAlreadyExists(`SAMLProvider ${name} already exists`);
  const now = ctx.runtime.now();
  const record: SamlProviderRecord = {
    Arn: arn,
    Name: name,
    SAMLMetadataDocument: input.SAMLMetadataDocument as string,
    SAMLProviderUUID: randomUUID(),
    CreateDate: now,
    ValidUntil: validUntil(input.SAMLMetadataDocument as string, now),
    Tags: checkTags([], input.Tags as Tag[] | undefined),
  };
  store.samlProviders.set(arn, record);
  return { SAMLProviderArn: arn, Tags: record.Tags.length ? record.Tags : undefined };
}

export function getSAMLProvider(input: Iam.GetSAMLProviderRequest, ctx: RequestContext): Iam.GetSAMLProviderResponse {
  const p = provider(iam(ctx), input.SAMLProviderArn as string);
  return {
    SAMLProviderUUID: p.SAMLProviderUUID,
    SAMLMetadataDocument: p.SAMLMetadataDocument,
    CreateDate: date(p.CreateDate),
    ValidUntil: date(p.ValidUntil),
    Tags: p.Tags.length ? p.Tags : undefined,
  };
}

export function updateSAMLProvider(input: Iam.UpdateSAMLProviderRequest, ctx: RequestContext): Iam.UpdateSAMLProviderResponse {
  const store = iam(ctx);
  const p = provider(store, input.SAMLProviderArn as string);
  const document = input.SAMLMetadataDocument;
  if (document !== undefined) {
    store.samlProviders.set(p.Arn, { ...p, SAMLMetadataDocument: document, ValidUntil: validUntil(document, ctx.runtime.now()) });
  }
  return { SAMLProviderArn: p.Arn };
}

export function listSAMLProviders(_input: unknown, ctx: RequestContext): Iam.ListSAMLProvidersResponse {
  return {
    SAMLProviderList: [...iam(ctx).samlProviders.values()].map((p) => ({
      Arn: p.Arn,
      ValidUntil: date(p.ValidUntil),
      CreateDate: date(p.CreateDate),
    })),
  };
}

export function deleteSAMLProvider(input: Iam.DeleteSAMLProviderRequest, ctx: RequestContext): Record<string, never> {
  const store = iam(ctx);
  store.samlProviders.delete(provider(store, input.SAMLProviderArn as string).Arn);
  return {};
}

const samlTags = tagOperations(
  (i: { SAMLProviderArn?: string }, ctx) => provider(iam(ctx), i.SAMLProviderArn as string),
  (ctx, p) => iam(ctx).samlProviders.set(p.Arn, p),
);
export const tagSAMLProvider = samlTags.tag;
export const untagSAMLProvider = samlTags.untag;
export const listSAMLProviderTags = samlTags.list;
