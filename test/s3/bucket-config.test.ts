import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAccelerateConfigurationCommand,
  GetBucketAclCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketRequestPaymentCommand,
  GetBucketTaggingCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  PutBucketAccelerateConfigurationCommand,
  PutBucketAclCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketRequestPaymentCommand,
  PutBucketTaggingCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const s3 = () => new S3Client({ ...server.clientConfig(), forcePathStyle: true });

let counter = 0;
async function newBucket(options: { ownership?: "ObjectWriter" | "BucketOwnerPreferred" } = {}): Promise<string> {
  const name = `config-${++counter}-${Date.now()}`;
  await s3().send(new CreateBucketCommand({ Bucket: name, ObjectOwnership: options.ownership }));
  return name;
}

const publicRead = (bucket: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*`, ...extra }],
  });

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

test("new buckets block public access by default; PutBucketPolicy with a public policy is AccessDenied until the block is lifted", async () => {
  const bucket = await newBucket();
  const block = await s3().send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
  assert.deepEqual(block.PublicAccessBlockConfiguration, {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  });
  const denied = await rejectsWith(
    s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicRead(bucket) })),
    "AccessDenied",
    403,
  );
  assert.match(denied.message, /because public policies are blocked by the BlockPublicPolicy block public access setting/);

  await s3().send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
  await rejectsWith(s3().send(new GetPublicAccessBlockCommand({ Bucket: bucket })), "NoSuchPublicAccessBlockConfiguration", 404);
  await s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicRead(bucket) }));
  const stored = await s3().send(new GetBucketPolicyCommand({ Bucket: bucket }));
  assert.equal(stored.Policy, publicRead(bucket));
  const status = await s3().send(new GetBucketPolicyStatusCommand({ Bucket: bucket }));
  assert.equal(status.PolicyStatus?.IsPublic, true);

  // Settings left out of PutPublicAccessBlock are off.
  await s3().send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));
  const partial = await s3().send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
  assert.deepEqual(partial.PublicAccessBlockConfiguration, {
    BlockPublicAcls: true,
    IgnorePublicAcls: false,
    BlockPublicPolicy: false,
    RestrictPublicBuckets: false,
  });
});

test("bucket policies: stored as sent, non-public with restricting conditions, deleted, and NoSuchBucketPolicy when absent", async () => {
  const bucket = await newBucket();
  await rejectsWith(s3().send(new GetBucketPolicyCommand({ Bucket: bucket })), "NoSuchBucketPolicy", 404);
  await rejectsWith(s3().send(new GetBucketPolicyStatusCommand({ Bucket: bucket })), "NoSuchBucketPolicy", 404);
  // A "*" principal pinned to one source account is not public, so Block Public Access lets it through.
  const pinned = publicRead(bucket, { Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } });
  await s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: pinned }));
  const status = await s3().send(new GetBucketPolicyStatusCommand({ Bucket: bucket }));
  assert.equal(status.PolicyStatus?.IsPublic, false);
  await s3().send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  await rejectsWith(s3().send(new GetBucketPolicyCommand({ Bucket: bucket })), "NoSuchBucketPolicy", 404);
  // Deleting again is not an error.
  await s3().send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
});

test("PutBucketPolicy validates the document with S3's MalformedPolicy messages", async () => {
  const bucket = await newBucket();
  const statement = {
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111122223333:root" },
    Action: "s3:GetObject",
    Resource: `arn:aws:s3:::${bucket}/*`,
  };
  const policy = (s: Record<string, unknown>, top: Record<string, unknown> = {}) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ ...statement, ...s }], ...top });
  const cases: Array<[string, string]> = [
    ["not json", "Policies must be valid JSON and the first byte must be '{'"],
    ["{ nope", "This policy contains invalid Json"],
    [JSON.stringify({ Version: "2012-10-17" }), "Missing required field Statement"],
    [policy({}, { Version: "2020-01-01" }), "The policy must contain a valid version string"],
    [policy({ Effect: "Permit" }), "Invalid effect: Permit"],
    [policy({ Principal: undefined }), "Missing required field Principal"],
    [policy({ Principal: { AWS: "not-an-account" } }), "Invalid principal in policy"],
    [policy({ Action: "sqs:SendMessage" }), "Policy has invalid action"],
    [policy({ Action: undefined }), "Missing required field Action"],
    [policy({ Resource: "arn:aws:s3:::another-bucket/*" }), "Policy has invalid resource"],
    [policy({ Resource: undefined }), "Missing required field Resource"],
    [policy({ Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}` }), "Action does not apply to any resource(s) in statement"],
  ];
  for (const [document, message] of cases) {
    const err = await rejectsWith(s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: document })), "MalformedPolicy", 400);
    assert.equal(err.message, message, document);
  }
  // 20 KB without whitespace: indentation does not count, content does.
  const big = policy({ Sid: "x".repeat(20_500) });
  await rejectsWith(s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: big })), "PolicyTooLarge", 400);
  const padded = `{${" ".repeat(3000)}${policy({ Sid: "y".repeat(19_000) }).slice(1)}`;
  assert.ok(padded.length > 20_480);
  await s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: padded }));
  // A valid cross-account policy with bucket and object statements is accepted.
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: policy({ Action: ["s3:GetObject", "s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] }),
    }),
  );
  await rejectsWith(s3().send(new GetBucketPolicyCommand({ Bucket: "no-such-bucket-here" })), "NoSuchBucket", 404);
});

test("ownership controls: BucketOwnerEnforced by default, ACLs refused under it, controls put, read and deleted", async () => {
  const bucket = await newBucket();
  const controls = await s3().send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
  assert.equal(controls.OwnershipControls?.Rules?.[0]?.ObjectOwnership, "BucketOwnerEnforced");
  await rejectsWith(s3().send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" })), "AccessControlListNotSupported", 400);
  // The owner's full control is all an enforced bucket's ACL can say, so `private` is accepted.
  await s3().send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));

  await s3().send(
    new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "ObjectWriter" }] } }),
  );
  const changed = await s3().send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
  assert.equal(changed.OwnershipControls?.Rules?.[0]?.ObjectOwnership, "ObjectWriter");
  await s3().send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket }));
  await rejectsWith(s3().send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })), "OwnershipControlsNotFoundError", 404);
  await rejectsWith(
    s3().send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: "Nobody" as "ObjectWriter" }] },
      }),
    ),
    "MalformedXML",
    400,
  );
});

test("bucket ACLs: canned ACLs and grant headers become grants; BucketOwnerEnforced cannot be set over public grants", async () => {
  const bucket = await newBucket({ ownership: "ObjectWriter" });
  await s3().send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
  const initial = await s3().send(new GetBucketAclCommand({ Bucket: bucket }));
  assert.match(initial.Owner?.ID ?? "", /^[0-9a-f]{64}$/);
  assert.deepEqual(initial.Grants, [{ Grantee: { Type: "CanonicalUser", ID: initial.Owner?.ID }, Permission: "FULL_CONTROL" }]);

  await s3().send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }));
  const acl = await s3().send(new GetBucketAclCommand({ Bucket: bucket }));
  assert.deepEqual(
    acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.URI ?? g.Grantee?.ID, g.Permission]),
    [
      ["CanonicalUser", initial.Owner?.ID, "FULL_CONTROL"],
      ["Group", ALL_USERS, "READ"],
    ],
  );
  await rejectsWith(
    s3().send(
      new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }),
    ),
    "InvalidBucketAclWithObjectOwnership",
    400,
  );

  await s3().send(
    new PutBucketAclCommand({ Bucket: bucket, GrantRead: `uri="${ALL_USERS}"`, GrantFullControl: `id="${initial.Owner?.ID}"` }),
  );
  const granted = await s3().send(new GetBucketAclCommand({ Bucket: bucket }));
  assert.equal(granted.Grants?.length, 2);
  assert.ok(granted.Grants?.some((g) => g.Grantee?.URI === ALL_USERS && g.Permission === "READ"));

  // AccessControlPolicy bodies: the owner must be the bucket's.
  await s3().send(
    new PutBucketAclCommand({
      Bucket: bucket,
      AccessControlPolicy: {
        Owner: { ID: initial.Owner?.ID },
        Grants: [{ Grantee: { Type: "CanonicalUser", ID: initial.Owner?.ID }, Permission: "FULL_CONTROL" }],
      },
    }),
  );
  const body = await s3().send(new GetBucketAclCommand({ Bucket: bucket }));
  assert.equal(body.Grants?.length, 1);
  await rejectsWith(
    s3().send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read", GrantRead: `uri="${ALL_USERS}"` })),
    "InvalidRequest",
    400,
  );
  await rejectsWith(
    s3().send(new PutBucketAclCommand({ Bucket: bucket, GrantRead: 'uri="http://example.com/group"' })),
    "InvalidArgument",
    400,
  );
  await rejectsWith(s3().send(new PutBucketAclCommand({ Bucket: bucket })), "MissingSecurityHeader", 400);
});

test("object ACLs: PutObjectAcl / GetObjectAcl on ObjectWriter buckets, refused on BucketOwnerEnforced ones, NoSuchKey for missing keys", async () => {
  const bucket = await newBucket({ ownership: "ObjectWriter" });
  await s3().send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: false } }));
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "doc.txt", Body: "hello" }));
  const initial = await s3().send(new GetObjectAclCommand({ Bucket: bucket, Key: "doc.txt" }));
  assert.deepEqual(
    initial.Grants?.map((g) => g.Permission),
    ["FULL_CONTROL"],
  );
  await s3().send(new PutObjectAclCommand({ Bucket: bucket, Key: "doc.txt", ACL: "public-read" }));
  const acl = await s3().send(new GetObjectAclCommand({ Bucket: bucket, Key: "doc.txt" }));
  assert.ok(acl.Grants?.some((g) => g.Grantee?.URI === ALL_USERS && g.Permission === "READ"));
  await rejectsWith(s3().send(new GetObjectAclCommand({ Bucket: bucket, Key: "missing" })), "NoSuchKey", 404);

  // Block Public Access refuses new public ACLs.
  await s3().send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));
  await rejectsWith(s3().send(new PutObjectAclCommand({ Bucket: bucket, Key: "doc.txt", ACL: "public-read" })), "AccessDenied", 403);

  const enforced = await newBucket();
  await s3().send(new PutObjectCommand({ Bucket: enforced, Key: "doc.txt", Body: "hello" }));
  await rejectsWith(
    s3().send(new PutObjectAclCommand({ Bucket: enforced, Key: "doc.txt", ACL: "authenticated-read" })),
    "AccessControlListNotSupported",
    400,
  );
});

test("bucket tagging: tags set, read, replaced and deleted; NoSuchTagSet and S3's tag rules", async () => {
  const bucket = await newBucket();
  await rejectsWith(s3().send(new GetBucketTaggingCommand({ Bucket: bucket })), "NoSuchTagSet", 404);
  await s3().send(
    new PutBucketTaggingCommand({
      Bucket: bucket,
      Tagging: {
        TagSet: [
          { Key: "team", Value: "storage" },
          { Key: "env", Value: "" },
        ],
      },
    }),
  );
  const tags = await s3().send(new GetBucketTaggingCommand({ Bucket: bucket }));
  assert.deepEqual(tags.TagSet, [
    { Key: "team", Value: "storage" },
    { Key: "env", Value: "" },
  ]);
  const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
  await rejectsWith(s3().send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tooMany } })), "InvalidTag", 400);
  await rejectsWith(
    s3().send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: "aws:owner", Value: "x" }] } })),
    "InvalidTag",
    400,
  );
  await rejectsWith(
    s3().send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: {
          TagSet: [
            { Key: "a", Value: "1" },
            { Key: "a", Value: "2" },
          ],
        },
      }),
    ),
    "InvalidTag",
    400,
  );
  await s3().send(new DeleteBucketTaggingCommand({ Bucket: bucket }));
  await rejectsWith(s3().send(new GetBucketTaggingCommand({ Bucket: bucket })), "NoSuchTagSet", 404);
});

test("logging, acceleration and request payment configurations are stored and returned", async () => {
  const bucket = await newBucket();
  const target = await newBucket();
  assert.equal((await s3().send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled, undefined);
  await s3().send(
    new PutBucketLoggingCommand({
      Bucket: bucket,
      BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: "logs/" } },
    }),
  );
  const logging = await s3().send(new GetBucketLoggingCommand({ Bucket: bucket }));
  assert.deepEqual(logging.LoggingEnabled, { TargetBucket: target, TargetPrefix: "logs/" });
  await rejectsWith(
    s3().send(
      new PutBucketLoggingCommand({
        Bucket: bucket,
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: "no-such-target-bucket", TargetPrefix: "" } },
      }),
    ),
    "InvalidTargetBucketForLogging",
    400,
  );
  await s3().send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: {} }));
  assert.equal((await s3().send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled, undefined);

  assert.equal((await s3().send(new GetBucketAccelerateConfigurationCommand({ Bucket: bucket }))).Status, undefined);
  await s3().send(new PutBucketAccelerateConfigurationCommand({ Bucket: bucket, AccelerateConfiguration: { Status: "Enabled" } }));
  assert.equal((await s3().send(new GetBucketAccelerateConfigurationCommand({ Bucket: bucket }))).Status, "Enabled");
  await rejectsWith(
    s3().send(new PutBucketAccelerateConfigurationCommand({ Bucket: bucket, AccelerateConfiguration: { Status: "On" as "Enabled" } })),
    "MalformedXML",
    400,
  );

  assert.equal((await s3().send(new GetBucketRequestPaymentCommand({ Bucket: bucket }))).Payer, "BucketOwner");
  await s3().send(new PutBucketRequestPaymentCommand({ Bucket: bucket, RequestPaymentConfiguration: { Payer: "Requester" } }));
  assert.equal((await s3().send(new GetBucketRequestPaymentCommand({ Bucket: bucket }))).Payer, "Requester");
});

test("a deleted bucket's configurations do not survive into a new bucket of the same name", async () => {
  const bucket = await newBucket();
  await s3().send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
  await s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicRead(bucket) }));
  await s3().send(new DeleteBucketCommand({ Bucket: bucket }));
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  await rejectsWith(s3().send(new GetBucketPolicyCommand({ Bucket: bucket })), "NoSuchBucketPolicy", 404);
  assert.equal(
    (await s3().send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration?.BlockPublicPolicy,
    true,
  );
});
