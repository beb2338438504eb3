import type * as Iam from "@aws-sdk/client-iam";
import type { ConditionContext } from "../../iam/conditions.js";
import { type EvaluationPrincipal, evaluate } from "../../iam/engine.js";
import { groupPolicies, type IdentityPolicies, rolePolicies, type SourcedPolicy, userPolicies } from "../../iam/identity.js";
import { type PolicyKind, parsePolicy } from "../../iam/policy.js";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { iam, InvalidInput, NoSuchEntity } from "./common.js";

/** Simulation reports malformed input documents as invalid input rather than MalformedPolicyDocument. */
function inputPolicies(documents: string[] | undefined, label: string, kind: PolicyKind): SourcedPolicy[] {
  return (documents ?? []).map((document, i) => {
    try {
      return { id: `${label}.${i + 1}`, type: "none" as const, document, policy: parsePolicy(document, kind) };
    } catch (err) {
      if (err instanceof AwsError) throw new InvalidInput(err.message);
      throw err;
    }
  });
}

function contextOf(entries: Iam.ContextEntry[] | undefined): ConditionContext {
  const context: ConditionContext = {};
  for (const entry of entries ?? []) {
    const values = entry.ContextKeyValues ?? [];
    const multi = (entry.ContextKeyType ?? "").endsWith("List");
    context[(entry.ContextKeyName ?? "").toLowerCase()] = multi ? values : values[0];
  }
  return context;
}

interface Simulation {
  principal: EvaluationPrincipal;
  identity: SourcedPolicy[];
  boundary?: SourcedPolicy[];
  resourcePolicy?: SourcedPolicy;
  resourceOwner?: string;
  actions: string[];
  resources: string[];
  context: ConditionContext;
}

function simulate(sim: Simulation): Iam.SimulatePolicyResponse {
  const results: Iam.EvaluationResult[] = [];
  for (const action of sim.actions) {
    for (const resource of sim.resources) {
      const result = evaluate(
        { principal: sim.principal, action, resource, context: sim.context },
        {
          identity: sim.identity.map((p) => p.policy),
          resource: sim.resourcePolicy ? [sim.resourcePolicy.policy] : undefined,
          boundary: sim.boundary?.map((p) => p.policy),
          resourceAccount: sim.resourceOwner?.split(":")[4] || undefined,
        },
      );
      const sourceOf = (type: string, index: number) =>
        type === "resource" ? sim.resourcePolicy : type === "boundary" ? sim.boundary?.[index] : sim.identity[index];
      results.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: result.decision,
        MatchedStatements: result.matched.map((m) => {
          const source = sourceOf(m.type, m.index);
          return { SourcePolicyId: source?.id, SourcePolicyType: source?.type };
        }),
        MissingContextValues: [],
        PermissionsBoundaryDecisionDetail: sim.boundary ? { AllowedByPermissionsBoundary: result.decidedBy !== "boundary" } : undefined,
      });
    }
  }
  return { EvaluationResults: results, IsTruncated: false };
}

/** A user, group or role ARN of this account → the policies IAM would evaluate for it. */
function sourcePolicies(ctx: RequestContext, arn: string): { policies: IdentityPolicies; principal: EvaluationPrincipal } {
  const match = /^arn:aws:iam::(\d{12}):(user|group|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!match) throw new InvalidInput(`Invalid ARN: ${arn}`);
  const [, account, kind, name] = match;
  const store = iam(ctx);
  const policies = kind === "user" ? userPolicies(store, name) : kind === "role" ? rolePolicies(store, name) : groupPolicies(store, name);
  if (!policies) throw new NoSuchEntity(`The ${kind} with name ${name} cannot be found.`);
  const record = kind === "user" ? store.users.get(name) : kind === "role" ? store.roles.get(name) : undefined;
  const userId = record && "UserId" in record ? record.UserId : record && "RoleId" in record ? record.RoleId : undefined;
  const type = kind === "role" ? "assumed-role" : "user";
  const principalArn = kind === "role" ? `arn:aws:sts::${account}:assumed-role/${name}/simulation` : arn;
  return { policies, principal: { type, arn: principalArn, account, userId, roleArn: kind === "role" ? arn : undefined } };
}

export function simulatePrincipalPolicy(input: Iam.SimulatePrincipalPolicyRequest, ctx: RequestContext): Iam.SimulatePolicyResponse {
  const { policies, principal } = sourcePolicies(ctx, input.PolicySourceArn as string);
  const callerArn = input.CallerArn;
  return simulate({
    principal: callerArn ? { ...principal, arn: callerArn } : principal,
    identity: [...policies.identity, ...inputPolicies(input.PolicyInputList, "PolicyInputList", "identity")],
    boundary: input.PermissionsBoundaryPolicyInputList?.length
      ? inputPolicies(input.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList", "identity")
      : policies.boundary,
    resourcePolicy: resourcePolicyOf(input.ResourcePolicy),
    resourceOwner: input.ResourceOwner,
    actions: input.ActionNames ?? [],
    resources: input.ResourceArns?.length ? input.ResourceArns : ["*"],
    context: contextOf(input.ContextEntries),
  });
}

export function simulateCustomPolicy(input: Iam.SimulateCustomPolicyRequest, ctx: RequestContext): Iam.SimulatePolicyResponse {
  const callerArn = input.CallerArn ?? `arn:aws:iam::${ctx.account}:user/simulated`;
  const account = callerArn.split(":")[4] || ctx.account;
  return simulate({
    principal: { type: callerArn.endsWith(":root") ? "root" : "user", arn: callerArn, account },
    identity: inputPolicies(input.PolicyInputList, "PolicyInputList", "identity"),
    boundary: input.PermissionsBoundaryPolicyInputList?.length
      ? inputPolicies(input.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList", "identity")
      : undefined,
    resourcePolicy: resourcePolicyOf(input.ResourcePolicy),
    resourceOwner: input.ResourceOwner,
    actions: input.ActionNames ?? [],
    resources: input.ResourceArns?.length ? input.ResourceArns : ["*"],
    context: contextOf(input.ContextEntries),
  });
}

function resourcePolicyOf(document: string | undefined): SourcedPolicy | undefined {
  if (document === undefined) return undefined;
  const [policy] = inputPolicies([document], "ResourcePolicy", "resource");
  return { ...policy, id: "ResourcePolicy", type: "resource" };
}
