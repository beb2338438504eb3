import type * as Iam from "@aws-sdk/client-iam";
import type { PolicyHolder } from "../../iam/records.js";
import { AWS_MANAGED_POLICIES } from "../../iam/managed-policies.js";
import type { RequestContext } from "../types.js";
import { date, encodeDocument, iam, page } from "./common.js";
import { managedPolicyDetails } from "./policies.js";
import { roleView } from "./roles.js";
import { boundaryView } from "./users.js";

type Entry =
  | { kind: "User"; detail: Iam.UserDetail }
  | { kind: "Group"; detail: Iam.GroupDetail }
  | { kind: "Role"; detail: Iam.RoleDetail }
  | { kind: "Policy"; detail: Iam.ManagedPolicyDetail };

function inline(holder: PolicyHolder): Iam.PolicyDetail[] {
  return Object.entries(holder.InlinePolicies).map(([PolicyName, document]) => ({ PolicyName, PolicyDocument: encodeDocument(document) }));
}

function attached(ctx: RequestContext, holder: PolicyHolder): Iam.AttachedPolicy[] {
  return holder.AttachedPolicies.map((arn) => ({
    PolicyArn: arn,
    PolicyName: AWS_MANAGED_POLICIES.get(arn)?.PolicyName ?? iam(ctx).policies.get(arn)?.PolicyName,
  }));
}

/** Everything IAM knows about the account's identities and policies, in one paginated snapshot. */
export function getAccountAuthorizationDetails(
  input: Iam.GetAccountAuthorizationDetailsRequest,
  ctx: RequestContext,
): Iam.GetAccountAuthorizationDetailsResponse {
  const store = iam(ctx);
  const wanted = (filter: string) => !input.Filter?.length || input.Filter.includes(filter as Iam.EntityType);
  const entries: Entry[] = [];
  if (wanted("User")) {
    for (const u of store.users.values()) {
      entries.push({
        kind: "User",
        detail: {
          Path: u.Path,
          UserName: u.UserName,
          UserId: u.UserId,
          Arn: u.Arn,
          CreateDate: date(u.CreateDate),
          UserPolicyList: inline(u),
          GroupList: u.Groups,
          AttachedManagedPolicies: attached(ctx, u),
          PermissionsBoundary: boundaryView(u.PermissionsBoundary),
          Tags: u.Tags,
        },
      });
    }
  }
  if (wanted("Group")) {
    for (const g of store.groups.values()) {
      entries.push({
        kind: "Group",
        detail: {
          Path: g.Path,
          GroupName: g.GroupName,
          GroupId: g.GroupId,
          Arn: g.Arn,
          CreateDate: date(g.CreateDate),
          GroupPolicyList: inline(g),
          AttachedManagedPolicies: attached(ctx, g),
        },
      });
    }
  }
  if (wanted("Role")) {
    for (const r of store.roles.values()) {
      const profiles = [...store.instanceProfiles.values()].filter((p) => p.Roles.includes(r.RoleName));
      entries.push({
        kind: "Role",
        detail: {
          ...roleView(r, true),
          InstanceProfileList: profiles.map((p) => ({
            Path: p.Path,
            InstanceProfileName: p.InstanceProfileName,
            InstanceProfileId: p.InstanceProfileId,
            Arn: p.Arn,
            CreateDate: date(p.CreateDate),
            Roles: [roleView(r)],
          })),
          RolePolicyList: inline(r),
          AttachedManagedPolicies: attached(ctx, r),
        },
      });
    }
  }
  for (const detail of managedPolicyDetails(ctx, wanted("LocalManagedPolicy"), wanted("AWSManagedPolicy")))
    entries.push({ kind: "Policy", detail });
  const { items, IsTruncated, Marker } = page(entries, input.Marker, input.MaxItems);
  const of = <K extends Entry["kind"]>(kind: K) =>
    items.filter((e): e is Extract<Entry, { kind: K }> => e.kind === kind).map((e) => e.detail);
  return {
    UserDetailList: of("User"),
    GroupDetailList: of("Group"),
    RoleDetailList: of("Role"),
    Policies: of("Policy"),
    IsTruncated,
    Marker,
  };
}
