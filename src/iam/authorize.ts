import type { Principal } from "../services/types.js";
import type { StateBackend } from "../state/store.js";
import type { ConditionContext } from "./conditions.js";
import { type DecidingPolicy, type EvaluationResult, evaluate } from "./engine.js";
import { evaluationPrincipal, policiesForPrincipal } from "./identity.js";
import { type Policy, parsePolicy } from "./policy.js";
import { stsSessions } from "./records.js";

/** One request as enforcement will see it: the action, its resource and the request's condition keys. */
export interface AuthorizationQuery {
  action: string;
  resource: string;
  context?: ConditionContext;
  /** The resource's own policy (bucket policy, queue policy, key policy…), if it has one. */
  resourcePolicy?: Policy;
  resourceAccount?: string;
}

export interface Authorization extends EvaluationResult {
  /** AWS's AccessDenied message for a denial. */
  message?: string;
}

/**
 * Evaluates a request of a caller against everything that applies to it in IAM state: its identity
 * policies (a user's with its groups', a session's role's), permissions boundary, session policies, and
 * the resource's policy. The building block of --enforce-iam.
 */
export function authorize(state: StateBackend, principal: Principal, query: AuthorizationQuery): Authorization {
  const identity = policiesForPrincipal(state, principal);
  const session = principal.accessKeyId ? stsSessions(state, principal.account).get(principal.accessKeyId) : undefined;
  const result = evaluate(
    { principal: evaluationPrincipal(principal, state), action: query.action, resource: query.resource, context: query.context },
    {
      identity: identity.identity.map((p) => p.policy),
      boundary: identity.boundary?.map((p) => p.policy),
      session: session?.sessionPolicies?.map((d) => parsePolicy(d, "session")),
      resource: query.resourcePolicy ? [query.resourcePolicy] : undefined,
      resourceAccount: query.resourceAccount,
    },
  );
  if (result.decision === "allowed") return result;
  return { ...result, message: deniedMessage(principal, query, result) };
}

const POLICY_NAMES: Record<DecidingPolicy, string> = {
  identity: "identity-based policy",
  resource: "resource-based policy",
  boundary: "permissions boundary",
  session: "session policy",
  scp: "service control policy",
};

/** "User: arn is not authorized to perform: s3:GetObject on resource: arn because no identity-based policy allows the s3:GetObject action" */
export function deniedMessage(principal: Principal, query: AuthorizationQuery, result: EvaluationResult): string {
  const head = `User: ${principal.arn} is not authorized to perform: ${query.action} on resource: ${query.resource}`;
  const policy = POLICY_NAMES[result.decidedBy ?? "identity"];
  if (result.decision === "explicitDeny") return `${head} with an explicit deny in a${/^[aeiou]/.test(policy) ? "n" : ""} ${policy}`;
  return `${head} because no ${policy} allows the ${query.action} action`;
}
