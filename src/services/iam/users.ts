import type * as Iam from "@aws-sdk/client-iam";
import { uniqueId } from "../../iam/ids.js";
import type { GroupRecord, Tag, UserRecord } from "../../iam/records.js";
import type { RequestContext } from "../types.js";
import {
  arnFor,
  checkPath,
  checkTags,
  date,
  DeleteConflict,
  EntityAlreadyExists,
  iam,
  LimitExceeded,
  NoSuchEntity,
  page,
  policyExists,
  ValidationError,
  tagOperations,
} from "./common.js";

export function userView(u: UserRecord, withTags = false): Iam.User {
  return {
    Path: u.Path,
    UserName: u.UserName,
    UserId: u.UserId,
    Arn: u.Arn,
    CreateDate: date(u.CreateDate),
    PermissionsBoundary: boundaryView(u.PermissionsBoundary),
    Tags: withTags && u.Tags.length ? u.Tags : undefined,
  };
}

export function boundaryView(arn: string | undefined): Iam.AttachedPermissionsBoundary | undefined {
  return arn ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn } : undefined;
}

export function groupView(g: GroupRecord): Iam.Group {
  return { Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: date(g.CreateDate) };
}

export function getUserRecord(ctx: RequestContext, name: string): UserRecord {
  const user = iam(ctx).users.get(name);
  if (!user) throw new NoSuchEntity(`The user with name ${name} cannot be found.`);
  return user;
}

function getGroupRecord(ctx: RequestContext, name: string): GroupRecord {
  const group = iam(ctx).groups.get(name);
  if (!group) throw new NoSuchEntity(`The group with name ${name} cannot be found.`);
  return group;
}

/** Names are unique case-insensitively within an account. */
function nameTaken(keys: IterableIterator<string>, name: string): boolean {
  const lower = name.toLowerCase();
  for (const k of keys) if (k.toLowerCase() === lower) return true;
  return false;
}

export function checkBoundary(ctx: RequestContext, arn: string | undefined): void {
  if (arn !== undefined && !policyExists(iam(ctx), arn)) {
    throw new NoSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
  }
}

export function createUser(input: Iam.CreateUserRequest, ctx: RequestContext): Iam.CreateUserResponse {
  const store = iam(ctx);
  const name = input.UserName as string;
  const path = checkPath(input.Path);
  if (nameTaken(store.users.keys(), name)) throw new EntityAlreadyExists(`User with name ${name} already exists.`);
  checkBoundary(ctx, input.PermissionsBoundary);
  const user: UserRecord = {
    UserName: name,
    UserId: uniqueId("AIDA"),
    Path: path,
    Arn: arnFor(ctx.account, "user", path, name),
    CreateDate: ctx.runtime.now(),
    Tags: checkTags([], input.Tags as Tag[] | undefined),
    PermissionsBoundary: input.PermissionsBoundary,
    Groups: [],
    InlinePolicies: {},
    AttachedPolicies: [],
  };
  store.users.set(name, user);
  return { User: userView(user, true) };
}

/** Without a name, the caller: an IAM user gets itself, the root user the account's root identity. */
export function getUser(input: Iam.GetUserRequest, ctx: RequestContext): Iam.GetUserResponse {
  if (input.UserName !== undefined) return { User: userView(getUserRecord(ctx, input.UserName), true) };
  const { principal } = ctx;
  if (principal.type === "user") return { User: userView(getUserRecord(ctx, principal.arn.split("/").pop() as string), true) };
  if (principal.type === "root") {
    return {
      User: { UserId: principal.account, Arn: principal.arn, CreateDate: new Date(0), Path: undefined, UserName: undefined } as Iam.User,
    };
  }
  throw new ValidationError("Must specify userName when calling with non-User credentials");
}

export function updateUser(input: Iam.UpdateUserRequest, ctx: RequestContext): Record<string, never> {
  const store = iam(ctx);
  const user = getUserRecord(ctx, input.UserName as string);
  const newName = input.NewUserName ?? user.UserName;
  const path = input.NewPath === undefined ? user.Path : checkPath(input.NewPath);
  if (newName !== user.UserName && nameTaken(store.users.keys(), newName))
    throw new EntityAlreadyExists(`User with name ${newName} already exists.`);
  store.users.delete(user.UserName);
  for (const key of store.accessKeys.values()) {
    if (key.UserName === user.UserName) store.accessKeys.set(key.AccessKeyId, { ...key, UserName: newName });
  }
  const profile = store.loginProfiles.get(user.UserName);
  if (profile && newName !== user.UserName) {
    store.loginProfiles.delete(user.UserName);
    store.loginProfiles.set(newName, { ...profile, UserName: newName });
  }
  store.users.set(newName, { ...user, UserName: newName, Path: path, Arn: arnFor(ctx.account, "user", path, newName) });
  return {};
}

/** IAM refuses to delete a user that still has anything attached, naming the first thing to remove. */
export function deleteUser(input: Iam.DeleteUserRequest, ctx: RequestContext): Record<string, never> {
  const store = iam(ctx);
  const user = getUserRecord(ctx, input.UserName as string);
  if (store.loginProfiles.has(user.UserName)) throw new DeleteConflict("Cannot delete entity, must delete login profile first.");
  if ([...store.accessKeys.values()].some((k) => k.UserName === user.UserName))
    throw new DeleteConflict("Cannot delete entity, must delete access keys first.");
  if (Object.keys(user.InlinePolicies).length) throw new DeleteConflict("Cannot delete entity, must delete policies first.");
  if (user.AttachedPolicies.length) throw new DeleteConflict("Cannot delete entity, must detach all policies first.");
  if (user.Groups.length) throw new DeleteConflict("Cannot delete entity, must remove user from all groups first.");
  if ([...store.mfaDevices.values()].some((d) => d.UserName === user.UserName))
    throw new DeleteConflict("Cannot delete entity, must delete MFA device first.");
  store.users.delete(user.UserName);
  return {};
}

export function listUsers(input: Iam.ListUsersRequest, ctx: RequestContext): Iam.ListUsersResponse {
  const prefix = input.PathPrefix ?? "/";
  const users = [...iam(ctx).users.values()].filter((u) => u.Path.startsWith(prefix)).map((u) => userView(u));
  const { items, IsTruncated, Marker } = page(users, input.Marker, input.MaxItems);
  return { Users: items, IsTruncated, Marker };
}

export function createGroup(input: Iam.CreateGroupRequest, ctx: RequestContext): Iam.CreateGroupResponse {
  const store = iam(ctx);
  const name = input.GroupName as string;
  const path = checkPath(input.Path);
  if (nameTaken(store.groups.keys(), name)) throw new EntityAlreadyExists(`Group with name ${name} already exists.`);
  const group: GroupRecord = {
    GroupName: name,
    GroupId: uniqueId("AGPA"),
    Path: path,
    Arn: arnFor(ctx.account, "group", path, name),
    CreateDate: ctx.runtime.now(),
    InlinePolicies: {},
    AttachedPolicies: [],
  };
  store.groups.set(name, group);
  return { Group: groupView(group) };
}

export function getGroup(input: Iam.GetGroupRequest, ctx: RequestContext): Iam.GetGroupResponse {
  const group = getGroupRecord(ctx, input.GroupName as string);
  const members = [...iam(ctx).users.values()].filter((u) => u.Groups.includes(group.GroupName)).map((u) => userView(u));
  const { items, IsTruncated, Marker } = page(members, input.Marker, input.MaxItems);
  return { Group: groupView(group), Users: items, IsTruncated, Marker };
}

export function deleteGroup(input: Iam.DeleteGroupRequest, ctx: RequestContext): Record<string, never> {
  const store = iam(ctx);
  const group = getGroupRecord(ctx, input.GroupName as string);
  if ([...store.users.values()].some((u) => u.Groups.includes(group.GroupName)))
    throw new DeleteConflict("Cannot delete entity, must remove users from group first.");
  if (Object.keys(group.InlinePolicies).length) throw new DeleteConflict("Cannot delete entity, must delete policies first.");
  if (group.AttachedPolicies.length) throw new DeleteConflict("Cannot delete entity, must detach all policies first.");
  store.groups.delete(group.GroupName);
  return {};
}

export function listGroups(input: Iam.ListGroupsRequest, ctx: RequestContext): Iam.ListGroupsResponse {
  const prefix = input.PathPrefix ?? "/";
  const groups = [...iam(ctx).groups.values()].filter((g) => g.Path.startsWith(prefix)).map(groupView);
  const { items, IsTruncated, Marker } = page(groups, input.Marker, input.MaxItems);
  return { Groups: items, IsTruncated, Marker };
}

const MAX_GROUPS_PER_USER = 10;

export function addUserToGroup(input: Iam.AddUserToGroupRequest, ctx: RequestContext): Record<string, never> {
  const group = getGroupRecord(ctx, input.GroupName as string);
  const user = getUserRecord(ctx, input.UserName as string);
  if (user.Groups.includes(group.GroupName)) return {};
  if (user.Groups.length >= MAX_GROUPS_PER_USER) throw new LimitExceeded(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
  user.Groups.push(group.GroupName);
  iam(ctx).users.set(user.UserName, user);
  return {};
}

export function removeUserFromGroup(input: Iam.RemoveUserFromGroupRequest, ctx: RequestContext): Record<string, never> {
  const group = getGroupRecord(ctx, input.GroupName as string);
  const user = getUserRecord(ctx, input.UserName as string);
  if (!user.Groups.includes(group.GroupName)) throw new NoSuchEntity(`The user with name ${user.UserName} cannot be found.`);
  user.Groups = user.Groups.filter((g) => g !== group.GroupName);
  iam(ctx).users.set(user.UserName, user);
  return {};
}

export function listGroupsForUser(input: Iam.ListGroupsForUserRequest, ctx: RequestContext): Iam.ListGroupsForUserResponse {
  const user = getUserRecord(ctx, input.UserName as string);
  const groups = user.Groups.map((name) => iam(ctx).groups.get(name))
    .filter((g): g is GroupRecord => g !== undefined)
    .map(groupView);
  const { items, IsTruncated, Marker } = page(groups, input.Marker, input.MaxItems);
  return { Groups: items, IsTruncated, Marker };
}

export function putUserPermissionsBoundary(input: Iam.PutUserPermissionsBoundaryRequest, ctx: RequestContext): Record<string, never> {
  const user = getUserRecord(ctx, input.UserName as string);
  checkBoundary(ctx, input.PermissionsBoundary);
  iam(ctx).users.set(user.UserName, { ...user, PermissionsBoundary: input.PermissionsBoundary });
  return {};
}

export function deleteUserPermissionsBoundary(input: Iam.DeleteUserPermissionsBoundaryRequest, ctx: RequestContext): Record<string, never> {
  const user = getUserRecord(ctx, input.UserName as string);
  iam(ctx).users.set(user.UserName, { ...user, PermissionsBoundary: undefined });
  return {};
}

const userTags = tagOperations(
  (i: { UserName?: string }, ctx) => getUserRecord(ctx, i.UserName as string),
  (ctx, user) => iam(ctx).users.set(user.UserName, user),
);
export const tagUser = userTags.tag;
export const untagUser = userTags.untag;
export const listUserTags = userTags.list;
