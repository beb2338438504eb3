import type { Principal } from "../services/types.js";
import type { Collection, ScopeStore, StateBackend } from "../state/store.js";

/**
 * IAM's state, shared by the iam service (which writes it), STS (which reads roles and writes sessions)
 * and the credential resolver (which reads keys and sessions). IAM is global: one scope per account.
 */
export const IAM_REGION = "us-east-1";

/** Changes whenever IAM or STS state does: what is derived from either stays valid while it is the same. */
export function identityStamp(state: StateBackend): string {
  return `${state.changes("iam")}/${state.changes("sts")}`;
}

export interface Tag {
  Key: string;
  Value: string;
}

/** What users, groups and roles have in common: policies attached to them. */
export interface PolicyHolder {
  Path: string;
  Arn: string;
  CreateDate: number;
  /** Inline policy name → document (as given, not URL-encoded). */
  InlinePolicies: Record<string, string>;
  /** ARNs of attached managed policies, in attachment order. */
  AttachedPolicies: string[];
}

export interface UserRecord extends PolicyHolder {
  UserName: string;
  UserId: string;
  Tags: Tag[];
  PermissionsBoundary?: string;
  Groups: string[];
}

export interface GroupRecord extends PolicyHolder {
  GroupName: string;
  GroupId: string;
}

export interface RoleRecord extends PolicyHolder {
  RoleName: string;
  RoleId: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  Tags: Tag[];
  PermissionsBoundary?: string;
  LastUsed?: { date: number; region: string };
}

export interface PolicyVersionRecord {
  VersionId: string;
  Document: string;
  CreateDate: number;
}

export interface ManagedPolicyRecord {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  Description?: string;
  DefaultVersionId: string;
  Versions: PolicyVersionRecord[];
  NextVersion: number;
  CreateDate: number;
  UpdateDate: number;
  Tags: Tag[];
}

export interface InstanceProfileRecord {
  InstanceProfileName: string;
  InstanceProfileId: string;
  Path: string;
  Arn: string;
  CreateDate: number;
  Roles: string[];
  Tags: Tag[];
}

export interface AccessKeyRecord {
  AccessKeyId: string;
  SecretAccessKey: string;
  /** Undefined for the account root's own keys. */
  UserName?: string;
  Status: "Active" | "Inactive";
  CreateDate: number;
}

/** A user's console password, kept only as a salted hash. */
export interface LoginProfileRecord {
  UserName: string;
  CreateDate: number;
  PasswordResetRequired: boolean;
  passwordHash: string;
  /** Hashes of earlier passwords, newest first, for the password policy's reuse prevention. */
  previousHashes: string[];
}

export interface PasswordPolicyRecord {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  AllowUsersToChangePassword: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

/** Temporary credentials issued by STS; they stop working at Expiration. */
export interface SessionRecord {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: number;
  principal: Principal;
  /** For role sessions: the role's ARN (its policies apply) and the session policies passed to AssumeRole. */
  roleArn?: string;
  sessionPolicies?: string[];
  /** For GetSessionToken and GetFederationToken: the user whose policies apply. */
  userName?: string;
  /**
   * When the session's creator proved MFA (a valid TokenCode for its device), ms since the epoch: requests
   * signed with the session then carry aws:MultiFactorAuthPresent = true and aws:MultiFactorAuthAge.
   */
  mfaAuthenticatedAt?: number;
  /** For AssumeRoleWithWebIdentity / AssumeRoleWithSAML sessions: the identity provider's ARN. */
  federatedProvider?: string;
}

/** A virtual MFA device; assigned to a user once enabled with two consecutive codes. */
export interface MfaDeviceRecord {
  SerialNumber: string;
  Path: string;
  Name: string;
  /** The Base32 seed; returned once, by CreateVirtualMFADevice. */
  seed: string;
  CreateDate: number;
  UserName?: string;
  EnableDate?: number;
  /** The last time step whose code was accepted: a code is never accepted twice (RFC 6238 section 5.2). */
  lastStep?: number;
  /** Steps the device's clock runs ahead (+) or behind (−), learnt by ResyncMFADevice. */
  drift?: number;
  Tags: Tag[];
}

export interface OidcProviderRecord {
  Arn: string;
  /** The issuer URL as registered (https://…), the ARN's name part without the scheme. */
  Url: string;
  ClientIDList: string[];
  ThumbprintList: string[];
  CreateDate: number;
  Tags: Tag[];
}

export interface SamlProviderRecord {
  Arn: string;
  Name: string;
  SAMLMetadataDocument: string;
  SAMLProviderUUID: string;
  CreateDate: number;
  ValidUntil: number;
  Tags: Tag[];
}

/** The account's last generated credential report (CSV). */
export interface CredentialReportRecord {
  GeneratedTime: number;
  Content: string;
}

export function iamCollections(store: ScopeStore) {
  return {
    users: store.collection<UserRecord>("users", { sorted: true }),
    groups: store.collection<GroupRecord>("groups", { sorted: true }),
    roles: store.collection<RoleRecord>("roles", { sorted: true }),
    policies: store.collection<ManagedPolicyRecord>("policies", { sorted: true }),
    instanceProfiles: store.collection<InstanceProfileRecord>("instance-profiles", { sorted: true }),
    accessKeys: store.collection<AccessKeyRecord>("access-keys"),
    aliases: store.collection<string>("aliases", { sorted: true }),
    loginProfiles: store.collection<LoginProfileRecord>("login-profiles"),
    passwordPolicy: store.collection<PasswordPolicyRecord>("password-policy"),
    mfaDevices: store.collection<MfaDeviceRecord>("mfa-devices", { sorted: true }),
    oidcProviders: store.collection<OidcProviderRecord>("oidc-providers", { sorted: true }),
    samlProviders: store.collection<SamlProviderRecord>("saml-providers", { sorted: true }),
    credentialReport: store.collection<CredentialReportRecord>("credential-report"),
  };
}

export type IamCollections = ReturnType<typeof iamCollections>;

export function iamState(state: StateBackend, account: string): IamCollections {
  return iamCollections(state.scope({ service: "iam", account, region: IAM_REGION }));
}

/** STS sessions of one account, kept in one place whatever region issued them (keys are global). */
export function stsSessions(state: StateBackend, account: string): Collection<SessionRecord> {
  return state.scope({ service: "sts", account, region: IAM_REGION }).collection<SessionRecord>("sessions");
}
