import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  AddTagsToResourceCommand,
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  GetParameterCommand,
  GetParametersByPathCommand,
  type GetParametersByPathCommandInput,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { rejectsWith, useServer } from "../helpers.js";
import { CLIENTS, runClient } from "../query/clients.js";

const server = useServer();
const ssm = (region = "eu-west-1") => new SSMClient(server.clientConfig(region));

async function seed(client: SSMClient) {
  await client.send(new PutParameterCommand({ Name: "/svc/a", Value: "A", Type: "String", Tags: [{ Key: "team", Value: "core" }] }));
  await client.send(new PutParameterCommand({ Name: "/svc/b", Value: "B", Type: "SecureString" }));
  await client.send(new PutParameterCommand({ Name: "/svc/deep/c", Value: "C", Type: "String" }));
  await client.send(new PutParameterCommand({ Name: "/svc/deep/er/d", Value: "D", Type: "StringList" }));
  await client.send(new PutParameterCommand({ Name: "/svcx/e", Value: "E", Type: "String" }));
}

test("GetParametersByPath: one level or recursive, filters, decryption and pagination", async () => {
  const client = ssm();
  await seed(client);
  const names = async (input: GetParametersByPathCommandInput) => {
    const out = await client.send(new GetParametersByPathCommand(input));
    return (out.Parameters ?? []).map((p) => p.Name);
  };
  assert.deepEqual(await names({ Path: "/svc" }), ["/svc/a", "/svc/b"]);
  assert.deepEqual(await names({ Path: "/svc/", Recursive: true }), ["/svc/a", "/svc/b", "/svc/deep/c", "/svc/deep/er/d"]);
  assert.deepEqual(await names({ Path: "/svc", Recursive: true, ParameterFilters: [{ Key: "Type", Values: ["String"] }] }), [
    "/svc/a",
    "/svc/deep/c",
  ]);
  assert.deepEqual(await names({ Path: "/svc", Recursive: true, ParameterFilters: [{ Key: "tag:team", Values: ["core"] }] }), ["/svc/a"]);
  const secure = await client.send(new GetParametersByPathCommand({ Path: "/svc", WithDecryption: true }));
  assert.equal(secure.Parameters?.find((p) => p.Name === "/svc/b")?.Value, "B");
  const hidden = await client.send(new GetParametersByPathCommand({ Path: "/svc" }));
  assert.notEqual(hidden.Parameters?.find((p) => p.Name === "/svc/b")?.Value, "B");
  const first = await client.send(new GetParametersByPathCommand({ Path: "/svc", Recursive: true, MaxResults: 3 }));
  assert.equal(first.Parameters?.length, 3);
  const rest = await client.send(
    new GetParametersByPathCommand({ Path: "/svc", Recursive: true, MaxResults: 3, NextToken: first.NextToken }),
  );
  assert.deepEqual(
    rest.Parameters?.map((p) => p.Name),
    ["/svc/deep/er/d"],
  );
  assert.equal(rest.NextToken, undefined);
  await client.send(new PutParameterCommand({ Name: "/svc/a", Value: "A2", Overwrite: true }));
  await client.send(new LabelParameterVersionCommand({ Name: "/svc/a", ParameterVersion: 1, Labels: ["stable"] }));
  const labelled = await client.send(
    new GetParametersByPathCommand({ Path: "/svc", ParameterFilters: [{ Key: "Label", Values: ["stable"] }] }),
  );
  assert.deepEqual(
    labelled.Parameters?.map((p) => [p.Name, p.Value, p.Version]),
    [["/svc/a", "A", 1]],
  );
  await rejectsWith(client.send(new GetParametersByPathCommand({ Path: "/svc", MaxResults: 11 })), "ValidationException", 400);
  await rejectsWith(client.send(new GetParametersByPathCommand({ Path: "svc" })), "ValidationException", 400);
  const key = await rejectsWith(
    client.send(new GetParametersByPathCommand({ Path: "/svc", ParameterFilters: [{ Key: "Name", Values: ["/svc/a"] }] })),
    "InvalidFilterKey",
    400,
  );
  assert.match(key.message, /filter key is not valid: Name/);
  await rejectsWith(
    client.send(
      new GetParametersByPathCommand({ Path: "/svc", ParameterFilters: [{ Key: "Type", Option: "Contains", Values: ["String"] }] }),
    ),
    "InvalidFilterOption",
    400,
  );
  await rejectsWith(
    client.send(new GetParametersByPathCommand({ Path: "/svc", ParameterFilters: [{ Key: "Type", Values: ["Number"] }] })),
    "InvalidFilterValue",
    400,
  );
});

test("DescribeParameters: ParameterFilters, legacy Filters, metadata and pagination", async () => {
  const client = ssm("eu-north-1");
  await seed(client);
  const names = async (input: DescribeParametersCommandInput) =>
    ((await client.send(new DescribeParametersCommand(input))).Parameters ?? []).map((p) => p.Name);
  assert.deepEqual(await names({}), ["/svc/a", "/svc/b", "/svc/deep/c", "/svc/deep/er/d", "/svcx/e"]);
  assert.deepEqual(await names({ ParameterFilters: [{ Key: "Name", Option: "BeginsWith", Values: ["/svc/deep"] }] }), [
    "/svc/deep/c",
    "/svc/deep/er/d",
  ]);
  assert.deepEqual(await names({ ParameterFilters: [{ Key: "Name", Values: ["/svc/b"] }] }), ["/svc/b"]);
  assert.deepEqual(await names({ ParameterFilters: [{ Key: "Name", Option: "Contains", Values: ["er"] }] }), ["/svc/deep/er/d"]);
  assert.deepEqual(await names({ ParameterFilters: [{ Key: "Path", Values: ["/svc"] }] }), ["/svc/a", "/svc/b"]);
  assert.deepEqual(await names({ ParameterFilters: [{ Key: "Path", Option: "Recursive", Values: ["/svc/deep"] }] }), [
    "/svc/deep/c",
    "/svc/deep/er/d",
  ]);
  assert.deepEqual(await names({ ParameterFilters: [{ Key: "Type", Values: ["SecureString"] }] }), ["/svc/b"]);
  assert.deepEqual(await names({ ParameterFilters: [{ Key: "KeyId", Values: ["alias/aws/ssm"] }] }), ["/svc/b"]);
  assert.deepEqual(await names({ ParameterFilters: [{ Key: "tag:team" }] }), ["/svc/a"]);
  assert.deepEqual(await names({ Filters: [{ Key: "Name", Values: ["/svcx"] }] }), ["/svcx/e"]);
  assert.deepEqual(await names({ Filters: [{ Key: "Type", Values: ["StringList"] }] }), ["/svc/deep/er/d"]);
  const both = await rejectsWith(
    client.send(
      new DescribeParametersCommand({
        Filters: [{ Key: "Type", Values: ["String"] }],
        ParameterFilters: [{ Key: "Type", Values: ["String"] }],
      }),
    ),
    "ValidationException",
    400,
  );
  assert.equal(both.message, "You can use either Filters or ParameterFilters in a single request.");
  await rejectsWith(
    client.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Colour", Values: ["x"] }] })),
    "InvalidFilterKey",
    400,
  );
  await rejectsWith(client.send(new DescribeParametersCommand({ MaxResults: 51 })), "ValidationException", 400);
  assert.deepEqual(await names({ Shared: true }), []);
  const meta = (await client.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/svc/b"] }] })))
    .Parameters?.[0];
  assert.equal(meta?.Type, "SecureString");
  assert.equal(meta?.KeyId, "alias/aws/ssm");
  assert.equal(meta?.Version, 1);
  assert.equal(meta?.Tier, "Standard");
  assert.equal(meta?.ARN, "arn:aws:ssm:eu-north-1:000000000000:parameter/svc/b");
  assert.equal(meta?.LastModifiedUser, "arn:aws:iam::000000000000:root");
  const page1 = await client.send(new DescribeParametersCommand({ MaxResults: 2 }));
  const page2 = await client.send(new DescribeParametersCommand({ MaxResults: 2, NextToken: page1.NextToken }));
  assert.deepEqual(
    [...(page1.Parameters ?? []), ...(page2.Parameters ?? [])].map((p) => p.Name),
    ["/svc/a", "/svc/b", "/svc/deep/c", "/svc/deep/er/d"],
  );
  const policies = JSON.stringify([{ Type: "Expiration", Version: "1.0", Attributes: { Timestamp: "2030-01-01T00:00:00.000Z" } }]);
  await client.send(new PutParameterCommand({ Name: "/pol", Value: "v", Type: "String", Tier: "Advanced", Policies: policies }));
  for (let i = 0; i < 6; i++) await client.send(new PutParameterCommand({ Name: `/many/p${i}`, Value: "v", Type: "String" }));
  const defaultPage = await client.send(new DescribeParametersCommand({}));
  assert.equal(defaultPage.Parameters?.length, 10);
  assert.ok(defaultPage.NextToken);
  const withPolicy = (await client.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Tier", Values: ["Advanced"] }] })))
    .Parameters;
  assert.deepEqual(
    withPolicy?.map((p) => [p.Name, p.Policies?.[0]?.PolicyType, p.Policies?.[0]?.PolicyStatus]),
    [["/pol", "Expiration", "Pending"]],
  );
});

test("tags on parameters", async () => {
  const client = ssm("ap-northeast-1");
  await client.send(new PutParameterCommand({ Name: "/t", Value: "v", Type: "String", Tags: [{ Key: "a", Value: "1" }] }));
  await client.send(
    new AddTagsToResourceCommand({
      ResourceType: "Parameter",
      ResourceId: "/t",
      Tags: [
        { Key: "a", Value: "2" },
        { Key: "b", Value: "3" },
      ],
    }),
  );
  let tags = (await client.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/t" }))).TagList;
  assert.deepEqual(tags, [
    { Key: "a", Value: "2" },
    { Key: "b", Value: "3" },
  ]);
  await client.send(new RemoveTagsFromResourceCommand({ ResourceType: "Parameter", ResourceId: "/t", TagKeys: ["a"] }));
  tags = (await client.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/t" }))).TagList;
  assert.deepEqual(tags, [{ Key: "b", Value: "3" }]);
  await rejectsWith(
    client.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/none" })),
    "InvalidResourceId",
    400,
  );
  await rejectsWith(
    client.send(new ListTagsForResourceCommand({ ResourceType: "Bogus" as never, ResourceId: "/t" })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    client.send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: "/t", Tags: [{ Key: "aws:owner", Value: "x" }] })),
    "InvalidTag",
    400,
  );
  await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/t2", Value: "v", Type: "String", Tags: [{ Key: "AWS:x", Value: "x" }] })),
    "InvalidTag",
    400,
  );
  await rejectsWith(client.send(new GetParameterCommand({ Name: "/t2" })), "ParameterNotFound", 400);
  const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
  await rejectsWith(
    client.send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: "/t", Tags: many })),
    "TooManyTagsError",
    400,
  );
});

test("/aws/reference/secretsmanager/ names resolve to Secrets Manager values", async () => {
  const region = "us-east-2";
  const sm = new SecretsManagerClient(server.clientConfig(region));
  const client = ssm(region);
  const created = await sm.send(new CreateSecretCommand({ Name: "db/creds", SecretString: '{"user":"admin"}' }));
  await sm.send(new PutSecretValueCommand({ SecretId: "db/creds", SecretString: "rotated" }));
  const { Parameter } = await client.send(
    new GetParameterCommand({ Name: "/aws/reference/secretsmanager/db/creds", WithDecryption: true }),
  );
  assert.equal(Parameter?.Value, "rotated");
  assert.equal(Parameter?.Type, "SecureString");
  assert.equal(Parameter?.ARN, created.ARN);
  const source = JSON.parse(Parameter?.SourceResult ?? "{}") as { Name?: string; VersionStages?: string[] };
  assert.equal(source.Name, "db/creds");
  assert.deepEqual(source.VersionStages, ["AWSCURRENT"]);
  const previous = await client.send(
    new GetParameterCommand({ Name: "/aws/reference/secretsmanager/db/creds:AWSPREVIOUS", WithDecryption: true }),
  );
  assert.equal(previous.Parameter?.Value, '{"user":"admin"}');
  const noDecrypt = await rejectsWith(
    client.send(new GetParameterCommand({ Name: "/aws/reference/secretsmanager/db/creds" })),
    "ValidationException",
    400,
  );
  assert.equal(noDecrypt.message, "WithDecryption flag must be True for retrieving a Secret Manager secret.");
  await rejectsWith(
    client.send(new GetParameterCommand({ Name: "/aws/reference/secretsmanager/absent", WithDecryption: true })),
    "ParameterNotFound",
    400,
  );
  const both = await client.send(
    new GetParametersCommand({
      Names: ["/aws/reference/secretsmanager/db/creds", "/aws/reference/secretsmanager/absent"],
      WithDecryption: true,
    }),
  );
  assert.deepEqual(
    both.Parameters?.map((p) => p.Value),
    ["rotated"],
  );
  assert.deepEqual(both.InvalidParameters, ["/aws/reference/secretsmanager/absent"]);
});

test("aws ssm get-parameters-by-path --recursive --with-decryption (AWS CLI v1)", async () => {
  const client = ssm("us-east-1");
  await client.send(new PutParameterCommand({ Name: "/cli/plain", Value: "p", Type: "String" }));
  await client.send(new PutParameterCommand({ Name: "/cli/nested/secure", Value: "hidden value", Type: "SecureString" }));
  const run = await runClient(
    CLIENTS.awsV1,
    [
      "ssm",
      "get-parameters-by-path",
      "--path",
      "/cli",
      "--recursive",
      "--with-decryption",
      "--endpoint-url",
      server.endpoint,
      "--output",
      "json",
    ],
    server.endpoint,
  );
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { Parameters: { Name: string; Value: string; Type: string }[] };
  assert.deepEqual(
    out.Parameters.map((p) => [p.Name, p.Value, p.Type]),
    [
      ["/cli/nested/secure", "hidden value", "SecureString"],
      ["/cli/plain", "p", "String"],
    ],
  );
  const missing = await runClient(
    CLIENTS.awsV1,
    ["ssm", "get-parameter", "--name", "/cli/none", "--endpoint-url", server.endpoint],
    server.endpoint,
  );
  assert.equal(missing.code, 255); // CLI v1 exits 255 on a service error
  assert.match(missing.stderr, /An error occurred \(ParameterNotFound\) when calling the GetParameter operation/);
});

test("an Expiration policy deletes the parameter once its time has passed", async () => {
  const client = ssm("sa-east-1");
  const expiry = new Date(Date.now() + 5000).toISOString();
  const policies = JSON.stringify([{ Type: "Expiration", Version: "1.0", Attributes: { Timestamp: expiry } }]);
  await client.send(new PutParameterCommand({ Name: "/short-lived", Value: "v", Type: "String", Tier: "Advanced", Policies: policies }));
  assert.equal((await client.send(new GetParameterCommand({ Name: "/short-lived" }))).Parameter?.Value, "v");
  const deadline = Date.now() + 30_000;
  let gone = false;
  while (!gone && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    gone = ((await client.send(new DescribeParametersCommand({}))).Parameters ?? []).every((p) => p.Name !== "/short-lived");
  }
  assert.ok(gone, "the parameter outlived its expiration");
  await rejectsWith(client.send(new GetParameterCommand({ Name: "/short-lived" })), "ParameterNotFound", 400);
  const badAttributes = JSON.stringify([{ Type: "ExpirationNotification", Version: "1.0", Attributes: { Before: "0", Unit: "Weeks" } }]);
  await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/bad-policy", Value: "v", Type: "String", Tier: "Advanced", Policies: badAttributes })),
    "InvalidPolicyAttributeException",
    400,
  );
});
