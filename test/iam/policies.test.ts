import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  AddRoleToInstanceProfileCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  UpdateAssumeRolePolicyCommand,
  GetUserCommand,
  GetAccountAuthorizationDetailsCommand,
  CreateGroupCommand,
  AddUserToGroupCommand,
  PutGroupPolicyCommand,
} from "@aws-sdk/client-iam";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const iam = () => new IAMClient(server.clientConfig());

const doc = (statement: object | object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statement });
const S3_READ = doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "*" });
const TRUST = doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" });

test("managed policies: create, versions (max 5), default version rules, delete", async () => {
  const { Policy } = await iam().send(new CreatePolicyCommand({ PolicyName: "s3-read", PolicyDocument: S3_READ, Path: "/app/" }));
  assert.equal(Policy?.Arn, "arn:aws:iam::000000000000:policy/app/s3-read");
  assert.match(Policy?.PolicyId ?? "", /^ANPA/);
  assert.equal(Policy?.DefaultVersionId, "v1");
  const arn = Policy?.Arn as string;
  const dup = await rejectsWith(
    iam().send(new CreatePolicyCommand({ PolicyName: "s3-read", PolicyDocument: S3_READ })),
    "EntityAlreadyExistsException",
    409,
  );
  assert.equal(dup.message, "A policy called s3-read already exists. Duplicate names are not allowed.");
  for (let i = 0; i < 4; i++)
    await iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: S3_READ, SetAsDefault: i === 3 }));
  const limit = await rejectsWith(
    iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: S3_READ })),
    "LimitExceededException",
    409,
  );
  assert.match(limit.message, /can have up to 5 versions/);
  const versions = await iam().send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
  assert.deepEqual(
    versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion]),
    [
      ["v5", true],
      ["v4", false],
      ["v3", false],
      ["v2", false],
      ["v1", false],
    ],
  );
  const conflict = await rejectsWith(
    iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" })),
    "DeleteConflictException",
    409,
  );
  assert.equal(conflict.message, "Cannot delete the default version of a policy.");
  await iam().send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
  await iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }));
  await rejectsWith(iam().send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" })), "NoSuchEntityException", 404);
  const v2 = await iam().send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
  assert.equal(decodeURIComponent(v2.PolicyVersion?.Document ?? ""), S3_READ);
  assert.equal(v2.PolicyVersion?.IsDefaultVersion, true);
  const next = await iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: S3_READ }));
  assert.equal(next.PolicyVersion?.VersionId, "v6");
  await rejectsWith(iam().send(new DeletePolicyCommand({ PolicyArn: arn })), "DeleteConflictException", 409);
  for (const v of ["v1", "v3", "v4", "v6"]) await iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
  await iam().send(new DeletePolicyCommand({ PolicyArn: arn }));
  const gone = await rejectsWith(iam().send(new GetPolicyCommand({ PolicyArn: arn })), "NoSuchEntityException", 404);
  assert.equal(gone.message, `Policy ${arn} was not found.`);
});

test("policy documents are validated with IAM's MalformedPolicyDocument messages", async () => {
  const cases: [string, string][] = [
    ["{not json", "Syntax errors in policy."],
    [JSON.stringify({ Version: "2012-10-18", Statement: [] }), "The policy must contain a valid version string"],
    [doc({ Action: "s3:*", Resource: "*" }), "Missing required field Effect"],
    [doc({ Effect: "Allow", Resource: "*" }), "Policy statement must contain actions."],
    [doc({ Effect: "Allow", Action: "s3:*" }), "Policy statement must contain resources."],
    [doc({ Effect: "Allow", Action: "s3:*", Resource: "*", Principal: "*" }), "Policy document should not specify a principal."],
    [
      doc({ Effect: "Allow", Action: "GetObject", Resource: "*" }),
      "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ],
    [doc({ Effect: "Allow", Action: "s3:*", Resource: "bucket" }), 'Resource bucket must be in ARN format or "*".'],
    [
      doc({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { StringEqualz: { "aws:username": "x" } } }),
      "Invalid Condition type : StringEqualz",
    ],
  ];
  for (const [document, message] of cases) {
    const err = await rejectsWith(
      iam().send(new CreatePolicyCommand({ PolicyName: "bad", PolicyDocument: document })),
      "MalformedPolicyDocumentException",
      400,
    );
    assert.equal(err.message, message, document);
  }
  const big = doc({ Effect: "Allow", Action: Array.from({ length: 600 }, (_, i) => `s3:Action${i}`), Resource: "*" });
  await rejectsWith(iam().send(new CreatePolicyCommand({ PolicyName: "big", PolicyDocument: big })), "LimitExceededException", 409);
});

test("AWS managed policies: real documents, listed by scope, attachable", async () => {
  const admin = await iam().send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
  assert.equal(admin.Policy?.PolicyId, "ANPAIWMBCKSKIEE64ZLYK");
  const version = await iam().send(
    new GetPolicyVersionCommand({ PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", VersionId: "v1" }),
  );
  const statement = JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? "")).Statement[0];
  assert.deepEqual(statement.Action.slice(0, 2), ["s3:Get*", "s3:List*"]);
  const aws = await iam().send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 1000 }));
  const names = aws.Policies?.map((p) => p.PolicyName) ?? [];
  for (const n of [
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonSQSFullAccess",
    "AWSLambdaBasicExecutionRole",
  ])
    assert.ok(names.includes(n), n);
  const basic = aws.Policies?.find((p) => p.PolicyName === "AWSLambdaBasicExecutionRole");
  assert.equal(basic?.Arn, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
  await rejectsWith(
    iam().send(new DeletePolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })),
    "InvalidInputException",
    400,
  );
});

test("inline and attached user policies; attachment counts and entities", async () => {
  await iam().send(new CreateUserCommand({ UserName: "pol" }));
  await iam().send(new PutUserPolicyCommand({ UserName: "pol", PolicyName: "inline", PolicyDocument: S3_READ }));
  const got = await iam().send(new GetUserPolicyCommand({ UserName: "pol", PolicyName: "inline" }));
  assert.equal(decodeURIComponent(got.PolicyDocument ?? ""), S3_READ);
  const missing = await rejectsWith(
    iam().send(new GetUserPolicyCommand({ UserName: "pol", PolicyName: "nope" })),
    "NoSuchEntityException",
    404,
  );
  assert.equal(missing.message, "The user policy with name nope cannot be found.");
  const tooBig = doc({ Effect: "Allow", Action: Array.from({ length: 250 }, (_, i) => `s3:Act${i}`), Resource: "*" });
  const size = await rejectsWith(
    iam().send(new PutUserPolicyCommand({ UserName: "pol", PolicyName: "big", PolicyDocument: tooBig })),
    "LimitExceededException",
    409,
  );
  assert.equal(size.message, "Maximum policy size of 2048 bytes exceeded for user pol");
  await iam().send(new DeleteUserPolicyCommand({ UserName: "pol", PolicyName: "inline" }));

  const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  await iam().send(new AttachUserPolicyCommand({ UserName: "pol", PolicyArn: arn }));
  const attached = await iam().send(new ListAttachedUserPoliciesCommand({ UserName: "pol" }));
  assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: "ReadOnlyAccess", PolicyArn: arn }]);
  assert.equal((await iam().send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount, 1);
  const entities = await iam().send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
  assert.deepEqual(
    entities.PolicyUsers?.map((u) => u.UserName),
    ["pol"],
  );
  const bad = await rejectsWith(
    iam().send(new AttachUserPolicyCommand({ UserName: "pol", PolicyArn: "arn:aws:iam::aws:policy/NoSuchPolicy" })),
    "NoSuchEntityException",
    404,
  );
  assert.equal(bad.message, "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.");
  await iam().send(new DetachUserPolicyCommand({ UserName: "pol", PolicyArn: arn }));
  await rejectsWith(iam().send(new DetachUserPolicyCommand({ UserName: "pol", PolicyArn: arn })), "NoSuchEntityException", 404);
  await iam().send(new PutUserPermissionsBoundaryCommand({ UserName: "pol", PermissionsBoundary: arn }));
  const user = await iam().send(new GetUserCommand({ UserName: "pol" }));
  assert.equal(user.User?.PermissionsBoundary?.PermissionsBoundaryArn, arn);
});

test("roles: trust policy validation, URL-encoded documents, inline policies, instance profiles", async () => {
  const { Role } = await iam().send(new CreateRoleCommand({ RoleName: "app", AssumeRolePolicyDocument: TRUST, Path: "/svc/" }));
  assert.equal(Role?.Arn, "arn:aws:iam::000000000000:role/svc/app");
  assert.match(Role?.RoleId ?? "", /^AROA/);
  assert.equal(Role?.MaxSessionDuration, 3600);
  assert.equal(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ""), TRUST);
  const noPrincipal = await rejectsWith(
    iam().send(new CreateRoleCommand({ RoleName: "x", AssumeRolePolicyDocument: doc({ Effect: "Allow", Action: "sts:AssumeRole" }) })),
    "MalformedPolicyDocumentException",
    400,
  );
  assert.equal(noPrincipal.message, "Missing required field Principal");
  const ghostTrust = doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:user/ghost" }, Action: "sts:AssumeRole" });
  const ghost = await rejectsWith(
    iam().send(new CreateRoleCommand({ RoleName: "x", AssumeRolePolicyDocument: ghostTrust })),
    "MalformedPolicyDocumentException",
    400,
  );
  assert.equal(ghost.message, 'Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:user/ghost"');
  const wrongAction = await rejectsWith(
    iam().send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "app",
        PolicyDocument: doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }),
      }),
    ),
    "MalformedPolicyDocumentException",
    400,
  );
  assert.equal(wrongAction.message, "AssumeRole policy may only specify STS AssumeRole actions.");
  await rejectsWith(
    iam().send(new CreateRoleCommand({ RoleName: "long", AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 60 })),
    "ValidationError",
    400,
  );
  await iam().send(new PutRolePolicyCommand({ RoleName: "app", PolicyName: "p", PolicyDocument: S3_READ }));
  assert.deepEqual((await iam().send(new ListRolePoliciesCommand({ RoleName: "app" }))).PolicyNames, ["p"]);
  const missing = await rejectsWith(
    iam().send(new GetRolePolicyCommand({ RoleName: "app", PolicyName: "q" })),
    "NoSuchEntityException",
    404,
  );
  assert.equal(missing.message, "The role policy with name q cannot be found.");
  await iam().send(
    new AttachRolePolicyCommand({ RoleName: "app", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }),
  );
  const { InstanceProfile } = await iam().send(new CreateInstanceProfileCommand({ InstanceProfileName: "app-profile" }));
  assert.match(InstanceProfile?.InstanceProfileId ?? "", /^AIPA/);
  await iam().send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "app-profile", RoleName: "app" }));
  const profile = await iam().send(new GetInstanceProfileCommand({ InstanceProfileName: "app-profile" }));
  assert.deepEqual(
    profile.InstanceProfile?.Roles?.map((r) => r.RoleName),
    ["app"],
  );
  await rejectsWith(
    iam().send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "app-profile", RoleName: "app" })),
    "LimitExceededException",
    409,
  );
  const conflict = await rejectsWith(iam().send(new DeleteRoleCommand({ RoleName: "app" })), "DeleteConflictException", 409);
  assert.equal(conflict.message, "Cannot delete entity, must remove roles from instance profile first.");
  const gone = await rejectsWith(iam().send(new GetRoleCommand({ RoleName: "nope" })), "NoSuchEntityException", 404);
  assert.equal(gone.message, "The role with name nope cannot be found.");
});

test("SimulatePrincipalPolicy evaluates a user's own and group policies; SimulateCustomPolicy custom ones", async () => {
  await iam().send(new CreateUserCommand({ UserName: "sim" }));
  await iam().send(new CreateGroupCommand({ GroupName: "readers" }));
  await iam().send(new AddUserToGroupCommand({ GroupName: "readers", UserName: "sim" }));
  await iam().send(new PutGroupPolicyCommand({ GroupName: "readers", PolicyName: "read", PolicyDocument: S3_READ }));
  await iam().send(
    new PutUserPolicyCommand({
      UserName: "sim",
      PolicyName: "no-secret",
      PolicyDocument: doc({ Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/secret/*" }),
    }),
  );
  const result = await iam().send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: "arn:aws:iam::000000000000:user/sim",
      ActionNames: ["s3:GetObject", "s3:PutObject"],
      ResourceArns: ["arn:aws:s3:::bucket/public/a", "arn:aws:s3:::bucket/secret/b"],
    }),
  );
  const decisions = result.EvaluationResults?.map((r) => `${r.EvalActionName} ${r.EvalResourceName} ${r.EvalDecision}`);
  assert.deepEqual(decisions, [
    "s3:GetObject arn:aws:s3:::bucket/public/a allowed",
    "s3:GetObject arn:aws:s3:::bucket/secret/b explicitDeny",
    "s3:PutObject arn:aws:s3:::bucket/public/a implicitDeny",
    "s3:PutObject arn:aws:s3:::bucket/secret/b implicitDeny",
  ]);
  assert.deepEqual(
    result.EvaluationResults?.[0].MatchedStatements?.map((m) => [m.SourcePolicyId, m.SourcePolicyType]),
    [["read", "group"]],
  );

  const custom = await iam().send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [
        doc({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }),
      ],
      ActionNames: ["s3:GetObject"],
      ContextEntries: [{ ContextKeyName: "aws:SourceIp", ContextKeyValues: ["10.1.2.3"], ContextKeyType: "ip" }],
    }),
  );
  assert.equal(custom.EvaluationResults?.[0].EvalDecision, "allowed");
  await rejectsWith(
    iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: ["{bad"], ActionNames: ["s3:GetObject"] })),
    "InvalidInputException",
    400,
  );
  await rejectsWith(
    iam().send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: "arn:aws:iam::000000000000:user/ghost", ActionNames: ["s3:GetObject"] }),
    ),
    "NoSuchEntityException",
    404,
  );
});

test("GetAccountAuthorizationDetails reports users with groups and policies, roles, and managed policies in use", async () => {
  const client = new IAMClient({ ...server.clientConfig(), credentials: { accessKeyId: "222222222222", secretAccessKey: "x" } });
  await client.send(new CreateUserCommand({ UserName: "audited" }));
  await client.send(new CreateGroupCommand({ GroupName: "auditors" }));
  await client.send(new AddUserToGroupCommand({ GroupName: "auditors", UserName: "audited" }));
  await client.send(new PutUserPolicyCommand({ UserName: "audited", PolicyName: "inline", PolicyDocument: S3_READ }));
  await client.send(new AttachUserPolicyCommand({ UserName: "audited", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
  await client.send(new CreateRoleCommand({ RoleName: "audited-role", AssumeRolePolicyDocument: TRUST }));
  await client.send(new CreatePolicyCommand({ PolicyName: "local", PolicyDocument: S3_READ }));
  const all = await client.send(new GetAccountAuthorizationDetailsCommand({}));
  const user = all.UserDetailList?.[0];
  assert.equal(user?.UserName, "audited");
  assert.deepEqual(user?.GroupList, ["auditors"]);
  assert.equal(decodeURIComponent(user?.UserPolicyList?.[0].PolicyDocument ?? ""), S3_READ);
  assert.deepEqual(
    user?.AttachedManagedPolicies?.map((p) => p.PolicyName),
    ["ReadOnlyAccess"],
  );
  assert.deepEqual(
    all.RoleDetailList?.map((r) => r.RoleName),
    ["audited-role"],
  );
  assert.deepEqual(all.Policies?.map((p) => p.PolicyName).sort(), ["ReadOnlyAccess", "local"]);
  const roles = await client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
  assert.equal(roles.UserDetailList?.length ?? 0, 0);
  assert.equal(roles.RoleDetailList?.length, 1);
  const first = await client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 2 }));
  assert.equal(first.IsTruncated, true);
  const rest = await client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 100, Marker: first.Marker }));
  assert.equal(
    (rest.UserDetailList?.length ?? 0) +
      (rest.GroupDetailList?.length ?? 0) +
      (rest.RoleDetailList?.length ?? 0) +
      (rest.Policies?.length ?? 0),
    3,
  );
});
