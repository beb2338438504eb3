import type { AuthorizationRequest, Authorizer } from "../auth/authorizer.js";
import type { LoadedService, ServiceHost } from "../gateway/service-host.js";
import { AwsError } from "../protocol/errors.js";
import type { Principal, RequestContext } from "../services/types.js";
import type { StateBackend } from "../state/store.js";
import { deniedMessage } from "./authorize.js";
import type { ConditionContext } from "./conditions.js";
import { type ActionCheck, type OperationAuthorization, requestTags } from "./declarations.js";
import { type EvaluationResult, evaluate, type PolicySet, readsContext } from "./engine.js";
import { evaluationPrincipal } from "./identity.js";
import { type CallerPolicies, PolicyCache } from "./policy-cache.js";
import type { Policy } from "./policy.js";

/** "deny" enforces; "log" allows everything but reports each request that would have been denied. */
export type EnforcementMode = "deny" | "log";

/**
 * Service-to-service deliveries that AWS authorizes with the target's resource policy and the calling
 * service's principal (aws:SourceArn / aws:SourceAccount set): a same-account call without a policy that
 * allows the service is denied, as in AWS (an SNS topic cannot fan out to a queue whose policy does not
 * allow sns.amazonaws.com). Every other cross-service call is made in AWS with the original caller's
 * credentials (forward access sessions: Lambda fetching code from S3, Secrets Manager and SSM using KMS,
 * SSM reading Secrets Manager, SQS encrypting with KMS) or with a role the service assumes (Lambda
 * writing its logs, polling queues and streams, sending to destinations); those calls carry neither
 * here, so they are allowed.
 */
const RESOURCE_POLICY_INTEGRATIONS = new Set([
  "sns→sqs:SendMessage",
  "sns→lambda:Invoke",
  "s3→sqs:SendMessage",
  "s3→sns:Publish",
  "s3→lambda:Invoke",
  "events→lambda:Invoke",
  "events→sqs:SendMessage",
  "events→sns:Publish",
  "logs→lambda:Invoke",
  "secretsmanager→lambda:Invoke", // rotation functions must allow secretsmanager.amazonaws.com
]);

/**
 * --enforce-iam: authorizes every request with the operation's declaration (src/services/<id>/authorization.ts)
 * and AWS's evaluation logic, before the handler runs.
 */
export class IamEnforcer implements Authorizer {
  private readonly cache = new PolicyCache();

  constructor(
    private readonly services: ServiceHost,
    private readonly state: StateBackend,
    private readonly mode: EnforcementMode = "deny",
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {}

  /** Synchronous once the target service is loaded: most requests pay no promise. */
  authorize(request: AuthorizationRequest): void | Promise<void> {
    const loaded = this.services.ready(request.service);
    if (!loaded) return this.services.load(request.service).then(() => this.authorize(request));
    let denial: Denial | undefined;
    try {
      denial = this.check(loaded, request);
    } catch (err) {
      denial = unevaluable(request, err);
    }
    if (!denial) return;
    if (this.mode === "deny") throw denial.error;
    this.log(`[overcast] IAM would deny ${denial.action} on ${denial.resource} to ${request.principal.arn} (${denial.error.message})`);
  }

  /** The first denial of the request, or undefined when every action on every resource is allowed. */
  private check(loaded: LoadedService, request: AuthorizationRequest): Denial | undefined {
    const declaration = loaded.definition.authorization?.[request.operation];
    if (!declaration) return undeclared(request);
    if (declaration.exempt) return undefined;
    const { principal, input } = request;
    if (principal.type === "service" && !RESOURCE_POLICY_INTEGRATIONS.has(integrationOf(request))) return undefined;
    const ctx = declarationContext(loaded, request);
    const action = declaration.actionFor?.(input) ?? declaration.action;
    const checks: ActionCheck[] = [{ action, resources: declaration.resources?.(input, ctx) ?? ["*"] }];
    checks.push(...(declaration.also?.(input, ctx) ?? []));
    const document = declaration.resourcePolicy?.(input, ctx);
    const target: Target = {
      policy: document === undefined ? undefined : this.cache.get(document, "resource"),
      owner: declaration.resourceAccount?.(input, ctx) ?? request.account,
    };
    const ownResources = checks.every((c) => c.resources.every((r) => accountOfResource(r, target) === principal.account));
    if (principal.type === "root" && !target.policy && ownResources) return undefined; // the root needs no policy in its own account
    return this.firstDenial(request, declaration, ctx, checks, target);
  }

  private firstDenial(
    request: AuthorizationRequest,
    declaration: OperationAuthorization,
    ctx: RequestContext,
    checks: ActionCheck[],
    target: Target,
  ): Denial | undefined {
    const { principal } = request;
    const governed = principal.type === "user" || principal.type === "assumed-role" || principal.type === "federated";
    const caller = governed ? this.cache.callerPolicies(this.state, principal) : undefined;
    const policies: PolicySet = {
      identity: caller?.identity,
      boundary: caller?.boundary,
      session: caller?.session,
      resource: target.policy ? [target.policy] : undefined,
    };
    const contextFree = !readsContext(policies);
    const context = contextFree ? {} : this.conditionContext(request, declaration, ctx, caller);
    // Without conditions, the same caller, policies, action and resource always get the same answer.
    const allowed = caller && contextFree ? this.cache.allowedFor(caller, target.policy) : undefined;
    const evalPrincipal = evaluationPrincipal(principal, this.state);
    for (const { action, resources } of checks) {
      for (const resource of resources) {
        const resourceAccount = accountOfResource(resource, target);
        const decisionKey = `${action} ${resource} ${resourceAccount} ${declaration.resourcePolicyRequired === true}`;
        if (allowed?.has(decisionKey)) continue;
        const result = evaluate({ principal: evalPrincipal, action, resource, context }, { ...policies, resourceAccount });
        const decided = declaration.resourcePolicyRequired ? requireResourceAllow(result, target.policy) : result;
        if (decided.decision === "allowed") {
          allowed?.add(decisionKey);
          continue;
        }
        const crossAccount = resourceAccount !== principal.account;
        return { action, resource, error: denialError(request.service, principal, action, resource, decided, crossAccount) };
      }
    }
    return undefined;
  }

  private conditionContext(
    request: AuthorizationRequest,
    declaration: OperationAuthorization,
    ctx: RequestContext,
    caller: CallerPolicies | undefined,
  ): ConditionContext {
    const now = ctx.runtime.now();
    const origin = request.origin;
    const context: ConditionContext = {
      "aws:currenttime": new Date(now).toISOString(),
      "aws:epochtime": String(Math.floor(now / 1000)),
      "aws:requestedregion": request.region,
      "aws:viaawsservice": String(request.principal.type === "service"),
    };
    if (origin) {
      context["aws:securetransport"] = String(origin.secure);
      if (origin.sourceIp) context["aws:sourceip"] = origin.sourceIp.replace(/^::ffff:/, "");
    }
    if (request.principal.type === "service") {
      context["aws:sourcearn"] = request.sourceArn;
      context["aws:sourceaccount"] = request.account;
      context["aws:calledvia"] = [request.principal.arn];
    }
    for (const tag of caller?.tags ?? []) context[`aws:principaltag/${tag.Key.toLowerCase()}`] = tag.Value;
    const session = caller?.sessionRecord as (CallerPolicies["sessionRecord"] & { mfaAuthenticatedAt?: number }) | undefined;
    if (session) {
      // Temporary credentials say whether MFA was used; long-term keys carry no MFA keys at all.
      context["aws:multifactorauthpresent"] = String(session.mfaAuthenticatedAt !== undefined);
      if (session.mfaAuthenticatedAt !== undefined) {
        context["aws:multifactorauthage"] = String(Math.floor((now - session.mfaAuthenticatedAt) / 1000));
      }
    }
    const tags = requestTags(request.input);
    if (tags) {
      context["aws:tagkeys"] = Object.keys(tags);
      for (const [k, v] of Object.entries(tags)) context[`aws:requesttag/${k.toLowerCase()}`] = v;
    }
    const removedKeys = request.input.TagKeys ?? request.input.tagKeys;
    if (Array.isArray(removedKeys)) context["aws:tagkeys"] = removedKeys.map(String);
    for (const [k, v] of Object.entries(declaration.resourceTags?.(request.input, ctx) ?? {})) {
      context[`aws:resourcetag/${k.toLowerCase()}`] = v;
    }
    for (const [k, v] of Object.entries(declaration.context?.(request.input, ctx) ?? {})) context[k.toLowerCase()] = v;
    return context;
  }
}

/** The resource's policy and owning account, as the declaration reports them. */
interface Target {
  policy?: Policy;
  owner: string;
}

/** The target service's request context for the request's account and region, for declarations to read state with. */
function declarationContext(loaded: LoadedService, request: AuthorizationRequest): RequestContext {
  return {
    requestId: "",
    service: request.service,
    operation: request.operation,
    account: request.account,
    region: request.region,
    principal: request.principal,
    store: loaded.runtime.storeFor(request.account, request.region),
    origin: request.origin ?? { baseUrl: "", host: "", secure: true, headers: {} },
    runtime: loaded.runtime,
  };
}

/** The account an ARN names (field 5), else the declared owner (S3 buckets' ARNs name none). */
function accountOfResource(arn: string, target: Target): string {
  // arn:partition:service:region:account:resource, read without splitting (this runs for every resource checked).
  let colon = -1;
  for (let field = 0; field < 4; field++) {
    colon = arn.indexOf(":", colon + 1);
    if (colon < 0) return target.owner;
  }
  const end = arn.indexOf(":", colon + 1);
  const account = end < 0 ? "" : arn.slice(colon + 1, end);
  return ACCOUNT_ID.test(account) ? account : target.owner;
}

const ACCOUNT_ID = /^\d{12}$/;

interface Denial {
  action: string;
  resource: string;
  error: AwsError;
}

function integrationOf(request: AuthorizationRequest): string {
  const caller = (request.principal.servicePrincipal ?? "").replace(/\.amazonaws\.com$/, "");
  return `${caller}→${request.service}:${request.operation}`;
}

/** KMS: without an allow in the key policy nothing is allowed, whatever IAM policies say. */
function requireResourceAllow(result: EvaluationResult, resourcePolicy: Policy | undefined): EvaluationResult {
  if (result.decision !== "allowed" || !resourcePolicy) return result;
  if (result.matched.some((m) => m.type === "resource" && m.statement.Effect === "Allow")) return result;
  return { decision: "implicitDeny", decidedBy: "resource", matched: result.matched };
}

/** Operations without a declaration are denied: enforcement never lets an unknown action through. */
function undeclared(request: AuthorizationRequest): Denial {
  const action = `${request.service}:${request.operation}`;
  const message = `User: ${request.principal.arn} is not authorized to perform: ${action} because Overcast declares no IAM authorization for ${request.service}.${request.operation} yet`;
  return { action, resource: "*", error: errorFor(request.service, message) };
}

/** A declaration that fails on odd input is our bug: deny (never answer 500) and say so in the log. */
function unevaluable(request: AuthorizationRequest, err: unknown): Denial {
  if (err instanceof AwsError) throw err;
  console.error(`[overcast] could not authorize ${request.service}.${request.operation}:`, err);
  const action = `${request.service}:${request.operation}`;
  const message = `User: ${request.principal.arn} is not authorized to perform: ${action} because Overcast could not evaluate its authorization`;
  return { action, resource: "*", error: errorFor(request.service, message) };
}

/** AWS's message, in the spelling each service uses (S3 quotes the ARN, SQS lowercases the action…). */
function denialError(
  service: string,
  principal: Principal,
  action: string,
  resource: string,
  result: EvaluationResult,
  crossAccount: boolean,
): AwsError {
  // S3 explains denials only to callers of the bucket's own account.
  if (service === "s3" && (crossAccount || principal.type === "anonymous")) return errorFor(service, "Access Denied");
  const shown = service === "sqs" ? action.toLowerCase() : service === "sns" ? action.replace(/^sns:/, "SNS:") : action;
  let message = deniedMessage(principal, { action: shown, resource }, result);
  if (resource === "*") message = message.replace(" on resource: *", "");
  else if (service === "s3") message = message.replace(`on resource: ${resource}`, `on resource: "${resource}"`);
  if (service === "ec2") message = `You are not authorized to perform this operation. ${message}`;
  return errorFor(service, message);
}

/** Each protocol's access-denied error: code, HTTP status and query code as the service documents them. */
function errorFor(service: string, message: string): AwsError {
  switch (service) {
    case "s3":
    case "sts":
    case "iam":
    case "sqs":
      return new AwsError("AccessDenied", message, { status: 403, queryCode: "AccessDenied" });
    case "sns":
      return new AwsError("AuthorizationErrorException", message, { status: 403, queryCode: "AuthorizationError" });
    case "ec2":
      return new AwsError("UnauthorizedOperation", message, { status: 403, queryCode: "UnauthorizedOperation" });
    case "lambda":
      return new AwsError("AccessDeniedException", message, { status: 403 });
    default:
      // DynamoDB, CloudWatch Logs, KMS, Secrets Manager and SSM answer AccessDeniedException with 400.
      return new AwsError("AccessDeniedException", message, { status: 400, queryCode: "AccessDeniedException" });
  }
}
