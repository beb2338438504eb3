import { createHash } from "node:crypto";
import type * as Sts from "@aws-sdk/client-sts";
import { decodeAuthorizationMessage } from "../../iam/authorization-message.js";
import { checkConstraints } from "../../iam/constraints.js";
import { type EvaluationPrincipal, evaluate } from "../../iam/engine.js";
import { parsePolicy } from "../../iam/policy.js";
import { iamState, type RoleRecord, type SessionRecord, stsSessions } from "../../iam/records.js";
import { errorClass } from "../../protocol/errors.js";
import { childNamed, parseXml, type XmlElement } from "../../protocol/xml.js";
import type { RequestContext } from "../types.js";
import { AccessDenied, ValidationError } from "./errors.js";
import { credentialsFor, sessionPolicies } from "./sessions.js";

const InvalidIdentityToken = errorClass("InvalidIdentityTokenException");
const ExpiredToken = errorClass("ExpiredTokenException");

const FEDERATION_RULES = {
  RoleArn: { length: [20, 2048] as [number, number] },
  PrincipalArn: { length: [20, 2048] as [number, number] },
  RoleSessionName: { length: [2, 64] as [number, number], pattern: "[\\w+=,.@-]*" },
  WebIdentityToken: { length: [4, 20000] as [number, number] },
  SAMLAssertion: { length: [4, 100000] as [number, number] },
  DurationSeconds: { range: [900, 43200] as [number, number] },
};

/** Identity providers AWS trusts without an IAM OIDC provider: their name is the trust policy's Federated principal. */
const BUILT_IN_PROVIDERS = new Set(["accounts.google.com", "cognito-identity.amazonaws.com", "graph.facebook.com", "www.amazon.com"]);

function roleByArn(ctx: RequestContext, roleArn: string, action: string): { role: RoleRecord; account: string } {
  const match = /^arn:aws:iam::(\d{12}):role\/(?:[^/]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
  if (!match) throw new ValidationError(`${roleArn} is invalid`);
  const role = iamState(ctx.runtime.state, match[1]).roles.get(match[2]);
  if (!role || role.Arn !== roleArn) throw new AccessDenied(`Not authorized to perform ${action}`);
  return { role, account: match[1] };
}

/** The trust policy must allow the identity provider (Federated principal) with the token's claims as condition keys. */
function checkFederatedTrust(
  ctx: RequestContext,
  role: RoleRecord,
  account: string,
  provider: string,
  action: string,
  claims: Record<string, string | string[] | undefined>,
): void {
  const principal: EvaluationPrincipal = { type: "federated", arn: provider, account, federatedProvider: provider };
  const now = ctx.runtime.now();
  const context = {
    ...claims,
    "aws:federatedprovider": provider,
    "aws:currenttime": new Date(now).toISOString(),
    "aws:epochtime": String(Math.floor(now / 1000)),
    "aws:sourceip": ctx.origin.sourceIp,
    "aws:securetransport": String(ctx.origin.secure),
    "aws:requestedregion": ctx.region,
  };
  const result = evaluate(
    { principal, action, resource: role.Arn, context },
    { resource: [parsePolicy(role.AssumeRolePolicyDocument, "trust")], resourceAccount: account },
  );
  const trusted = result.matched.some((m) => m.type === "resource" && m.statement.Effect === "Allow");
  if (result.decision !== "allowed" || !trusted) throw new AccessDenied(`Not authorized to perform ${action}`);
}

/** Issues the role session shared by the web identity and SAML flows. */
function roleSession(
  ctx: RequestContext,
  role: RoleRecord,
  account: string,
  sessionName: string,
  duration: number,
  input: Pick<Sts.AssumeRoleRequest, "Policy" | "PolicyArns">,
  provider: string,
) {
  if (duration > role.MaxSessionDuration)
    throw new ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  const { documents, packedSize } = sessionPolicies(ctx, input);
  const arn = `arn:aws:sts::${account}:assumed-role/${role.RoleName}/${sessionName}`;
  const userId = `${role.RoleId}:${sessionName}`;
  const credentials = credentialsFor(ctx, duration);
  const session: SessionRecord = {
    ...credentials,
    principal: { type: "assumed-role", account, arn, userId, accessKeyId: credentials.AccessKeyId },
    roleArn: role.Arn,
    sessionPolicies: documents.length ? documents : undefined,
    federatedProvider: provider,
  };
  stsSessions(ctx.runtime.state, account).set(credentials.AccessKeyId, session);
  return {
    Credentials: { ...credentials, Expiration: new Date(credentials.Expiration) },
    AssumedRoleUser: { AssumedRoleId: userId, Arn: arn },
    PackedPolicySize: packedSize,
  };
}

function base64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * AssumeRoleWithWebIdentity with an OIDC ID token (a JWT). The token's structure, issuer (an IAM OIDC
 * provider of the role's account, or a provider AWS trusts natively), audience (a registered client id)
 * and expiry are checked as STS does. Its signature is NOT verified: that needs the issuer's JWKS,
 * fetched over the network, which a local emulator cannot rely on; any signature (or none) is accepted.
 */
export function assumeRoleWithWebIdentity(
  input: Sts.AssumeRoleWithWebIdentityRequest,
  ctx: RequestContext,
): Sts.AssumeRoleWithWebIdentityResponse {
  checkConstraints(input, FEDERATION_RULES);
  const action = "sts:AssumeRoleWithWebIdentity";
  const parts = (input.WebIdentityToken as string).split(".");
  const header = parts.length === 3 ? base64urlJson(parts[0]) : undefined;
  const claims = parts.length === 3 ? base64urlJson(parts[1]) : undefined;
  if (!header || !claims || typeof header.alg !== "string") {
    throw new InvalidIdentityToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)");
  }
  const { role, account } = roleByArn(ctx, input.RoleArn as string, action);
  const issuer = typeof claims.iss === "string" ? claims.iss : "";
  const host = issuer.replace(/^https:\/\//i, "").replace(/\/$/, "");
  const registered = iamState(ctx.runtime.state, account).oidcProviders.get(`arn:aws:iam::${account}:oidc-provider/${host}`);
  const builtIn = BUILT_IN_PROVIDERS.has(host);
  if (!registered && !builtIn) throw new InvalidIdentityToken(`No OpenIDConnect provider found in your account for ${issuer}`);
  const audiences = Array.isArray(claims.aud) ? claims.aud.map(String) : typeof claims.aud === "string" ? [claims.aud] : [];
  const audience = registered ? audiences.find((a) => registered.ClientIDList.includes(a)) : audiences[0];
  if (audience === undefined) throw new InvalidIdentityToken("Incorrect token audience");
  const nowSeconds = Math.floor(ctx.runtime.now() / 1000);
  if (typeof claims.exp !== "number") throw new InvalidIdentityToken("Missing a required claim: exp");
  if (claims.exp <= nowSeconds) {
    throw new ExpiredToken(`Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${claims.exp}`);
  }
  if (typeof claims.sub !== "string" || !claims.sub) throw new InvalidIdentityToken("Missing a required claim: sub");
  const provider = registered?.Arn ?? host;
  const claimKeys: Record<string, string | string[] | undefined> = {
    [`${host}:sub`]: claims.sub,
    [`${host}:aud`]: audience,
    [`${host}:oaud`]: audiences,
    [`${host}:amr`]: Array.isArray(claims.amr) ? claims.amr.map(String) : undefined,
    "sts:rolesessionname": input.RoleSessionName,
  };
  checkFederatedTrust(ctx, role, account, provider, action, lowerKeys(claimKeys));
  const session = roleSession(ctx, role, account, input.RoleSessionName as string, input.DurationSeconds ?? 3600, input, provider);
  return { ...session, SubjectFromWebIdentityToken: claims.sub, Audience: audience, Provider: host };
}

function lowerKeys(map: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));
}

const SAML_ROLE = "https://aws.amazon.com/SAML/Attributes/Role";
const SAML_SESSION_NAME = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const SAML_DURATION = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
const NAMEID_FORMATS: Record<string, string> = {
  "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
  "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "transient",
};

/** Everything of a SAML Response that STS reads. */
interface SamlAssertion {
  issuer: string;
  subject: string;
  subjectType: string;
  recipient: string;
  notOnOrAfter: number[];
  attributes: Map<string, string[]>;
}

const invalidSaml = () => new InvalidIdentityToken("Invalid SAML response: the assertion could not be parsed.");

function descendant(element: XmlElement, ...path: string[]): XmlElement | undefined {
  let current: XmlElement | undefined = element;
  for (const name of path) current = current ? childNamed(current, name) : undefined;
  return current;
}

function parseSamlResponse(base64: string): SamlAssertion {
  let root: XmlElement;
  try {
    root = parseXml(Buffer.from(base64, "base64").toString("utf8"));
  } catch {
    throw invalidSaml();
  }
  const assertion = root.name === "Response" ? childNamed(root, "Assertion") : undefined;
  if (!assertion) throw invalidSaml();
  const nameId = descendant(assertion, "Subject", "NameID");
  const confirmation = descendant(assertion, "Subject", "SubjectConfirmation", "SubjectConfirmationData");
  const conditions = childNamed(assertion, "Conditions");
  const attributes = new Map<string, string[]>();
  for (const statement of assertion.children.filter((c) => c.name === "AttributeStatement")) {
    for (const attribute of statement.children.filter((c) => c.name === "Attribute")) {
      const values = attribute.children.filter((c) => c.name === "AttributeValue").map((v) => v.text.trim());
      attributes.set(attribute.attributes.Name, [...(attributes.get(attribute.attributes.Name) ?? []), ...values]);
    }
  }
  const issuer = (childNamed(assertion, "Issuer") ?? childNamed(root, "Issuer"))?.text.trim();
  if (!issuer || !nameId) throw invalidSaml();
  const format = nameId.attributes.Format ?? "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
  const limits = [conditions?.attributes.NotOnOrAfter, confirmation?.attributes.NotOnOrAfter].filter((t) => t !== undefined);
  return {
    issuer,
    subject: nameId.text.trim(),
    subjectType: NAMEID_FORMATS[format] ?? format,
    recipient:
      confirmation?.attributes.Recipient ?? descendant(conditions ?? assertion, "AudienceRestriction", "Audience")?.text.trim() ?? "",
    notOnOrAfter: limits.map((t) => Date.parse(t)),
    attributes,
  };
}

/**
 * AssumeRoleWithSAML with a base64 SAML 2.0 Response: the assertion's Role attribute must pair the role
 * with the SAML provider, and its validity window must not have passed. The XML signature is NOT
 * verified (the provider's metadata certificate is stored but unused): any well-formed assertion is accepted.
 */
export function assumeRoleWithSAML(input: Sts.AssumeRoleWithSAMLRequest, ctx: RequestContext): Sts.AssumeRoleWithSAMLResponse {
  checkConstraints(input, FEDERATION_RULES);
  const action = "sts:AssumeRoleWithSAML";
  const saml = parseSamlResponse(input.SAMLAssertion as string);
  const now = ctx.runtime.now();
  if (saml.notOnOrAfter.some((t) => Number.isNaN(t))) throw invalidSaml();
  if (saml.notOnOrAfter.some((t) => t <= now)) throw new ExpiredToken("Token must be redeemed within 5 minutes of issuance");
  const { role, account } = roleByArn(ctx, input.RoleArn as string, action);
  const providerArn = input.PrincipalArn as string;
  const provider = iamState(ctx.runtime.state, account).samlProviders.get(providerArn);
  if (!provider) throw new InvalidIdentityToken(`SAML provider ${providerArn} does not exist in account ${account}.`);
  const pairs = (saml.attributes.get(SAML_ROLE) ?? []).map((v) => new Set(v.split(",").map((s) => s.trim())));
  if (!pairs.some((pair) => pair.has(role.Arn) && pair.has(providerArn))) throw new AccessDenied(`Not authorized to perform ${action}`);
  const sessionName = saml.attributes.get(SAML_SESSION_NAME)?.[0];
  if (!sessionName || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw new InvalidIdentityToken("The SAML assertion must contain a valid RoleSessionName attribute.");
  }
  const nameQualifier = createHash("sha1").update(`${saml.issuer}${account}/${provider.Name}`).digest("base64");
  checkFederatedTrust(
    ctx,
    role,
    account,
    providerArn,
    action,
    lowerKeys({
      "SAML:aud": saml.recipient,
      "SAML:iss": saml.issuer,
      "SAML:sub": saml.subject,
      "SAML:sub_type": saml.subjectType,
      "SAML:namequalifier": nameQualifier,
    }),
  );
  const attributeDuration = Number(saml.attributes.get(SAML_DURATION)?.[0]);
  const duration =
    input.DurationSeconds ?? (Number.isInteger(attributeDuration) ? Math.min(attributeDuration, role.MaxSessionDuration) : 3600);
  const session = roleSession(ctx, role, account, sessionName, duration, input, providerArn);
  return {
    ...session,
    Subject: saml.subject,
    SubjectType: saml.subjectType,
    Issuer: saml.issuer,
    Audience: saml.recipient,
    NameQualifier: nameQualifier,
  };
}

/**
 * GetFederationToken: a federated user session for an IAM user's (or the root's) proxy. Its permissions
 * are the intersection of the caller's identity policies and the session policies passed here; without
 * session policies it has none, as AWS documents.
 */
export function getFederationToken(input: Sts.GetFederationTokenRequest, ctx: RequestContext): Sts.GetFederationTokenResponse {
  checkConstraints(input, { Name: { length: [2, 32], pattern: "[\\w+=,.@-]*" }, DurationSeconds: { range: [900, 129600] } });
  const caller = ctx.principal;
  if (caller.type !== "user" && caller.type !== "root") throw new AccessDenied("Cannot call GetFederationToken with session credentials");
  const requested = input.DurationSeconds ?? 43200;
  // Root's federated sessions are limited to one hour, as AWS documents.
  const duration = caller.type === "root" ? Math.min(requested, 3600) : requested;
  const { documents, packedSize } = sessionPolicies(ctx, input);
  const name = input.Name as string;
  const arn = `arn:aws:sts::${caller.account}:federated-user/${name}`;
  const userId = `${caller.account}:${name}`;
  const credentials = credentialsFor(ctx, duration);
  const session: SessionRecord = {
    ...credentials,
    principal: { type: "federated", account: caller.account, arn, userId, accessKeyId: credentials.AccessKeyId },
    userName: caller.type === "user" ? caller.arn.split("/").pop() : undefined,
    sessionPolicies: documents,
  };
  stsSessions(ctx.runtime.state, caller.account).set(credentials.AccessKeyId, session);
  return {
    Credentials: { ...credentials, Expiration: new Date(credentials.Expiration) },
    FederatedUser: { FederatedUserId: userId, Arn: arn },
    PackedPolicySize: packedSize,
  };
}

const InvalidAuthorizationMessage = errorClass("InvalidAuthorizationMessageException");

/** Decodes the encoded failure messages of our denials (src/iam/authorization-message.ts) for the denied account. */
export function decodeAuthorizationMessageRequest(
  input: Sts.DecodeAuthorizationMessageRequest,
  ctx: RequestContext,
): Sts.DecodeAuthorizationMessageResponse {
  checkConstraints(input, { EncodedMessage: { length: [1, 10240] } });
  const decoded = decodeAuthorizationMessage(ctx.runtime.state, ctx.principal.account, input.EncodedMessage as string);
  if (decoded === undefined) throw new InvalidAuthorizationMessage("The message is not a valid encoded authorization message.");
  return { DecodedMessage: decoded };
}
