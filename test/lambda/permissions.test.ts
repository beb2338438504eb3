import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  GetPolicyCommand,
  LambdaClient,
  PublishVersionCommand,
  RemovePermissionCommand,
} from "@aws-sdk/client-lambda";
import { rejectsWith, useServer } from "../helpers.js";
import { createFunction } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const FN_ARN = "arn:aws:lambda:us-east-1:000000000000:function:perm";
const HANDLER = { "index.js": "exports.handler = async () => 1;" };

test("AddPermission writes AWS's statements and GetPolicy returns the policy document", async () => {
  await createFunction(lambda(), "perm", HANDLER);
  await rejectsWith(lambda().send(new GetPolicyCommand({ FunctionName: "perm" })), "ResourceNotFoundException", 404);
  const s3 = await lambda().send(
    new AddPermissionCommand({
      FunctionName: "perm",
      StatementId: "s3-invoke",
      Action: "lambda:InvokeFunction",
      Principal: "s3.amazonaws.com",
      SourceArn: "arn:aws:s3:::photos",
      SourceAccount: "000000000000",
    }),
  );
  assert.deepEqual(JSON.parse(s3.Statement as string), {
    Sid: "s3-invoke",
    Effect: "Allow",
    Principal: { Service: "s3.amazonaws.com" },
    Action: "lambda:InvokeFunction",
    Resource: FN_ARN,
    Condition: { StringEquals: { "AWS:SourceAccount": "000000000000" }, ArnLike: { "AWS:SourceArn": "arn:aws:s3:::photos" } },
  });
  await lambda().send(
    new AddPermissionCommand({ FunctionName: FN_ARN, StatementId: "acct", Action: "lambda:GetFunction", Principal: "111122223333" }),
  );
  await lambda().send(
    new AddPermissionCommand({
      FunctionName: "perm",
      StatementId: "url",
      Action: "lambda:InvokeFunctionUrl",
      Principal: "*",
      FunctionUrlAuthType: "NONE",
      PrincipalOrgID: "o-abc123",
    }),
  );
  const policy = await lambda().send(new GetPolicyCommand({ FunctionName: "perm" }));
  assert.ok(policy.RevisionId);
  const doc = JSON.parse(policy.Policy as string);
  assert.equal(doc.Version, "2012-10-17");
  assert.equal(doc.Id, "default");
  assert.deepEqual(
    doc.Statement.map((s: { Sid: string }) => s.Sid),
    ["s3-invoke", "acct", "url"],
  );
  assert.deepEqual(doc.Statement[1], {
    Sid: "acct",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111122223333:root" },
    Action: "lambda:GetFunction",
    Resource: FN_ARN,
  });
  assert.equal(doc.Statement[2].Principal, "*");
  assert.deepEqual(doc.Statement[2].Condition, {
    StringEquals: { "aws:PrincipalOrgID": "o-abc123", "lambda:FunctionUrlAuthType": "NONE" },
  });
});

test("statement ids are unique per policy; RemovePermission and RevisionId checks", async () => {
  const duplicate = await rejectsWith(
    lambda().send(
      new AddPermissionCommand({
        FunctionName: "perm",
        StatementId: "acct",
        Action: "lambda:InvokeFunction",
        Principal: "sns.amazonaws.com",
      }),
    ),
    "ResourceConflictException",
    409,
  );
  assert.equal(
    duplicate.message,
    "The statement id (acct) provided already exists. Please provide a new statement id, or remove the existing statement.",
  );
  await rejectsWith(
    lambda().send(
      new AddPermissionCommand({
        FunctionName: "perm",
        StatementId: "other",
        Action: "lambda:InvokeFunction",
        Principal: "sns.amazonaws.com",
        RevisionId: "not-the-revision",
      }),
    ),
    "PreconditionFailedException",
    412,
  );
  const before = await lambda().send(new GetPolicyCommand({ FunctionName: "perm" }));
  await rejectsWith(
    lambda().send(new RemovePermissionCommand({ FunctionName: "perm", StatementId: "acct", RevisionId: "stale" })),
    "PreconditionFailedException",
    412,
  );
  await lambda().send(new RemovePermissionCommand({ FunctionName: "perm", StatementId: "acct", RevisionId: before.RevisionId }));
  const after = await lambda().send(new GetPolicyCommand({ FunctionName: "perm" }));
  assert.notEqual(after.RevisionId, before.RevisionId);
  assert.deepEqual(
    JSON.parse(after.Policy as string).Statement.map((s: { Sid: string }) => s.Sid),
    ["s3-invoke", "url"],
  );
  const missing = await rejectsWith(
    lambda().send(new RemovePermissionCommand({ FunctionName: "perm", StatementId: "acct" })),
    "ResourceNotFoundException",
    404,
  );
  assert.equal(missing.message, "Statement acct is not found in resource policy.");
  await lambda().send(new RemovePermissionCommand({ FunctionName: "perm", StatementId: "s3-invoke" }));
  await lambda().send(new RemovePermissionCommand({ FunctionName: "perm", StatementId: "url" }));
  await rejectsWith(lambda().send(new GetPolicyCommand({ FunctionName: "perm" })), "ResourceNotFoundException", 404);
  const none = await rejectsWith(
    lambda().send(new RemovePermissionCommand({ FunctionName: "perm", StatementId: "url" })),
    "ResourceNotFoundException",
    404,
  );
  assert.equal(none.message, `No policy found for: ${FN_ARN}`);
});

test("versions and aliases have policies of their own", async () => {
  await lambda().send(new PublishVersionCommand({ FunctionName: "perm" }));
  await lambda().send(new CreateAliasCommand({ FunctionName: "perm", Name: "live", FunctionVersion: "1" }));
  const added = await lambda().send(
    new AddPermissionCommand({
      FunctionName: "perm",
      Qualifier: "live",
      StatementId: "sns",
      Action: "lambda:InvokeFunction",
      Principal: "sns.amazonaws.com",
      SourceArn: "arn:aws:sns:us-east-1:000000000000:topic",
    }),
  );
  assert.equal(JSON.parse(added.Statement as string).Resource, `${FN_ARN}:live`);
  const alias = JSON.parse((await lambda().send(new GetPolicyCommand({ FunctionName: `${FN_ARN}:live` }))).Policy as string);
  assert.equal(alias.Statement.length, 1);
  await rejectsWith(lambda().send(new GetPolicyCommand({ FunctionName: "perm" })), "ResourceNotFoundException", 404);
  await rejectsWith(lambda().send(new GetPolicyCommand({ FunctionName: "perm", Qualifier: "1" })), "ResourceNotFoundException", 404);
  await rejectsWith(
    lambda().send(
      new AddPermissionCommand({ FunctionName: "perm", Qualifier: "9", StatementId: "x", Action: "lambda:InvokeFunction", Principal: "*" }),
    ),
    "ResourceNotFoundException",
    404,
  );
  const latest = await rejectsWith(
    lambda().send(
      new AddPermissionCommand({
        FunctionName: "perm",
        Qualifier: "$LATEST",
        StatementId: "x",
        Action: "lambda:InvokeFunction",
        Principal: "*",
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(latest.message, "We currently do not support adding policies for $LATEST.");
});

test("bad principals, actions and statement ids are refused", async () => {
  const principal = await rejectsWith(
    lambda().send(
      new AddPermissionCommand({ FunctionName: "perm", StatementId: "p", Action: "lambda:InvokeFunction", Principal: "not valid" }),
    ),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(principal.message, "The provided principal was invalid. Please check the principal and try again.");
  await rejectsWith(
    lambda().send(new AddPermissionCommand({ FunctionName: "perm", StatementId: "p", Action: "s3:GetObject", Principal: "*" })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    lambda().send(new AddPermissionCommand({ FunctionName: "perm", StatementId: "bad id!", Action: "lambda:*", Principal: "*" })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    lambda().send(new AddPermissionCommand({ FunctionName: "nope", StatementId: "p", Action: "lambda:*", Principal: "*" })),
    "ResourceNotFoundException",
    404,
  );
});
