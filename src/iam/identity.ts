import type { Principal } from "../services/types.js";
import type { StateBackend } from "../state/store.js";
import type { EvaluationPrincipal } from "./engine.js";
import { AWS_MANAGED_POLICIES } from "./managed-policies.js";
import { type Policy, parsePolicy } from "./policy.js";
import { type IamCollections, iamState, type PolicyHolder } from "./records.js";

/** A policy with where it came from, as SimulatePrincipalPolicy reports matched statements. */
export interface SourcedPolicy {
  id: string;
  type: "user" | "group" | "role" | "aws-managed" | "user-managed" | "resource" | "none";
  document: string;
  policy: Policy;
}

export interface IdentityPolicies {
  identity: SourcedPolicy[];
  boundary?: SourcedPolicy[];
}

/** The managed policy's default document, AWS's or the account's. */
export function managedPolicy(store: IamCollections, arn: string): SourcedPolicy | undefined {
  const aws = AWS_MANAGED_POLICIES.get(arn);
  if (aws) return { id: aws.PolicyName, type: "aws-managed", document: aws.Document, policy: parsePolicy(aws.Document, "identity") };
  const record = store.policies.get(arn);
  const version = record?.Versions.find((v) => v.VersionId === record.DefaultVersionId);
  if (!record || !version) return undefined;
  return { id: record.PolicyName, type: "user-managed", document: version.Document, policy: parsePolicy(version.Document, "identity") };
}

function holderPolicies(store: IamCollections, holder: PolicyHolder, type: "user" | "group" | "role"): SourcedPolicy[] {
  const inline = Object.entries(holder.InlinePolicies).map(([name, document]) => ({
    id: name,
    type,
    document,
    policy: parsePolicy(document, "identity"),
  }));
  const attached = holder.AttachedPolicies.map((arn) => managedPolicy(store, arn)).filter((p): p is SourcedPolicy => p !== undefined);
  return [...inline, ...attached];
}

function boundaryOf(store: IamCollections, arn: string | undefined): SourcedPolicy[] | undefined {
  if (!arn) return undefined;
  const policy = managedPolicy(store, arn);
  return policy ? [policy] : [];
}

/** A user's own policies plus those of its groups, and its permissions boundary. */
export function userPolicies(store: IamCollections, userName: string): IdentityPolicies | undefined {
  const user = store.users.get(userName);
  if (!user) return undefined;
  const groups = user.Groups.map((g) => store.groups.get(g)).filter((g) => g !== undefined);
  return {
    identity: [...holderPolicies(store, user, "user"), ...groups.flatMap((g) => holderPolicies(store, g, "group"))],
    boundary: boundaryOf(store, user.PermissionsBoundary),
  };
}

export function rolePolicies(store: IamCollections, roleName: string): IdentityPolicies | undefined {
  const role = store.roles.get(roleName);
  if (!role) return undefined;
  return { identity: holderPolicies(store, role, "role"), boundary: boundaryOf(store, role.PermissionsBoundary) };
}

export function groupPolicies(store: IamCollections, groupName: string): IdentityPolicies | undefined {
  const group = store.groups.get(groupName);
  return group ? { identity: holderPolicies(store, group, "group") } : undefined;
}

/** The identity policies that govern a caller, looked up in its account's IAM state. */
export function policiesForPrincipal(state: StateBackend, principal: Principal): IdentityPolicies {
  const store = iamState(state, principal.account);
  const name = principal.arn.split("/");
  if (principal.type === "user") return userPolicies(store, name[name.length - 1]) ?? { identity: [] };
  if (principal.type === "assumed-role") return rolePolicies(store, name[1]) ?? { identity: [] };
  return { identity: [] };
}

/** The engine's view of a caller; a session's role ARN (with its path) comes from IAM state. */
export function evaluationPrincipal(principal: Principal, state?: StateBackend): EvaluationPrincipal {
  const base: EvaluationPrincipal = {
    type: principal.type,
    arn: principal.arn,
    account: principal.account,
    userId: principal.userId,
    servicePrincipal: principal.servicePrincipal,
  };
  if (principal.type === "assumed-role") {
    const [, roleName] = principal.arn.split("/");
    const role = state ? iamState(state, principal.account).roles.get(roleName) : undefined;
    base.roleArn = role?.Arn ?? `arn:aws:iam::${principal.account}:role/${roleName}`;
  }
  return base;
}
