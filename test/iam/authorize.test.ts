import assert from "node:assert/strict";
import { test } from "node:test";
import { authorize } from "../../src/iam/authorize.js";
import { parsePolicy } from "../../src/iam/policy.js";
import { iamState, stsSessions } from "../../src/iam/records.js";
import type { Principal } from "../../src/services/types.js";
import { MemoryBackend } from "../../src/state/store.js";

const ACCOUNT = "123456789012";
const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const holder = { Path: "/", CreateDate: 0, InlinePolicies: {}, AttachedPolicies: [] as string[] };

function setup() {
  const state = new MemoryBackend();
  const store = iamState(state, ACCOUNT);
  store.groups.set("readers", {
    ...holder,
    GroupName: "readers",
    GroupId: "AGPAREADERS",
    Arn: `arn:aws:iam::${ACCOUNT}:group/readers`,
    AttachedPolicies: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
  });
  store.users.set("carol", {
    ...holder,
    UserName: "carol",
    UserId: "AIDACAROLCAROLCAROL12",
    Arn: `arn:aws:iam::${ACCOUNT}:user/carol`,
    Tags: [],
    Groups: ["readers"],
    InlinePolicies: { "no-delete": doc({ Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" }) },
  });
  store.roles.set("worker", {
    ...holder,
    RoleName: "worker",
    RoleId: "AROAWORKERWORKERWORK",
    Arn: `arn:aws:iam::${ACCOUNT}:role/worker`,
    AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" }),
    MaxSessionDuration: 3600,
    Tags: [],
    InlinePolicies: { all: doc({ Effect: "Allow", Action: ["s3:*", "sqs:*"], Resource: "*" }) },
  });
  return state;
}

const carol: Principal = { type: "user", account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/carol`, userId: "AIDACAROLCAROLCAROL12" };

test("a user in a read-only group can read but not write, with AWS's denial messages", () => {
  const state = setup();
  assert.equal(authorize(state, carol, { action: "s3:GetObject", resource: "arn:aws:s3:::b/k" }).decision, "allowed");
  const write = authorize(state, carol, { action: "s3:PutObject", resource: "arn:aws:s3:::b/k" });
  assert.equal(write.decision, "implicitDeny");
  assert.equal(
    write.message,
    `User: arn:aws:iam::${ACCOUNT}:user/carol is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:PutObject action`,
  );
  const del = authorize(state, carol, { action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k" });
  assert.equal(
    del.message,
    `User: arn:aws:iam::${ACCOUNT}:user/carol is not authorized to perform: s3:DeleteObject on resource: arn:aws:s3:::b/k with an explicit deny in an identity-based policy`,
  );
});

test("an assumed role is limited by the session policy it was created with", () => {
  const state = setup();
  const principal: Principal = {
    type: "assumed-role",
    account: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/worker/s`,
    userId: "AROAWORKERWORKERWORK:s",
    accessKeyId: "ASIASESSIONSESSION12",
  };
  stsSessions(state, ACCOUNT).set("ASIASESSIONSESSION12", {
    AccessKeyId: "ASIASESSIONSESSION12",
    SecretAccessKey: "x",
    SessionToken: "t",
    Expiration: Date.now() + 60_000,
    principal,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/worker`,
    sessionPolicies: [doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })],
  });
  assert.equal(authorize(state, principal, { action: "s3:GetObject", resource: "*" }).decision, "allowed");
  const send = authorize(state, principal, { action: "sqs:SendMessage", resource: "*" });
  assert.equal(send.decidedBy, "session");
  assert.match(send.message ?? "", /because no session policy allows the sqs:SendMessage action$/);
});

test("a bucket policy grants another account's user when its own policies allow too", () => {
  const state = setup();
  const outsider: Principal = {
    type: "user",
    account: "999999999999",
    arn: "arn:aws:iam::999999999999:user/dan",
    userId: "AIDADANDANDANDANDAN12",
  };
  const bucketPolicy = parsePolicy(
    doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
    "resource",
  );
  const denied = authorize(state, outsider, {
    action: "s3:GetObject",
    resource: "arn:aws:s3:::b/k",
    resourcePolicy: bucketPolicy,
    resourceAccount: ACCOUNT,
  });
  assert.equal(denied.decision, "implicitDeny");
  iamState(state, "999999999999").users.set("dan", {
    ...holder,
    UserName: "dan",
    UserId: outsider.userId,
    Arn: outsider.arn,
    Tags: [],
    Groups: [],
    AttachedPolicies: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"],
  });
  assert.equal(
    authorize(state, outsider, {
      action: "s3:GetObject",
      resource: "arn:aws:s3:::b/k",
      resourcePolicy: bucketPolicy,
      resourceAccount: ACCOUNT,
    }).decision,
    "allowed",
  );
  assert.equal(
    authorize(state, outsider, {
      action: "s3:PutObject",
      resource: "arn:aws:s3:::b/k",
      resourcePolicy: bucketPolicy,
      resourceAccount: ACCOUNT,
    }).decidedBy,
    "resource",
  );
});
