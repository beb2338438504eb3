import assert from "node:assert/strict";
import { test } from "node:test";
import { authorize } from "../../src/iam/authorize.js";
import type { Decision } from "../../src/iam/engine.js";
import { parsePolicy } from "../../src/iam/policy.js";
import { iamState, stsSessions } from "../../src/iam/records.js";
import type { Principal } from "../../src/services/types.js";
import { MemoryBackend } from "../../src/state/store.js";

/**
 * Cases where the principal's stored IAM entities matter: group membership (many groups, policies of
 * each), AWS managed policies with their real documents, a permissions boundary on the user, and a role
 * session's session policies, evaluated through `authorize` as enforcement does.
 */
const ACCOUNT = "123456789012";
const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const holder = { Path: "/", CreateDate: 0, InlinePolicies: {} as Record<string, string>, AttachedPolicies: [] as string[] };
const managed = (name: string) => `arn:aws:iam::aws:policy/${name}`;

function state(): MemoryBackend {
  const backend = new MemoryBackend();
  const store = iamState(backend, ACCOUNT);
  const group = (name: string, attached: string[], inline: Record<string, string> = {}) =>
    store.groups.set(name, {
      ...holder,
      GroupName: name,
      GroupId: `AGPA${name.toUpperCase()}`,
      Arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
      AttachedPolicies: attached,
      InlinePolicies: inline,
    });
  group("readers", [managed("ReadOnlyAccess")]);
  group("developers", [managed("PowerUserAccess")]);
  group("no-prod", [], { "deny-prod": doc({ Effect: "Deny", Action: "*", Resource: "arn:aws:s3:::prod-*" }) });
  group("admins", [managed("AdministratorAccess")]);
  const user = (name: string, groups: string[], extra: object = {}) =>
    store.users.set(name, {
      ...holder,
      UserName: name,
      UserId: `AIDA${name.toUpperCase()}EXAMPLE`,
      Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
      Tags: [],
      Groups: groups,
      ...extra,
    });
  user("reader", ["readers"]);
  user("dev", ["developers", "no-prod"]);
  user("bounded-admin", ["admins"], { PermissionsBoundary: managed("AmazonS3ReadOnlyAccess") });
  user("nobody", []);
  user("self-service", [], {
    InlinePolicies: {
      own: doc({
        Effect: "Allow",
        Action: ["iam:ChangePassword", "iam:GetUser", "iam:*AccessKey*"],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, literal text in the policy.
        Resource: "arn:aws:iam::*:user/${aws:username}",
      }),
    },
  });
  store.roles.set("app", {
    ...holder,
    RoleName: "app",
    RoleId: "AROAAPPEXAMPLE",
    Arn: `arn:aws:iam::${ACCOUNT}:role/app`,
    AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" }),
    MaxSessionDuration: 3600,
    Tags: [],
    AttachedPolicies: [managed("AmazonDynamoDBFullAccess"), managed("AmazonSQSFullAccess")],
  });
  stsSessions(backend, ACCOUNT).set("ASIASCOPEDSESSION1", {
    AccessKeyId: "ASIASCOPEDSESSION1",
    SecretAccessKey: "x",
    SessionToken: "t",
    Expiration: Number.MAX_SAFE_INTEGER,
    principal: sessionPrincipal("scoped", "ASIASCOPEDSESSION1"),
    roleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
    sessionPolicies: [doc({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "*" })],
  });
  return backend;
}

const userPrincipal = (name: string): Principal => ({
  type: "user",
  account: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  userId: `AIDA${name.toUpperCase()}EXAMPLE`,
});
function sessionPrincipal(name: string, accessKeyId: string): Principal {
  return {
    type: "assumed-role",
    account: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/${name}`,
    userId: `AROAAPPEXAMPLE:${name}`,
    accessKeyId,
  };
}

type Row = [principal: Principal, action: string, resource: string, expected: Decision, note: string, resourcePolicy?: string];
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
const reader = userPrincipal("reader");
const dev = userPrincipal("dev");
const boundedAdmin = userPrincipal("bounded-admin");
const nobody = userPrincipal("nobody");
const selfService = userPrincipal("self-service");
const fullSession = sessionPrincipal("full", "ASIAUNRECORDED00001");
const scopedSession = sessionPrincipal("scoped", "ASIASCOPEDSESSION1");

const rows: Row[] = [
  [reader, "s3:GetObject", "arn:aws:s3:::data/x", "allowed", "ReadOnlyAccess reads S3"],
  [reader, "dynamodb:Query", TABLE, "allowed", "ReadOnlyAccess queries DynamoDB"],
  [reader, "sqs:ReceiveMessage", QUEUE, "allowed", "ReadOnlyAccess receives SQS messages (sqs:Receive* is read)"],
  [reader, "s3:PutObject", "arn:aws:s3:::data/x", "implicitDeny", "ReadOnlyAccess cannot write"],
  [reader, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`, "implicitDeny", "ReadOnlyAccess cannot manage IAM"],
  [dev, "s3:PutObject", "arn:aws:s3:::data/x", "allowed", "PowerUserAccess writes S3"],
  [dev, "lambda:CreateFunction", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`, "allowed", "PowerUserAccess creates functions"],
  [dev, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`, "implicitDeny", "PowerUserAccess excludes IAM (NotAction)"],
  [dev, "iam:ListRoles", "*", "allowed", "PowerUserAccess still lists roles"],
  [dev, "s3:GetObject", "arn:aws:s3:::prod-data/x", "explicitDeny", "the second group's deny applies"],
  [dev, "s3:GetObject", "arn:aws:s3:::staging-data/x", "allowed", "the deny is limited to prod buckets"],
  [boundedAdmin, "s3:GetObject", "arn:aws:s3:::data/x", "allowed", "admin within an S3 read-only boundary reads"],
  [boundedAdmin, "s3:PutObject", "arn:aws:s3:::data/x", "implicitDeny", "the boundary stops writes"],
  [boundedAdmin, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`, "implicitDeny", "the boundary stops IAM administration"],
  [nobody, "s3:GetObject", "arn:aws:s3:::data/x", "implicitDeny", "no policies at all"],
  [
    nobody,
    "s3:GetObject",
    "arn:aws:s3:::data/x",
    "allowed",
    "a bucket policy naming the user suffices in the account",
    doc({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/nobody` },
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::data/*",
    }),
  ],
  [
    nobody,
    "s3:GetObject",
    "arn:aws:s3:::data/x",
    "implicitDeny",
    "a bucket policy naming the account delegates to (missing) identity policies",
    doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" }),
  ],
  [
    boundedAdmin,
    "s3:PutObject",
    "arn:aws:s3:::data/x",
    "allowed",
    "a bucket policy naming the user is not limited by its boundary",
    doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bounded-admin` }, Action: "s3:PutObject", Resource: "*" }),
  ],
  [
    reader,
    "s3:GetObject",
    "arn:aws:s3:::data/x",
    "explicitDeny",
    "a bucket policy's deny beats the identity allow",
    doc({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }),
  ],
  [selfService, "iam:CreateAccessKey", `arn:aws:iam::${ACCOUNT}:user/self-service`, "allowed", "the aws:username variable: own keys"],
  [
    selfService,
    "iam:CreateAccessKey",
    `arn:aws:iam::${ACCOUNT}:user/dev`,
    "implicitDeny",
    "the aws:username variable: another user's keys",
  ],
  [selfService, "iam:ChangePassword", `arn:aws:iam::${ACCOUNT}:user/self-service`, "allowed", "the aws:username variable: own password"],
  [fullSession, "dynamodb:PutItem", TABLE, "allowed", "a role session has the role's managed policies"],
  [fullSession, "sqs:SendMessage", QUEUE, "allowed", "both managed policies apply"],
  [fullSession, "s3:GetObject", "arn:aws:s3:::data/x", "implicitDeny", "nothing beyond the role's policies"],
  [scopedSession, "dynamodb:GetItem", TABLE, "allowed", "the session policy allows what the role allows"],
  [scopedSession, "dynamodb:PutItem", TABLE, "implicitDeny", "the session policy scopes the role down"],
  [scopedSession, "sqs:SendMessage", QUEUE, "implicitDeny", "the session policy excludes SQS"],
  [
    scopedSession,
    "sqs:SendMessage",
    QUEUE,
    "allowed",
    "a queue policy naming the session ARN is not limited by the session policy",
    doc({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/app/scoped` },
      Action: "sqs:SendMessage",
      Resource: QUEUE,
    }),
  ],
  [
    scopedSession,
    "sqs:SendMessage",
    QUEUE,
    "implicitDeny",
    "a queue policy naming the role is limited by the session policy",
    doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: "sqs:SendMessage", Resource: QUEUE }),
  ],
];

test(`authorize with stored users, groups, managed policies, boundaries and sessions (${rows.length} cases)`, () => {
  const backend = state();
  const failures: string[] = [];
  for (const [principal, action, resource, expected, note, resourcePolicy] of rows) {
    const result = authorize(backend, principal, {
      action,
      resource,
      resourcePolicy: resourcePolicy ? parsePolicy(resourcePolicy, "resource") : undefined,
    });
    if (result.decision !== expected) failures.push(`${note}: expected ${expected}, got ${result.decision}`);
  }
  assert.deepEqual(failures, []);
});
