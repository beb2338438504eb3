import type * as Sts from "@aws-sdk/client-sts";
import { checkConstraints } from "../../iam/constraints.js";
import { evaluate } from "../../iam/engine.js";
import { evaluationPrincipal, managedPolicy, policiesForPrincipal } from "../../iam/identity.js";
import { secretKey, sessionToken, uniqueId } from "../../iam/ids.js";
import { verifyDeviceCode } from "../../iam/totp.js";
import { parsePolicy, policySize } from "../../iam/policy.js";
import { iamState, type SessionRecord, stsSessions } from "../../iam/records.js";
import { AwsError } from "../../protocol/errors.js";
import type { Principal, RequestContext } from "../types.js";
import { AccessDenied, PackedPolicyTooLarge, ValidationError } from "./errors.js";

/** Session policies share one packed budget; AWS reports how much of it they use. */
const PACKED_POLICY_BUDGET = 2048;
const ROLE_CHAINING_LIMIT = 3600;

function notAuthorized(principal: Principal, action: string, resource: string): AwsError {
  return new AccessDenied(`User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`);
}

export function credentialsFor(ctx: RequestContext, seconds: number) {
  return {
    AccessKeyId: uniqueId("ASIA", 16),
    SecretAccessKey: secretKey(),
    SessionToken: sessionToken(),
    Expiration: ctx.runtime.now() + seconds * 1000,
  };
}

/** Inline and managed session policies: validated, and packed within STS's budget. */
export function sessionPolicies(
  ctx: RequestContext,
  input: Pick<Sts.AssumeRoleRequest, "Policy" | "PolicyArns">,
): { documents: string[]; packedSize?: number } {
  const documents: string[] = [];
  if (input.Policy !== undefined) {
    try {
      parsePolicy(input.Policy, "session");
    } catch (err) {
      if (err instanceof AwsError) throw new AwsError("MalformedPolicyDocumentException", err.message, { status: 400 });
      throw err;
    }
    documents.push(input.Policy);
  }
  for (const { arn } of input.PolicyArns ?? []) {
    const account = arn?.split(":")[4];
    const policy =
      arn && account !== undefined ? managedPolicy(iamState(ctx.runtime.state, account === "aws" ? ctx.account : account), arn) : undefined;
    if (!policy)
      throw new AwsError("MalformedPolicyDocumentException", `Policy ${arn} does not exist or is not attachable.`, { status: 400 });
    documents.push(policy.document);
  }
  if (!documents.length) return { documents };
  const used = documents.reduce((n, d) => n + policySize(d), 0) + (input.PolicyArns?.length ?? 0) * 64;
  const percent = Math.ceil((used / PACKED_POLICY_BUDGET) * 100);
  if (percent > 100) throw new PackedPolicyTooLarge(`Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
  return { documents, packedSize: percent };
}

/**
 * AssumeRole: the role's trust policy must allow the caller (principal, sts:ExternalId and other
 * conditions); for IAM callers their own identity policies must allow sts:AssumeRole too, as AWS
 * evaluates it. The account root's default credentials may assume any existing role unless IAM
 * enforcement is on (LocalStack's behaviour, which tooling relies on); with it, AWS's rule applies.
 */
export function assumeRole(input: Sts.AssumeRoleRequest, ctx: RequestContext): Sts.AssumeRoleResponse {
  checkConstraints(input, { DurationSeconds: { range: [900, 43200] }, ...MFA_RULES });
  const roleArn = input.RoleArn as string;
  const caller = ctx.principal;
  const match = /^arn:aws:iam::(\d{12}):role\/(?:[^/]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
  if (!match) throw new ValidationError(`${roleArn} is invalid`);
  const [, account, roleName] = match;
  const role = iamState(ctx.runtime.state, account).roles.get(roleName);
  if (!role || role.Arn !== roleArn) throw notAuthorized(caller, "sts:AssumeRole", roleArn);
  const duration = input.DurationSeconds ?? 3600;
  if (caller.type === "root" && ctx.runtime.options.enforceIam === true)
    throw new AccessDenied("Roles may not be assumed by root accounts.");
  const mfaAt = verifiedMfa(ctx, input);
  if (caller.type !== "root") checkTrust(ctx, input, roleArn, role.AssumeRolePolicyDocument, account, mfaAt);
  if (caller.type === "assumed-role" && duration > ROLE_CHAINING_LIMIT) {
    throw new ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  }
  if (duration > role.MaxSessionDuration)
    throw new ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  const { documents, packedSize } = sessionPolicies(ctx, input);
  const sessionName = input.RoleSessionName as string;
  const arn = `arn:aws:sts::${account}:assumed-role/${role.RoleName}/${sessionName}`;
  const userId = `${role.RoleId}:${sessionName}`;
  const credentials = credentialsFor(ctx, duration);
  const session: SessionRecord = {
    ...credentials,
    principal: { type: "assumed-role", account, arn, userId, accessKeyId: credentials.AccessKeyId },
    roleArn,
    sessionPolicies: documents.length ? documents : undefined,
    mfaAuthenticatedAt: mfaAt,
  };
  stsSessions(ctx.runtime.state, account).set(credentials.AccessKeyId, session);
  iamState(ctx.runtime.state, account).roles.set(role.RoleName, { ...role, LastUsed: { date: ctx.runtime.now(), region: ctx.region } });
  return {
    Credentials: { ...credentials, Expiration: new Date(credentials.Expiration) },
    AssumedRoleUser: { AssumedRoleId: userId, Arn: arn },
    PackedPolicySize: packedSize,
    SourceIdentity: input.SourceIdentity,
  };
}

function checkTrust(
  ctx: RequestContext,
  input: Sts.AssumeRoleRequest,
  roleArn: string,
  trustDocument: string,
  roleAccount: string,
  mfaAt: number | undefined,
): void {
  const caller = ctx.principal;
  const identity = policiesForPrincipal(ctx.runtime.state, caller);
  const context: Record<string, string | undefined> = {
    "sts:externalid": input.ExternalId,
    "sts:rolesessionname": input.RoleSessionName,
    "sts:sourceidentity": input.SourceIdentity,
    ...mfaContext(ctx, mfaAt),
    "aws:sourceip": ctx.origin.sourceIp,
    "aws:securetransport": String(ctx.origin.secure),
    "aws:currenttime": new Date(ctx.runtime.now()).toISOString(),
    "aws:epochtime": String(Math.floor(ctx.runtime.now() / 1000)),
    "aws:requestedregion": ctx.region,
  };
  const result = evaluate(
    { principal: evaluationPrincipal(caller, ctx.runtime.state), action: "sts:AssumeRole", resource: roleArn, context },
    {
      identity: identity.identity.map((p) => p.policy),
      boundary: identity.boundary?.map((p) => p.policy),
      resource: [parsePolicy(trustDocument, "trust")],
      resourceAccount: roleAccount,
    },
  );
  const trusted = result.matched.some((m) => m.type === "resource" && m.statement.Effect === "Allow");
  if (result.decision !== "allowed" || !trusted) throw notAuthorized(caller, "sts:AssumeRole", roleArn);
}

const MFA_RULES = {
  SerialNumber: { length: [9, 256] as [number, number], pattern: "[\\w+=/:,.@-]*" },
  TokenCode: { length: [6, 6] as [number, number], pattern: "[\\d]*" },
};

/**
 * SerialNumber + TokenCode: the caller's (an IAM user's) assigned virtual MFA device and a current code
 * of it. Returns when MFA was proven, for the session's aws:MultiFactorAuthPresent / aws:MultiFactorAuthAge.
 */
function verifiedMfa(ctx: RequestContext, input: { SerialNumber?: string; TokenCode?: string }): number | undefined {
  if (input.SerialNumber === undefined && input.TokenCode === undefined) return undefined;
  if (input.SerialNumber === undefined || input.TokenCode === undefined) {
    throw new AccessDenied("MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.");
  }
  const caller = ctx.principal;
  const now = ctx.runtime.now();
  const userName = caller.type === "user" ? caller.arn.split("/").pop() : undefined;
  const store = iamState(ctx.runtime.state, caller.account);
  if (userName === undefined || !verifyDeviceCode(store, userName, input.SerialNumber, input.TokenCode, now)) {
    throw new AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.");
  }
  return now;
}

/**
 * The MFA keys of a request: proven in this call, or carried by the session the caller signed with;
 * long-term credentials carry neither key, as AWS documents.
 */
function mfaContext(ctx: RequestContext, provenAt: number | undefined): Record<string, string | undefined> {
  const { principal } = ctx;
  const session = principal.accessKeyId?.startsWith("ASIA")
    ? stsSessions(ctx.runtime.state, principal.account).get(principal.accessKeyId)
    : undefined;
  const at = provenAt ?? session?.mfaAuthenticatedAt;
  if (at === undefined) return session ? { "aws:multifactorauthpresent": "false" } : {};
  return {
    "aws:multifactorauthpresent": "true",
    "aws:multifactorauthage": String(Math.floor((ctx.runtime.now() - at) / 1000)),
  };
}

/** Temporary credentials for the caller itself (users and root; sessions cannot make sessions). */
export function getSessionToken(input: Sts.GetSessionTokenRequest, ctx: RequestContext): Sts.GetSessionTokenResponse {
  checkConstraints(input, { DurationSeconds: { range: [900, 129600] }, ...MFA_RULES });
  const caller = ctx.principal;
  if (caller.type !== "user" && caller.type !== "root") throw new AccessDenied("Cannot call GetSessionToken with session credentials");
  const requested = input.DurationSeconds ?? 43200;
  // Root sessions are limited to one hour, as AWS documents; longer requests are shortened.
  const duration = caller.type === "root" ? Math.min(requested, 3600) : requested;
  const mfaAt = verifiedMfa(ctx, input);
  const credentials = credentialsFor(ctx, duration);
  const session: SessionRecord = {
    ...credentials,
    principal: { ...caller, accessKeyId: credentials.AccessKeyId },
    userName: caller.type === "user" ? caller.arn.split("/").pop() : undefined,
    mfaAuthenticatedAt: mfaAt,
  };
  stsSessions(ctx.runtime.state, caller.account).set(credentials.AccessKeyId, session);
  return { Credentials: { ...credentials, Expiration: new Date(credentials.Expiration) } };
}

/** The account a key belongs to: IAM keys and STS sessions we issued; any other key is the default account's. */
export function getAccessKeyInfo(input: Sts.GetAccessKeyInfoRequest, ctx: RequestContext): Sts.GetAccessKeyInfoResponse {
  const id = input.AccessKeyId as string;
  const { state } = ctx.runtime;
  for (const scope of state.scopes("iam")) if (iamState(state, scope.account).accessKeys.has(id)) return { Account: scope.account };
  for (const scope of state.scopes("sts")) if (stsSessions(state, scope.account).has(id)) return { Account: scope.account };
  return { Account: /^\d{12}$/.test(id) ? id : "000000000000" };
}
