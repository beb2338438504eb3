import assert from "node:assert/strict";
import { test } from "node:test";
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, CreateTableCommand } from "@aws-sdk/client-dynamodb";
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  DeleteUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { CLIENTS, runClient } from "../query/clients.js";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer({ enforceIam: true });
const ACCOUNT = "000000000000";

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const config = (credentials?: Keys) => ({ ...server.clientConfig(), ...(credentials ? { credentials } : {}) });
const iam = () => new IAMClient(config());
const s3 = (keys?: Keys) => new S3Client({ ...config(keys), forcePathStyle: true });
const policy = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** A user with an access key and, optionally, an inline policy. */
async function user(name: string, document?: string): Promise<Keys> {
  await iam().send(new CreateUserCommand({ UserName: name }));
  if (document) await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: "inline", PolicyDocument: document }));
  const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
}

async function bucketWithObject(bucket: string, key = "note.txt") {
  await s3().send(new CreateBucketCommand({ Bucket: bucket }));
  await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "hello" }));
}

test("a user in a group with a read-only S3 policy can read but not write", async () => {
  await bucketWithObject("readers-bucket");
  await iam().send(new CreateGroupCommand({ GroupName: "readers" }));
  await iam().send(
    new PutGroupPolicyCommand({
      GroupName: "readers",
      PolicyName: "s3-read",
      PolicyDocument: policy({
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:ListBucket"],
        Resource: ["arn:aws:s3:::readers-bucket", "arn:aws:s3:::readers-bucket/*"],
      }),
    }),
  );
  const keys = await user("reader");
  await iam().send(new AddUserToGroupCommand({ GroupName: "readers", UserName: "reader" }));
  const got = await s3(keys).send(new GetObjectCommand({ Bucket: "readers-bucket", Key: "note.txt" }));
  assert.equal(await got.Body?.transformToString(), "hello");
  const denied = await rejectsWith(
    s3(keys).send(new PutObjectCommand({ Bucket: "readers-bucket", Key: "note.txt", Body: "x" })),
    "AccessDenied",
    403,
  );
  assert.equal(
    denied.message,
    `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::readers-bucket/note.txt" because no identity-based policy allows the s3:PutObject action`,
  );
  // The object was not overwritten.
  const after = await s3().send(new GetObjectCommand({ Bucket: "readers-bucket", Key: "note.txt" }));
  assert.equal(await after.Body?.transformToString(), "hello");
  // Actions without a resource type print no resource.
  const list = await rejectsWith(s3(keys).send(new ListBucketsCommand({})), "AccessDenied", 403);
  assert.equal(
    list.message,
    `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action`,
  );
});

test("AWS CLI: the read-only user's write is refused with AccessDenied and AWS's message", async () => {
  const keys = await user("cli-reader", policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }));
  await bucketWithObject("cli-bucket");
  const env = { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
  const cli = (...args: string[]) => runClient(CLIENTS.awsV1, [...args, "--endpoint-url", server.endpoint], server.endpoint, env);
  const read = await cli("s3api", "get-object", "--bucket", "cli-bucket", "--key", "note.txt", "/dev/null");
  assert.equal(read.code, 0, read.stderr);
  const write = await cli("s3api", "put-object", "--bucket", "cli-bucket", "--key", "new.txt");
  assert.notEqual(write.code, 0);
  assert.match(
    write.stderr,
    /\(AccessDenied\) when calling the PutObject operation: User: arn:aws:iam::000000000000:user\/cli-reader is not authorized to perform: s3:PutObject/,
  );
});

test("an explicit deny beats an allow", async () => {
  await bucketWithObject("deny-bucket");
  const keys = await user(
    "denied-deleter",
    policy(
      { Effect: "Allow", Action: "s3:*", Resource: "*" },
      { Effect: "Deny", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::deny-bucket/*" },
    ),
  );
  await s3(keys).send(new GetObjectCommand({ Bucket: "deny-bucket", Key: "note.txt" }));
  const denied = await rejectsWith(s3(keys).send(new DeleteObjectCommand({ Bucket: "deny-bucket", Key: "note.txt" })), "AccessDenied", 403);
  assert.equal(
    denied.message,
    `User: arn:aws:iam::${ACCOUNT}:user/denied-deleter is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::deny-bucket/note.txt" with an explicit deny in an identity-based policy`,
  );
});

test("a permissions boundary limits what an administrator may do", async () => {
  const keys = await user("bounded-admin");
  await iam().send(new AttachUserPolicyCommand({ UserName: "bounded-admin", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
  const { Policy } = await iam().send(
    new CreatePolicyCommand({ PolicyName: "sqs-only", PolicyDocument: policy({ Effect: "Allow", Action: "sqs:*", Resource: "*" }) }),
  );
  await iam().send(new PutUserPermissionsBoundaryCommand({ UserName: "bounded-admin", PermissionsBoundary: Policy?.Arn }));
  const sqs = new SQSClient(config(keys));
  await sqs.send(new CreateQueueCommand({ QueueName: "bounded-queue" }));
  assert.ok((await sqs.send(new ListQueuesCommand({}))).QueueUrls?.some((u) => u.endsWith("/bounded-queue")));
  const denied = await rejectsWith(s3(keys).send(new ListBucketsCommand({})), "AccessDenied", 403);
  assert.equal(
    denied.message,
    `User: arn:aws:iam::${ACCOUNT}:user/bounded-admin is not authorized to perform: s3:ListAllMyBuckets because no permissions boundary allows the s3:ListAllMyBuckets action`,
  );
});

test("an assumed role is limited by its session policy", async () => {
  await bucketWithObject("session-bucket");
  const trust = policy({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" });
  await iam().send(new CreateRoleCommand({ RoleName: "s3-admin", AssumeRolePolicyDocument: trust }));
  await iam().send(
    new PutRolePolicyCommand({
      RoleName: "s3-admin",
      PolicyName: "s3",
      PolicyDocument: policy({ Effect: "Allow", Action: "s3:*", Resource: "*" }),
    }),
  );
  const keys = await user(
    "assumer",
    policy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${ACCOUNT}:role/s3-admin` }),
  );
  const sts = new STSClient(config(keys));
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/s3-admin`,
      RoleSessionName: "reading",
      Policy: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
    }),
  );
  const session: Keys = {
    accessKeyId: Credentials?.AccessKeyId as string,
    secretAccessKey: Credentials?.SecretAccessKey as string,
    sessionToken: Credentials?.SessionToken,
  };
  const identity = await new STSClient(config(session)).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/s3-admin/reading`);
  const got = await s3(session).send(new GetObjectCommand({ Bucket: "session-bucket", Key: "note.txt" }));
  assert.equal(await got.Body?.transformToString(), "hello");
  const denied = await rejectsWith(
    s3(session).send(new PutObjectCommand({ Bucket: "session-bucket", Key: "x", Body: "x" })),
    "AccessDenied",
    403,
  );
  assert.equal(
    denied.message,
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/s3-admin/reading is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::session-bucket/x" because no session policy allows the s3:PutObject action`,
  );
});

test("a federated user has the intersection of its IAM user's policies and the session policy", async () => {
  await bucketWithObject("federated-bucket");
  const keys = await user("federator", policy({ Effect: "Allow", Action: ["s3:*", "sts:GetFederationToken"], Resource: "*" }));
  const { Credentials, FederatedUser } = await new STSClient(config(keys)).send(
    new GetFederationTokenCommand({ Name: "visitor", Policy: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) }),
  );
  assert.equal(FederatedUser?.Arn, `arn:aws:sts::${ACCOUNT}:federated-user/visitor`);
  const session: Keys = {
    accessKeyId: Credentials?.AccessKeyId as string,
    secretAccessKey: Credentials?.SecretAccessKey as string,
    sessionToken: Credentials?.SessionToken,
  };
  const got = await s3(session).send(new GetObjectCommand({ Bucket: "federated-bucket", Key: "note.txt" }));
  assert.equal(await got.Body?.transformToString(), "hello");
  const denied = await rejectsWith(
    s3(session).send(new PutObjectCommand({ Bucket: "federated-bucket", Key: "x", Body: "x" })),
    "AccessDenied",
    403,
  );
  assert.equal(
    denied.message,
    `User: arn:aws:sts::${ACCOUNT}:federated-user/visitor is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::federated-bucket/x" because no session policy allows the s3:PutObject action`,
  );
});

test("dynamodb:LeadingKeys restricts a user to the items whose partition key is their user name", async () => {
  const ddb = new DynamoDBClient(config());
  await ddb.send(
    new CreateTableCommand({
      TableName: "profiles",
      KeySchema: [{ AttributeName: "owner", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "owner", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: "profiles", Item: { owner: { S: "bob" }, note: { S: "bob's" } } }));
  const keys = await user(
    "alice",
    policy({
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
      Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/profiles`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, literal text in the policy.
      Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:username}"] } },
    }),
  );
  const alice = new DynamoDBClient(config(keys));
  await alice.send(new PutItemCommand({ TableName: "profiles", Item: { owner: { S: "alice" }, note: { S: "mine" } } }));
  const own = await alice.send(new GetItemCommand({ TableName: "profiles", Key: { owner: { S: "alice" } } }));
  assert.equal(own.Item?.note.S, "mine");
  const queried = await alice.send(
    new QueryCommand({
      TableName: "profiles",
      KeyConditionExpression: "#o = :me",
      ExpressionAttributeNames: { "#o": "owner" },
      ExpressionAttributeValues: { ":me": { S: "alice" } },
    }),
  );
  assert.equal(queried.Count, 1);
  const denied = await rejectsWith(
    alice.send(new GetItemCommand({ TableName: "profiles", Key: { owner: { S: "bob" } } })),
    "AccessDeniedException",
    400,
  );
  assert.equal(
    denied.message,
    `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/profiles because no identity-based policy allows the dynamodb:GetItem action`,
  );
  await rejectsWith(alice.send(new PutItemCommand({ TableName: "profiles", Item: { owner: { S: "bob" } } })), "AccessDeniedException", 400);
  // Bob's item is untouched.
  const bob = await ddb.send(new GetItemCommand({ TableName: "profiles", Key: { owner: { S: "bob" } } }));
  assert.equal(bob.Item?.note.S, "bob's");
});

test("a bucket policy grants a user of the account access; its explicit deny binds even the root", async () => {
  await bucketWithObject("policy-bucket");
  const keys = await user("policy-reader");
  await rejectsWith(s3(keys).send(new GetObjectCommand({ Bucket: "policy-bucket", Key: "note.txt" })), "AccessDenied", 403);
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: "policy-bucket",
      Policy: policy(
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/policy-reader` },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::policy-bucket/*",
        },
        { Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::policy-bucket/*" },
      ),
    }),
  );
  // Within one account, a resource policy naming the user suffices without any identity policy.
  const got = await s3(keys).send(new GetObjectCommand({ Bucket: "policy-bucket", Key: "note.txt" }));
  assert.equal(await got.Body?.transformToString(), "hello");
  const denied = await rejectsWith(s3().send(new DeleteObjectCommand({ Bucket: "policy-bucket", Key: "note.txt" })), "AccessDenied", 403);
  assert.equal(
    denied.message,
    `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::policy-bucket/note.txt" with an explicit deny in a resource-based policy`,
  );
});

test("another account is refused a bucket without a policy granting it", async () => {
  await bucketWithObject("private-bucket");
  // A 12-digit access key id is that account's root, as on LocalStack.
  const other: Keys = { accessKeyId: "111111111111", secretAccessKey: "test" };
  const denied = await rejectsWith(
    s3(other).send(new GetObjectCommand({ Bucket: "private-bucket", Key: "note.txt" })),
    "AccessDenied",
    403,
  );
  assert.equal(denied.message, "Access Denied");
});

test("a bucket policy grants another account read access to its objects, and nothing more", async () => {
  await bucketWithObject("shared-bucket");
  const other: Keys = { accessKeyId: "222222222222", secretAccessKey: "test" };
  await rejectsWith(s3(other).send(new GetObjectCommand({ Bucket: "shared-bucket", Key: "note.txt" })), "AccessDenied", 403);
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: "shared-bucket",
      Policy: policy({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::shared-bucket/*",
      }),
    }),
  );
  const got = await s3(other).send(new GetObjectCommand({ Bucket: "shared-bucket", Key: "note.txt" }));
  assert.equal(await got.Body?.transformToString(), "hello");
  await rejectsWith(s3(other).send(new PutObjectCommand({ Bucket: "shared-bucket", Key: "x", Body: "no" })), "AccessDenied", 403);
});

test("a queue policy grants another account SendMessage, and only that", async () => {
  const owner = new SQSClient(config());
  const { QueueUrl } = await owner.send(new CreateQueueCommand({ QueueName: "shared-queue" }));
  const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:shared-queue`;
  const other = new SQSClient(config({ accessKeyId: "111111111111", secretAccessKey: "test" }));
  const before = await rejectsWith(other.send(new SendMessageCommand({ QueueUrl, MessageBody: "early" })), "AccessDenied", 403);
  assert.equal(
    before.message,
    "User: arn:aws:iam::111111111111:root is not authorized to perform: sqs:sendmessage on resource: " +
      queueArn +
      " because no resource-based policy allows the sqs:sendmessage action",
  );
  await owner.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: policy({ Effect: "Allow", Principal: { AWS: "111111111111" }, Action: "sqs:SendMessage", Resource: queueArn }),
      },
    }),
  );
  await other.send(new SendMessageCommand({ QueueUrl, MessageBody: "from 111111111111" }));
  await rejectsWith(other.send(new ReceiveMessageCommand({ QueueUrl })), "AccessDenied", 403);
  const received = await owner.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  assert.deepEqual(
    received.Messages?.map((m) => m.Body),
    ["from 111111111111"],
  );
});

test("root and the default test keys are the account root: allowed without any policy", async () => {
  const identity = await new STSClient(config()).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, `arn:aws:iam::${ACCOUNT}:root`);
  await s3().send(new ListBucketsCommand({}));
});

test("a policy change applies to the very next request of a caller (cached decisions are invalidated)", async () => {
  const keys = await user("changing-user");
  await rejectsWith(s3(keys).send(new ListBucketsCommand({})), "AccessDenied", 403);
  await iam().send(
    new PutUserPolicyCommand({
      UserName: "changing-user",
      PolicyName: "list",
      PolicyDocument: policy({ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }),
    }),
  );
  await s3(keys).send(new ListBucketsCommand({}));
  await iam().send(new DeleteUserPolicyCommand({ UserName: "changing-user", PolicyName: "list" }));
  await rejectsWith(s3(keys).send(new ListBucketsCommand({})), "AccessDenied", 403);
});
