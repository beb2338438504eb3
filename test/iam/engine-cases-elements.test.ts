// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables (${aws:username}…) are literal text in policies.
import { ACCOUNT, allow, type Case, deny, doc, identity, resource, roleSession, runTable, type Statement } from "./engine-cases-support.js";

/**
 * Action / NotAction, Resource / NotResource, Effect and Version, as the IAM JSON policy elements
 * reference documents them; plus permissions boundaries and session policies with their own documented
 * examples (delegating user creation within a boundary, scoping down a role session).
 */
const one = (
  name: string,
  action: string,
  res: string,
  statements: Statement[],
  expect: Case["expect"],
  extra: Partial<Case> = {},
): Case => ({
  name,
  action,
  resource: res,
  set: { identity: [doc("identity", statements)] },
  expect,
  ...extra,
});
const OBJ = "arn:aws:s3:::bucket/folder/file.txt";

runTable(
  "Action and NotAction",
  [
    one("exact action", "s3:GetObject", OBJ, [allow("s3:GetObject")], "allowed"),
    one("another action of the service", "s3:PutObject", OBJ, [allow("s3:GetObject")], "implicitDeny"),
    one("the same action name in another service", "sqs:GetObject", OBJ, [allow("s3:GetObject")], "implicitDeny"),
    one("service prefix is case-insensitive", "s3:GetObject", OBJ, [allow("S3:GetObject")], "allowed"),
    one("action name is case-insensitive", "s3:GetObject", OBJ, [allow("s3:getobject")], "allowed"),
    one("Action *", "dynamodb:Query", OBJ, [allow("*")], "allowed"),
    one("service wildcard", "s3:DeleteBucket", OBJ, [allow("s3:*")], "allowed"),
    one("prefix wildcard", "s3:GetObjectTagging", OBJ, [allow("s3:Get*")], "allowed"),
    one("prefix wildcard does not match other verbs", "s3:PutObjectTagging", OBJ, [allow("s3:Get*")], "implicitDeny"),
    one("infix wildcard", "s3:PutObjectAcl", OBJ, [allow("s3:*Object*")], "allowed"),
    one("suffix wildcard", "iam:ListUserTags", OBJ, [allow("iam:*Tags")], "allowed"),
    one("single-character wildcard", "ec2:DescribeVpcs", OBJ, [allow("ec2:Describe?pcs")], "allowed"),
    one("single-character wildcard needs one character", "ec2:DescribeVpcs", OBJ, [allow("ec2:Describe?Vpcs")], "implicitDeny"),
    one("a list of actions (OR)", "sqs:SendMessage", OBJ, [allow(["sqs:ReceiveMessage", "sqs:SendMessage"])], "allowed"),
    one("a list without the action", "sqs:DeleteMessage", OBJ, [allow(["sqs:ReceiveMessage", "sqs:SendMessage"])], "implicitDeny"),
    one(
      "NotAction Allow: everything but the listed",
      "s3:GetObject",
      OBJ,
      [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
      "allowed",
    ),
    one(
      "NotAction Allow: the listed is not allowed",
      "iam:CreateUser",
      OBJ,
      [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
      "implicitDeny",
    ),
    one(
      "NotAction Allow with a list",
      "sts:AssumeRole",
      OBJ,
      [{ Effect: "Allow", NotAction: ["iam:*", "sts:*"], Resource: "*" }],
      "implicitDeny",
    ),
    one(
      "NotAction Deny: denies all but the listed",
      "ec2:RunInstances",
      OBJ,
      [allow("*"), { Effect: "Deny", NotAction: "iam:*", Resource: "*" }],
      "explicitDeny",
    ),
    one(
      "NotAction Deny: the listed stays allowed",
      "iam:ListUsers",
      OBJ,
      [allow("*"), { Effect: "Deny", NotAction: "iam:*", Resource: "*" }],
      "allowed",
    ),
    one(
      "NotAction Deny alone grants nothing",
      "iam:ListUsers",
      OBJ,
      [{ Effect: "Deny", NotAction: "iam:*", Resource: "*" }],
      "implicitDeny",
    ),
    one(
      "NotAction with a resource limit",
      "s3:GetObject",
      "arn:aws:s3:::other/x",
      [{ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::bucket/*" }],
      "implicitDeny",
    ),
    one("NotAction is case-insensitive", "IAM:CreateUser", OBJ, [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }], "implicitDeny"),
    one(
      "an explicit deny overrides an allow of the same action",
      "s3:GetObject",
      OBJ,
      [allow("s3:*"), deny("s3:GetObject")],
      "explicitDeny",
    ),
    one("a deny of another action leaves the allow", "s3:GetObject", OBJ, [allow("s3:*"), deny("s3:DeleteObject")], "allowed"),
    one("the order of statements does not matter", "s3:GetObject", OBJ, [deny("s3:GetObject"), allow("s3:*")], "explicitDeny"),
    one("a deny with a wildcard", "s3:DeleteObjectVersion", OBJ, [allow("s3:*"), deny("s3:Delete*")], "explicitDeny"),
  ],
  { action: "s3:GetObject", resource: OBJ },
);

runTable(
  "Resource and NotResource",
  [
    one("exact ARN", "s3:GetObject", OBJ, [allow("s3:GetObject", OBJ)], "allowed"),
    one("another object", "s3:GetObject", "arn:aws:s3:::bucket/other.txt", [allow("s3:GetObject", OBJ)], "implicitDeny"),
    one("* spans / in the resource part", "s3:GetObject", OBJ, [allow("s3:GetObject", "arn:aws:s3:::bucket/*")], "allowed"),
    one(
      "the bucket is not its objects",
      "s3:ListBucket",
      "arn:aws:s3:::bucket",
      [allow("s3:ListBucket", "arn:aws:s3:::bucket/*")],
      "implicitDeny",
    ),
    one(
      "bucket and objects both listed",
      "s3:ListBucket",
      "arn:aws:s3:::bucket",
      [allow("s3:ListBucket", ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"])],
      "allowed",
    ),
    one("resource match is case-sensitive", "s3:GetObject", OBJ, [allow("s3:GetObject", "arn:aws:s3:::Bucket/*")], "implicitDeny"),
    one(
      "a bucket-name prefix wildcard",
      "s3:GetObject",
      "arn:aws:s3:::bucket-logs/x",
      [allow("s3:GetObject", "arn:aws:s3:::bucket*")],
      "allowed",
    ),
    one("? in a resource", "s3:GetObject", "arn:aws:s3:::bucket/v1/x", [allow("s3:GetObject", "arn:aws:s3:::bucket/v?/*")], "allowed"),
    one(
      "Resource * matches any ARN",
      "dynamodb:GetItem",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t`,
      [allow("dynamodb:GetItem", "*")],
      "allowed",
    ),
    one(
      "region wildcard",
      "sqs:SendMessage",
      `arn:aws:sqs:eu-west-1:${ACCOUNT}:q`,
      [allow("sqs:SendMessage", `arn:aws:sqs:*:${ACCOUNT}:q`)],
      "allowed",
    ),
    one(
      "account wildcard",
      "sqs:SendMessage",
      `arn:aws:sqs:eu-west-1:${ACCOUNT}:q`,
      [allow("sqs:SendMessage", "arn:aws:sqs:eu-west-1:*:q")],
      "allowed",
    ),
    one(
      "another account",
      "sqs:SendMessage",
      "arn:aws:sqs:eu-west-1:444455556666:q",
      [allow("sqs:SendMessage", `arn:aws:sqs:*:${ACCOUNT}:*`)],
      "implicitDeny",
    ),
    one(
      "the resource part keeps its colons (log streams)",
      "logs:PutLogEvents",
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:log-stream:s1`,
      [allow("logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:*`)],
      "allowed",
    ),
    one(
      "log group of another name",
      "logs:PutLogEvents",
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:other:log-stream:s1`,
      [allow("logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:*`)],
      "implicitDeny",
    ),
    one(
      "a DynamoDB table and its indexes",
      "dynamodb:Query",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Books/index/ByAuthor`,
      [allow("dynamodb:Query", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Books/index/*`)],
      "allowed",
    ),
    one(
      "the table itself is not its index pattern",
      "dynamodb:Query",
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Books`,
      [allow("dynamodb:Query", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Books/index/*`)],
      "implicitDeny",
    ),
    one(
      "IAM ARNs with paths",
      "iam:GetUser",
      `arn:aws:iam::${ACCOUNT}:user/division/alice`,
      [allow("iam:GetUser", `arn:aws:iam::${ACCOUNT}:user/division/*`)],
      "allowed",
    ),
    one(
      "IAM user outside the path",
      "iam:GetUser",
      `arn:aws:iam::${ACCOUNT}:user/alice`,
      [allow("iam:GetUser", `arn:aws:iam::${ACCOUNT}:user/division/*`)],
      "implicitDeny",
    ),
    one("a list of resources (OR)", "s3:GetObject", OBJ, [allow("s3:GetObject", ["arn:aws:s3:::a/*", "arn:aws:s3:::bucket/*"])], "allowed"),
    one(
      "NotResource Allow: outside the list",
      "s3:GetObject",
      OBJ,
      [{ Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }],
      "allowed",
    ),
    one(
      "NotResource Allow: inside the list",
      "s3:GetObject",
      "arn:aws:s3:::secret/x",
      [{ Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }],
      "implicitDeny",
    ),
    one(
      "NotResource with NotAction: an S3 resource is excluded",
      "iam:CreateUser",
      OBJ,
      [{ Effect: "Allow", NotAction: "s3:*", NotResource: "arn:aws:s3:::*" }],
      "implicitDeny",
    ),
    one(
      "NotResource Deny: everything outside the list",
      "s3:GetObject",
      OBJ,
      [allow("s3:*"), { Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::home", "arn:aws:s3:::home/*"] }],
      "explicitDeny",
    ),
    one(
      "NotResource Deny: inside the list stays allowed",
      "s3:GetObject",
      "arn:aws:s3:::home/x",
      [allow("s3:*"), { Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::home", "arn:aws:s3:::home/*"] }],
      "allowed",
    ),
    one(
      "NotResource with NotAction",
      "iam:CreateUser",
      `arn:aws:iam::${ACCOUNT}:user/x`,
      [{ Effect: "Allow", NotAction: "s3:*", NotResource: "arn:aws:s3:::*" }],
      "allowed",
    ),
    one(
      "a deny on a narrower resource",
      "s3:GetObject",
      "arn:aws:s3:::bucket/private/a",
      [allow("s3:*", "arn:aws:s3:::bucket/*"), deny("s3:*", "arn:aws:s3:::bucket/private/*")],
      "explicitDeny",
    ),
    one(
      "a deny on a narrower resource leaves the rest",
      "s3:GetObject",
      "arn:aws:s3:::bucket/public/a",
      [allow("s3:*", "arn:aws:s3:::bucket/*"), deny("s3:*", "arn:aws:s3:::bucket/private/*")],
      "allowed",
    ),
  ],
  { action: "s3:GetObject", resource: OBJ },
);

const oldVersion = (statements: Statement[]) => [doc("identity", statements, "2008-10-17")];
runTable(
  "policy Version",
  [
    {
      name: "2012-10-17 substitutes variables",
      resource: "arn:aws:s3:::home/alice/x",
      set: { identity: identity(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")) },
      expect: "allowed",
    },
    {
      name: "2008-10-17 takes ${…} literally",
      resource: "arn:aws:s3:::home/alice/x",
      set: { identity: oldVersion([allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]) },
      expect: "implicitDeny",
    },
    {
      name: "2008-10-17 matches the literal text",
      resource: "arn:aws:s3:::home/${aws:username}/x",
      set: { identity: oldVersion([allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]) },
      expect: "allowed",
    },
    { name: "2008-10-17 still evaluates plain statements", set: { identity: oldVersion([allow("s3:GetObject")]) }, expect: "allowed" },
  ],
  { action: "s3:GetObject", resource: OBJ },
);

/** "Permissions boundaries for IAM entities": delegating IAM administration within a boundary. */
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/DeveloperBoundary`;
const delegatedAdmin = identity(
  allow(["iam:CreateUser", "iam:PutUserPermissionsBoundary", "iam:AttachUserPolicy"], "*", {
    Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY_ARN } },
  }),
  allow(["iam:GetUser", "iam:ListUsers"]),
  deny(["iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], BOUNDARY_ARN),
  deny(["iam:DeleteUserPermissionsBoundary"]),
);
const boundary = identity(allow(["s3:*", "cloudwatch:*", "ec2:Describe*"]));
runTable(
  "permissions boundaries (documented delegation example)",
  [
    {
      name: "create a user with the required boundary",
      action: "iam:CreateUser",
      context: { "iam:PermissionsBoundary": BOUNDARY_ARN },
      set: { identity: delegatedAdmin },
      expect: "allowed",
    },
    {
      name: "create a user with another boundary",
      action: "iam:CreateUser",
      context: { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/Admin` },
      set: { identity: delegatedAdmin },
      expect: "implicitDeny",
    },
    { name: "create a user without a boundary", action: "iam:CreateUser", set: { identity: delegatedAdmin }, expect: "implicitDeny" },
    {
      name: "the boundary policy cannot be edited",
      action: "iam:CreatePolicyVersion",
      resource: BOUNDARY_ARN,
      set: { identity: delegatedAdmin },
      expect: "explicitDeny",
    },
    {
      name: "boundaries cannot be removed",
      action: "iam:DeleteUserPermissionsBoundary",
      set: { identity: delegatedAdmin },
      expect: "explicitDeny",
    },
    { name: "reading users needs no boundary", action: "iam:ListUsers", set: { identity: delegatedAdmin }, expect: "allowed" },
    { name: "within identity and boundary", action: "s3:GetObject", set: { identity: identity(allow("*")), boundary }, expect: "allowed" },
    {
      name: "identity allows, boundary does not",
      action: "iam:CreateUser",
      set: { identity: identity(allow("*")), boundary },
      expect: "implicitDeny",
    },
    {
      name: "boundary allows, identity does not",
      action: "ec2:DescribeInstances",
      set: { identity: identity(allow("s3:*")), boundary },
      expect: "implicitDeny",
    },
    { name: "a boundary never grants by itself", action: "s3:GetObject", set: { boundary }, expect: "implicitDeny" },
    {
      name: "an explicit deny in the boundary",
      action: "s3:DeleteBucket",
      set: { identity: identity(allow("*")), boundary: identity(allow("*"), deny("s3:DeleteBucket")) },
      expect: "explicitDeny",
    },
    {
      name: "a boundary with a condition (region)",
      action: "ec2:DescribeInstances",
      context: { "aws:RequestedRegion": "eu-west-1" },
      set: {
        identity: identity(allow("*")),
        boundary: identity(allow("ec2:*", "*", { Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } })),
      },
      expect: "allowed",
    },
    {
      name: "a boundary with a failing condition",
      action: "ec2:DescribeInstances",
      context: { "aws:RequestedRegion": "us-east-1" },
      set: {
        identity: identity(allow("*")),
        boundary: identity(allow("ec2:*", "*", { Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } })),
      },
      expect: "implicitDeny",
    },
    {
      name: "an empty boundary (no statement applies) denies everything",
      action: "s3:GetObject",
      set: { identity: identity(allow("*")), boundary: identity(allow("none:None")) },
      expect: "implicitDeny",
    },
    {
      name: "several identity policies, one boundary",
      action: "cloudwatch:PutMetricData",
      set: { identity: [...identity(allow("s3:*")), ...identity(allow("cloudwatch:PutMetricData"))], boundary },
      expect: "allowed",
    },
  ],
  { action: "s3:GetObject", resource: "*" },
);

/** "Session policies": AssumeRole / GetFederationToken scoped down by inline and managed session policies. */
const sessionPolicy = (...s: Statement[]) => [doc("session", s)];
const roleIdentity = identity(allow(["s3:*", "dynamodb:*"]));
runTable(
  "session policies",
  [
    {
      name: "identity and session policy both allow",
      set: { identity: roleIdentity, session: sessionPolicy(allow("s3:GetObject")) },
      expect: "allowed",
    },
    {
      name: "the session policy does not allow",
      action: "dynamodb:PutItem",
      set: { identity: roleIdentity, session: sessionPolicy(allow("s3:GetObject")) },
      expect: "implicitDeny",
    },
    {
      name: "the session policy cannot add permissions",
      action: "sqs:SendMessage",
      set: { identity: roleIdentity, session: sessionPolicy(allow("*")) },
      expect: "implicitDeny",
    },
    {
      name: "several session policies: any one allows",
      action: "dynamodb:GetItem",
      set: { identity: roleIdentity, session: [...sessionPolicy(allow("s3:GetObject")), ...sessionPolicy(allow("dynamodb:GetItem"))] },
      expect: "allowed",
    },
    {
      name: "a session policy's explicit deny",
      set: { identity: roleIdentity, session: sessionPolicy(allow("*"), deny("s3:GetObject")) },
      expect: "explicitDeny",
    },
    {
      name: "an empty session policy list (federation without policy) allows nothing",
      set: { identity: roleIdentity, session: [] },
      expect: "implicitDeny",
    },
    {
      name: "a session policy scoped to a prefix",
      resource: "arn:aws:s3:::data/team-a/x",
      set: { identity: roleIdentity, session: sessionPolicy(allow("s3:GetObject", "arn:aws:s3:::data/team-a/*")) },
      expect: "allowed",
    },
    {
      name: "a session policy scoped to another prefix",
      resource: "arn:aws:s3:::data/team-b/x",
      set: { identity: roleIdentity, session: sessionPolicy(allow("s3:GetObject", "arn:aws:s3:::data/team-a/*")) },
      expect: "implicitDeny",
    },
    {
      name: "session policy with boundary: all three allow",
      set: { identity: roleIdentity, boundary: identity(allow("s3:*")), session: sessionPolicy(allow("s3:*")) },
      expect: "allowed",
    },
    {
      name: "session policy with boundary: boundary missing",
      action: "dynamodb:GetItem",
      set: { identity: roleIdentity, boundary: identity(allow("s3:*")), session: sessionPolicy(allow("*")) },
      expect: "implicitDeny",
    },
    {
      name: "a resource policy naming the session ARN is not limited by the session policy",
      principal: roleSession,
      set: {
        session: sessionPolicy(allow("sqs:*")),
        resource: resource({ Effect: "Allow", Principal: { AWS: roleSession.arn }, Action: "s3:GetObject", Resource: "*" }),
      },
      expect: "allowed",
    },
    {
      name: "a resource policy naming the role ARN is limited by the session policy",
      principal: roleSession,
      set: {
        session: sessionPolicy(allow("sqs:*")),
        resource: resource({ Effect: "Allow", Principal: { AWS: roleSession.roleArn }, Action: "s3:GetObject", Resource: "*" }),
      },
      expect: "implicitDeny",
    },
    {
      name: "a resource policy naming the role ARN within the session policy",
      principal: roleSession,
      set: {
        session: sessionPolicy(allow("s3:*")),
        resource: resource({ Effect: "Allow", Principal: { AWS: roleSession.roleArn }, Action: "s3:GetObject", Resource: "*" }),
      },
      expect: "allowed",
    },
  ],
  { action: "s3:GetObject", resource: "arn:aws:s3:::data/file" },
);
