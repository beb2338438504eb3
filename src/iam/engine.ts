import { arnMatch, type ConditionContext, conditionsHold, globMatch, LITERAL_QUESTION, LITERAL_STAR } from "./conditions.js";
import type { Policy, PrincipalSpec, Statement } from "./policy.js";

/** The caller as policies see it. */
export interface EvaluationPrincipal {
  type: "root" | "user" | "assumed-role" | "federated" | "service" | "anonymous";
  arn: string;
  account: string;
  /** AIDA…, AROA…:session, the account id for root. */
  userId?: string;
  /** For role sessions: the role's ARN, which resource and trust policies may name instead of the session's. */
  roleArn?: string;
  /** For service principals: e.g. "sqs.amazonaws.com". */
  servicePrincipal?: string;
  /** For web identity / SAML callers: the provider. */
  federatedProvider?: string;
}

export interface EvaluationRequest {
  principal: EvaluationPrincipal;
  action: string;
  resource: string;
  /** Condition keys (any case) → values; principal keys are derived from `principal` when absent. */
  context?: ConditionContext;
}

/** Everything that applies to one request, grouped the way AWS's evaluation logic combines them. */
export interface PolicySet {
  identity?: Policy[];
  resource?: Policy[];
  /** Present when the principal has a permissions boundary. */
  boundary?: Policy[];
  /** Present when the session was created with session policies. */
  session?: Policy[];
  /** Present when Organizations applies service control policies. */
  scps?: Policy[];
  /** The account owning the resource; defaults to the principal's. */
  resourceAccount?: string;
}

export type Decision = "allowed" | "explicitDeny" | "implicitDeny";

/** Which kind of policy decided, for AWS's "because …" explanations. */
export type DecidingPolicy = "identity" | "resource" | "boundary" | "session" | "scp";

export interface EvaluationResult {
  decision: Decision;
  /** For denials: the policy type whose deny (explicit) or missing allow (implicit) decided. */
  decidedBy?: DecidingPolicy;
  /** The statements that matched the request, with the policy type they came from. */
  matched: { type: DecidingPolicy; index: number; statement: Statement }[];
}

/**
 * AWS's documented evaluation: an explicit deny anywhere wins; SCPs, permissions boundaries and session
 * policies only limit; within one account an identity- or resource-based allow suffices, across accounts
 * both are needed. Grants a resource policy makes to the exact user or session ARN are not limited by
 * boundaries or session policies, as AWS documents.
 */
export function evaluate(request: EvaluationRequest, set: PolicySet): EvaluationResult {
  const context = readsContext(set) ? withPrincipalKeys(request) : {};
  const matched: EvaluationResult["matched"] = [];
  const kinds: [DecidingPolicy, Policy[] | undefined][] = [
    ["scp", set.scps],
    ["resource", set.resource],
    ["identity", set.identity],
    ["boundary", set.boundary],
    ["session", set.session],
  ];
  const results = new Map<DecidingPolicy, PolicyOutcome>();
  for (const [type, policies] of kinds) {
    if (!policies) continue;
    const outcome = evaluatePolicies(policies, type === "resource", request, context);
    for (const m of outcome.matched) matched.push({ type, ...m });
    results.set(type, outcome);
  }
  for (const [type] of kinds) {
    if (results.get(type)?.deny) return { decision: "explicitDeny", decidedBy: type, matched };
  }
  const denied = (decidedBy: DecidingPolicy): EvaluationResult => ({ decision: "implicitDeny", decidedBy, matched });
  if (set.scps && !results.get("scp")?.allow) return denied("scp");
  const resource = results.get("resource");
  const sameAccount = (set.resourceAccount ?? request.principal.account) === request.principal.account;
  const { type } = request.principal;
  if (type === "root" || type === "service" || type === "anonymous") {
    // Root is not governed by identity policies; services and anonymous callers only by resource policies.
    if (type === "root" && sameAccount) return { decision: "allowed", matched };
    return resource?.allow ? { decision: "allowed", matched } : denied("resource");
  }
  if (sameAccount && resource?.allowsExactPrincipal) return { decision: "allowed", matched };
  const identityAllows = results.get("identity")?.allow ?? false;
  // A grant to the whole account delegates to the account's identity policies; a grant to a role or to everyone does not.
  const grantedWithinAccount = identityAllows || (resource?.allowsBeyondAccount ?? false);
  if (sameAccount ? !grantedWithinAccount : !identityAllows) return denied("identity");
  if (!sameAccount && !resource?.allow) return denied("resource");
  if (set.boundary && !results.get("boundary")?.allow) return denied("boundary");
  if (set.session && !results.get("session")?.allow) return denied("session");
  return { decision: "allowed", matched };
}

/** Whether any policy of the set has a condition or a policy variable, and so needs the request context. */
export function readsContext(set: Pick<PolicySet, "identity" | "resource" | "boundary" | "session" | "scps">): boolean {
  for (const policies of [set.identity, set.resource, set.boundary, set.session, set.scps]) {
    if (policies?.some((p) => !p.contextFree)) return true;
  }
  return false;
}

interface PolicyOutcome {
  allow: boolean;
  deny: boolean;
  /** An allow that names the caller's own ARN (user or role session), not its role or account. */
  allowsExactPrincipal: boolean;
  /** An allow naming the caller's own ARN, its role or everyone (not merely its account). */
  allowsBeyondAccount: boolean;
  matched: { index: number; statement: Statement }[];
}

function evaluatePolicies(
  policies: Policy[],
  isResourcePolicy: boolean,
  request: EvaluationRequest,
  context: ConditionContext,
): PolicyOutcome {
  const outcome: PolicyOutcome = { allow: false, deny: false, allowsExactPrincipal: false, allowsBeyondAccount: false, matched: [] };
  policies.forEach((policy, index) => {
    const substitute = variableSubstituter(policy, context);
    for (const statement of policy.Statement) {
      const principalMatch = isResourcePolicy ? statementPrincipalMatch(statement, request.principal) : "exact";
      if (!principalMatch) continue;
      if (!statementMatches(statement, request, context, substitute)) continue;
      outcome.matched.push({ index, statement });
      if (statement.Effect === "Deny") outcome.deny = true;
      else {
        outcome.allow = true;
        if (principalMatch === "exact") outcome.allowsExactPrincipal = true;
        if (principalMatch !== "account") outcome.allowsBeyondAccount = true;
      }
    }
  });
  return outcome;
}

/** Action, Resource and Condition of one statement (principals are checked by the caller). */
export function statementMatches(
  statement: Statement,
  request: Pick<EvaluationRequest, "action" | "resource">,
  context: ConditionContext,
  substitute: (value: string) => string | undefined,
): boolean {
  if (!actionMatches(statement, request.action)) return false;
  if (!resourceMatches(statement, request.resource, substitute)) return false;
  return conditionsHold(statement.Condition, context, substitute);
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.Action) return statement.Action.some((p) => globMatch(p, action, true));
  if (statement.NotAction) return !statement.NotAction.some((p) => globMatch(p, action, true));
  return false;
}

function resourceMatches(statement: Statement, resource: string, substitute: (value: string) => string | undefined): boolean {
  const matchesAny = (patterns: string[]) =>
    patterns.some((p) => {
      const pattern = substitute(p);
      return pattern !== undefined && arnMatch(pattern, resource);
    });
  if (statement.Resource) return matchesAny(statement.Resource);
  if (statement.NotResource) return !matchesAny(statement.NotResource);
  return true; // trust and some resource policies have no Resource: the policy's own resource
}

/** How a statement names the caller: its own ARN, its role or everyone, its account, or not at all. */
export type PrincipalMatch = "exact" | "indirect" | "account" | false;

const MATCH_STRENGTH = { exact: 3, indirect: 2, account: 1 } as const;

/**
 * Whether a resource/trust statement applies to the caller: "exact" when it names the caller's own ARN or
 * unique id, "indirect" when it names the caller's role, account or everyone, false when it does not apply.
 */
export function statementPrincipalMatch(statement: Statement, principal: EvaluationPrincipal): PrincipalMatch {
  if (statement.Principal) return principalMatch(statement.Principal, principal);
  if (statement.NotPrincipal) return principalMatch(statement.NotPrincipal, principal) ? false : "indirect";
  return false;
}

function principalMatch(spec: PrincipalSpec, principal: EvaluationPrincipal): PrincipalMatch {
  if (spec === "*") return "indirect";
  let result: PrincipalMatch = false;
  const better = (m: PrincipalMatch) => {
    if (m && (!result || MATCH_STRENGTH[m] > MATCH_STRENGTH[result])) result = m;
  };
  for (const p of spec.AWS ?? []) better(awsPrincipalMatch(p, principal));
  for (const s of spec.Service ?? []) if (principal.servicePrincipal === s) better("exact");
  for (const f of spec.Federated ?? []) if (principal.federatedProvider === f) better("exact");
  return result;
}

function awsPrincipalMatch(p: string, principal: EvaluationPrincipal): PrincipalMatch {
  if (principal.type === "service") return false;
  if (p === "*") return "indirect";
  if (p === principal.arn) return "exact";
  if (/^\d{12}$/.test(p) || p === `arn:aws:iam::${principal.account}:root`) {
    const account = /^\d{12}$/.test(p) ? p : principal.account;
    if (principal.type === "anonymous" || account !== principal.account) return false;
    return principal.type === "root" ? "exact" : "account";
  }
  if (principal.roleArn && p === principal.roleArn) return "indirect";
  if (principal.userId && (p === principal.userId || p === principal.userId.split(":")[0])) return "exact";
  return false;
}

/** The global keys every request carries about its principal. */
function withPrincipalKeys(request: EvaluationRequest): ConditionContext {
  const { principal } = request;
  const context: ConditionContext = {};
  if (principal.type !== "anonymous" && principal.type !== "service") {
    context["aws:principalarn"] = principal.roleArn ?? principal.arn;
    context["aws:principalaccount"] = principal.account;
    context["aws:userid"] = principal.userId;
    context["aws:principaltype"] = PRINCIPAL_TYPES[principal.type];
    if (principal.type === "user") context["aws:username"] = principal.arn.split("/").pop();
  }
  if (principal.servicePrincipal) context["aws:principalservicename"] = principal.servicePrincipal;
  for (const [key, value] of Object.entries(request.context ?? {})) context[key.toLowerCase()] = value;
  return context;
}

const PRINCIPAL_TYPES: Record<string, string> = {
  root: "Account",
  user: "User",
  "assumed-role": "AssumedRole",
  federated: "FederatedUser",
};

/**
 * `${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`… in Resource and string conditions; only
 * in 2012-10-17 policies (earlier ones take the text literally). Undefined when a variable has no value.
 */
export function variableSubstituter(policy: Policy, context: ConditionContext): (value: string) => string | undefined {
  if (policy.Version !== "2012-10-17") return (value) => value;
  return (value) => {
    if (!value.includes("${")) return value;
    let missing = false;
    const result = value.replace(/\$\{([^}]*)\}/g, (_m, body: string) => {
      // ${*} and ${?} stand for the characters themselves, never wildcards: marked so that matching keeps them literal.
      const special: Record<string, string> = { "*": LITERAL_STAR, "?": LITERAL_QUESTION, $: "$" };
      if (special[body] !== undefined) return special[body];
      const [, key, fallback] = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(body) ?? [];
      const raw = key === undefined ? undefined : context[key.toLowerCase()];
      const resolved = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : raw;
      if (resolved !== undefined) return resolved;
      if (fallback !== undefined) return fallback;
      missing = true;
      return "";
    });
    return missing ? undefined : result;
  };
}
