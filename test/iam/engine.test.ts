// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables (${aws:username}…) are literal text in policies.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Decision, type EvaluationPrincipal, type EvaluationRequest, evaluate, type PolicySet } from "../../src/iam/engine.js";
import { arnMatch, globMatch, LITERAL_STAR } from "../../src/iam/conditions.js";
import { type Policy, type PolicyKind, parsePolicy } from "../../src/iam/policy.js";

const ACCOUNT = "111122223333";
const OTHER = "444455556666";
const alice: EvaluationPrincipal = {
  type: "user",
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  account: ACCOUNT,
  userId: "AIDAALICEALICEALICE12",
};
const session: EvaluationPrincipal = {
  type: "assumed-role",
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`,
  account: ACCOUNT,
  userId: "AROAAPP:s1",
  roleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
};
const stranger: EvaluationPrincipal = {
  type: "user",
  arn: `arn:aws:iam::${OTHER}:user/bob`,
  account: OTHER,
  userId: "AIDABOBBOBBOBBOBBOB12",
};
const root: EvaluationPrincipal = { type: "root", arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT, userId: ACCOUNT };
const anonymous: EvaluationPrincipal = { type: "anonymous", arn: "*", account: ACCOUNT };
const sqsService: EvaluationPrincipal = {
  type: "service",
  arn: "sqs.amazonaws.com",
  account: ACCOUNT,
  servicePrincipal: "sqs.amazonaws.com",
};

const policy = (kind: PolicyKind, ...statements: object[]): Policy =>
  parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }), kind);
const allow = (Action: string | string[], Resource: string | string[] = "*", extra: object = {}) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});
const deny = (Action: string | string[], Resource: string | string[] = "*", extra: object = {}) => ({
  Effect: "Deny",
  Action,
  Resource,
  ...extra,
});
const id = (...statements: object[]) => [policy("identity", ...statements)];
const res = (...statements: object[]) => [policy("resource", ...statements)];
const when = (Condition: object) => ({ Condition });

interface Case {
  name: string;
  action: string;
  resource?: string;
  principal?: EvaluationPrincipal;
  context?: EvaluationRequest["context"];
  set: PolicySet;
  expect: Decision;
}

const BUCKET = "arn:aws:s3:::docs";
const OBJECT = "arn:aws:s3:::docs/reports/q1.pdf";

const cases: Case[] = [
  // Action and Resource matching
  { name: "no policy is an implicit deny", action: "s3:GetObject", set: {}, expect: "implicitDeny" },
  { name: "Action * allows anything", action: "ec2:RunInstances", set: { identity: id(allow("*")) }, expect: "allowed" },
  { name: "service wildcard", action: "s3:GetObject", set: { identity: id(allow("s3:*")) }, expect: "allowed" },
  { name: "actions match case-insensitively", action: "s3:GetObject", set: { identity: id(allow("S3:getobject")) }, expect: "allowed" },
  { name: "prefix wildcard matches", action: "s3:GetObjectAcl", set: { identity: id(allow("s3:Get*")) }, expect: "allowed" },
  {
    name: "prefix wildcard does not match others",
    action: "s3:PutObject",
    set: { identity: id(allow("s3:Get*")) },
    expect: "implicitDeny",
  },
  { name: "infix wildcard", action: "iam:ListAccessKeys", set: { identity: id(allow("iam:*AccessKey*")) }, expect: "allowed" },
  { name: "? matches one character", action: "s3:GetObject", set: { identity: id(allow("s3:?etObject")) }, expect: "allowed" },
  { name: "another service is not matched", action: "sqs:SendMessage", set: { identity: id(allow("s3:*")) }, expect: "implicitDeny" },
  {
    name: "NotAction allows what it does not list",
    action: "s3:GetObject",
    set: { identity: id({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) },
    expect: "allowed",
  },
  {
    name: "NotAction does not allow what it lists",
    action: "iam:CreateUser",
    set: { identity: id({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) },
    expect: "implicitDeny",
  },
  {
    name: "Deny with NotAction denies everything else",
    action: "s3:GetObject",
    set: { identity: id(allow("*"), { Effect: "Deny", NotAction: ["iam:*", "sts:*"], Resource: "*" }) },
    expect: "explicitDeny",
  },
  {
    name: "Deny with NotAction leaves the listed actions allowed",
    action: "iam:GetUser",
    set: { identity: id(allow("*"), { Effect: "Deny", NotAction: ["iam:*", "sts:*"], Resource: "*" }) },
    expect: "allowed",
  },
  {
    name: "object ARN wildcard",
    action: "s3:GetObject",
    resource: OBJECT,
    set: { identity: id(allow("s3:GetObject", "arn:aws:s3:::docs/*")) },
    expect: "allowed",
  },
  {
    name: "bucket/* does not match the bucket",
    action: "s3:ListBucket",
    resource: BUCKET,
    set: { identity: id(allow("s3:*", "arn:aws:s3:::docs/*")) },
    expect: "implicitDeny",
  },
  {
    name: "resources match case-sensitively",
    action: "s3:GetObject",
    resource: OBJECT,
    set: { identity: id(allow("s3:*", "arn:aws:s3:::DOCS/*")) },
    expect: "implicitDeny",
  },
  {
    name: "? in a resource",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::docs/file1.txt",
    set: { identity: id(allow("s3:*", "arn:aws:s3:::docs/file?.txt")) },
    expect: "allowed",
  },
  {
    name: "a region wildcard stays within its segment",
    action: "dynamodb:GetItem",
    resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Books`,
    set: { identity: id(allow("dynamodb:*", `arn:aws:dynamodb:*:${ACCOUNT}:table/*`)) },
    expect: "allowed",
  },
  {
    name: "a pattern for one account does not match another",
    action: "dynamodb:GetItem",
    resource: `arn:aws:dynamodb:us-east-1:${OTHER}:table/Books`,
    set: { identity: id(allow("dynamodb:*", `arn:aws:dynamodb:*:${ACCOUNT}:table/*`)) },
    expect: "implicitDeny",
  },
  {
    name: "NotResource allows other resources",
    action: "s3:GetObject",
    resource: OBJECT,
    set: { identity: id({ Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }) },
    expect: "allowed",
  },
  {
    name: "NotResource excludes its resources",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::secret/key",
    set: { identity: id({ Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }) },
    expect: "implicitDeny",
  },
  {
    name: "explicit deny beats allow",
    action: "s3:DeleteObject",
    set: { identity: id(allow("s3:*"), deny("s3:DeleteObject")) },
    expect: "explicitDeny",
  },
  {
    name: "a deny in another policy still wins",
    action: "s3:GetObject",
    set: { identity: [...id(allow("s3:*")), ...id(deny("s3:*"))] },
    expect: "explicitDeny",
  },
  {
    name: "a deny on another resource does not apply",
    action: "s3:GetObject",
    resource: OBJECT,
    set: { identity: id(allow("s3:*"), deny("s3:*", "arn:aws:s3:::other/*")) },
    expect: "allowed",
  },

  // Policy variables
  {
    name: "${aws:username} in a resource",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::home/alice/notes",
    set: { identity: id(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")) },
    expect: "allowed",
  },
  {
    name: "${aws:username} is the caller's own",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::home/bob/notes",
    set: { identity: id(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")) },
    expect: "implicitDeny",
  },
  {
    name: "a role session has no aws:username",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::home/app/x",
    principal: session,
    set: { identity: id(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")) },
    expect: "implicitDeny",
  },
  {
    name: "${aws:userid} for a session",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::home/AROAAPP:s1/x",
    principal: session,
    set: { identity: id(allow("s3:GetObject", "arn:aws:s3:::home/${aws:userid}/*")) },
    expect: "allowed",
  },
  {
    name: "a variable's default value",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::teams/none/x",
    set: { identity: id(allow("s3:GetObject", "arn:aws:s3:::teams/${aws:PrincipalTag/team, 'none'}/*")) },
    expect: "allowed",
  },
  {
    name: "a tag variable from the context",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::teams/red/x",
    context: { "aws:PrincipalTag/team": "red" },
    set: { identity: id(allow("s3:GetObject", "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*")) },
    expect: "allowed",
  },
  {
    name: "${*} is a literal asterisk",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::docs/*",
    set: { identity: id(allow("s3:GetObject", "arn:aws:s3:::docs/${*}")) },
    expect: "allowed",
  },
  {
    name: "2008-10-17 policies take variables literally",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::home/alice/x",
    set: {
      identity: [
        parsePolicy(
          JSON.stringify({ Version: "2008-10-17", Statement: [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")] }),
          "identity",
        ),
      ],
    },
    expect: "implicitDeny",
  },
  {
    name: "a variable in a condition value",
    action: "s3:ListBucket",
    context: { "s3:prefix": "home/alice/" },
    set: { identity: id(allow("s3:ListBucket", "*", when({ StringLike: { "s3:prefix": "home/${aws:username}/*" } }))) },
    expect: "allowed",
  },

  // String operators
  {
    name: "StringEquals matches",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*", "*", when({ StringEquals: { "aws:username": "alice" } }))) },
    expect: "allowed",
  },
  {
    name: "StringEquals is case-sensitive",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*", "*", when({ StringEquals: { "aws:username": "Alice" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "StringEqualsIgnoreCase",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*", "*", when({ StringEqualsIgnoreCase: { "aws:username": "ALICE" } }))) },
    expect: "allowed",
  },
  {
    name: "condition keys are case-insensitive",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*", "*", when({ StringEquals: { "AWS:UserName": "alice" } }))) },
    expect: "allowed",
  },
  {
    name: "several values are ORed",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*", "*", when({ StringEquals: { "aws:username": ["bob", "alice"] } }))) },
    expect: "allowed",
  },
  {
    name: "several keys are ANDed",
    action: "s3:GetObject",
    context: { "aws:RequestedRegion": "eu-west-1" },
    set: { identity: id(allow("s3:*", "*", when({ StringEquals: { "aws:username": "alice", "aws:RequestedRegion": "us-east-1" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "several operators are ANDed",
    action: "s3:GetObject",
    context: { "aws:RequestedRegion": "us-east-1" },
    set: {
      identity: id(allow("s3:*", "*", when({ StringEquals: { "aws:username": "alice" }, StringLike: { "aws:RequestedRegion": "us-*" } }))),
    },
    expect: "allowed",
  },
  {
    name: "StringNotEquals matches other values",
    action: "s3:GetObject",
    context: { "aws:RequestedRegion": "eu-west-1" },
    set: { identity: id(allow("s3:*"), deny("*", "*", when({ StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "us-west-2"] } }))) },
    expect: "explicitDeny",
  },
  {
    name: "StringNotEquals does not match a listed value",
    action: "s3:GetObject",
    context: { "aws:RequestedRegion": "us-west-2" },
    set: { identity: id(allow("s3:*"), deny("*", "*", when({ StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "us-west-2"] } }))) },
    expect: "allowed",
  },
  {
    name: "StringNotEquals holds when the key is missing",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*"), deny("*", "*", when({ StringNotEquals: { "aws:PrincipalOrgID": "o-123" } }))) },
    expect: "explicitDeny",
  },
  {
    name: "StringEquals fails when the key is missing",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*", "*", when({ StringEquals: { "aws:PrincipalOrgID": "o-123" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "StringLike wildcard",
    action: "s3:GetObject",
    context: { "s3:prefix": "projects/x" },
    set: { identity: id(allow("s3:*", "*", when({ StringLike: { "s3:prefix": ["projects/*", ""] } }))) },
    expect: "allowed",
  },
  {
    name: "StringNotLike",
    action: "s3:GetObject",
    context: { "s3:prefix": "private/x" },
    set: { identity: id(allow("s3:*"), deny("s3:*", "*", when({ StringNotLike: { "s3:prefix": "public/*" } }))) },
    expect: "explicitDeny",
  },
  {
    name: "…IfExists holds when the key is missing",
    action: "ec2:RunInstances",
    set: { identity: id(allow("ec2:*", "*", when({ StringEqualsIfExists: { "ec2:InstanceType": ["t2.micro"] } }))) },
    expect: "allowed",
  },
  {
    name: "…IfExists checks a present key",
    action: "ec2:RunInstances",
    context: { "ec2:InstanceType": "m5.24xlarge" },
    set: { identity: id(allow("ec2:*", "*", when({ StringEqualsIfExists: { "ec2:InstanceType": ["t2.micro"] } }))) },
    expect: "implicitDeny",
  },

  // Numeric, date, bool, binary, IP, ARN, Null
  {
    name: "NumericLessThanEquals",
    action: "s3:ListBucket",
    context: { "s3:max-keys": "10" },
    set: { identity: id(allow("s3:*", "*", when({ NumericLessThanEquals: { "s3:max-keys": "10" } }))) },
    expect: "allowed",
  },
  {
    name: "NumericLessThan fails above",
    action: "s3:ListBucket",
    context: { "s3:max-keys": "11" },
    set: { identity: id(allow("s3:*", "*", when({ NumericLessThan: { "s3:max-keys": "11" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "NumericGreaterThan",
    action: "s3:ListBucket",
    context: { "s3:max-keys": "11" },
    set: { identity: id(allow("s3:*", "*", when({ NumericGreaterThan: { "s3:max-keys": "10" } }))) },
    expect: "allowed",
  },
  {
    name: "NumericEquals with a non-number fails",
    action: "s3:ListBucket",
    context: { "s3:max-keys": "ten" },
    set: { identity: id(allow("s3:*", "*", when({ NumericEquals: { "s3:max-keys": "10" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "NumericNotEquals",
    action: "s3:ListBucket",
    context: { "s3:max-keys": "5" },
    set: { identity: id(allow("s3:*", "*", when({ NumericNotEquals: { "s3:max-keys": "10" } }))) },
    expect: "allowed",
  },
  {
    name: "DateGreaterThan ISO",
    action: "s3:GetObject",
    context: { "aws:CurrentTime": "2024-06-01T00:00:00Z" },
    set: { identity: id(allow("s3:*", "*", when({ DateGreaterThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } }))) },
    expect: "allowed",
  },
  {
    name: "DateLessThan fails after the date",
    action: "s3:GetObject",
    context: { "aws:CurrentTime": "2024-06-01T00:00:00Z" },
    set: { identity: id(allow("s3:*", "*", when({ DateLessThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "Date operators take epoch seconds",
    action: "s3:GetObject",
    context: { "aws:EpochTime": "1717200000" },
    set: { identity: id(allow("s3:*", "*", when({ DateGreaterThanEquals: { "aws:EpochTime": "2024-06-01T00:00:00Z" } }))) },
    expect: "allowed",
  },
  {
    name: "DateNotEquals",
    action: "s3:GetObject",
    context: { "aws:CurrentTime": "2024-06-01T00:00:00Z" },
    set: { identity: id(allow("s3:*", "*", when({ DateNotEquals: { "aws:CurrentTime": "2024-06-02T00:00:00Z" } }))) },
    expect: "allowed",
  },
  {
    name: "Bool false denies insecure transport",
    action: "s3:GetObject",
    context: { "aws:SecureTransport": "false" },
    set: { identity: id(allow("s3:*"), deny("s3:*", "*", when({ Bool: { "aws:SecureTransport": "false" } }))) },
    expect: "explicitDeny",
  },
  {
    name: "Bool true passes secure transport",
    action: "s3:GetObject",
    context: { "aws:SecureTransport": "true" },
    set: { identity: id(allow("s3:*"), deny("s3:*", "*", when({ Bool: { "aws:SecureTransport": "false" } }))) },
    expect: "allowed",
  },
  {
    name: "MFA required: missing key fails Bool",
    action: "ec2:StopInstances",
    set: { identity: id(allow("ec2:*", "*", when({ Bool: { "aws:MultiFactorAuthPresent": "true" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "MFA required: present",
    action: "ec2:StopInstances",
    context: { "aws:MultiFactorAuthPresent": "true" },
    set: { identity: id(allow("ec2:*", "*", when({ Bool: { "aws:MultiFactorAuthPresent": "true" } }))) },
    expect: "allowed",
  },
  {
    name: "BoolIfExists false denies long-term keys too",
    action: "ec2:StopInstances",
    set: { identity: id(allow("ec2:*"), deny("ec2:*", "*", when({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }))) },
    expect: "explicitDeny",
  },
  {
    name: "BinaryEquals",
    action: "s3:GetObject",
    context: { "test:blob": "QmluYXJ5" },
    set: { identity: id(allow("s3:*", "*", when({ BinaryEquals: { "test:blob": "QmluYXJ5" } }))) },
    expect: "allowed",
  },
  {
    name: "IpAddress in range",
    action: "s3:GetObject",
    context: { "aws:SourceIp": "203.0.113.77" },
    set: { identity: id(allow("s3:*", "*", when({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }))) },
    expect: "allowed",
  },
  {
    name: "IpAddress out of range",
    action: "s3:GetObject",
    context: { "aws:SourceIp": "198.51.100.1" },
    set: { identity: id(allow("s3:*", "*", when({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "IpAddress single host",
    action: "s3:GetObject",
    context: { "aws:SourceIp": "203.0.113.5" },
    set: { identity: id(allow("s3:*", "*", when({ IpAddress: { "aws:SourceIp": "203.0.113.5" } }))) },
    expect: "allowed",
  },
  {
    name: "IpAddress IPv6",
    action: "s3:GetObject",
    context: { "aws:SourceIp": "2001:db8:1234::1" },
    set: { identity: id(allow("s3:*", "*", when({ IpAddress: { "aws:SourceIp": "2001:DB8:1234:5678::/48" } }))) },
    expect: "allowed",
  },
  {
    name: "NotIpAddress spares the listed ranges",
    action: "s3:GetObject",
    context: { "aws:SourceIp": "192.0.2.9" },
    set: { identity: id(allow("s3:*"), deny("*", "*", when({ NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } }))) },
    expect: "allowed",
  },
  {
    name: "NotIpAddress denies others",
    action: "s3:GetObject",
    context: { "aws:SourceIp": "10.0.0.1" },
    set: { identity: id(allow("s3:*"), deny("*", "*", when({ NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } }))) },
    expect: "explicitDeny",
  },
  {
    name: "ArnLike on aws:SourceArn",
    action: "sqs:SendMessage",
    principal: sqsService,
    context: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:orders` },
    set: {
      resource: res({
        Effect: "Allow",
        Principal: { Service: "sqs.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: "*",
        Condition: { ArnLike: { "aws:SourceArn": `arn:aws:sns:*:${ACCOUNT}:*` } },
      }),
    },
    expect: "allowed",
  },
  {
    name: "ArnEquals mismatch",
    action: "sqs:SendMessage",
    principal: sqsService,
    context: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:other` },
    set: {
      resource: res({
        Effect: "Allow",
        Principal: { Service: "sqs.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: "*",
        Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:orders` } },
      }),
    },
    expect: "implicitDeny",
  },
  {
    name: "ArnNotLike",
    action: "s3:GetObject",
    context: { "aws:SourceArn": "arn:aws:lambda:us-east-1:1:function:x" },
    set: { identity: id(allow("s3:*"), deny("s3:*", "*", when({ ArnNotLike: { "aws:SourceArn": "arn:aws:lambda:*:*:function:y" } }))) },
    expect: "explicitDeny",
  },
  {
    name: "Null true: key absent",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*", "*", when({ Null: { "aws:TokenIssueTime": "true" } }))) },
    expect: "allowed",
  },
  {
    name: "Null true: key present fails",
    action: "s3:GetObject",
    context: { "aws:TokenIssueTime": "2024-01-01T00:00:00Z" },
    set: { identity: id(allow("s3:*", "*", when({ Null: { "aws:TokenIssueTime": "true" } }))) },
    expect: "implicitDeny",
  },
  {
    name: "Null false: key required",
    action: "ec2:CreateVolume",
    set: { identity: id(allow("ec2:*", "*", when({ Null: { "aws:RequestTag/project": "false" } }))) },
    expect: "implicitDeny",
  },

  // Multivalued keys
  {
    name: "ForAllValues: a subset passes",
    action: "dynamodb:GetItem",
    context: { "dynamodb:Attributes": ["ID", "Title"] },
    set: {
      identity: id(allow("dynamodb:*", "*", when({ "ForAllValues:StringEquals": { "dynamodb:Attributes": ["ID", "Title", "Price"] } }))),
    },
    expect: "allowed",
  },
  {
    name: "ForAllValues: an extra value fails",
    action: "dynamodb:GetItem",
    context: { "dynamodb:Attributes": ["ID", "Secret"] },
    set: {
      identity: id(allow("dynamodb:*", "*", when({ "ForAllValues:StringEquals": { "dynamodb:Attributes": ["ID", "Title", "Price"] } }))),
    },
    expect: "implicitDeny",
  },
  {
    name: "ForAllValues: no values holds vacuously",
    action: "dynamodb:GetItem",
    set: { identity: id(allow("dynamodb:*", "*", when({ "ForAllValues:StringEquals": { "dynamodb:Attributes": ["ID"] } }))) },
    expect: "allowed",
  },
  {
    name: "ForAnyValue: one match passes",
    action: "ec2:CreateTags",
    context: { "aws:TagKeys": ["env", "owner"] },
    set: { identity: id(allow("ec2:*", "*", when({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["owner"] } }))) },
    expect: "allowed",
  },
  {
    name: "ForAnyValue: no values fails",
    action: "ec2:CreateTags",
    set: { identity: id(allow("ec2:*", "*", when({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["owner"] } }))) },
    expect: "implicitDeny",
  },
  {
    name: "ForAnyValue:StringLike",
    action: "ec2:CreateTags",
    context: { "aws:TagKeys": ["cost-center"] },
    set: { identity: id(allow("ec2:*", "*", when({ "ForAnyValue:StringLike": { "aws:TagKeys": ["cost-*"] } }))) },
    expect: "allowed",
  },
  {
    name: "ForAllValues:StringNotLike rejects any match",
    action: "ec2:CreateTags",
    context: { "aws:TagKeys": ["aws-x", "ok"] },
    set: { identity: id(allow("ec2:*", "*", when({ "ForAllValues:StringNotLike": { "aws:TagKeys": ["aws-*"] } }))) },
    expect: "implicitDeny",
  },
  {
    name: "dynamodb:LeadingKeys limited to the user id",
    action: "dynamodb:GetItem",
    context: { "dynamodb:LeadingKeys": ["AIDAALICEALICEALICE12"] },
    set: {
      identity: id(allow("dynamodb:GetItem", "*", when({ "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:userid}"] } }))),
    },
    expect: "allowed",
  },
  {
    name: "dynamodb:LeadingKeys of another user",
    action: "dynamodb:GetItem",
    context: { "dynamodb:LeadingKeys": ["AIDABOBBOBBOBBOBBOB12"] },
    set: {
      identity: id(allow("dynamodb:GetItem", "*", when({ "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:userid}"] } }))),
    },
    expect: "implicitDeny",
  },

  // Permissions boundaries
  {
    name: "boundary and identity both allow",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*")), boundary: id(allow("s3:GetObject")) },
    expect: "allowed",
  },
  {
    name: "boundary limits the identity policy",
    action: "s3:PutObject",
    set: { identity: id(allow("s3:*")), boundary: id(allow("s3:GetObject")) },
    expect: "implicitDeny",
  },
  {
    name: "a boundary alone grants nothing",
    action: "s3:GetObject",
    set: { identity: id(allow("sqs:*")), boundary: id(allow("*")) },
    expect: "implicitDeny",
  },
  {
    name: "a deny in a boundary",
    action: "s3:GetObject",
    set: { identity: id(allow("*")), boundary: id(allow("*"), deny("s3:*")) },
    expect: "explicitDeny",
  },
  {
    name: "a same-account resource grant to the user ARN passes a boundary",
    action: "s3:GetObject",
    resource: OBJECT,
    set: {
      boundary: id(allow("sqs:*")),
      resource: res({ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "s3:GetObject", Resource: "arn:aws:s3:::docs/*" }),
    },
    expect: "allowed",
  },
  {
    name: "a same-account resource grant to a role ARN is limited by the boundary",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: session,
    set: {
      boundary: id(allow("sqs:*")),
      resource: res({ Effect: "Allow", Principal: { AWS: session.roleArn }, Action: "s3:GetObject", Resource: "arn:aws:s3:::docs/*" }),
    },
    expect: "implicitDeny",
  },

  // Session policies
  {
    name: "session policy and role policy both allow",
    action: "s3:GetObject",
    principal: session,
    set: { identity: id(allow("s3:*")), session: id(allow("s3:GetObject")) },
    expect: "allowed",
  },
  {
    name: "session policy limits the role",
    action: "s3:PutObject",
    principal: session,
    set: { identity: id(allow("s3:*")), session: id(allow("s3:GetObject")) },
    expect: "implicitDeny",
  },
  {
    name: "a session policy grants nothing alone",
    action: "sqs:SendMessage",
    principal: session,
    set: { identity: id(allow("s3:*")), session: id(allow("*")) },
    expect: "implicitDeny",
  },
  {
    name: "a resource grant to the session ARN passes the session policy",
    action: "s3:PutObject",
    resource: OBJECT,
    principal: session,
    set: {
      session: id(allow("s3:GetObject")),
      resource: res({ Effect: "Allow", Principal: { AWS: session.arn }, Action: "s3:*", Resource: "*" }),
    },
    expect: "allowed",
  },
  {
    name: "a resource grant to the role ARN is limited by the session policy",
    action: "s3:PutObject",
    resource: OBJECT,
    principal: session,
    set: {
      session: id(allow("s3:GetObject")),
      resource: res({ Effect: "Allow", Principal: { AWS: session.roleArn }, Action: "s3:*", Resource: "*" }),
    },
    expect: "implicitDeny",
  },

  // Resource-based policies, same and cross account
  {
    name: "same account: a resource grant to the user suffices",
    action: "s3:GetObject",
    resource: OBJECT,
    set: { resource: res({ Effect: "Allow", Principal: { AWS: alice.arn }, Action: "s3:GetObject", Resource: "arn:aws:s3:::docs/*" }) },
    expect: "allowed",
  },
  {
    name: "same account: a grant to the account delegates to identity policies",
    action: "s3:GetObject",
    resource: OBJECT,
    set: { resource: res({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "s3:*", Resource: "*" }) },
    expect: "implicitDeny",
  },
  {
    name: "same account: account grant plus identity allow",
    action: "s3:GetObject",
    resource: OBJECT,
    set: {
      identity: id(allow("s3:GetObject")),
      resource: res({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "s3:*", Resource: "*" }),
    },
    expect: "allowed",
  },
  {
    name: "same account: identity alone suffices",
    action: "s3:GetObject",
    resource: OBJECT,
    set: {
      identity: id(allow("s3:GetObject")),
      resource: res({ Effect: "Allow", Principal: { AWS: stranger.arn }, Action: "s3:*", Resource: "*" }),
    },
    expect: "allowed",
  },
  {
    name: "a resource policy deny wins",
    action: "s3:GetObject",
    resource: OBJECT,
    set: { identity: id(allow("s3:*")), resource: res({ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "*" }) },
    expect: "explicitDeny",
  },
  {
    name: "cross account: resource grant without identity allow",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: stranger,
    set: { resourceAccount: ACCOUNT, resource: res({ Effect: "Allow", Principal: { AWS: OTHER }, Action: "s3:GetObject", Resource: "*" }) },
    expect: "implicitDeny",
  },
  {
    name: "cross account: identity allow without resource grant",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: stranger,
    set: { resourceAccount: ACCOUNT, identity: id(allow("s3:*")) },
    expect: "implicitDeny",
  },
  {
    name: "cross account: both allow",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: stranger,
    set: {
      resourceAccount: ACCOUNT,
      identity: id(allow("s3:*")),
      resource: res({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: "s3:GetObject", Resource: "*" }),
    },
    expect: "allowed",
  },
  {
    name: "cross account: a grant to another account does not apply",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: stranger,
    set: {
      resourceAccount: ACCOUNT,
      identity: id(allow("s3:*")),
      resource: res({ Effect: "Allow", Principal: { AWS: "999999999999" }, Action: "s3:GetObject", Resource: "*" }),
    },
    expect: "implicitDeny",
  },
  {
    name: "cross account: a boundary still limits",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: stranger,
    set: {
      resourceAccount: ACCOUNT,
      identity: id(allow("s3:*")),
      boundary: id(allow("sqs:*")),
      resource: res({ Effect: "Allow", Principal: { AWS: stranger.arn }, Action: "s3:GetObject", Resource: "*" }),
    },
    expect: "implicitDeny",
  },
  {
    name: "public grant to anonymous callers",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: anonymous,
    set: { resource: res({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::docs/*" }) },
    expect: "allowed",
  },
  {
    name: "anonymous callers have no identity policies",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: anonymous,
    set: {},
    expect: "implicitDeny",
  },
  {
    name: "an AWS account principal does not match anonymous",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: anonymous,
    set: { resource: res({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "s3:*", Resource: "*" }) },
    expect: "implicitDeny",
  },
  {
    name: "NotPrincipal deny spares the listed principal",
    action: "s3:GetObject",
    resource: OBJECT,
    set: {
      identity: id(allow("s3:*")),
      resource: res({ Effect: "Deny", NotPrincipal: { AWS: alice.arn }, Action: "s3:*", Resource: "*" }),
    },
    expect: "allowed",
  },
  {
    name: "NotPrincipal deny hits everyone else",
    action: "s3:GetObject",
    resource: OBJECT,
    principal: stranger,
    set: {
      resourceAccount: ACCOUNT,
      identity: id(allow("s3:*")),
      resource: res(
        { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" },
        { Effect: "Deny", NotPrincipal: { AWS: alice.arn }, Action: "s3:*", Resource: "*" },
      ),
    },
    expect: "explicitDeny",
  },
  {
    name: "a service principal via the resource policy",
    action: "sqs:SendMessage",
    principal: sqsService,
    set: { resource: res({ Effect: "Allow", Principal: { Service: "sqs.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "*" }) },
    expect: "allowed",
  },
  {
    name: "another service is not granted",
    action: "sqs:SendMessage",
    principal: sqsService,
    set: { resource: res({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "*" }) },
    expect: "implicitDeny",
  },
  {
    name: "a principal by unique id",
    action: "s3:GetObject",
    set: { resource: res({ Effect: "Allow", Principal: { AWS: "AIDAALICEALICEALICE12" }, Action: "s3:*", Resource: "*" }) },
    expect: "allowed",
  },
  {
    name: "aws:PrincipalArn of a session is its role",
    action: "s3:GetObject",
    principal: session,
    set: { identity: id(allow("s3:*", "*", when({ ArnEquals: { "aws:PrincipalArn": session.roleArn } }))) },
    expect: "allowed",
  },
  {
    name: "aws:PrincipalAccount",
    action: "s3:GetObject",
    principal: stranger,
    set: {
      resourceAccount: ACCOUNT,
      identity: id(allow("s3:*")),
      resource: res({
        Effect: "Allow",
        Principal: "*",
        Action: "s3:*",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": ACCOUNT } },
      }),
    },
    expect: "implicitDeny",
  },

  // Root and SCPs
  { name: "the root user of the account needs no policy", action: "s3:DeleteBucket", principal: root, set: {}, expect: "allowed" },
  {
    name: "a resource policy deny still applies to root",
    action: "s3:DeleteBucket",
    principal: root,
    set: { resource: res({ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "*" }) },
    expect: "explicitDeny",
  },
  {
    name: "an SCP without an allow denies",
    action: "s3:GetObject",
    set: { identity: id(allow("*")), scps: id(allow("sqs:*")) },
    expect: "implicitDeny",
  },
  {
    name: "an SCP deny denies",
    action: "s3:GetObject",
    set: { identity: id(allow("*")), scps: id(allow("*"), deny("s3:*")) },
    expect: "explicitDeny",
  },
  { name: "an SCP allow does not grant", action: "s3:GetObject", set: { scps: id(allow("*")) }, expect: "implicitDeny" },
  {
    name: "SCP and identity both allow",
    action: "s3:GetObject",
    set: { identity: id(allow("s3:*")), scps: id(allow("*")) },
    expect: "allowed",
  },
];

for (const c of cases) {
  test(`engine: ${c.name}`, () => {
    const result = evaluate({ principal: c.principal ?? alice, action: c.action, resource: c.resource ?? "*", context: c.context }, c.set);
    assert.equal(result.decision, c.expect);
  });
}

test("engine: decisions name the deciding policy type", () => {
  const boundary = evaluate(
    { principal: alice, action: "s3:PutObject", resource: "*" },
    { identity: id(allow("s3:*")), boundary: id(allow("s3:GetObject")) },
  );
  assert.equal(boundary.decidedBy, "boundary");
  const denied = evaluate({ principal: alice, action: "s3:PutObject", resource: "*" }, { identity: id(allow("s3:*"), deny("s3:Put*")) });
  assert.deepEqual([denied.decidedBy, denied.matched.length], ["identity", 2]);
});

test("wildcards: * backtracks across repeats, ? is one character, and both stay within their ARN part", () => {
  const like = (pattern: string, value: string) => globMatch(pattern, value, false);
  assert.ok(like("a*b*c", "axxbyybzzc"));
  assert.ok(like("a*b*c", "abc"));
  assert.ok(!like("a*b*c", "axxbyyd"));
  assert.ok(!like("a*b*c", "acb"));
  assert.ok(like("*.txt", "dir/a.txt.txt"));
  assert.ok(!like("*.txt", "a.txt.bak"));
  assert.ok(like("a?c", "abc") && !like("a?c", "ac") && !like("a?c", "abbc"));
  assert.ok(like("**", "") && like("*", "anything"));
  assert.ok(globMatch("S3:Get*", "s3:GetObject", true), "actions ignore case");
  assert.ok(!globMatch("s3:Get*", "s3:PutObject", true));
  assert.ok(like(`a${LITERAL_STAR}`, "a*") && !like(`a${LITERAL_STAR}`, "ab"), "${*} matches a literal star only");
  assert.ok(arnMatch("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c"), "the resource part may hold colons");
  assert.ok(!arnMatch("arn:aws:*:us-east-1:*:x", "arn:aws:sqs:us-east-1:123456789012:y"));
  assert.ok(arnMatch("arn:aws:sqs:*:123456789012:q?", "arn:aws:sqs:eu-west-1:123456789012:q1"));
  assert.ok(!arnMatch("arn:aws:sqs:*:q1", "arn:aws:sqs:eu-west-1:123456789012:q1"), "a pattern with fewer parts matches no ARN");
  assert.ok(!arnMatch("arn:aws:sqs:us-east-1:*", "arn:aws:sqs:us-east-1:123456789012:q1"), "a * does not span ARN parts");
});

test("policies without conditions or variables are marked context-free; the others are not", () => {
  const doc = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
  assert.equal(parsePolicy(doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }), "identity").contextFree, true);
  assert.equal(
    parsePolicy(doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/${aws:username}/*" }), "identity").contextFree,
    false,
  );
  const conditioned = doc({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } });
  assert.equal(parsePolicy(conditioned, "identity").contextFree, false);
  // A condition still decides when it sits beside context-free policies.
  const set = {
    identity: [
      parsePolicy(doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }), "identity"),
      parsePolicy(
        doc({ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        "identity",
      ),
    ],
  };
  assert.equal(
    evaluate({ principal: alice, action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: { "aws:SecureTransport": "false" } }, set)
      .decision,
    "explicitDeny",
  );
  assert.equal(
    evaluate({ principal: alice, action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: { "aws:SecureTransport": "true" } }, set)
      .decision,
    "allowed",
  );
});
