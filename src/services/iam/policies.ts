import type * as Iam from "@aws-sdk/client-iam";
import { uniqueId } from "../../iam/ids.js";
import { AWS_MANAGED_POLICIES, type AwsManagedPolicy } from "../../iam/managed-policies.js";
import type { ManagedPolicyRecord, Tag } from "../../iam/records.js";
import type { RequestContext } from "../types.js";
import {
  arnFor,
  checkPath,
  checkTags,
  date,
  DeleteConflict,
  encodeDocument,
  EntityAlreadyExists,
  holders,
  iam,
  InvalidInput,
  LimitExceeded,
  NoSuchEntity,
  page,
  validateDocument,
  tagOperations,
} from "./common.js";

const POLICY_QUOTA = { size: 6144, message: "Cannot exceed quota for PolicySize: 6144" };
const MAX_VERSIONS = 5;

function usage(ctx: RequestContext, arn: string) {
  const all = holders(iam(ctx));
  return {
    AttachmentCount: all.filter((h) => h.record.AttachedPolicies.includes(arn)).length,
    PermissionsBoundaryUsageCount: all.filter((h) => h.record.PermissionsBoundary === arn).length,
  };
}

function customerView(ctx: RequestContext, p: ManagedPolicyRecord, withTags = true): Iam.Policy {
  return {
    PolicyName: p.PolicyName,
    PolicyId: p.PolicyId,
    Arn: p.Arn,
    Path: p.Path,
    DefaultVersionId: p.DefaultVersionId,
    ...usage(ctx, p.Arn),
    IsAttachable: true,
    Description: p.Description,
    CreateDate: date(p.CreateDate),
    UpdateDate: date(p.UpdateDate),
    Tags: withTags && p.Tags.length ? p.Tags : undefined,
  };
}

function awsView(ctx: RequestContext, p: AwsManagedPolicy): Iam.Policy {
  return {
    PolicyName: p.PolicyName,
    PolicyId: p.PolicyId,
    Arn: p.Arn,
    Path: p.Path,
    DefaultVersionId: "v1",
    ...usage(ctx, p.Arn),
    IsAttachable: true,
    Description: p.Description,
    CreateDate: date(p.CreateDate),
    UpdateDate: date(p.CreateDate),
  };
}

function notFound(arn: string): InstanceType<typeof NoSuchEntity> {
  return new NoSuchEntity(`Policy ${arn} was not found.`);
}

function customerPolicy(ctx: RequestContext, arn: string): ManagedPolicyRecord {
  const policy = iam(ctx).policies.get(arn);
  if (!policy) throw notFound(arn);
  return policy;
}

/** AWS managed policies are read-only: changing one is refused like a missing customer policy's change. */
function writablePolicy(ctx: RequestContext, arn: string): ManagedPolicyRecord {
  if (AWS_MANAGED_POLICIES.has(arn)) throw new InvalidInput(`Policy ${arn} is an AWS managed policy and cannot be modified.`);
  return customerPolicy(ctx, arn);
}

export function createPolicy(input: Iam.CreatePolicyRequest, ctx: RequestContext): Iam.CreatePolicyResponse {
  const store = iam(ctx);
  const path = checkPath(input.Path);
  const name = input.PolicyName as string;
  const arn = arnFor(ctx.account, "policy", path, name);
  if ([...store.policies.values()].some((p) => p.PolicyName.toLowerCase() === name.toLowerCase())) {
    throw new EntityAlreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
  }
  validateDocument(input.PolicyDocument as string, "identity", POLICY_QUOTA);
  const now = ctx.runtime.now();
  const policy: ManagedPolicyRecord = {
    PolicyName: name,
    PolicyId: uniqueId("ANPA"),
    Arn: arn,
    Path: path,
    Description: input.Description,
    DefaultVersionId: "v1",
    Versions: [{ VersionId: "v1", Document: input.PolicyDocument as string, CreateDate: now }],
    NextVersion: 2,
    CreateDate: now,
    UpdateDate: now,
    Tags: checkTags([], input.Tags as Tag[] | undefined),
  };
  store.policies.set(arn, policy);
  const { Description: _d, ...view } = customerView(ctx, policy);
  return { Policy: view };
}

export function getPolicy(input: Iam.GetPolicyRequest, ctx: RequestContext): Iam.GetPolicyResponse {
  const arn = input.PolicyArn as string;
  const aws = AWS_MANAGED_POLICIES.get(arn);
  return { Policy: aws ? awsView(ctx, aws) : customerView(ctx, customerPolicy(ctx, arn)) };
}

export function deletePolicy(input: Iam.DeletePolicyRequest, ctx: RequestContext): Record<string, never> {
  const policy = writablePolicy(ctx, input.PolicyArn as string);
  const { AttachmentCount, PermissionsBoundaryUsageCount } = usage(ctx, policy.Arn);
  if (AttachmentCount || PermissionsBoundaryUsageCount) throw new DeleteConflict("Cannot delete a policy attached to entities.");
  if (policy.Versions.length > 1)
    throw new DeleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  iam(ctx).policies.delete(policy.Arn);
  return {};
}

export function listPolicies(input: Iam.ListPoliciesRequest, ctx: RequestContext): Iam.ListPoliciesResponse {
  const scope = input.Scope ?? "All";
  const prefix = input.PathPrefix ?? "/";
  const all = [
    ...(scope !== "Local" ? [...AWS_MANAGED_POLICIES.values()].map((p) => awsView(ctx, p)) : []),
    ...(scope !== "AWS" ? [...iam(ctx).policies.values()].map((p) => customerView(ctx, p, false)) : []),
  ];
  const selected = all.filter(
    (p) =>
      (p.Path ?? "/").startsWith(prefix) &&
      (!input.OnlyAttached || (p.AttachmentCount ?? 0) > 0) &&
      (input.PolicyUsageFilter !== "PermissionsPolicy" || (p.AttachmentCount ?? 0) > 0) &&
      (input.PolicyUsageFilter !== "PermissionsBoundary" || (p.PermissionsBoundaryUsageCount ?? 0) > 0),
  );
  const { items, IsTruncated, Marker } = page(selected, input.Marker, input.MaxItems);
  return { Policies: items.map(({ Description: _d, ...p }) => p), IsTruncated, Marker };
}

function versionView(
  p: { VersionId: string; Document: string; CreateDate: number },
  defaultId: string,
  withDocument: boolean,
): Iam.PolicyVersion {
  return {
    Document: withDocument ? encodeDocument(p.Document) : undefined,
    VersionId: p.VersionId,
    IsDefaultVersion: p.VersionId === defaultId,
    CreateDate: date(p.CreateDate),
  };
}

/** Customer policies' versions; an AWS managed policy has its one published version. */
function versionsOf(
  ctx: RequestContext,
  arn: string,
): { versions: { VersionId: string; Document: string; CreateDate: number }[]; defaultId: string } {
  const aws = AWS_MANAGED_POLICIES.get(arn);
  if (aws) return { versions: [{ VersionId: "v1", Document: aws.Document, CreateDate: aws.CreateDate }], defaultId: "v1" };
  const policy = customerPolicy(ctx, arn);
  return { versions: policy.Versions, defaultId: policy.DefaultVersionId };
}

export function createPolicyVersion(input: Iam.CreatePolicyVersionRequest, ctx: RequestContext): Iam.CreatePolicyVersionResponse {
  const policy = writablePolicy(ctx, input.PolicyArn as string);
  validateDocument(input.PolicyDocument as string, "identity", POLICY_QUOTA);
  if (policy.Versions.length >= MAX_VERSIONS) {
    throw new LimitExceeded(
      `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
    );
  }
  const now = ctx.runtime.now();
  const version = { VersionId: `v${policy.NextVersion}`, Document: input.PolicyDocument as string, CreateDate: now };
  policy.Versions.push(version);
  policy.NextVersion += 1;
  if (input.SetAsDefault) policy.DefaultVersionId = version.VersionId;
  policy.UpdateDate = now;
  iam(ctx).policies.set(policy.Arn, policy);
  return { PolicyVersion: versionView(version, policy.DefaultVersionId, false) };
}

export function getPolicyVersion(input: Iam.GetPolicyVersionRequest, ctx: RequestContext): Iam.GetPolicyVersionResponse {
  const arn = input.PolicyArn as string;
  const { versions, defaultId } = versionsOf(ctx, arn);
  const version = versions.find((v) => v.VersionId === input.VersionId);
  if (!version) throw new NoSuchEntity(`Policy ${arn} version ${input.VersionId} does not exist or is not attachable.`);
  return { PolicyVersion: versionView(version, defaultId, true) };
}

export function listPolicyVersions(input: Iam.ListPolicyVersionsRequest, ctx: RequestContext): Iam.ListPolicyVersionsResponse {
  const { versions, defaultId } = versionsOf(ctx, input.PolicyArn as string);
  const newestFirst = [...versions].reverse().map((v) => versionView(v, defaultId, false));
  const { items, IsTruncated, Marker } = page(newestFirst, input.Marker, input.MaxItems);
  return { Versions: items, IsTruncated, Marker };
}

export function deletePolicyVersion(input: Iam.DeletePolicyVersionRequest, ctx: RequestContext): Record<string, never> {
  const policy = writablePolicy(ctx, input.PolicyArn as string);
  const version = policy.Versions.find((v) => v.VersionId === input.VersionId);
  if (!version) throw new NoSuchEntity(`Policy ${policy.Arn} version ${input.VersionId} does not exist or is not attachable.`);
  if (version.VersionId === policy.DefaultVersionId) throw new DeleteConflict("Cannot delete the default version of a policy.");
  policy.Versions = policy.Versions.filter((v) => v !== version);
  iam(ctx).policies.set(policy.Arn, policy);
  return {};
}

export function setDefaultPolicyVersion(input: Iam.SetDefaultPolicyVersionRequest, ctx: RequestContext): Record<string, never> {
  const policy = writablePolicy(ctx, input.PolicyArn as string);
  if (!policy.Versions.some((v) => v.VersionId === input.VersionId)) {
    throw new NoSuchEntity(`Policy ${policy.Arn} version ${input.VersionId} does not exist or is not attachable.`);
  }
  policy.DefaultVersionId = input.VersionId as string;
  policy.UpdateDate = ctx.runtime.now();
  iam(ctx).policies.set(policy.Arn, policy);
  return {};
}

export function listEntitiesForPolicy(input: Iam.ListEntitiesForPolicyRequest, ctx: RequestContext): Iam.ListEntitiesForPolicyResponse {
  const arn = input.PolicyArn as string;
  if (!AWS_MANAGED_POLICIES.has(arn)) customerPolicy(ctx, arn);
  const usedAs = input.PolicyUsageFilter === "PermissionsBoundary" ? "boundary" : "attached";
  const entities = holders(iam(ctx)).filter((h) =>
    usedAs === "boundary" ? h.record.PermissionsBoundary === arn : h.record.AttachedPolicies.includes(arn),
  );
  const filter = input.EntityFilter;
  const pick = (kind: string) => !filter || filter.toLowerCase() === kind;
  return {
    PolicyUsers: entities.filter((e) => e.kind === "user" && pick("user")).map((e) => ({ UserName: e.name, UserId: e.id })),
    PolicyGroups: entities.filter((e) => e.kind === "group" && pick("group")).map((e) => ({ GroupName: e.name, GroupId: e.id })),
    PolicyRoles: entities.filter((e) => e.kind === "role" && pick("role")).map((e) => ({ RoleName: e.name, RoleId: e.id })),
    IsTruncated: false,
  };
}

/** Managed policies for GetAccountAuthorizationDetails: the account's own, and AWS's that are in use. */
export function managedPolicyDetails(ctx: RequestContext, local: boolean, aws: boolean): Iam.ManagedPolicyDetail[] {
  const details: Iam.ManagedPolicyDetail[] = [];
  if (aws) {
    for (const p of AWS_MANAGED_POLICIES.values()) {
      const view = awsView(ctx, p);
      if (!view.AttachmentCount && !view.PermissionsBoundaryUsageCount) continue;
      details.push({
        ...view,
        PolicyVersionList: [versionView({ VersionId: "v1", Document: p.Document, CreateDate: p.CreateDate }, "v1", true)],
      });
    }
  }
  if (local) {
    for (const p of iam(ctx).policies.values()) {
      const { Tags: _tags, ...view } = customerView(ctx, p);
      details.push({ ...view, PolicyVersionList: p.Versions.map((v) => versionView(v, p.DefaultVersionId, true)) });
    }
  }
  return details;
}

const policyTags = tagOperations(
  (i: { PolicyArn?: string }, ctx) => writablePolicy(ctx, i.PolicyArn as string),
  (ctx, policy) => iam(ctx).policies.set(policy.Arn, policy),
  (i: { PolicyArn?: string }, ctx) => customerPolicy(ctx, i.PolicyArn as string),
);
export const tagPolicy = policyTags.tag;
export const untagPolicy = policyTags.untag;
export const listPolicyTags = policyTags.list;
