import type { ConditionContext } from "../../iam/conditions.js";
import type { ActionCheck, AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { aliasCollection, type KeyRecord, keyCollection } from "./store.js";

const KEY_OR_ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;
/** Symmetric ciphertexts name their key in bytes 1–36 (envelope.ts's format): Decrypt may omit KeyId. */
const CIPHERTEXT_KEY_ID = { start: 1, end: 37 };

interface KeyLocation {
  account: string;
  region: string;
  key?: KeyRecord;
  arn: string;
}

/** The key an identifier names (id, ARN, alias name or alias ARN), read without side effects. */
function locate(identifier: unknown, ctx: RequestContext): KeyLocation | undefined {
  if (typeof identifier !== "string" || identifier === "") return undefined;
  const m = KEY_OR_ALIAS_ARN.exec(identifier);
  const [account, region, name] = m
    ? [m[2], m[1], m[3]]
    : [ctx.account, ctx.region, identifier.startsWith("alias/") ? identifier : `key/${identifier}`];
  const store = ctx.runtime.storeFor(account, region);
  const keyId = name.startsWith("alias/") ? aliasCollection(store).get(name)?.keyId : name.slice(4);
  const key = keyId === undefined ? undefined : keyCollection(store).get(keyId);
  const arn = key ? `arn:aws:kms:${region}:${account}:key/${key.keyId}` : `arn:aws:kms:${region}:${account}:${name}`;
  return { account, region, key, arn };
}

function ciphertextKey(blob: unknown): string | undefined {
  if (!(blob instanceof Uint8Array) || blob.length < CIPHERTEXT_KEY_ID.end) return undefined;
  const id = Buffer.from(blob.subarray(CIPHERTEXT_KEY_ID.start, CIPHERTEXT_KEY_ID.end)).toString("latin1");
  return /^[0-9a-f-]{36}$|^mrk-[0-9a-f]{32}$/.test(id) ? id : undefined;
}

const keyOf = (i: OperationInput, ctx: RequestContext) =>
  locate(i.KeyId ?? i.SourceKeyId ?? i.TargetKeyId ?? ciphertextKey(i.CiphertextBlob), ctx);

/** kms:EncryptionContext:<key>, kms:EncryptionContextKeys, kms:CallerAccount and kms:ViaService. */
function requestKeys(i: OperationInput, ctx: RequestContext): ConditionContext {
  const keys: ConditionContext = { "kms:calleraccount": ctx.principal.account };
  if (ctx.principal.type === "service")
    keys["kms:viaservice"] = ctx.principal.servicePrincipal?.replace(".amazonaws.com", `.${ctx.region}.amazonaws.com`);
  const context = (i.EncryptionContext ?? i.SourceEncryptionContext) as Record<string, string> | undefined;
  if (context) {
    keys["kms:encryptioncontextkeys"] = Object.keys(context);
    for (const [k, v] of Object.entries(context)) keys[`kms:encryptioncontext:${k}`] = v;
  }
  if (typeof i.GranteePrincipal === "string") keys["kms:granteeprincipal"] = i.GranteePrincipal;
  if (Array.isArray(i.Operations)) keys["kms:grantoperations"] = i.Operations;
  return keys;
}

/** Key operations are decided by the key policy first: IAM policies count only where it delegates to the account. */
const onKey = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [keyOf(i, ctx)?.arn ?? "*"],
  resourcePolicy: (i, ctx) => keyOf(i, ctx)?.key?.policy,
  resourceTags: (i, ctx) => Object.fromEntries((keyOf(i, ctx)?.key?.tags ?? []).map((t) => [t.TagKey, t.TagValue])),
  context: requestKeys,
  resourcePolicyRequired: true,
  ...extra,
});

/** Alias operations also need the action on the alias itself, which IAM policies (not key policies) govern. */
const onAlias = (action: string): OperationAuthorization =>
  onKey(action, {
    resources: (i, ctx) => [keyOf(i, ctx)?.arn ?? "*"],
    also: (i, ctx): ActionCheck[] => [{ action, resources: [`arn:aws:kms:${ctx.region}:${ctx.account}:${i.AliasName}`] }],
  });

const onAccount = (action: string): OperationAuthorization => ({ action, context: requestKeys });

export const authorization: AuthorizationTable = {
  CreateKey: onAccount("kms:CreateKey"),
  DescribeKey: onKey("kms:DescribeKey"),
  ListKeys: onAccount("kms:ListKeys"),
  EnableKey: onKey("kms:EnableKey"),
  DisableKey: onKey("kms:DisableKey"),
  ScheduleKeyDeletion: onKey("kms:ScheduleKeyDeletion"),
  CancelKeyDeletion: onKey("kms:CancelKeyDeletion"),
  UpdateKeyDescription: onKey("kms:UpdateKeyDescription"),
  GetKeyPolicy: onKey("kms:GetKeyPolicy"),
  PutKeyPolicy: onKey("kms:PutKeyPolicy"),
  ListKeyPolicies: onKey("kms:ListKeyPolicies"),
  TagResource: onKey("kms:TagResource"),
  UntagResource: onKey("kms:UntagResource"),
  ListResourceTags: onKey("kms:ListResourceTags"),
  CreateAlias: onAlias("kms:CreateAlias"),
  DeleteAlias: onAlias("kms:DeleteAlias"),
  UpdateAlias: onAlias("kms:UpdateAlias"),
  ListAliases: onAccount("kms:ListAliases"),
  Encrypt: onKey("kms:Encrypt"),
  Decrypt: onKey("kms:Decrypt"),
  ReEncrypt: onKey("kms:ReEncryptFrom", {
    resources: (i, ctx) => [locate(i.SourceKeyId ?? ciphertextKey(i.CiphertextBlob), ctx)?.arn ?? "*"],
    resourcePolicy: (i, ctx) => locate(i.SourceKeyId ?? ciphertextKey(i.CiphertextBlob), ctx)?.key?.policy,
  }),
  GenerateDataKey: onKey("kms:GenerateDataKey"),
  GenerateDataKeyWithoutPlaintext: onKey("kms:GenerateDataKeyWithoutPlaintext"),
  GenerateDataKeyPair: onKey("kms:GenerateDataKeyPair"),
  GenerateDataKeyPairWithoutPlaintext: onKey("kms:GenerateDataKeyPairWithoutPlaintext"),
  GenerateRandom: onAccount("kms:GenerateRandom"),
  Sign: onKey("kms:Sign"),
  Verify: onKey("kms:Verify"),
  GetPublicKey: onKey("kms:GetPublicKey"),
  GenerateMac: onKey("kms:GenerateMac"),
  VerifyMac: onKey("kms:VerifyMac"),
  DeriveSharedSecret: onKey("kms:DeriveSharedSecret"),
  EnableKeyRotation: onKey("kms:EnableKeyRotation"),
  DisableKeyRotation: onKey("kms:DisableKeyRotation"),
  GetKeyRotationStatus: onKey("kms:GetKeyRotationStatus"),
  RotateKeyOnDemand: onKey("kms:RotateKeyOnDemand"),
  ListKeyRotations: onKey("kms:ListKeyRotations"),
  CreateGrant: onKey("kms:CreateGrant"),
  ListGrants: onKey("kms:ListGrants"),
  ListRetirableGrants: onAccount("kms:ListRetirableGrants"),
  RetireGrant: onKey("kms:RetireGrant"),
  RevokeGrant: onKey("kms:RevokeGrant"),
  GetParametersForImport: onKey("kms:GetParametersForImport"),
  ImportKeyMaterial: onKey("kms:ImportKeyMaterial"),
  DeleteImportedKeyMaterial: onKey("kms:DeleteImportedKeyMaterial"),
  ReplicateKey: onKey("kms:ReplicateKey"),
  UpdatePrimaryRegion: onKey("kms:UpdatePrimaryRegion"),
  GetKeyLastUsage: onKey("kms:GetKeyLastUsage"),
};
