import type { Decision, EvaluationPrincipal, PolicySet } from "../../src/iam/engine.js";
import type { Policy } from "../../src/iam/policy.js";
import {
  ACCOUNT,
  alice,
  allow,
  anonymous,
  bob,
  type Case,
  deny,
  doc,
  identity,
  OTHER,
  otherRoot,
  resource,
  root,
  roleSession,
  runTable,
  snsService,
  type Statement,
} from "./engine-cases-support.js";

/**
 * AWS's policy evaluation logic ("Policy evaluation logic", "Cross-account policy evaluation logic",
 * "Permissions boundaries for IAM entities", "Session policies") as a matrix: every combination of
 * SCP, identity policy, resource policy, permissions boundary and session policy, within the account
 * and across accounts, with the decision the documentation's flow chart gives.
 */
const ACTION = "s3:GetObject";
const OBJECT = "arn:aws:s3:::reports/2024/q1.csv";

type Limit = "absent" | "allow" | "none" | "deny";
type Grant = "allow" | "none" | "deny";
type ResourceGrant = "absent" | "exact" | "role" | "account" | "everyone" | "deny";

/** A limiting policy (SCP, boundary, session): allows the action, allows something else only, or denies it. */
function limit(kind: "identity" | "session", value: Limit): Policy[] | undefined {
  if (value === "absent") return undefined;
  if (value === "allow") return [doc(kind, [allow("s3:*")])];
  if (value === "none") return [doc(kind, [allow("sqs:*")])];
  return [doc(kind, [allow("*"), deny("s3:Get*")])];
}

function grant(value: Grant): Policy[] {
  if (value === "allow") return identity(allow(ACTION, "arn:aws:s3:::reports/*"));
  if (value === "none") return identity(allow("s3:PutObject", "arn:aws:s3:::reports/*"));
  return identity(allow("s3:PutObject"), deny(ACTION));
}

function resourcePolicy(value: ResourceGrant, principal: EvaluationPrincipal): Policy[] | undefined {
  const principals: Record<Exclude<ResourceGrant, "absent" | "deny">, Statement> = {
    exact: { AWS: principal.arn },
    role: { AWS: principal.roleArn ?? principal.arn },
    account: { AWS: `arn:aws:iam::${principal.account}:root` },
    everyone: { AWS: "*" },
  };
  if (value === "absent") return undefined;
  if (value === "deny") return resource({ Effect: "Deny", Principal: "*", Action: ACTION, Resource: OBJECT });
  return resource({ Effect: "Allow", Principal: principals[value], Action: ACTION, Resource: OBJECT });
}

/** The documented decision, written as the flow chart reads. */
function expected(c: { scp: Limit; id: Grant; res: ResourceGrant; boundary: Limit; session: Limit; cross: boolean }): Decision {
  if ([c.scp, c.boundary, c.session].includes("deny") || c.id === "deny" || c.res === "deny") return "explicitDeny";
  if (c.scp === "none") return "implicitDeny";
  const limitsAllow = (c.boundary === "absent" || c.boundary === "allow") && (c.session === "absent" || c.session === "allow");
  const resourceAllows = c.res !== "absent";
  if (c.cross) return c.id === "allow" && resourceAllows && limitsAllow ? "allowed" : "implicitDeny";
  // Within the account: a grant to the exact user or session ARN is not limited by boundaries or session policies.
  if (c.res === "exact") return "allowed";
  // A grant to the role ARN or to everyone counts like an identity grant; one to the account delegates to identity policies.
  const granted = c.id === "allow" || c.res === "role" || c.res === "everyone";
  return granted && limitsAllow ? "allowed" : "implicitDeny";
}

function matrix(principal: EvaluationPrincipal, withSession: boolean): Case[] {
  const cases: Case[] = [];
  const scps: Limit[] = withSession ? ["absent"] : ["absent", "allow", "none", "deny"];
  const grants: Grant[] = ["allow", "none", "deny"];
  const resources: ResourceGrant[] = withSession
    ? ["absent", "exact", "role", "account", "deny"]
    : ["absent", "exact", "account", "everyone", "deny"];
  const boundaries: Limit[] = ["absent", "allow", "none", "deny"];
  const sessions: Limit[] = withSession ? ["absent", "allow", "none", "deny"] : ["absent"];
  for (const cross of [false, true])
    for (const scp of scps)
      for (const id of grants)
        for (const res of resources)
          for (const boundary of boundaries)
            for (const session of sessions) {
              const set: PolicySet = {
                scps: limit("identity", scp),
                identity: grant(id),
                resource: resourcePolicy(res, principal),
                boundary: limit("identity", boundary),
                session: limit("session", session),
                resourceAccount: cross ? OTHER : ACCOUNT,
              };
              cases.push({
                name: `${cross ? "cross-account" : "same account"} scp=${scp} identity=${id} resource=${res} boundary=${boundary} session=${session}`,
                principal,
                set,
                expect: expected({ scp, id, res, boundary, session, cross }),
              });
            }
  return cases;
}

runTable("evaluation logic matrix: IAM user (SCP × identity × resource × boundary × account)", matrix(alice, false), {
  action: ACTION,
  resource: OBJECT,
});
runTable("evaluation logic matrix: role session (identity × resource × boundary × session policy × account)", matrix(roleSession, true), {
  action: ACTION,
  resource: OBJECT,
});

const bucketPolicy = (principal: Statement, extra: Statement = {}) =>
  resource({ Effect: "Allow", Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::shared/*", ...extra });

/** Principals in resource-based and trust policies (IAM JSON policy elements: Principal, NotPrincipal). */
runTable(
  "principals: root, other accounts, anonymous, services, unique ids, NotPrincipal",
  [
    { name: "the account root needs no policy in its own account", principal: root, set: {}, expect: "allowed" },
    {
      name: "the root's own explicit deny in a resource policy still applies",
      principal: root,
      set: { resource: resource({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }) },
      expect: "explicitDeny",
    },
    { name: "SCPs limit the root of a member account", principal: root, set: { scps: identity(allow("ec2:*")) }, expect: "implicitDeny" },
    {
      name: "another account's root is allowed by a grant to its account id",
      principal: otherRoot,
      set: { resource: bucketPolicy({ AWS: OTHER }), resourceAccount: ACCOUNT },
      expect: "allowed",
    },
    {
      name: "another account's root is allowed by a grant to its root ARN",
      principal: otherRoot,
      set: { resource: bucketPolicy({ AWS: `arn:aws:iam::${OTHER}:root` }), resourceAccount: ACCOUNT },
      expect: "allowed",
    },
    {
      name: "another account's root without a resource grant is denied",
      principal: otherRoot,
      set: { resourceAccount: ACCOUNT },
      expect: "implicitDeny",
    },
    {
      name: "a grant to a third account does not cover this one",
      principal: otherRoot,
      set: { resource: bucketPolicy({ AWS: "999988887777" }), resourceAccount: ACCOUNT },
      expect: "implicitDeny",
    },
    {
      name: "cross-account user: account grant plus own identity allow",
      principal: bob,
      set: { resource: bucketPolicy({ AWS: OTHER }), identity: identity(allow("s3:GetObject")), resourceAccount: ACCOUNT },
      expect: "allowed",
    },
    {
      name: "cross-account user: the grant to another user of its account does not apply",
      principal: bob,
      set: {
        resource: bucketPolicy({ AWS: `arn:aws:iam::${OTHER}:user/carol` }),
        identity: identity(allow("s3:GetObject")),
        resourceAccount: ACCOUNT,
      },
      expect: "implicitDeny",
    },
    {
      name: "cross-account user: a grant by unique id (AIDA…) names the user",
      principal: bob,
      set: { resource: bucketPolicy({ AWS: bob.userId }), identity: identity(allow("s3:*")), resourceAccount: ACCOUNT },
      expect: "allowed",
    },
    {
      name: "Principal * lets anonymous callers read (public bucket)",
      principal: anonymous,
      set: { resource: resource({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::shared/*" }) },
      expect: "allowed",
    },
    {
      name: 'Principal {"AWS": "*"} lets anonymous callers read as well',
      principal: anonymous,
      set: { resource: bucketPolicy({ AWS: "*" }) },
      expect: "allowed",
    },
    { name: "anonymous callers get nothing without a resource policy", principal: anonymous, set: {}, expect: "implicitDeny" },
    {
      name: "anonymous callers are not covered by an account grant",
      principal: anonymous,
      set: { resource: bucketPolicy({ AWS: ACCOUNT }) },
      expect: "implicitDeny",
    },
    {
      name: "a service principal allowed by name",
      principal: snsService,
      action: "sqs:SendMessage",
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
      set: {
        resource: resource({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "*" }),
      },
      expect: "allowed",
    },
    {
      name: "another service principal is not",
      principal: snsService,
      action: "sqs:SendMessage",
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
      set: {
        resource: resource({ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "*" }),
      },
      expect: "implicitDeny",
    },
    {
      name: "a service principal is not an AWS account principal",
      principal: snsService,
      action: "sqs:SendMessage",
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
      set: { resource: resource({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sqs:SendMessage", Resource: "*" }) },
      expect: "implicitDeny",
    },
    {
      name: "service principals ignore identity policies",
      principal: snsService,
      action: "sqs:SendMessage",
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
      set: { identity: identity(allow("*")) },
      expect: "implicitDeny",
    },
    {
      name: "a service grant limited by aws:SourceArn holds for the right topic",
      principal: snsService,
      action: "sqs:SendMessage",
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
      context: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` },
      set: {
        resource: resource({
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "*",
          Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` } },
        }),
      },
      expect: "allowed",
    },
    {
      name: "a service grant limited by aws:SourceArn fails for another topic",
      principal: snsService,
      action: "sqs:SendMessage",
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
      context: { "aws:SourceArn": `arn:aws:sns:us-east-1:${OTHER}:alerts` },
      set: {
        resource: resource({
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "*",
          Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` } },
        }),
      },
      expect: "implicitDeny",
    },
    {
      name: "NotPrincipal with Deny denies everyone else",
      principal: alice,
      set: {
        identity: identity(allow("s3:*")),
        resource: resource({ Effect: "Deny", NotPrincipal: { AWS: roleSession.roleArn }, Action: "s3:*", Resource: "*" }),
      },
      expect: "explicitDeny",
    },
    {
      name: "NotPrincipal with Deny spares the named principal",
      principal: alice,
      set: {
        identity: identity(allow("s3:*")),
        resource: resource({ Effect: "Deny", NotPrincipal: { AWS: alice.arn }, Action: "s3:*", Resource: "*" }),
      },
      expect: "allowed",
    },
    {
      name: "NotPrincipal naming the role spares its sessions",
      principal: roleSession,
      set: {
        identity: identity(allow("s3:*")),
        resource: resource({
          Effect: "Deny",
          NotPrincipal: { AWS: [roleSession.roleArn, roleSession.arn] },
          Action: "s3:*",
          Resource: "*",
        }),
      },
      expect: "allowed",
    },
    {
      name: "NotPrincipal with Allow grants everyone but the named principal",
      principal: alice,
      set: { resource: resource({ Effect: "Allow", NotPrincipal: { AWS: bob.arn }, Action: "s3:GetObject", Resource: "*" }) },
      expect: "allowed",
    },
    {
      name: "NotPrincipal with Allow excludes the named principal",
      principal: bob,
      set: {
        identity: identity(allow("s3:*")),
        resource: resource({ Effect: "Allow", NotPrincipal: { AWS: bob.arn }, Action: "s3:GetObject", Resource: "*" }),
        resourceAccount: ACCOUNT,
      },
      expect: "implicitDeny",
    },
    {
      name: "a role session matches a grant to its role ARN (with path)",
      principal: roleSession,
      set: { resource: bucketPolicy({ AWS: roleSession.roleArn }) },
      expect: "allowed",
    },
    {
      name: "a role session matches a grant to its session ARN",
      principal: roleSession,
      set: { resource: bucketPolicy({ AWS: roleSession.arn }) },
      expect: "allowed",
    },
    {
      name: "a role session matches a grant to its role's unique id",
      principal: roleSession,
      set: { resource: bucketPolicy({ AWS: "AROAAPPEXAMPLE123456" }) },
      expect: "allowed",
    },
    {
      name: "a grant to another session of the role does not match",
      principal: roleSession,
      set: { resource: bucketPolicy({ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/app/other` }) },
      expect: "implicitDeny",
    },
    {
      name: "a grant to a differently named role does not match",
      principal: roleSession,
      set: { resource: bucketPolicy({ AWS: `arn:aws:iam::${ACCOUNT}:role/service/app2` }) },
      expect: "implicitDeny",
    },
    {
      name: "a web identity provider matches a Federated principal",
      principal: { type: "federated", arn: "accounts.google.com", account: ACCOUNT, federatedProvider: "accounts.google.com" },
      action: "sts:AssumeRoleWithWebIdentity",
      resource: `arn:aws:iam::${ACCOUNT}:role/web`,
      set: {
        resource: [
          doc("trust", [{ Effect: "Allow", Principal: { Federated: "accounts.google.com" }, Action: "sts:AssumeRoleWithWebIdentity" }]),
        ],
      },
      expect: "allowed",
    },
    {
      name: "another provider does not match a Federated principal",
      principal: { type: "federated", arn: "graph.facebook.com", account: ACCOUNT, federatedProvider: "graph.facebook.com" },
      action: "sts:AssumeRoleWithWebIdentity",
      resource: `arn:aws:iam::${ACCOUNT}:role/web`,
      set: {
        resource: [
          doc("trust", [{ Effect: "Allow", Principal: { Federated: "accounts.google.com" }, Action: "sts:AssumeRoleWithWebIdentity" }]),
        ],
      },
      expect: "implicitDeny",
    },
    {
      name: "a resource policy statement for another action does not grant",
      principal: alice,
      set: { resource: resource({ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "s3:PutObject", Resource: "*" }) },
      expect: "implicitDeny",
    },
    {
      name: "a resource policy statement for another resource does not grant",
      principal: alice,
      set: {
        resource: resource({ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/*" }),
      },
      expect: "implicitDeny",
    },
    {
      name: "an explicit deny in an SCP beats a resource grant to the exact user",
      principal: alice,
      set: { scps: identity(allow("*"), deny("s3:*")), resource: bucketPolicy({ AWS: alice.arn }) },
      expect: "explicitDeny",
    },
    {
      name: "a resource grant to the exact user still needs an SCP allow",
      principal: alice,
      set: { scps: identity(allow("ec2:*")), resource: bucketPolicy({ AWS: alice.arn }) },
      expect: "implicitDeny",
    },
    {
      name: "a resource-policy deny naming the account covers its users",
      principal: alice,
      set: {
        identity: identity(allow("s3:*")),
        resource: resource({ Effect: "Deny", Principal: { AWS: ACCOUNT }, Action: "s3:*", Resource: "*" }),
      },
      expect: "explicitDeny",
    },
    {
      name: "a resource-policy deny naming another user does not apply",
      principal: alice,
      set: {
        identity: identity(allow("s3:*")),
        resource: resource({ Effect: "Deny", Principal: { AWS: bob.arn }, Action: "s3:*", Resource: "*" }),
      },
      expect: "allowed",
    },
  ],
  { action: "s3:GetObject", resource: "arn:aws:s3:::shared/data.csv" },
);
