import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccountPasswordPolicyCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  IAMClient,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const iam = () => new IAMClient(server.clientConfig());

test("login profiles: create once, get, delete; a user with one cannot be deleted", async () => {
  await iam().send(new CreateUserCommand({ UserName: "console" }));
  const { LoginProfile } = await iam().send(
    new CreateLoginProfileCommand({ UserName: "console", Password: "Str0ng-Pass", PasswordResetRequired: true }),
  );
  assert.equal(LoginProfile?.UserName, "console");
  assert.equal(LoginProfile?.PasswordResetRequired, true);
  const again = await rejectsWith(
    iam().send(new CreateLoginProfileCommand({ UserName: "console", Password: "Str0ng-Pass" })),
    "EntityAlreadyExistsException",
    409,
  );
  assert.equal(again.message, "Login Profile for user console already exists.");
  const conflict = await rejectsWith(iam().send(new DeleteUserCommand({ UserName: "console" })), "DeleteConflictException", 409);
  assert.equal(conflict.message, "Cannot delete entity, must delete login profile first.");
  await iam().send(new DeleteLoginProfileCommand({ UserName: "console" }));
  const missing = await rejectsWith(iam().send(new GetLoginProfileCommand({ UserName: "console" })), "NoSuchEntityException", 404);
  assert.equal(missing.message, "Login Profile for User console cannot be found.");
  await iam().send(new DeleteUserCommand({ UserName: "console" }));
});

test("the account password policy is enforced on new and changed passwords", async () => {
  const none = await rejectsWith(iam().send(new GetAccountPasswordPolicyCommand({})), "NoSuchEntityException", 404);
  assert.equal(none.message, "The Password Policy with domain name 000000000000 cannot be found.");
  await iam().send(
    new UpdateAccountPasswordPolicyCommand({
      MinimumPasswordLength: 12,
      RequireNumbers: true,
      RequireSymbols: true,
      RequireUppercaseCharacters: true,
      AllowUsersToChangePassword: true,
      PasswordReusePrevention: 2,
    }),
  );
  const { PasswordPolicy } = await iam().send(new GetAccountPasswordPolicyCommand({}));
  assert.equal(PasswordPolicy?.MinimumPasswordLength, 12);
  assert.equal(PasswordPolicy?.RequireSymbols, true);
  await rejectsWith(iam().send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 2 })), "ValidationError", 400);

  await iam().send(new CreateUserCommand({ UserName: "pw" }));
  const short = await rejectsWith(
    iam().send(new CreateLoginProfileCommand({ UserName: "pw", Password: "Short1!" })),
    "PasswordPolicyViolationException",
    400,
  );
  assert.equal(short.message, "Password should have a minimum length of 12");
  const noSymbol = await rejectsWith(
    iam().send(new CreateLoginProfileCommand({ UserName: "pw", Password: "LongEnough123" })),
    "PasswordPolicyViolationException",
    400,
  );
  assert.equal(noSymbol.message, "Password should have at least one symbol");
  await iam().send(new CreateLoginProfileCommand({ UserName: "pw", Password: "LongEnough123!" }));

  const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: "pw" }));
  const asUser = new IAMClient({
    ...server.clientConfig(),
    credentials: { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string },
  });
  await rejectsWith(
    asUser.send(new ChangePasswordCommand({ OldPassword: "wrong-password", NewPassword: "AnotherOne456!" })),
    "InvalidInputException",
    400,
  );
  const reused = await rejectsWith(
    asUser.send(new ChangePasswordCommand({ OldPassword: "LongEnough123!", NewPassword: "LongEnough123!" })),
    "PasswordPolicyViolationException",
    400,
  );
  assert.match(reused.message, /reuse prevention/);
  await asUser.send(new ChangePasswordCommand({ OldPassword: "LongEnough123!", NewPassword: "AnotherOne456!" }));
  await asUser.send(new ChangePasswordCommand({ OldPassword: "AnotherOne456!", NewPassword: "ThirdPass789!!" }));
  await rejectsWith(iam().send(new ChangePasswordCommand({ OldPassword: "a", NewPassword: "b" })), "InvalidUserTypeException", 400);
  await iam().send(new UpdateLoginProfileCommand({ UserName: "pw", Password: "AdminReset000!", PasswordResetRequired: true }));
  assert.equal((await iam().send(new GetLoginProfileCommand({ UserName: "pw" }))).LoginProfile?.PasswordResetRequired, true);
  await iam().send(new UpdateUserCommand({ UserName: "pw", NewUserName: "pw-renamed" }));
  assert.equal((await iam().send(new GetLoginProfileCommand({ UserName: "pw-renamed" }))).LoginProfile?.UserName, "pw-renamed");
  await iam().send(new DeleteAccountPasswordPolicyCommand({}));
  await rejectsWith(iam().send(new DeleteAccountPasswordPolicyCommand({})), "NoSuchEntityException", 404);
});
