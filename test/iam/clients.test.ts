import assert from "node:assert/strict";
import { test } from "node:test";
import { CLIENTS, runClient, runPython } from "../query/clients.js";
import { useServer } from "../helpers.js";

const server = useServer();

test("AWS CLI v1: IAM users, policies and errors; STS assume-role with the new user's keys", async () => {
  const aws = (...args: string[]) =>
    runClient(CLIENTS.awsV1, [...args, "--endpoint-url", server.endpoint, "--output", "json"], server.endpoint);
  const created = await aws("iam", "create-user", "--user-name", "cli-user");
  assert.equal(created.code, 0, created.stderr);
  assert.equal(JSON.parse(created.stdout).User.Arn, "arn:aws:iam::000000000000:user/cli-user");
  const missing = await aws("iam", "get-user", "--user-name", "ghost");
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NoSuchEntity.*The user with name ghost cannot be found\./);
  const bad = await aws("iam", "create-policy", "--policy-name", "bad", "--policy-document", "{oops");
  assert.match(bad.stderr, /MalformedPolicyDocument.*Syntax errors in policy\./);
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:user/cli-user" }, Action: "sts:AssumeRole" }],
  });
  const role = await aws("iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", trust);
  assert.equal(role.code, 0, role.stderr);
  // The CLI decodes the URL-encoded document back into JSON, as it does against AWS.
  assert.equal(JSON.parse(role.stdout).Role.AssumeRolePolicyDocument.Statement[0].Action, "sts:AssumeRole");
  const key = JSON.parse((await aws("iam", "create-access-key", "--user-name", "cli-user")).stdout).AccessKey;
  const assumed = await runClient(
    CLIENTS.awsV1,
    [
      "sts",
      "assume-role",
      "--role-arn",
      "arn:aws:iam::000000000000:role/cli-role",
      "--role-session-name",
      "cli",
      "--endpoint-url",
      server.endpoint,
    ],
    server.endpoint,
    { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey },
  );
  assert.equal(assumed.code, 0, assumed.stderr);
  assert.equal(JSON.parse(assumed.stdout).AssumedRoleUser.Arn, "arn:aws:sts::000000000000:assumed-role/cli-role/cli");
});

test("boto3: paginators walk ListUsers, and GetCallerIdentity with assumed-role keys", async () => {
  const result = await runPython<{ users: string[]; arn: string }>(
    CLIENTS.python,
    `
import boto3, json
iam = boto3.client("iam")
for i in range(5):
    iam.create_user(UserName=f"py-{i}", Path="/py/")
users = [u["UserName"] for page in iam.get_paginator("list_users").paginate(PathPrefix="/py/", PaginationConfig={"PageSize": 2}) for u in page["Users"]]
doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": "sts:AssumeRole"}]})
iam.create_role(RoleName="py-role", AssumeRolePolicyDocument=doc)
iam.put_user_policy(UserName="py-0", PolicyName="assume", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
key = iam.create_access_key(UserName="py-0")["AccessKey"]
sts = boto3.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
creds = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/py-role", RoleSessionName="py")["Credentials"]
session = boto3.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
print(json.dumps({"users": users, "arn": session.get_caller_identity()["Arn"]}))
`,
    server.endpoint,
  );
  assert.deepEqual(result.users, ["py-0", "py-1", "py-2", "py-3", "py-4"]);
  assert.equal(result.arn, "arn:aws:sts::000000000000:assumed-role/py-role/py");
});
