import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetResourcePolicyCommand,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  PutResourcePolicyCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  ValidateResourcePolicyCommand,
} from "@aws-sdk/client-secrets-manager";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sm = (region = "us-west-2") => new SecretsManagerClient(server.clientConfig(region));

test("ListSecrets filters, sorts, paginates and hides planned deletions", async () => {
  const client = sm();
  await client.send(new CreateSecretCommand({ Name: "app/db", Description: "Database creds", Tags: [{ Key: "env", Value: "prod" }] }));
  await client.send(new CreateSecretCommand({ Name: "app/api", Description: "API key", Tags: [{ Key: "env", Value: "dev" }] }));
  await client.send(new CreateSecretCommand({ Name: "other", Tags: [{ Key: "owner", Value: "me" }] }));
  await client.send(new CreateSecretCommand({ Name: "app/old" }));
  await client.send(new DeleteSecretCommand({ SecretId: "app/old" }));
  const names = async (input: ListSecretsCommandInput) =>
    ((await client.send(new ListSecretsCommand(input))).SecretList ?? []).map((s) => s.Name);
  assert.deepEqual(await names({ SortOrder: "asc" }), ["app/db", "app/api", "other"]);
  assert.deepEqual(await names({ SortOrder: "desc" }), ["other", "app/api", "app/db"]);
  assert.deepEqual(await names({ SortOrder: "asc", SortBy: "name" }), ["app/api", "app/db", "other"]);
  assert.deepEqual(await names({ SortOrder: "asc", IncludePlannedDeletion: true }), ["app/db", "app/api", "other", "app/old"]);
  assert.deepEqual(await names({ SortOrder: "asc", Filters: [{ Key: "name", Values: ["app/"] }] }), ["app/db", "app/api"]);
  assert.deepEqual(await names({ Filters: [{ Key: "name", Values: ["App/"] }] }), []);
  assert.deepEqual(await names({ SortOrder: "asc", Filters: [{ Key: "name", Values: ["!app/"] }] }), ["other"]);
  assert.deepEqual(await names({ Filters: [{ Key: "description", Values: ["database"] }] }), ["app/db"]);
  assert.deepEqual(await names({ SortOrder: "asc", Filters: [{ Key: "tag-key", Values: ["env"] }] }), ["app/db", "app/api"]);
  assert.deepEqual(await names({ Filters: [{ Key: "tag-value", Values: ["pro"] }] }), ["app/db"]);
  assert.deepEqual(await names({ Filters: [{ Key: "all", Values: ["API"] }] }), ["app/api"]);
  assert.deepEqual(
    await names({
      Filters: [
        { Key: "name", Values: ["app/"] },
        { Key: "tag-value", Values: ["dev"] },
      ],
    }),
    ["app/api"],
  );
  const first = await client.send(new ListSecretsCommand({ MaxResults: 2, SortOrder: "asc" }));
  assert.deepEqual(
    first.SecretList?.map((s) => s.Name),
    ["app/db", "app/api"],
  );
  const second = await client.send(new ListSecretsCommand({ MaxResults: 2, SortOrder: "asc", NextToken: first.NextToken }));
  assert.deepEqual(
    second.SecretList?.map((s) => s.Name),
    ["other"],
  );
  assert.equal(second.NextToken, undefined);
  await rejectsWith(client.send(new ListSecretsCommand({ MaxResults: 101 })), "ValidationException", 400);
  await rejectsWith(client.send(new ListSecretsCommand({ NextToken: "bm9wZQ" })), "InvalidNextTokenException", 400);
  await rejectsWith(
    client.send(new ListSecretsCommand({ Filters: [{ Key: "colour" as never, Values: ["x"] }] })),
    "ValidationException",
    400,
  );
});

test("BatchGetSecretValue by ids (with per-secret errors) and by filters", async () => {
  const client = sm("eu-central-1");
  await client.send(new CreateSecretCommand({ Name: "b/one", SecretString: "1" }));
  await client.send(new CreateSecretCommand({ Name: "b/two", SecretString: "2" }));
  const byId = await client.send(new BatchGetSecretValueCommand({ SecretIdList: ["b/one", "b/missing"] }));
  assert.deepEqual(
    byId.SecretValues?.map((v) => [v.Name, v.SecretString]),
    [["b/one", "1"]],
  );
  assert.deepEqual(byId.Errors, [
    { SecretId: "b/missing", ErrorCode: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret." },
  ]);
  const byFilter = await client.send(new BatchGetSecretValueCommand({ Filters: [{ Key: "name", Values: ["b/"] }], MaxResults: 1 }));
  assert.equal(byFilter.SecretValues?.length, 1);
  const rest = await client.send(
    new BatchGetSecretValueCommand({ Filters: [{ Key: "name", Values: ["b/"] }], MaxResults: 1, NextToken: byFilter.NextToken }),
  );
  assert.equal(rest.SecretValues?.length, 1);
  assert.notEqual(rest.SecretValues?.[0].Name, byFilter.SecretValues?.[0].Name);
  await rejectsWith(client.send(new BatchGetSecretValueCommand({})), "InvalidParameterException", 400);
  await rejectsWith(
    client.send(new BatchGetSecretValueCommand({ SecretIdList: ["b/one"], Filters: [{ Key: "name", Values: ["b"] }] })),
    "InvalidParameterException",
    400,
  );
});

test("GetRandomPassword: defaults, character classes and errors", async () => {
  const client = sm();
  const plain = (await client.send(new GetRandomPasswordCommand({}))).RandomPassword as string;
  assert.equal(plain.length, 32);
  assert.match(plain, /^[\x21-\x7e]+$/);
  for (let i = 0; i < 5; i++) {
    const p = (await client.send(new GetRandomPasswordCommand({ PasswordLength: 4 }))).RandomPassword as string;
    assert.match(p, /[a-z]/);
    assert.match(p, /[A-Z]/);
    assert.match(p, /[0-9]/);
    assert.match(p, /[^A-Za-z0-9]/);
  }
  const digits = (
    await client.send(
      new GetRandomPasswordCommand({
        PasswordLength: 50,
        ExcludeLowercase: true,
        ExcludeUppercase: true,
        ExcludePunctuation: true,
        ExcludeCharacters: "0123",
      }),
    )
  ).RandomPassword as string;
  assert.match(digits, /^[4-9]{50}$/);
  const spaced = (
    await client.send(
      new GetRandomPasswordCommand({
        PasswordLength: 5,
        ExcludeLowercase: true,
        ExcludeUppercase: true,
        ExcludePunctuation: true,
        ExcludeNumbers: true,
        IncludeSpace: true,
      }),
    )
  ).RandomPassword;
  assert.equal(spaced, "     ");
  await rejectsWith(client.send(new GetRandomPasswordCommand({ PasswordLength: 0 })), "InvalidParameterException", 400);
  await rejectsWith(client.send(new GetRandomPasswordCommand({ PasswordLength: 4097 })), "InvalidParameterException", 400);
  await rejectsWith(client.send(new GetRandomPasswordCommand({ PasswordLength: 3 })), "InvalidParameterException", 400);
  await rejectsWith(
    client.send(
      new GetRandomPasswordCommand({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true, ExcludeNumbers: true }),
    ),
    "InvalidParameterException",
    400,
  );
});

test("TagResource / UntagResource", async () => {
  const client = sm();
  await client.send(new CreateSecretCommand({ Name: "tagged", Tags: [{ Key: "a", Value: "1" }] }));
  await client.send(
    new TagResourceCommand({
      SecretId: "tagged",
      Tags: [
        { Key: "a", Value: "2" },
        { Key: "b", Value: "3" },
      ],
    }),
  );
  let tags = (await client.send(new DescribeSecretCommand({ SecretId: "tagged" }))).Tags;
  assert.deepEqual(tags, [
    { Key: "a", Value: "2" },
    { Key: "b", Value: "3" },
  ]);
  await client.send(new UntagResourceCommand({ SecretId: "tagged", TagKeys: ["a"] }));
  tags = (await client.send(new DescribeSecretCommand({ SecretId: "tagged" }))).Tags;
  assert.deepEqual(tags, [{ Key: "b", Value: "3" }]);
  await rejectsWith(
    client.send(new TagResourceCommand({ SecretId: "nope", Tags: [{ Key: "a", Value: "b" }] })),
    "ResourceNotFoundException",
    400,
  );
  await rejectsWith(
    client.send(new TagResourceCommand({ SecretId: "tagged", Tags: [{ Key: "aws:x", Value: "b" }] })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(
    client.send(new CreateSecretCommand({ Name: "bad-tags", Tags: [{ Key: "aws:x", Value: "v" }] })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(client.send(new DescribeSecretCommand({ SecretId: "bad-tags" })), "ResourceNotFoundException", 400);
});

test("resource policies: put, get, delete, validate, block public", async () => {
  const client = sm();
  const { ARN } = await client.send(new CreateSecretCommand({ Name: "policy" }));
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "secretsmanager:GetSecretValue", Resource: "*" },
    ],
  });
  assert.deepEqual(
    await client.send(new PutResourcePolicyCommand({ SecretId: "policy", ResourcePolicy: policy })).then((r) => [r.ARN, r.Name]),
    [ARN, "policy"],
  );
  assert.equal((await client.send(new GetResourcePolicyCommand({ SecretId: "policy" }))).ResourcePolicy, policy);
  const open = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:*", Resource: "*" }],
  });
  await rejectsWith(client.send(new PutResourcePolicyCommand({ SecretId: "policy", ResourcePolicy: open })), "PublicPolicyException", 400);
  await client.send(new PutResourcePolicyCommand({ SecretId: "policy", ResourcePolicy: open, BlockPublicPolicy: false }));
  await rejectsWith(
    client.send(new PutResourcePolicyCommand({ SecretId: "policy", ResourcePolicy: "{not json" })),
    "MalformedPolicyDocumentException",
    400,
  );
  await client.send(new DeleteResourcePolicyCommand({ SecretId: "policy" }));
  assert.equal((await client.send(new GetResourcePolicyCommand({ SecretId: "policy" }))).ResourcePolicy, undefined);
  const valid = await client.send(new ValidateResourcePolicyCommand({ ResourcePolicy: policy }));
  assert.equal(valid.PolicyValidationPassed, true);
  const invalid = await client.send(
    new ValidateResourcePolicyCommand({ ResourcePolicy: JSON.stringify({ Statement: [{ Effect: "Maybe" }] }) }),
  );
  assert.equal(invalid.PolicyValidationPassed, false);
  assert.ok((invalid.ValidationErrors?.length ?? 0) >= 1);
  await rejectsWith(client.send(new ValidateResourcePolicyCommand({ ResourcePolicy: "[" })), "MalformedPolicyDocumentException", 400);
});
