import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import type * as Iam from "@aws-sdk/client-iam";
import type { LoginProfileRecord, PasswordPolicyRecord } from "../../iam/records.js";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { date, EntityAlreadyExists, iam, InvalidInput, NoSuchEntity } from "./common.js";
import { getUserRecord } from "./users.js";

const PasswordPolicyViolation = errorClass("PasswordPolicyViolationException");
const InvalidUserType = errorClass("InvalidUserTypeException");
const POLICY_KEY = "policy";
const SYMBOLS = /[!@#$%^&*()_+\-=[\]{}|']/;

function hash(password: string, salt = randomBytes(16).toString("hex")): string {
  return `${salt}:${scryptSync(password, salt, 32).toString("hex")}`;
}

function matches(password: string, stored: string): boolean {
  const [salt, digest] = stored.split(":");
  return timingSafeEqual(Buffer.from(hash(password, salt).split(":")[1], "hex"), Buffer.from(digest, "hex"));
}

/** The account's custom policy, or AWS's default one (8 characters, three of the four character types). */
function checkPassword(ctx: RequestContext, password: string, profile?: LoginProfileRecord): void {
  const policy = iam(ctx).passwordPolicy.get(POLICY_KEY);
  if (!policy) {
    if (password.length < 8) throw new PasswordPolicyViolation("Password should have a minimum length of 8");
    const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
    if (kinds < 3) {
      throw new PasswordPolicyViolation(
        "Password should have at least three of: uppercase letters, lowercase letters, numbers and symbols",
      );
    }
    return;
  }
  if (password.length < policy.MinimumPasswordLength) {
    throw new PasswordPolicyViolation(`Password should have a minimum length of ${policy.MinimumPasswordLength}`);
  }
  if (policy.RequireUppercaseCharacters && !/[A-Z]/.test(password))
    throw new PasswordPolicyViolation("Password should have at least one uppercase letter");
  if (policy.RequireLowercaseCharacters && !/[a-z]/.test(password))
    throw new PasswordPolicyViolation("Password should have at least one lowercase letter");
  if (policy.RequireNumbers && !/[0-9]/.test(password)) throw new PasswordPolicyViolation("Password should have at least one number");
  if (policy.RequireSymbols && !SYMBOLS.test(password)) throw new PasswordPolicyViolation("Password should have at least one symbol");
  const recent = profile ? [profile.passwordHash, ...profile.previousHashes].slice(0, policy.PasswordReusePrevention ?? 0) : [];
  if (recent.some((h) => matches(password, h))) {
    throw new PasswordPolicyViolation("Policy constraint violation with password reuse prevention during password change.");
  }
}

function getProfile(ctx: RequestContext, userName: string): LoginProfileRecord {
  const profile = iam(ctx).loginProfiles.get(userName);
  if (!profile) throw new NoSuchEntity(`Login Profile for User ${userName} cannot be found.`);
  return profile;
}

function profileView(p: LoginProfileRecord): Iam.LoginProfile {
  return { UserName: p.UserName, CreateDate: date(p.CreateDate), PasswordResetRequired: p.PasswordResetRequired };
}

function withPassword(profile: LoginProfileRecord, password: string): LoginProfileRecord {
  return { ...profile, passwordHash: hash(password), previousHashes: [profile.passwordHash, ...profile.previousHashes].slice(0, 24) };
}

export function createLoginProfile(input: Iam.CreateLoginProfileRequest, ctx: RequestContext): Iam.CreateLoginProfileResponse {
  const user = getUserRecord(ctx, input.UserName as string);
  if (iam(ctx).loginProfiles.has(user.UserName)) throw new EntityAlreadyExists(`Login Profile for user ${user.UserName} already exists.`);
  if (input.Password === undefined) throw new InvalidInput("Password is required.");
  checkPassword(ctx, input.Password);
  const profile: LoginProfileRecord = {
    UserName: user.UserName,
    CreateDate: ctx.runtime.now(),
    PasswordResetRequired: input.PasswordResetRequired ?? false,
    passwordHash: hash(input.Password),
    previousHashes: [],
  };
  iam(ctx).loginProfiles.set(user.UserName, profile);
  return { LoginProfile: profileView(profile) };
}

export function getLoginProfile(input: Iam.GetLoginProfileRequest, ctx: RequestContext): Iam.GetLoginProfileResponse {
  const user = getUserRecord(ctx, input.UserName as string);
  return { LoginProfile: profileView(getProfile(ctx, user.UserName)) };
}

export function updateLoginProfile(input: Iam.UpdateLoginProfileRequest, ctx: RequestContext): Record<string, never> {
  const user = getUserRecord(ctx, input.UserName as string);
  let profile = getProfile(ctx, user.UserName);
  if (input.Password !== undefined) {
    checkPassword(ctx, input.Password, profile);
    profile = withPassword(profile, input.Password);
  }
  iam(ctx).loginProfiles.set(user.UserName, {
    ...profile,
    PasswordResetRequired: input.PasswordResetRequired ?? profile.PasswordResetRequired,
  });
  return {};
}

export function deleteLoginProfile(input: Iam.DeleteLoginProfileRequest, ctx: RequestContext): Record<string, never> {
  const user = getUserRecord(ctx, input.UserName as string);
  getProfile(ctx, user.UserName);
  iam(ctx).loginProfiles.delete(user.UserName);
  return {};
}

/** An IAM user changes its own password: the old one must match, the new one satisfy the policy. */
export function changePassword(input: Iam.ChangePasswordRequest, ctx: RequestContext): Record<string, never> {
  if (ctx.principal.type !== "user") throw new InvalidUserType("Only IAM Users can change their own password.");
  const userName = ctx.principal.arn.split("/").pop() as string;
  const profile = getProfile(ctx, userName);
  if (!matches(input.OldPassword as string, profile.passwordHash)) throw new InvalidInput("The old password was incorrect.");
  checkPassword(ctx, input.NewPassword as string, profile);
  iam(ctx).loginProfiles.set(userName, { ...withPassword(profile, input.NewPassword as string), PasswordResetRequired: false });
  return {};
}

export function updateAccountPasswordPolicy(input: Iam.UpdateAccountPasswordPolicyRequest, ctx: RequestContext): Record<string, never> {
  const policy: PasswordPolicyRecord = {
    MinimumPasswordLength: input.MinimumPasswordLength ?? 6,
    RequireSymbols: input.RequireSymbols ?? false,
    RequireNumbers: input.RequireNumbers ?? false,
    RequireUppercaseCharacters: input.RequireUppercaseCharacters ?? false,
    RequireLowercaseCharacters: input.RequireLowercaseCharacters ?? false,
    AllowUsersToChangePassword: input.AllowUsersToChangePassword ?? false,
    MaxPasswordAge: input.MaxPasswordAge,
    PasswordReusePrevention: input.PasswordReusePrevention,
    HardExpiry: input.HardExpiry,
  };
  iam(ctx).passwordPolicy.set(POLICY_KEY, policy);
  return {};
}

export function getAccountPasswordPolicy(_input: unknown, ctx: RequestContext): Iam.GetAccountPasswordPolicyResponse {
  const policy = iam(ctx).passwordPolicy.get(POLICY_KEY);
  if (!policy) throw new NoSuchEntity(`The Password Policy with domain name ${ctx.account} cannot be found.`);
  return { PasswordPolicy: { ...policy, ExpirePasswords: policy.MaxPasswordAge !== undefined } };
}

export function deleteAccountPasswordPolicy(_input: unknown, ctx: RequestContext): Record<string, never> {
  if (!iam(ctx).passwordPolicy.delete(POLICY_KEY))
    throw new NoSuchEntity(`The Password Policy with domain name ${ctx.account} cannot be found.`);
  return {};
}
