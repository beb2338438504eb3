import type * as Iam from "@aws-sdk/client-iam";
import { uniqueId } from "../../iam/ids.js";
import { parsePolicy } from "../../iam/policy.js";
import { type InstanceProfileRecord, iamState, type RoleRecord, type Tag } from "../../iam/records.js";
import type { RequestContext } from "../types.js";
import {
  arnFor,
  checkPath,
  checkTags,
  date,
  DeleteConflict,
  encodeDocument,
  EntityAlreadyExists,
  iam,
  LimitExceeded,
  MalformedPolicyDocument,
  NoSuchEntity,
  page,
  validateDocument,
  tagOperations,
} from "./common.js";
import { boundaryView, checkBoundary } from "./users.js";

/** IAM resolves the users and roles a trust policy names, and refuses ones that do not exist. */
function checkTrustPrincipals(ctx: RequestContext, document: string): void {
  validateDocument(document, "trust", TRUST_POLICY_QUOTA);
  for (const statement of parsePolicy(document, "trust").Statement) {
    const spec = statement.Principal ?? statement.NotPrincipal;
    if (!spec || spec === "*") continue;
    for (const arn of spec.AWS ?? []) {
      const match = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
      if (!match) continue;
      const [, account, kind, name] = match;
      const store = iamState(ctx.runtime.state, account);
      const entity = kind === "user" ? store.users.get(name) : store.roles.get(name);
      if (!entity || entity.Arn !== arn) throw new MalformedPolicyDocument(`Invalid principal in policy: "AWS":"${arn}"`);
    }
  }
}

const TRUST_POLICY_QUOTA = { size: 2048, message: "Cannot exceed quota for ACLSizePerRole: 2048" };

export function roleView(r: RoleRecord, detailed = false): Iam.Role {
  return {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: date(r.CreateDate),
    AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
    Description: r.Description,
    MaxSessionDuration: r.MaxSessionDuration,
    PermissionsBoundary: boundaryView(r.PermissionsBoundary),
    Tags: detailed && r.Tags.length ? r.Tags : undefined,
    RoleLastUsed: detailed ? { LastUsedDate: date(r.LastUsed?.date), Region: r.LastUsed?.region } : undefined,
  };
}

export function getRoleRecord(ctx: RequestContext, name: string): RoleRecord {
  const role = iam(ctx).roles.get(name);
  if (!role) throw new NoSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

export function createRole(input: Iam.CreateRoleRequest, ctx: RequestContext): Iam.CreateRoleResponse {
  const store = iam(ctx);
  const name = input.RoleName as string;
  const path = checkPath(input.Path);
  const lower = name.toLowerCase();
  if ([...store.roles.keys()].some((k) => k.toLowerCase() === lower))
    throw new EntityAlreadyExists(`Role with name ${name} already exists.`);
  checkTrustPrincipals(ctx, input.AssumeRolePolicyDocument as string);
  checkBoundary(ctx, input.PermissionsBoundary);
  const role: RoleRecord = {
    RoleName: name,
    RoleId: uniqueId("AROA"),
    Path: path,
    Arn: arnFor(ctx.account, "role", path, name),
    CreateDate: ctx.runtime.now(),
    AssumeRolePolicyDocument: input.AssumeRolePolicyDocument as string,
    Description: input.Description,
    MaxSessionDuration: input.MaxSessionDuration ?? 3600, // the model's range check (3600–43200) ran already
    Tags: checkTags([], input.Tags as Tag[] | undefined),
    PermissionsBoundary: input.PermissionsBoundary,
    InlinePolicies: {},
    AttachedPolicies: [],
  };
  store.roles.set(name, role);
  const { RoleLastUsed: _unused, ...view } = roleView(role, true);
  return { Role: view };
}

export function getRole(input: Iam.GetRoleRequest, ctx: RequestContext): Iam.GetRoleResponse {
  return { Role: roleView(getRoleRecord(ctx, input.RoleName as string), true) };
}

export function updateRole(input: Iam.UpdateRoleRequest, ctx: RequestContext): Record<string, never> {
  const role = getRoleRecord(ctx, input.RoleName as string);
  iam(ctx).roles.set(role.RoleName, {
    ...role,
    Description: input.Description ?? role.Description,
    MaxSessionDuration: input.MaxSessionDuration ?? role.MaxSessionDuration,
  });
  return {};
}

export function updateAssumeRolePolicy(input: Iam.UpdateAssumeRolePolicyRequest, ctx: RequestContext): Record<string, never> {
  const role = getRoleRecord(ctx, input.RoleName as string);
  checkTrustPrincipals(ctx, input.PolicyDocument as string);
  iam(ctx).roles.set(role.RoleName, { ...role, AssumeRolePolicyDocument: input.PolicyDocument as string });
  return {};
}

export function deleteRole(input: Iam.DeleteRoleRequest, ctx: RequestContext): Record<string, never> {
  const store = iam(ctx);
  const role = getRoleRecord(ctx, input.RoleName as string);
  if ([...store.instanceProfiles.values()].some((p) => p.Roles.includes(role.RoleName))) {
    throw new DeleteConflict("Cannot delete entity, must remove roles from instance profile first.");
  }
  if (Object.keys(role.InlinePolicies).length) throw new DeleteConflict("Cannot delete entity, must delete policies first.");
  if (role.AttachedPolicies.length) throw new DeleteConflict("Cannot delete entity, must detach all policies first.");
  store.roles.delete(role.RoleName);
  return {};
}

export function listRoles(input: Iam.ListRolesRequest, ctx: RequestContext): Iam.ListRolesResponse {
  const prefix = input.PathPrefix ?? "/";
  const roles = [...iam(ctx).roles.values()].filter((r) => r.Path.startsWith(prefix)).map((r) => roleView(r));
  const { items, IsTruncated, Marker } = page(roles, input.Marker, input.MaxItems);
  return { Roles: items, IsTruncated, Marker };
}

export function putRolePermissionsBoundary(input: Iam.PutRolePermissionsBoundaryRequest, ctx: RequestContext): Record<string, never> {
  const role = getRoleRecord(ctx, input.RoleName as string);
  checkBoundary(ctx, input.PermissionsBoundary);
  iam(ctx).roles.set(role.RoleName, { ...role, PermissionsBoundary: input.PermissionsBoundary });
  return {};
}

export function deleteRolePermissionsBoundary(input: Iam.DeleteRolePermissionsBoundaryRequest, ctx: RequestContext): Record<string, never> {
  const role = getRoleRecord(ctx, input.RoleName as string);
  iam(ctx).roles.set(role.RoleName, { ...role, PermissionsBoundary: undefined });
  return {};
}

function profileView(ctx: RequestContext, p: InstanceProfileRecord): Iam.InstanceProfile {
  const roles = p.Roles.map((name) => iam(ctx).roles.get(name)).filter((r): r is RoleRecord => r !== undefined);
  return {
    Path: p.Path,
    InstanceProfileName: p.InstanceProfileName,
    InstanceProfileId: p.InstanceProfileId,
    Arn: p.Arn,
    CreateDate: date(p.CreateDate),
    Roles: roles.map((r) => roleView(r)),
    Tags: p.Tags.length ? p.Tags : undefined,
  };
}

function getProfile(ctx: RequestContext, name: string): InstanceProfileRecord {
  const profile = iam(ctx).instanceProfiles.get(name);
  if (!profile) throw new NoSuchEntity(`Instance Profile ${name} cannot be found.`);
  return profile;
}

export function createInstanceProfile(input: Iam.CreateInstanceProfileRequest, ctx: RequestContext): Iam.CreateInstanceProfileResponse {
  const store = iam(ctx);
  const name = input.InstanceProfileName as string;
  const path = checkPath(input.Path);
  if (store.instanceProfiles.has(name)) throw new EntityAlreadyExists(`Instance Profile ${name} already exists.`);
  const profile: InstanceProfileRecord = {
    InstanceProfileName: name,
    InstanceProfileId: uniqueId("AIPA"),
    Path: path,
    Arn: arnFor(ctx.account, "instance-profile", path, name),
    CreateDate: ctx.runtime.now(),
    Roles: [],
    Tags: checkTags([], input.Tags as Tag[] | undefined),
  };
  store.instanceProfiles.set(name, profile);
  return { InstanceProfile: profileView(ctx, profile) };
}

export function getInstanceProfile(input: Iam.GetInstanceProfileRequest, ctx: RequestContext): Iam.GetInstanceProfileResponse {
  return { InstanceProfile: profileView(ctx, getProfile(ctx, input.InstanceProfileName as string)) };
}

export function deleteInstanceProfile(input: Iam.DeleteInstanceProfileRequest, ctx: RequestContext): Record<string, never> {
  const profile = getProfile(ctx, input.InstanceProfileName as string);
  if (profile.Roles.length) throw new DeleteConflict("Cannot delete entity, must remove roles from instance profile first.");
  iam(ctx).instanceProfiles.delete(profile.InstanceProfileName);
  return {};
}

export function listInstanceProfiles(input: Iam.ListInstanceProfilesRequest, ctx: RequestContext): Iam.ListInstanceProfilesResponse {
  const prefix = input.PathPrefix ?? "/";
  const profiles = [...iam(ctx).instanceProfiles.values()].filter((p) => p.Path.startsWith(prefix)).map((p) => profileView(ctx, p));
  const { items, IsTruncated, Marker } = page(profiles, input.Marker, input.MaxItems);
  return { InstanceProfiles: items, IsTruncated, Marker };
}

export function listInstanceProfilesForRole(
  input: Iam.ListInstanceProfilesForRoleRequest,
  ctx: RequestContext,
): Iam.ListInstanceProfilesForRoleResponse {
  const role = getRoleRecord(ctx, input.RoleName as string);
  const profiles = [...iam(ctx).instanceProfiles.values()].filter((p) => p.Roles.includes(role.RoleName)).map((p) => profileView(ctx, p));
  const { items, IsTruncated, Marker } = page(profiles, input.Marker, input.MaxItems);
  return { InstanceProfiles: items, IsTruncated, Marker };
}

/** An instance profile holds at most one role. */
export function addRoleToInstanceProfile(input: Iam.AddRoleToInstanceProfileRequest, ctx: RequestContext): Record<string, never> {
  const profile = getProfile(ctx, input.InstanceProfileName as string);
  const role = getRoleRecord(ctx, input.RoleName as string);
  if (profile.Roles.length >= 1) throw new LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
  profile.Roles.push(role.RoleName);
  iam(ctx).instanceProfiles.set(profile.InstanceProfileName, profile);
  return {};
}

export function removeRoleFromInstanceProfile(input: Iam.RemoveRoleFromInstanceProfileRequest, ctx: RequestContext): Record<string, never> {
  const profile = getProfile(ctx, input.InstanceProfileName as string);
  const role = getRoleRecord(ctx, input.RoleName as string);
  if (!profile.Roles.includes(role.RoleName)) throw new NoSuchEntity(`The role with name ${role.RoleName} cannot be found.`);
  profile.Roles = profile.Roles.filter((r) => r !== role.RoleName);
  iam(ctx).instanceProfiles.set(profile.InstanceProfileName, profile);
  return {};
}

const roleTags = tagOperations(
  (i: { RoleName?: string }, ctx) => getRoleRecord(ctx, i.RoleName as string),
  (ctx, role) => iam(ctx).roles.set(role.RoleName, role),
);
export const tagRole = roleTags.tag;
export const untagRole = roleTags.untag;
export const listRoleTags = roleTags.list;
