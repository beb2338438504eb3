import type { ConditionContext } from "../../iam/conditions.js";
import type { ActionCheck, AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { bucketPolicy } from "./policy.js";
import { buckets, objects } from "./store.js";

/** S3 ARNs name no region or account: buckets are one global namespace. */
const bucketArn = (i: OperationInput) => `arn:aws:s3:::${i.Bucket}`;
const objectArn = (i: OperationInput) => `arn:aws:s3:::${i.Bucket}/${i.Key}`;

const policyOf = (i: OperationInput, ctx: RequestContext) => bucketPolicy(ctx, String(i.Bucket));

const owner = (i: OperationInput, ctx: RequestContext) => buckets(ctx).get(String(i.Bucket))?.owner;

/** The headers S3 turns into condition keys when objects are written. */
function writeKeys(i: OperationInput): ConditionContext {
  const keys: ConditionContext = {
    "s3:x-amz-server-side-encryption": i.ServerSideEncryption,
    "s3:x-amz-server-side-encryption-aws-kms-key-id": i.SSEKMSKeyId,
    "s3:x-amz-acl": i.ACL,
    "s3:x-amz-storage-class": i.StorageClass,
  };
  if (typeof i.Tagging === "string") {
    const tags = new URLSearchParams(i.Tagging);
    keys["s3:requestobjecttagkeys"] = [...tags.keys()];
    for (const [k, v] of tags) keys[`s3:requestobjecttag/${k}`] = v;
  }
  return keys;
}

/** s3:ExistingObjectTag/<key>: the tags of the object the request reads or changes. */
function existingTags(i: OperationInput, ctx: RequestContext): ConditionContext {
  const record = i.Key === undefined ? undefined : objects(ctx, String(i.Bucket)).get(String(i.Key));
  const keys: ConditionContext = {};
  for (const [k, v] of Object.entries(record?.tags ?? {})) keys[`s3:existingobjecttag/${k}`] = v;
  if (i.VersionId !== undefined) keys["s3:versionid"] = i.VersionId;
  return keys;
}

/** `bucket/key?versionId=…` (optionally with a leading slash, URL-encoded) → the source object's ARN. */
function copySourceArn(header: unknown): string {
  const [path] = String(header ?? "").split("?", 2);
  let decoded = path.startsWith("/") ? path.slice(1) : path;
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // The handler rejects the malformed header with S3's own error.
  }
  return `arn:aws:s3:::${decoded}`;
}

/** Overriding governance-mode retention needs s3:BypassGovernanceRetention too. */
function bypassesGovernance(i: OperationInput): ActionCheck[] {
  return i.BypassGovernanceRetention ? [{ action: "s3:BypassGovernanceRetention", resources: [objectArn(i)] }] : [];
}

const readsCopySource = (i: OperationInput): ActionCheck[] => [{ action: "s3:GetObject", resources: [copySourceArn(i.CopySource)] }];

/** Bucket-level and object-level operations share how they find their policy and owner. */
const onBucket = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i) => [bucketArn(i)],
  resourcePolicy: policyOf,
  resourceAccount: owner,
  ...extra,
});

/** Reading or deleting a specific version needs the …Version action (s3:GetObjectVersion), as AWS documents. */
const onObject = (action: string, versionAction?: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  actionFor: versionAction ? (i) => (i.VersionId === undefined ? action : versionAction) : undefined,
  resources: (i) => [objectArn(i)],
  resourcePolicy: policyOf,
  resourceAccount: owner,
  context: existingTags,
  ...extra,
});

const listKeys = (i: OperationInput): ConditionContext => ({
  "s3:prefix": i.Prefix ?? "",
  "s3:delimiter": i.Delimiter,
  "s3:max-keys": i.MaxKeys === undefined ? undefined : String(i.MaxKeys),
});

export const authorization: AuthorizationTable = {
  CreateBucket: onBucket("s3:CreateBucket", {
    context: (i) => ({ "s3:x-amz-acl": i.ACL, "s3:locationconstraint": i.CreateBucketConfiguration?.LocationConstraint }),
  }),
  DeleteBucket: onBucket("s3:DeleteBucket"),
  GetBucketLocation: onBucket("s3:GetBucketLocation"),
  HeadBucket: onBucket("s3:ListBucket"),
  ListBuckets: { action: "s3:ListAllMyBuckets" },
  ListObjects: onBucket("s3:ListBucket", { context: listKeys }),
  ListObjectsV2: onBucket("s3:ListBucket", { context: listKeys }),
  ListMultipartUploads: onBucket("s3:ListBucketMultipartUploads", {
    context: (i) => ({ "s3:prefix": i.Prefix ?? "", "s3:delimiter": i.Delimiter }),
  }),
  PutObject: onObject("s3:PutObject", undefined, { context: writeKeys }),
  GetObject: onObject("s3:GetObject", "s3:GetObjectVersion"),
  HeadObject: onObject("s3:GetObject", "s3:GetObjectVersion"),
  GetObjectAttributes: onObject("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
  DeleteObject: onObject("s3:DeleteObject", "s3:DeleteObjectVersion", { also: bypassesGovernance }),
  DeleteObjects: onBucket("s3:DeleteObject", {
    resources: (i) => (i.Delete?.Objects ?? []).map((o: { Key?: string }) => `arn:aws:s3:::${i.Bucket}/${o.Key}`),
  }),
  CopyObject: onObject("s3:PutObject", undefined, {
    context: (i) => ({ ...writeKeys(i), "s3:x-amz-copy-source": i.CopySource, "s3:x-amz-metadata-directive": i.MetadataDirective }),
    also: readsCopySource,
  }),
  PutObjectTagging: onObject("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
  GetObjectTagging: onObject("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
  DeleteObjectTagging: onObject("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),
  CreateMultipartUpload: onObject("s3:PutObject", undefined, { context: writeKeys }),
  UploadPart: onObject("s3:PutObject"),
  UploadPartCopy: onObject("s3:PutObject", undefined, { also: readsCopySource }),
  CompleteMultipartUpload: onObject("s3:PutObject"),
  AbortMultipartUpload: onObject("s3:AbortMultipartUpload"),
  ListParts: onObject("s3:ListMultipartUploadParts"),
  ListObjectVersions: onBucket("s3:ListBucketVersions", { context: listKeys }),
  ...bucketSettings({
    // Deleting a configuration needs its Put action, as S3 documents (except policies and websites).
    DeleteBucketCors: "s3:PutBucketCORS",
    GetBucketCors: "s3:GetBucketCORS",
    PutBucketCors: "s3:PutBucketCORS",
    DeleteBucketEncryption: "s3:PutEncryptionConfiguration",
    GetBucketEncryption: "s3:GetEncryptionConfiguration",
    PutBucketEncryption: "s3:PutEncryptionConfiguration",
    DeleteBucketLifecycle: "s3:PutLifecycleConfiguration",
    GetBucketLifecycleConfiguration: "s3:GetLifecycleConfiguration",
    PutBucketLifecycleConfiguration: "s3:PutLifecycleConfiguration",
    DeleteBucketOwnershipControls: "s3:PutBucketOwnershipControls",
    GetBucketOwnershipControls: "s3:GetBucketOwnershipControls",
    PutBucketOwnershipControls: "s3:PutBucketOwnershipControls",
    DeleteBucketPolicy: "s3:DeleteBucketPolicy",
    GetBucketPolicy: "s3:GetBucketPolicy",
    PutBucketPolicy: "s3:PutBucketPolicy",
    GetBucketPolicyStatus: "s3:GetBucketPolicyStatus",
    DeleteBucketTagging: "s3:PutBucketTagging",
    GetBucketTagging: "s3:GetBucketTagging",
    PutBucketTagging: "s3:PutBucketTagging",
    DeleteBucketWebsite: "s3:DeleteBucketWebsite",
    GetBucketWebsite: "s3:GetBucketWebsite",
    PutBucketWebsite: "s3:PutBucketWebsite",
    DeletePublicAccessBlock: "s3:PutBucketPublicAccessBlock",
    GetPublicAccessBlock: "s3:GetBucketPublicAccessBlock",
    PutPublicAccessBlock: "s3:PutBucketPublicAccessBlock",
    GetBucketAccelerateConfiguration: "s3:GetAccelerateConfiguration",
    PutBucketAccelerateConfiguration: "s3:PutAccelerateConfiguration",
    GetBucketAcl: "s3:GetBucketAcl",
    PutBucketAcl: "s3:PutBucketAcl",
    GetBucketLogging: "s3:GetBucketLogging",
    PutBucketLogging: "s3:PutBucketLogging",
    GetBucketNotificationConfiguration: "s3:GetBucketNotification",
    PutBucketNotificationConfiguration: "s3:PutBucketNotification",
    GetBucketRequestPayment: "s3:GetBucketRequestPayment",
    PutBucketRequestPayment: "s3:PutBucketRequestPayment",
    GetBucketVersioning: "s3:GetBucketVersioning",
    PutBucketVersioning: "s3:PutBucketVersioning",
    GetObjectLockConfiguration: "s3:GetBucketObjectLockConfiguration",
    PutObjectLockConfiguration: "s3:PutBucketObjectLockConfiguration",
  }),
  GetObjectAcl: onObject("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
  PutObjectAcl: onObject("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
  GetObjectLegalHold: onObject("s3:GetObjectLegalHold"),
  PutObjectLegalHold: onObject("s3:PutObjectLegalHold"),
  GetObjectRetention: onObject("s3:GetObjectRetention"),
  PutObjectRetention: onObject("s3:PutObjectRetention", undefined, { also: bypassesGovernance }),
};

function bucketSettings(actions: Record<string, string>): AuthorizationTable {
  return Object.fromEntries(Object.entries(actions).map(([operation, action]) => [operation, onBucket(action)]));
}
