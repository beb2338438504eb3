import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeleteUserCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetGroupCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  RemoveUserFromGroupCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
  UpdateUserCommand,
  CreateAccountAliasCommand,
  ListAccountAliasesCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const iam = () => new IAMClient(server.clientConfig());

test("CreateUser returns an ARN with the path and an AIDA unique id; GetUser finds it", async () => {
  const { User } = await iam().send(new CreateUserCommand({ UserName: "alice", Path: "/staff/", Tags: [{ Key: "team", Value: "red" }] }));
  assert.equal(User?.Arn, "arn:aws:iam::000000000000:user/staff/alice");
  assert.match(User?.UserId ?? "", /^AIDA[A-Z2-7]{17}$/);
  assert.ok(User?.CreateDate instanceof Date);
  const got = await iam().send(new GetUserCommand({ UserName: "alice" }));
  assert.equal(got.User?.UserId, User?.UserId);
  assert.deepEqual(got.User?.Tags, [{ Key: "team", Value: "red" }]);
});

test("IAM's exact errors for duplicate, missing and invalid users", async () => {
  await iam().send(new CreateUserCommand({ UserName: "dup" }));
  const exists = await rejectsWith(iam().send(new CreateUserCommand({ UserName: "DUP" })), "EntityAlreadyExistsException", 409);
  assert.equal(exists.message, "User with name DUP already exists.");
  const missing = await rejectsWith(iam().send(new GetUserCommand({ UserName: "nobody" })), "NoSuchEntityException", 404);
  assert.equal(missing.message, "The user with name nobody cannot be found.");
  await rejectsWith(iam().send(new CreateUserCommand({ UserName: "bad name!" })), "ValidationError", 400);
  await rejectsWith(iam().send(new CreateUserCommand({ UserName: "p", Path: "nopath" })), "ValidationError", 400);
});

test("GetUser without a name answers for the caller: the root of the default account", async () => {
  const { User } = await iam().send(new GetUserCommand({}));
  assert.equal(User?.Arn, "arn:aws:iam::000000000000:root");
  assert.equal(User?.UserId, "000000000000");
});

test("ListUsers paginates with Marker/MaxItems and filters by path", async () => {
  const client = new IAMClient({ ...server.clientConfig(), credentials: { accessKeyId: "111111111111", secretAccessKey: "x" } });
  for (const name of ["u1", "u2", "u3", "u4", "u5"])
    await client.send(new CreateUserCommand({ UserName: name, Path: name === "u5" ? "/other/" : "/" }));
  const first = await client.send(new ListUsersCommand({ MaxItems: 2 }));
  assert.deepEqual(
    first.Users?.map((u) => u.UserName),
    ["u1", "u2"],
  );
  assert.equal(first.IsTruncated, true);
  const second = await client.send(new ListUsersCommand({ MaxItems: 2, Marker: first.Marker }));
  assert.deepEqual(
    second.Users?.map((u) => u.UserName),
    ["u3", "u4"],
  );
  const third = await client.send(new ListUsersCommand({ MaxItems: 2, Marker: second.Marker }));
  assert.deepEqual(
    third.Users?.map((u) => u.UserName),
    ["u5"],
  );
  assert.equal(third.IsTruncated, false);
  const other = await client.send(new ListUsersCommand({ PathPrefix: "/other/" }));
  assert.deepEqual(
    other.Users?.map((u) => u.UserName),
    ["u5"],
  );
});

test("groups: membership, GetGroup members, delete conflicts", async () => {
  await iam().send(new CreateUserCommand({ UserName: "gm" }));
  const { Group } = await iam().send(new CreateGroupCommand({ GroupName: "devs" }));
  assert.match(Group?.GroupId ?? "", /^AGPA/);
  assert.equal(Group?.Arn, "arn:aws:iam::000000000000:group/devs");
  await iam().send(new AddUserToGroupCommand({ GroupName: "devs", UserName: "gm" }));
  const got = await iam().send(new GetGroupCommand({ GroupName: "devs" }));
  assert.deepEqual(
    got.Users?.map((u) => u.UserName),
    ["gm"],
  );
  const forUser = await iam().send(new ListGroupsForUserCommand({ UserName: "gm" }));
  assert.deepEqual(
    forUser.Groups?.map((g) => g.GroupName),
    ["devs"],
  );
  const conflict = await rejectsWith(iam().send(new DeleteGroupCommand({ GroupName: "devs" })), "DeleteConflictException", 409);
  assert.equal(conflict.message, "Cannot delete entity, must remove users from group first.");
  await rejectsWith(iam().send(new DeleteUserCommand({ UserName: "gm" })), "DeleteConflictException", 409);
  await iam().send(new RemoveUserFromGroupCommand({ GroupName: "devs", UserName: "gm" }));
  await iam().send(new DeleteGroupCommand({ GroupName: "devs" }));
  await iam().send(new DeleteUserCommand({ UserName: "gm" }));
  const gone = await rejectsWith(iam().send(new GetGroupCommand({ GroupName: "devs" })), "NoSuchEntityException", 404);
  assert.equal(gone.message, "The group with name devs cannot be found.");
});

test("access keys: AKIA ids, at most two per user, status, deletion; keys sign as the user", async () => {
  await iam().send(new CreateUserCommand({ UserName: "keyed" }));
  const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: "keyed" }));
  assert.match(AccessKey?.AccessKeyId ?? "", /^AKIA[A-Z2-7]{16}$/);
  assert.equal(AccessKey?.SecretAccessKey?.length, 40);
  assert.equal(AccessKey?.Status, "Active");
  await iam().send(new CreateAccessKeyCommand({ UserName: "keyed" }));
  const limit = await rejectsWith(iam().send(new CreateAccessKeyCommand({ UserName: "keyed" })), "LimitExceededException", 409);
  assert.equal(limit.message, "Cannot exceed quota for AccessKeysPerUser: 2");
  const listed = await iam().send(new ListAccessKeysCommand({ UserName: "keyed" }));
  assert.equal(listed.AccessKeyMetadata?.length, 2);
  assert.ok(listed.AccessKeyMetadata?.every((k) => !("SecretAccessKey" in k)));

  const asUser = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
  const sts = new STSClient({ ...server.clientConfig(), credentials: asUser });
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, "arn:aws:iam::000000000000:user/keyed");
  assert.match(identity.UserId ?? "", /^AIDA/);
  const self = await new IAMClient({ ...server.clientConfig(), credentials: asUser }).send(new GetUserCommand({}));
  assert.equal(self.User?.UserName, "keyed");
  const lastUsed = await iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: asUser.accessKeyId }));
  assert.equal(lastUsed.UserName, "keyed");

  await iam().send(new UpdateAccessKeyCommand({ UserName: "keyed", AccessKeyId: asUser.accessKeyId, Status: "Inactive" }));
  await rejectsWith(sts.send(new GetCallerIdentityCommand({})), "InvalidClientTokenId", 403);
  const missing = await rejectsWith(
    iam().send(new DeleteAccessKeyCommand({ UserName: "keyed", AccessKeyId: "AKIAAAAAAAAAAAAAAAAA" })),
    "NoSuchEntityException",
    404,
  );
  assert.equal(missing.message, "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.");
  const conflict = await rejectsWith(iam().send(new DeleteUserCommand({ UserName: "keyed" })), "DeleteConflictException", 409);
  assert.equal(conflict.message, "Cannot delete entity, must delete access keys first.");
});

test("UpdateUser renames (keys follow); tags; account summary and alias", async () => {
  await iam().send(new CreateUserCommand({ UserName: "old" }));
  await iam().send(new CreateAccessKeyCommand({ UserName: "old" }));
  await iam().send(new UpdateUserCommand({ UserName: "old", NewUserName: "new", NewPath: "/moved/" }));
  await rejectsWith(iam().send(new GetUserCommand({ UserName: "old" })), "NoSuchEntityException", 404);
  const { User } = await iam().send(new GetUserCommand({ UserName: "new" }));
  assert.equal(User?.Arn, "arn:aws:iam::000000000000:user/moved/new");
  assert.equal((await iam().send(new ListAccessKeysCommand({ UserName: "new" }))).AccessKeyMetadata?.length, 1);
  await iam().send(new TagUserCommand({ UserName: "new", Tags: [{ Key: "a", Value: "1" }] }));
  assert.deepEqual((await iam().send(new ListUserTagsCommand({ UserName: "new" }))).Tags, [{ Key: "a", Value: "1" }]);
  await rejectsWith(
    iam().send(new TagUserCommand({ UserName: "new", Tags: [{ Key: "aws:x", Value: "1" }] })),
    "InvalidInputException",
    400,
  );
  const summary = await iam().send(new GetAccountSummaryCommand({}));
  assert.ok((summary.SummaryMap?.Users ?? 0) >= 1);
  assert.equal(summary.SummaryMap?.AccessKeysPerUserQuota, 2);
  await iam().send(new CreateAccountAliasCommand({ AccountAlias: "my-alias" }));
  assert.deepEqual((await iam().send(new ListAccountAliasesCommand({}))).AccountAliases, ["my-alias"]);
});
