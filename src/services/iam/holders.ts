import type { AttachedPolicy } from "@aws-sdk/client-iam";
import { policySize } from "../../iam/policy.js";
import type { IamCollections, PolicyHolder } from "../../iam/records.js";
import type { Collection } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { AWS_MANAGED_POLICIES } from "../../iam/managed-policies.js";
import { encodeDocument, iam, LimitExceeded, NoSuchEntity, page, policyExists, validateDocument } from "./common.js";

/** How users, groups and roles differ where policies are concerned: names, quotas, messages. */
interface HolderKind {
  label: "user" | "group" | "role";
  member: "UserName" | "GroupName" | "RoleName";
  collection(store: IamCollections): Collection<PolicyHolder>;
  /** Aggregate inline policy size quota (characters, whitespace excluded). */
  inlineQuota: number;
  attachQuota: string;
}

export const USER: HolderKind = {
  label: "user",
  member: "UserName",
  collection: (s) => s.users as unknown as Collection<PolicyHolder>,
  inlineQuota: 2048,
  attachQuota: "PoliciesPerUser",
};
export const GROUP: HolderKind = {
  label: "group",
  member: "GroupName",
  collection: (s) => s.groups as unknown as Collection<PolicyHolder>,
  inlineQuota: 5120,
  attachQuota: "PoliciesPerGroup",
};
export const ROLE: HolderKind = {
  label: "role",
  member: "RoleName",
  collection: (s) => s.roles as unknown as Collection<PolicyHolder>,
  inlineQuota: 10240,
  attachQuota: "PoliciesPerRole",
};

const MAX_ATTACHED = 10;

export function getHolder(kind: HolderKind, ctx: RequestContext, name: string): PolicyHolder {
  const record = kind.collection(iam(ctx)).get(name);
  if (!record) throw new NoSuchEntity(`The ${kind.label} with name ${name} cannot be found.`);
  return record;
}

type Input = Record<string, string | number | undefined>;

/** Put/Get/Delete/List{User,Group,Role}Policy and Attach/Detach/ListAttached{…}Policies for one kind. */
export function holderOperations(kind: HolderKind, prefix: "User" | "Group" | "Role") {
  const save = (ctx: RequestContext, name: string, record: PolicyHolder) => kind.collection(iam(ctx)).set(name, record);
  const nameOf = (input: Input) => input[kind.member] as string;
  return {
    [`Put${prefix}Policy`](input: Input, ctx: RequestContext) {
      const name = nameOf(input);
      const record = getHolder(kind, ctx, name);
      const document = input.PolicyDocument as string;
      validateDocument(document, "identity");
      const others = Object.entries(record.InlinePolicies).filter(([n]) => n !== input.PolicyName);
      const total = others.reduce((sum, [, d]) => sum + policySize(d), policySize(document));
      if (total > kind.inlineQuota) {
        throw new LimitExceeded(`Maximum policy size of ${kind.inlineQuota} bytes exceeded for ${kind.label} ${name}`);
      }
      record.InlinePolicies[input.PolicyName as string] = document;
      save(ctx, name, record);
      return {};
    },
    [`Get${prefix}Policy`](input: Input, ctx: RequestContext) {
      const name = nameOf(input);
      const document = getHolder(kind, ctx, name).InlinePolicies[input.PolicyName as string];
      if (document === undefined) throw new NoSuchEntity(`The ${kind.label} policy with name ${input.PolicyName} cannot be found.`);
      return { [kind.member]: name, PolicyName: input.PolicyName, PolicyDocument: encodeDocument(document) };
    },
    [`Delete${prefix}Policy`](input: Input, ctx: RequestContext) {
      const name = nameOf(input);
      const record = getHolder(kind, ctx, name);
      const policyName = input.PolicyName as string;
      if (!(policyName in record.InlinePolicies))
        throw new NoSuchEntity(`The ${kind.label} policy with name ${policyName} cannot be found.`);
      delete record.InlinePolicies[policyName];
      save(ctx, name, record);
      return {};
    },
    [`List${prefix}Policies`](input: Input, ctx: RequestContext) {
      const names = Object.keys(getHolder(kind, ctx, nameOf(input)).InlinePolicies).sort();
      const { items, IsTruncated, Marker } = page(names, input.Marker as string | undefined, input.MaxItems as number | undefined);
      return { PolicyNames: items, IsTruncated, Marker };
    },
    [`Attach${prefix}Policy`](input: Input, ctx: RequestContext) {
      const name = nameOf(input);
      const record = getHolder(kind, ctx, name);
      const arn = input.PolicyArn as string;
      if (!policyExists(iam(ctx), arn)) throw new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
      if (record.AttachedPolicies.includes(arn)) return {};
      if (record.AttachedPolicies.length >= MAX_ATTACHED)
        throw new LimitExceeded(`Cannot exceed quota for ${kind.attachQuota}: ${MAX_ATTACHED}`);
      record.AttachedPolicies.push(arn);
      save(ctx, name, record);
      return {};
    },
    [`Detach${prefix}Policy`](input: Input, ctx: RequestContext) {
      const name = nameOf(input);
      const record = getHolder(kind, ctx, name);
      const arn = input.PolicyArn as string;
      if (!record.AttachedPolicies.includes(arn)) throw new NoSuchEntity(`Policy ${arn} was not found.`);
      record.AttachedPolicies = record.AttachedPolicies.filter((a) => a !== arn);
      save(ctx, name, record);
      return {};
    },
    [`ListAttached${prefix}Policies`](input: Input, ctx: RequestContext) {
      const record = getHolder(kind, ctx, nameOf(input));
      const prefixPath = (input.PathPrefix as string | undefined) ?? "/";
      const attached = record.AttachedPolicies.map((arn) => attachedPolicy(ctx, arn)).filter((p) =>
        policyPath(p.PolicyArn ?? "").startsWith(prefixPath),
      );
      const { items, IsTruncated, Marker } = page(attached, input.Marker as string | undefined, input.MaxItems as number | undefined);
      return { AttachedPolicies: items, IsTruncated, Marker };
    },
  };
}

function attachedPolicy(ctx: RequestContext, arn: string): AttachedPolicy {
  const name = AWS_MANAGED_POLICIES.get(arn)?.PolicyName ?? iam(ctx).policies.get(arn)?.PolicyName ?? arn.split("/").pop();
  return { PolicyName: name, PolicyArn: arn };
}

/** The path part of a policy ARN: arn:aws:iam::123:policy/path/Name → /path/. */
export function policyPath(arn: string): string {
  const resource = arn.split(":").slice(5).join(":");
  const parts = resource.split("/");
  return `/${parts
    .slice(1, -1)
    .map((p) => `${p}/`)
    .join("")}`;
}
