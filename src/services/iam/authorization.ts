import type { AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { arnFor, iam } from "./common.js";

type EntityType = "user" | "group" | "role" | "instance-profile";

/** Where an entity of each type keeps its name in the input and its record in IAM state. */
const ENTITIES: Record<EntityType, { member: string; collection: "users" | "groups" | "roles" | "instanceProfiles" }> = {
  user: { member: "UserName", collection: "users" },
  group: { member: "GroupName", collection: "groups" },
  role: { member: "RoleName", collection: "roles" },
  "instance-profile": { member: "InstanceProfileName", collection: "instanceProfiles" },
};

/** Users acting on their own credentials may omit UserName: the request then names the caller. */
function userName(i: OperationInput, ctx: RequestContext): string | undefined {
  if (typeof i.UserName === "string") return i.UserName;
  return ctx.principal.type === "user" ? ctx.principal.arn.split("/").pop() : undefined;
}

/** The entity's ARN with its path: from its record when it exists, else from the request (Create*). */
function entityArn(type: EntityType, i: OperationInput, ctx: RequestContext): string {
  const { member, collection } = ENTITIES[type];
  const name = type === "user" ? userName(i, ctx) : (i[member] as string | undefined);
  if (name === undefined) return `arn:aws:iam::${ctx.account}:root`;
  const record = iam(ctx)[collection].get(name) as { Arn?: string } | undefined;
  return record?.Arn ?? arnFor(ctx.account, type, i.Path, name);
}

const on = (type: EntityType, action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [entityArn(type, i, ctx)],
  resourceTags: (i, ctx) => {
    if (type !== "user" && type !== "role") return undefined;
    const record = type === "user" ? iam(ctx).users.get(userName(i, ctx) ?? "") : iam(ctx).roles.get(i.RoleName);
    return Object.fromEntries((record?.Tags ?? []).map((t) => [t.Key, t.Value]));
  },
  ...extra,
});

const onPolicy = (action: string): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [typeof i.PolicyArn === "string" ? i.PolicyArn : arnFor(ctx.account, "policy", i.Path, String(i.PolicyName))],
});

/** Listing actions name the path they list under (`arn:aws:iam::123456789012:user/`), as IAM reports them. */
const listing = (type: EntityType, action: string): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [`arn:aws:iam::${ctx.account}:${type}${i.PathPrefix ?? "/"}`],
});

const boundaryKey = (i: OperationInput) => ({ "iam:permissionsboundary": i.PermissionsBoundary });

/** Putting a role into an instance profile (or a service) passes it: iam:PassRole on the role. */
const passesRole = (i: OperationInput, ctx: RequestContext) => [{ action: "iam:PassRole", resources: [entityArn("role", i, ctx)] }];

const onAccount = (action: string): OperationAuthorization => ({ action });

/** MFA devices and identity providers are named by their ARN in the request. */
const onArn = (action: string, member: string): OperationAuthorization => ({ action, resources: (i) => [String(i[member])] });

export const authorization: AuthorizationTable = {
  CreateUser: on("user", "iam:CreateUser", { context: boundaryKey }),
  GetUser: on("user", "iam:GetUser"),
  UpdateUser: on("user", "iam:UpdateUser"),
  DeleteUser: on("user", "iam:DeleteUser"),
  ListUsers: listing("user", "iam:ListUsers"),
  TagUser: on("user", "iam:TagUser"),
  UntagUser: on("user", "iam:UntagUser"),
  ListUserTags: on("user", "iam:ListUserTags"),
  PutUserPermissionsBoundary: on("user", "iam:PutUserPermissionsBoundary", { context: boundaryKey }),
  DeleteUserPermissionsBoundary: on("user", "iam:DeleteUserPermissionsBoundary"),
  CreateGroup: on("group", "iam:CreateGroup"),
  GetGroup: on("group", "iam:GetGroup"),
  DeleteGroup: on("group", "iam:DeleteGroup"),
  ListGroups: listing("group", "iam:ListGroups"),
  AddUserToGroup: on("group", "iam:AddUserToGroup"),
  RemoveUserFromGroup: on("group", "iam:RemoveUserFromGroup"),
  ListGroupsForUser: on("user", "iam:ListGroupsForUser"),
  CreateRole: on("role", "iam:CreateRole", { context: boundaryKey }),
  GetRole: on("role", "iam:GetRole"),
  UpdateRole: on("role", "iam:UpdateRole"),
  UpdateAssumeRolePolicy: on("role", "iam:UpdateAssumeRolePolicy"),
  DeleteRole: on("role", "iam:DeleteRole"),
  ListRoles: listing("role", "iam:ListRoles"),
  TagRole: on("role", "iam:TagRole"),
  UntagRole: on("role", "iam:UntagRole"),
  ListRoleTags: on("role", "iam:ListRoleTags"),
  PutRolePermissionsBoundary: on("role", "iam:PutRolePermissionsBoundary", { context: boundaryKey }),
  DeleteRolePermissionsBoundary: on("role", "iam:DeleteRolePermissionsBoundary"),
  CreateInstanceProfile: on("instance-profile", "iam:CreateInstanceProfile"),
  GetInstanceProfile: on("instance-profile", "iam:GetInstanceProfile"),
  DeleteInstanceProfile: on("instance-profile", "iam:DeleteInstanceProfile"),
  ListInstanceProfiles: listing("instance-profile", "iam:ListInstanceProfiles"),
  ListInstanceProfilesForRole: on("role", "iam:ListInstanceProfilesForRole"),
  AddRoleToInstanceProfile: on("instance-profile", "iam:AddRoleToInstanceProfile", { also: passesRole }),
  RemoveRoleFromInstanceProfile: on("instance-profile", "iam:RemoveRoleFromInstanceProfile"),
  CreatePolicy: onPolicy("iam:CreatePolicy"),
  GetPolicy: onPolicy("iam:GetPolicy"),
  DeletePolicy: onPolicy("iam:DeletePolicy"),
  ListPolicies: onAccount("iam:ListPolicies"),
  CreatePolicyVersion: onPolicy("iam:CreatePolicyVersion"),
  GetPolicyVersion: onPolicy("iam:GetPolicyVersion"),
  ListPolicyVersions: onPolicy("iam:ListPolicyVersions"),
  DeletePolicyVersion: onPolicy("iam:DeletePolicyVersion"),
  SetDefaultPolicyVersion: onPolicy("iam:SetDefaultPolicyVersion"),
  ListEntitiesForPolicy: onPolicy("iam:ListEntitiesForPolicy"),
  TagPolicy: onPolicy("iam:TagPolicy"),
  UntagPolicy: onPolicy("iam:UntagPolicy"),
  ListPolicyTags: onPolicy("iam:ListPolicyTags"),
  CreateAccessKey: on("user", "iam:CreateAccessKey"),
  UpdateAccessKey: on("user", "iam:UpdateAccessKey"),
  DeleteAccessKey: on("user", "iam:DeleteAccessKey"),
  ListAccessKeys: on("user", "iam:ListAccessKeys"),
  GetAccessKeyLastUsed: on("user", "iam:GetAccessKeyLastUsed", {
    resources: (i, ctx) => {
      const owner = iam(ctx).accessKeys.get(String(i.AccessKeyId))?.UserName;
      return [owner ? entityArn("user", { UserName: owner }, ctx) : `arn:aws:iam::${ctx.account}:root`];
    },
  }),
  GetAccountSummary: onAccount("iam:GetAccountSummary"),
  CreateAccountAlias: onAccount("iam:CreateAccountAlias"),
  DeleteAccountAlias: onAccount("iam:DeleteAccountAlias"),
  ListAccountAliases: onAccount("iam:ListAccountAliases"),
  CreateLoginProfile: on("user", "iam:CreateLoginProfile"),
  GetLoginProfile: on("user", "iam:GetLoginProfile"),
  UpdateLoginProfile: on("user", "iam:UpdateLoginProfile"),
  DeleteLoginProfile: on("user", "iam:DeleteLoginProfile"),
  ChangePassword: on("user", "iam:ChangePassword"),
  UpdateAccountPasswordPolicy: onAccount("iam:UpdateAccountPasswordPolicy"),
  GetAccountPasswordPolicy: onAccount("iam:GetAccountPasswordPolicy"),
  DeleteAccountPasswordPolicy: onAccount("iam:DeleteAccountPasswordPolicy"),
  GetAccountAuthorizationDetails: onAccount("iam:GetAccountAuthorizationDetails"),
  SimulatePrincipalPolicy: { action: "iam:SimulatePrincipalPolicy", resources: (i) => [String(i.PolicySourceArn)] },
  SimulateCustomPolicy: onAccount("iam:SimulateCustomPolicy"),
  CreateVirtualMFADevice: {
    action: "iam:CreateVirtualMFADevice",
    resources: (i, ctx) => [arnFor(ctx.account, "mfa", i.Path, String(i.VirtualMFADeviceName))],
  },
  ListVirtualMFADevices: onAccount("iam:ListVirtualMFADevices"),
  DeleteVirtualMFADevice: onArn("iam:DeleteVirtualMFADevice", "SerialNumber"),
  EnableMFADevice: on("user", "iam:EnableMFADevice"),
  DeactivateMFADevice: on("user", "iam:DeactivateMFADevice"),
  ResyncMFADevice: on("user", "iam:ResyncMFADevice"),
  ListMFADevices: on("user", "iam:ListMFADevices"),
  TagMFADevice: onArn("iam:TagMFADevice", "SerialNumber"),
  UntagMFADevice: onArn("iam:UntagMFADevice", "SerialNumber"),
  ListMFADeviceTags: onArn("iam:ListMFADeviceTags", "SerialNumber"),
  CreateOpenIDConnectProvider: {
    action: "iam:CreateOpenIDConnectProvider",
    resources: (i, ctx) => [`arn:aws:iam::${ctx.account}:oidc-provider/${String(i.Url).replace(/^https:\/\//i, "")}`],
  },
  GetOpenIDConnectProvider: onArn("iam:GetOpenIDConnectProvider", "OpenIDConnectProviderArn"),
  ListOpenIDConnectProviders: onAccount("iam:ListOpenIDConnectProviders"),
  DeleteOpenIDConnectProvider: onArn("iam:DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn"),
  AddClientIDToOpenIDConnectProvider: onArn("iam:AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn"),
  RemoveClientIDFromOpenIDConnectProvider: onArn("iam:RemoveClientIDFromOpenIDConnectProvider", "OpenIDConnectProviderArn"),
  UpdateOpenIDConnectProviderThumbprint: onArn("iam:UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn"),
  TagOpenIDConnectProvider: onArn("iam:TagOpenIDConnectProvider", "OpenIDConnectProviderArn"),
  UntagOpenIDConnectProvider: onArn("iam:UntagOpenIDConnectProvider", "OpenIDConnectProviderArn"),
  ListOpenIDConnectProviderTags: onArn("iam:ListOpenIDConnectProviderTags", "OpenIDConnectProviderArn"),
  CreateSAMLProvider: {
    action: "iam:CreateSAMLProvider",
    resources: (i, ctx) => [`arn:aws:iam::${ctx.account}:saml-provider/${String(i.Name)}`],
  },
  GetSAMLProvider: onArn("iam:GetSAMLProvider", "SAMLProviderArn"),
  UpdateSAMLProvider: onArn("iam:UpdateSAMLProvider", "SAMLProviderArn"),
  ListSAMLProviders: onAccount("iam:ListSAMLProviders"),
  DeleteSAMLProvider: onArn("iam:DeleteSAMLProvider", "SAMLProviderArn"),
  TagSAMLProvider: onArn("iam:TagSAMLProvider", "SAMLProviderArn"),
  UntagSAMLProvider: onArn("iam:UntagSAMLProvider", "SAMLProviderArn"),
  ListSAMLProviderTags: onArn("iam:ListSAMLProviderTags", "SAMLProviderArn"),
  GenerateCredentialReport: onAccount("iam:GenerateCredentialReport"),
  GetCredentialReport: onAccount("iam:GetCredentialReport"),
  ...holderPolicyActions("user", "User"),
  ...holderPolicyActions("group", "Group"),
  ...holderPolicyActions("role", "Role"),
};

/** Inline and attached policies of users, groups and roles: the same seven actions for each holder type. */
function holderPolicyActions(type: "user" | "group" | "role", kind: "User" | "Group" | "Role"): AuthorizationTable {
  const policyArnKey = (i: OperationInput) => ({ "iam:policyarn": i.PolicyArn });
  return {
    [`Attach${kind}Policy`]: on(type, `iam:Attach${kind}Policy`, { context: policyArnKey }),
    [`Detach${kind}Policy`]: on(type, `iam:Detach${kind}Policy`, { context: policyArnKey }),
    [`Put${kind}Policy`]: on(type, `iam:Put${kind}Policy`),
    [`Get${kind}Policy`]: on(type, `iam:Get${kind}Policy`),
    [`Delete${kind}Policy`]: on(type, `iam:Delete${kind}Policy`),
    [`List${kind}Policies`]: on(type, `iam:List${kind}Policies`),
    [`ListAttached${kind}Policies`]: on(type, `iam:ListAttached${kind}Policies`),
  };
}
