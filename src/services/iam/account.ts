import type * as Iam from "@aws-sdk/client-iam";
import { secretKey, uniqueId } from "../../iam/ids.js";
import type { AccessKeyRecord } from "../../iam/records.js";
import type { RequestContext } from "../types.js";
import { date, holders, iam, LimitExceeded, NoSuchEntity, page, ValidationError } from "./common.js";
import { getUserRecord } from "./users.js";

const MAX_KEYS = 2;

/** The user a key operation is about: the named one, else the calling user (root manages its own keys). */
function keyOwner(ctx: RequestContext, userName: string | undefined): string | undefined {
  if (userName !== undefined) return getUserRecord(ctx, userName).UserName;
  if (ctx.principal.type === "user") return ctx.principal.arn.split("/").pop();
  if (ctx.principal.type === "root") return undefined;
  throw new ValidationError("Must specify userName when calling with non-User credentials");
}

function keysOf(ctx: RequestContext, owner: string | undefined): AccessKeyRecord[] {
  return [...iam(ctx).accessKeys.values()].filter((k) => k.UserName === owner).sort((a, b) => a.CreateDate - b.CreateDate);
}

function findKey(ctx: RequestContext, owner: string | undefined, id: string): AccessKeyRecord {
  const key = iam(ctx).accessKeys.get(id);
  if (!key || key.UserName !== owner) throw new NoSuchEntity(`The Access Key with id ${id} cannot be found.`);
  return key;
}

export function createAccessKey(input: Iam.CreateAccessKeyRequest, ctx: RequestContext): Iam.CreateAccessKeyResponse {
  const owner = keyOwner(ctx, input.UserName);
  if (keysOf(ctx, owner).length >= MAX_KEYS) throw new LimitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS}`);
  const key: AccessKeyRecord = {
    AccessKeyId: uniqueId("AKIA", 16),
    SecretAccessKey: secretKey(),
    UserName: owner,
    Status: "Active",
    CreateDate: ctx.runtime.now(),
  };
  iam(ctx).accessKeys.set(key.AccessKeyId, key);
  return { AccessKey: { ...key, UserName: owner as string, CreateDate: date(key.CreateDate) } };
}

export function updateAccessKey(input: Iam.UpdateAccessKeyRequest, ctx: RequestContext): Record<string, never> {
  const key = findKey(ctx, keyOwner(ctx, input.UserName), input.AccessKeyId as string);
  iam(ctx).accessKeys.set(key.AccessKeyId, { ...key, Status: input.Status as AccessKeyRecord["Status"] });
  return {};
}

export function deleteAccessKey(input: Iam.DeleteAccessKeyRequest, ctx: RequestContext): Record<string, never> {
  const key = findKey(ctx, keyOwner(ctx, input.UserName), input.AccessKeyId as string);
  iam(ctx).accessKeys.delete(key.AccessKeyId);
  return {};
}

export function listAccessKeys(input: Iam.ListAccessKeysRequest, ctx: RequestContext): Iam.ListAccessKeysResponse {
  const owner = keyOwner(ctx, input.UserName);
  const keys = keysOf(ctx, owner).map((k) => ({
    UserName: owner,
    AccessKeyId: k.AccessKeyId,
    Status: k.Status,
    CreateDate: date(k.CreateDate),
  }));
  const { items, IsTruncated, Marker } = page(keys, input.Marker, input.MaxItems);
  return { AccessKeyMetadata: items, IsTruncated, Marker };
}

/** Any key of the account; usage is not tracked yet, which AWS reports as "N/A" (never used). */
export function getAccessKeyLastUsed(input: Iam.GetAccessKeyLastUsedRequest, ctx: RequestContext): Iam.GetAccessKeyLastUsedResponse {
  const key = iam(ctx).accessKeys.get(input.AccessKeyId as string);
  if (!key) throw new NoSuchEntity(`The Access Key with id ${input.AccessKeyId} cannot be found.`);
  return { UserName: key.UserName, AccessKeyLastUsed: { ServiceName: "N/A", Region: "N/A" } };
}

export function getAccountSummary(_input: unknown, ctx: RequestContext): Iam.GetAccountSummaryResponse {
  const store = iam(ctx);
  const all = holders(store);
  const inline = (kind: string) => all.filter((h) => h.kind === kind).reduce((n, h) => n + Object.keys(h.record.InlinePolicies).length, 0);
  const rootKeys = [...store.accessKeys.values()].filter((k) => k.UserName === undefined).length;
  return {
    SummaryMap: {
      Users: store.users.size,
      UsersQuota: 5000,
      Groups: store.groups.size,
      GroupsQuota: 300,
      Roles: store.roles.size,
      RolesQuota: 1000,
      Policies: store.policies.size,
      PoliciesQuota: 1500,
      InstanceProfiles: store.instanceProfiles.size,
      InstanceProfilesQuota: 1000,
      PolicyVersionsInUse: [...store.policies.values()].reduce((n, p) => n + p.Versions.length, 0),
      PolicyVersionsInUseQuota: 10000,
      AttachedPoliciesPerUserQuota: 10,
      AttachedPoliciesPerGroupQuota: 10,
      AttachedPoliciesPerRoleQuota: 10,
      GroupsPerUserQuota: 10,
      AccessKeysPerUserQuota: 2,
      AccountAccessKeysPresent: rootKeys > 0 ? 1 : 0,
      AccountMFAEnabled: 0,
      AccountSigningCertificatesPresent: 0,
      MFADevices: 0,
      MFADevicesInUse: 0,
      ServerCertificates: 0,
      ServerCertificatesQuota: 20,
      SigningCertificatesPerUserQuota: 2,
      UserPolicySizeQuota: 2048,
      GroupPolicySizeQuota: 5120,
      RolePolicySizeQuota: 10240,
      PolicySizeQuota: 6144,
      AssumeRolePolicySizeQuota: 2048,
      VersionsPerPolicyQuota: 5,
      GlobalEndpointTokenVersion: 1,
      Providers: 0,
      InlineUserPolicies: inline("user"),
      InlineGroupPolicies: inline("group"),
      InlineRolePolicies: inline("role"),
    } as Iam.GetAccountSummaryResponse["SummaryMap"],
  };
}

/** An account has at most one alias, unique across all accounts (not checked across accounts here). */
export function createAccountAlias(input: Iam.CreateAccountAliasRequest, ctx: RequestContext): Record<string, never> {
  const aliases = iam(ctx).aliases;
  const alias = input.AccountAlias as string;
  if (aliases.has(alias)) return {};
  if (aliases.size >= 1) throw new LimitExceeded("Cannot exceed quota for AccountAliasesPerAccount: 1");
  aliases.set(alias, alias);
  return {};
}

export function deleteAccountAlias(input: Iam.DeleteAccountAliasRequest, ctx: RequestContext): Record<string, never> {
  if (!iam(ctx).aliases.delete(input.AccountAlias as string)) {
    throw new NoSuchEntity(`The account alias ${input.AccountAlias} cannot be found.`);
  }
  return {};
}

export function listAccountAliases(_input: Iam.ListAccountAliasesRequest, ctx: RequestContext): Iam.ListAccountAliasesResponse {
  return { AccountAliases: [...iam(ctx).aliases.keys()], IsTruncated: false };
}
