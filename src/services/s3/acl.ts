import type {
  AccessControlPolicy,
  GetBucketAclOutput,
  GetBucketAclRequest,
  GetObjectAclOutput,
  GetObjectAclRequest,
  Grant,
  PutBucketAclRequest,
  PutObjectAclOutput,
  PutObjectAclRequest,
} from "@aws-sdk/client-s3";
import { errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { effectiveOwnership, effectivePublicAccessBlock } from "./bucket-config.js";
import { ownedBucket } from "./buckets.js";
import { bucketConfig, updateBucketConfig } from "./config-store.js";
import { AccessDenied, InvalidRequest, invalidArgument } from "./errors.js";
import { type BucketRecord, canonicalUserId } from "./store.js";
import { findVersion, saveVersion } from "./versioning.js";

export const AccessControlListNotSupported = errorClass("AccessControlListNotSupported", 400);
export const MalformedACLError = errorClass("MalformedACLError", 400);
export const MissingSecurityHeader = errorClass("MissingSecurityHeader", 400);
export const UnexpectedContent = errorClass("UnexpectedContent", 400);
export const UnresolvableGrantByEmailAddress = errorClass("UnresolvableGrantByEmailAddress", 400);

const GROUPS = {
  AllUsers: "http://acs.amazonaws.com/groups/global/AllUsers",
  AuthenticatedUsers: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
  LogDelivery: "http://acs.amazonaws.com/groups/s3/LogDelivery",
};
const PUBLIC_GROUPS = [GROUPS.AllUsers, GROUPS.AuthenticatedUsers];
const PERMISSIONS = ["FULL_CONTROL", "READ", "READ_ACP", "WRITE", "WRITE_ACP"];
const GRANT_HEADERS = {
  GrantFullControl: "FULL_CONTROL",
  GrantRead: "READ",
  GrantReadACP: "READ_ACP",
  GrantWrite: "WRITE",
  GrantWriteACP: "WRITE_ACP",
} as const;
const BUCKET_CANNED = ["private", "public-read", "public-read-write", "authenticated-read", "log-delivery-write"];
const OBJECT_CANNED = [
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
  "aws-exec-read",
  "bucket-owner-read",
  "bucket-owner-full-control",
];

/** What any ACL-setting request may carry: a canned ACL, grant headers, or an AccessControlPolicy body. */
export interface AclInput {
  ACL?: string;
  AccessControlPolicy?: AccessControlPolicy;
  GrantFullControl?: string;
  GrantRead?: string;
  GrantReadACP?: string;
  GrantWrite?: string;
  GrantWriteACP?: string;
}

const group = (uri: string, permission: string): Grant => ({
  Grantee: { Type: "Group", URI: uri },
  Permission: permission as Grant["Permission"],
});
const ownerGrant = (owner: string): Grant => ({
  Grantee: { Type: "CanonicalUser", ID: canonicalUserId(owner) },
  Permission: "FULL_CONTROL",
});

/** A canned ACL's grants. The bucket-owner-* ACLs name the owner once: writer and bucket owner are one account here. */
function cannedGrants(acl: string, owner: string): Grant[] {
  const grants = [ownerGrant(owner)];
  if (acl === "public-read" || acl === "public-read-write") grants.push(group(GROUPS.AllUsers, "READ"));
  if (acl === "public-read-write") grants.push(group(GROUPS.AllUsers, "WRITE"));
  if (acl === "authenticated-read") grants.push(group(GROUPS.AuthenticatedUsers, "READ"));
  if (acl === "log-delivery-write") grants.push(group(GROUPS.LogDelivery, "WRITE"), group(GROUPS.LogDelivery, "READ_ACP"));
  return grants;
}

/** The grants a request asks for, or undefined when it names no ACL at all. */
function requestedGrants(input: AclInput, owner: string, canned: string[]): Grant[] | undefined {
  const headerGrants = Object.keys(GRANT_HEADERS).filter((h) => input[h as keyof typeof GRANT_HEADERS] !== undefined);
  const headers = input.ACL !== undefined || headerGrants.length > 0;
  if (headers && input.AccessControlPolicy) throw new UnexpectedContent("This request does not support content");
  if (input.ACL !== undefined && headerGrants.length > 0) {
    throw new InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed");
  }
  if (input.ACL !== undefined) {
    if (!canned.includes(input.ACL)) throw invalidArgument("", "x-amz-acl", input.ACL);
    return cannedGrants(input.ACL, owner);
  }
  if (headerGrants.length > 0) {
    return headerGrants.flatMap((h) =>
      parseGrantHeader(input[h as keyof typeof GRANT_HEADERS] as string, GRANT_HEADERS[h as keyof typeof GRANT_HEADERS]),
    );
  }
  if (input.AccessControlPolicy) return policyGrants(input.AccessControlPolicy, owner);
  return undefined;
}

/** `x-amz-grant-read: id="…", uri="…", emailAddress="…"`. */
function parseGrantHeader(header: string, permission: string): Grant[] {
  return header.split(",").map((item) => {
    const m = /^\s*(id|uri|emailAddress)\s*=\s*"?([^"]*)"?\s*$/.exec(item);
    if (!m) throw invalidArgument("Argument format not recognized", "GrantHeader", item.trim());
    const [, kind, value] = m;
    if (kind === "id")
      return checkedGrant({ Grantee: { Type: "CanonicalUser", ID: value }, Permission: permission as Grant["Permission"] });
    if (kind === "uri") return checkedGrant({ Grantee: { Type: "Group", URI: value }, Permission: permission as Grant["Permission"] });
    return checkedGrant({ Grantee: { Type: "AmazonCustomerByEmail", EmailAddress: value }, Permission: permission as Grant["Permission"] });
  });
}

function policyGrants(policy: AccessControlPolicy, owner: string): Grant[] {
  if (!policy.Owner?.ID) throw malformedAcl();
  if (policy.Owner.ID !== canonicalUserId(owner)) throw new AccessDenied("Access Denied");
  return (policy.Grants ?? []).map(checkedGrant);
}

const malformedAcl = () =>
  new MalformedACLError("The XML you provided was not well-formed or did not validate against our published schema");

/** One grant, as S3 checks it: a known permission and a grantee it can resolve. */
function checkedGrant(grant: Grant): Grant {
  const grantee = grant.Grantee;
  if (!grantee || !PERMISSIONS.includes(grant.Permission ?? "")) throw malformedAcl();
  switch (grantee.Type) {
    case "CanonicalUser":
      if (!grantee.ID || !/^[0-9a-f]{64}$/.test(grantee.ID)) throw invalidArgument("Invalid id", "CanonicalUser/ID", grantee.ID);
      return { Grantee: { Type: "CanonicalUser", ID: grantee.ID }, Permission: grant.Permission };
    case "Group":
      if (!Object.values(GROUPS).includes(grantee.URI ?? "")) throw invalidArgument("Invalid group uri", "Group/URI", grantee.URI);
      return { Grantee: { Type: "Group", URI: grantee.URI }, Permission: grant.Permission };
    case "AmazonCustomerByEmail":
      // No e-mail address belongs to a local account.
      throw new UnresolvableGrantByEmailAddress("The e-mail address you provided does not match any account on record.", {
        fields: { EmailAddressProvided: grantee.EmailAddress },
      });
    default:
      throw malformedAcl();
  }
}

const onlyOwner = (grants: Grant[], owner: string) =>
  grants.every((g) => g.Grantee?.Type === "CanonicalUser" && g.Grantee.ID === canonicalUserId(owner) && g.Permission === "FULL_CONTROL");

/** ACLs disabled (BucketOwnerEnforced) only accept the owner's full control; Block Public Access refuses public grants. */
function checkGrantsAllowed(ctx: RequestContext, bucket: BucketRecord, grants: Grant[]): void {
  if (effectiveOwnership(ctx, bucket) === "BucketOwnerEnforced" && !onlyOwner(grants, bucket.owner)) {
    throw new AccessControlListNotSupported("The bucket does not allow ACLs");
  }
  if (effectivePublicAccessBlock(ctx, bucket.name).BlockPublicAcls && grants.some((g) => PUBLIC_GROUPS.includes(g.Grantee?.URI ?? ""))) {
    throw new AccessDenied("Access Denied");
  }
}

export function bucketGrants(ctx: RequestContext, bucket: BucketRecord): Grant[] {
  return bucketConfig(ctx, bucket.name).grants ?? cannedGrants(bucket.acl, bucket.owner);
}

/** Whether the bucket's ACL gives nothing to anyone but its owner (the condition for BucketOwnerEnforced). */
export function hasOnlyOwnerGrants(ctx: RequestContext, bucket: BucketRecord): boolean {
  return onlyOwner(bucketGrants(ctx, bucket), bucket.owner);
}

export function putBucketAcl(input: PutBucketAclRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const grants = requestedGrants(input, bucket.owner, BUCKET_CANNED);
  if (!grants)
    throw new MissingSecurityHeader("Your request was missing a required header", { fields: { MissingHeaderName: "x-amz-acl" } });
  checkGrantsAllowed(ctx, bucket, grants);
  updateBucketConfig(ctx, bucket.name, { grants });
}

export function getBucketAcl(input: GetBucketAclRequest, ctx: RequestContext): GetBucketAclOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return { Owner: { ID: canonicalUserId(bucket.owner) }, Grants: bucketGrants(ctx, bucket) };
}

/**
 * The ACL a write (PutObject, CreateMultipartUpload, CopyObject) asks for with x-amz-acl / x-amz-grant-*
 * headers, checked against the bucket's settings; undefined when it asks for none (the owner's full control).
 */
export function objectAclFromRequest(ctx: RequestContext, bucket: BucketRecord, input: AclInput): Grant[] | undefined {
  const grants = requestedGrants({ ...input, AccessControlPolicy: undefined }, bucket.owner, OBJECT_CANNED);
  if (grants) checkGrantsAllowed(ctx, bucket, grants);
  return grants;
}

export function putObjectAcl(input: PutObjectAclRequest, ctx: RequestContext): PutObjectAclOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const record = findVersion(ctx, bucket.name, input.Key as string, input.VersionId);
  const grants = requestedGrants(input, bucket.owner, OBJECT_CANNED);
  if (!grants)
    throw new MissingSecurityHeader("Your request was missing a required header", { fields: { MissingHeaderName: "x-amz-acl" } });
  checkGrantsAllowed(ctx, bucket, grants);
  saveVersion(ctx, bucket.name, { ...record, acl: grants });
  return {};
}

export function getObjectAcl(input: GetObjectAclRequest, ctx: RequestContext): GetObjectAclOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const record = findVersion(ctx, bucket.name, input.Key as string, input.VersionId);
  return { Owner: { ID: canonicalUserId(bucket.owner) }, Grants: record.acl ?? [ownerGrant(bucket.owner)] };
}
