import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from "@aws-sdk/client-ssm";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const ssm = () => new SSMClient(server.clientConfig());

test("PutParameter creates versions; Overwrite rules; GetParameter returns ARN, version and data type", async () => {
  const client = ssm();
  const first = await client.send(new PutParameterCommand({ Name: "/app/db/host", Value: "db1", Type: "String", Description: "host" }));
  assert.deepEqual([first.Version, first.Tier], [1, "Standard"]);
  const exists = await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/app/db/host", Value: "db2", Type: "String" })),
    "ParameterAlreadyExists",
    400,
  );
  assert.equal(exists.message, "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
  const second = await client.send(new PutParameterCommand({ Name: "/app/db/host", Value: "db2", Overwrite: true }));
  assert.equal(second.Version, 2);
  const { Parameter } = await client.send(new GetParameterCommand({ Name: "/app/db/host" }));
  assert.equal(Parameter?.Value, "db2");
  assert.equal(Parameter?.Type, "String");
  assert.equal(Parameter?.Version, 2);
  assert.equal(Parameter?.ARN, "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host");
  assert.equal(Parameter?.DataType, "text");
  assert.ok(Parameter?.LastModifiedDate instanceof Date);
  const plain = await client.send(new PutParameterCommand({ Name: "plain", Value: "v", Type: "StringList" }));
  assert.equal(plain.Version, 1);
  assert.equal(
    (await client.send(new GetParameterCommand({ Name: "plain" }))).Parameter?.ARN,
    "arn:aws:ssm:us-east-1:000000000000:parameter/plain",
  );
  await rejectsWith(client.send(new GetParameterCommand({ Name: "/missing" })), "ParameterNotFound", 400);
  const byArn = await client.send(new GetParameterCommand({ Name: "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host:1" }));
  assert.deepEqual([byArn.Parameter?.Name, byArn.Parameter?.Value], ["/app/db/host", "db1"]);
  const plainByArn = await client.send(new GetParameterCommand({ Name: "arn:aws:ssm:us-east-1:000000000000:parameter/plain" }));
  assert.equal(plainByArn.Parameter?.Name, "plain");
  await rejectsWith(
    client.send(new GetParameterCommand({ Name: "arn:aws:ssm:us-east-1:111122223333:parameter/app/db/host" })),
    "ParameterNotFound",
    400,
  );
  const untyped = await rejectsWith(client.send(new PutParameterCommand({ Name: "/untyped", Value: "v" })), "ValidationException", 400);
  assert.match(untyped.message, /parameter type is required/);
  const tagged = await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/app/db/host", Value: "x", Overwrite: true, Tags: [{ Key: "a", Value: "b" }] })),
    "ValidationException",
    400,
  );
  assert.match(tagged.message, /^Invalid request: tags and overwrite can't be used together/);
});

test("name and hierarchy rules", async () => {
  const client = ssm();
  const put = (Name: string) => client.send(new PutParameterCommand({ Name, Value: "v", Type: "String" }));
  for (const bad of ["has space", "rel/path", "/double//slash", "/trailing/", "/star*"]) {
    const err = await rejectsWith(put(bad), "ValidationException", 400);
    assert.match(err.message, /^Parameter name: can't be prefixed with "ssm" \(case-insensitive\)\. If formed as a path/, bad);
  }
  for (const reserved of ["awsThing", "/aws/x", "SSM-param", "/Ssm/y"]) {
    const err = await rejectsWith(put(reserved), "ValidationException", 400);
    assert.match(err.message, /can't be prefixed with "aws" or "ssm"/, reserved);
  }
  const levels = (n: number) => `/${Array.from({ length: n }, (_, i) => `l${i}`).join("/")}`;
  assert.equal((await put(levels(15))).Version, 1);
  const deep = await rejectsWith(put(levels(16)), "HierarchyLevelLimitExceededException", 400);
  assert.match(deep.message, /maximum of 15 levels/);
  await rejectsWith(put(`/${"x".repeat(2048)}`), "ValidationException", 400);
  assert.equal((await put("/ok/name_with.symbols-1")).Version, 1);
});

test("tiers and size limits", async () => {
  const client = ssm();
  const big = "x".repeat(4097);
  const standard = await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/big", Value: big, Type: "String" })),
    "ValidationException",
    400,
  );
  assert.match(standard.message, /^Standard tier parameters support a maximum parameter value of 4096 characters/);
  assert.equal((await client.send(new PutParameterCommand({ Name: "/fits", Value: "x".repeat(4096), Type: "String" }))).Tier, "Standard");
  const intelligent = await client.send(new PutParameterCommand({ Name: "/big", Value: big, Type: "String", Tier: "Intelligent-Tiering" }));
  assert.equal(intelligent.Tier, "Advanced");
  const small = await client.send(new PutParameterCommand({ Name: "/small", Value: "s", Type: "String", Tier: "Intelligent-Tiering" }));
  assert.equal(small.Tier, "Standard");
  await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/huge", Value: "x".repeat(8193), Type: "String", Tier: "Advanced" })),
    "ValidationException",
    400,
  );
  const downgrade = await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/big", Value: "small now", Overwrite: true, Tier: "Standard" })),
    "ValidationException",
    400,
  );
  assert.match(downgrade.message, /can't downgrade a parameter from the advanced-parameter tier/);
  const kept = await client.send(new PutParameterCommand({ Name: "/big", Value: "small now", Overwrite: true }));
  assert.equal(kept.Tier, "Advanced");
  const policies = JSON.stringify([{ Type: "Expiration", Version: "1.0", Attributes: { Timestamp: "2030-01-01T00:00:00.000Z" } }]);
  await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/pol", Value: "v", Type: "String", Policies: policies })),
    "ValidationException",
    400,
  );
  const withPolicy = await client.send(
    new PutParameterCommand({ Name: "/pol", Value: "v", Type: "String", Policies: policies, Tier: "Intelligent-Tiering" }),
  );
  assert.equal(withPolicy.Tier, "Advanced");
  await rejectsWith(
    client.send(
      new PutParameterCommand({
        Name: "/pol2",
        Value: "v",
        Type: "String",
        Tier: "Advanced",
        Policies: JSON.stringify([{ Type: "Forever", Attributes: {} }]),
      }),
    ),
    "InvalidPolicyTypeException",
    400,
  );
});

test("AllowedPattern, StringList and DataType", async () => {
  const client = ssm();
  await client.send(new PutParameterCommand({ Name: "/port", Value: "8080", Type: "String", AllowedPattern: "^\\d+$" }));
  const mismatch = await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/port", Value: "http", Overwrite: true })),
    "ParameterPatternMismatchException",
    400,
  );
  assert.equal(mismatch.message, "Parameter value, cannot be validated against allowedPattern: ^\\d+$");
  await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/re", Value: "v", Type: "String", AllowedPattern: "(" })),
    "InvalidAllowedPatternException",
    400,
  );
  await client.send(new PutParameterCommand({ Name: "/list", Value: "a,b,c", Type: "StringList", AllowedPattern: "[a-z]" }));
  assert.equal((await client.send(new GetParameterCommand({ Name: "/list" }))).Parameter?.Value, "a,b,c");
  await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/list", Value: "a,bb", Overwrite: true })),
    "ParameterPatternMismatchException",
    400,
  );
  await client.send(new PutParameterCommand({ Name: "/ami", Value: "ami-0123456789abcdef0", Type: "String", DataType: "aws:ec2:image" }));
  assert.equal((await client.send(new GetParameterCommand({ Name: "/ami" }))).Parameter?.DataType, "aws:ec2:image");
  await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/ami2", Value: "not-an-ami", Type: "String", DataType: "aws:ec2:image" })),
    "ValidationException",
    400,
  );
  const unsupported = await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/dt", Value: "v", Type: "String", DataType: "Text" })),
    "ValidationException",
    400,
  );
  assert.match(unsupported.message, /data type is not supported: Text/);
});

test("SecureString values are encrypted through KMS, with the default or a given key", async () => {
  const client = ssm();
  await client.send(new PutParameterCommand({ Name: "/secure/pw", Value: "s3cret", Type: "SecureString" }));
  const hidden = (await client.send(new GetParameterCommand({ Name: "/secure/pw" }))).Parameter;
  assert.equal(hidden?.Type, "SecureString");
  assert.notEqual(hidden?.Value, "s3cret");
  assert.ok((hidden?.Value?.length ?? 0) > 20);
  const shown = (await client.send(new GetParameterCommand({ Name: "/secure/pw", WithDecryption: true }))).Parameter;
  assert.equal(shown?.Value, "s3cret");
  const kms = new KMSClient(server.clientConfig());
  const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
  await client.send(new PutParameterCommand({ Name: "/secure/own", Value: "mine", Type: "SecureString", KeyId: key }));
  assert.equal((await client.send(new GetParameterCommand({ Name: "/secure/own", WithDecryption: true }))).Parameter?.Value, "mine");
  const history = await client.send(new GetParameterHistoryCommand({ Name: "/secure/own" }));
  assert.equal(history.Parameters?.[0].KeyId, key);
  await kms.send(new DisableKeyCommand({ KeyId: key }));
  await rejectsWith(client.send(new GetParameterCommand({ Name: "/secure/own", WithDecryption: true })), "InvalidKeyId", 400);
  await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/secure/bad", Value: "x", Type: "SecureString", KeyId: "alias/does-not-exist" })),
    "InvalidKeyId",
    400,
  );
  const plainKey = await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/k", Value: "x", Type: "String", KeyId: key })),
    "ValidationException",
    400,
  );
  assert.match(plainKey.message, /KeyId is required for SecureString type parameter only/);
});

test("selectors, GetParameters and history with labels", async () => {
  const client = ssm();
  for (const Value of ["v1", "v2", "v3"])
    await client.send(new PutParameterCommand({ Name: "/sel", Value, Type: "String", Overwrite: true }));
  const v1 = (await client.send(new GetParameterCommand({ Name: "/sel:1" }))).Parameter;
  assert.deepEqual([v1?.Value, v1?.Version, v1?.Selector, v1?.Name], ["v1", 1, ":1", "/sel"]);
  const missing = await rejectsWith(client.send(new GetParameterCommand({ Name: "/sel:9" })), "ParameterVersionNotFound", 400);
  assert.match(missing.message, /could not find version 9 of \/sel/);
  const labelled = await client.send(
    new LabelParameterVersionCommand({ Name: "/sel", ParameterVersion: 2, Labels: ["prod", "1bad", "awsx", "ok.label"] }),
  );
  assert.deepEqual(labelled.InvalidLabels, ["1bad", "awsx"]);
  assert.equal(labelled.ParameterVersion, 2);
  assert.equal((await client.send(new GetParameterCommand({ Name: "/sel:prod" }))).Parameter?.Value, "v2");
  // Labelling the latest version moves the label off version 2.
  const moved = await client.send(new LabelParameterVersionCommand({ Name: "/sel", Labels: ["prod"] }));
  assert.equal(moved.ParameterVersion, 3);
  const history = await client.send(new GetParameterHistoryCommand({ Name: "/sel" }));
  assert.deepEqual(
    history.Parameters?.map((p) => [p.Version, p.Value, p.Labels]),
    [
      [1, "v1", []],
      [2, "v2", ["ok.label"]],
      [3, "v3", ["prod"]],
    ],
  );
  const paged = await client.send(new GetParameterHistoryCommand({ Name: "/sel", MaxResults: 2 }));
  assert.equal(paged.Parameters?.length, 2);
  const rest = await client.send(new GetParameterHistoryCommand({ Name: "/sel", MaxResults: 2, NextToken: paged.NextToken }));
  assert.deepEqual(
    rest.Parameters?.map((p) => p.Version),
    [3],
  );
  const unlabelled = await client.send(new UnlabelParameterVersionCommand({ Name: "/sel", ParameterVersion: 3, Labels: ["prod", "nope"] }));
  assert.deepEqual([unlabelled.RemovedLabels, unlabelled.InvalidLabels], [["prod"], ["nope"]]);
  await rejectsWith(client.send(new GetParameterCommand({ Name: "/sel:prod" })), "ParameterNotFound", 400);
  const ten = Array.from({ length: 10 }, (_, i) => `l${i}`);
  await client.send(new LabelParameterVersionCommand({ Name: "/sel", ParameterVersion: 1, Labels: ten }));
  await rejectsWith(
    client.send(new LabelParameterVersionCommand({ Name: "/sel", ParameterVersion: 1, Labels: ["eleventh"] })),
    "ParameterVersionLabelLimitExceeded",
    400,
  );
  await rejectsWith(
    client.send(new LabelParameterVersionCommand({ Name: "/sel", ParameterVersion: 7, Labels: ["x"] })),
    "ParameterVersionNotFound",
    400,
  );
  await rejectsWith(client.send(new GetParameterHistoryCommand({ Name: "/nope" })), "ParameterNotFound", 400);

  await client.send(new PutParameterCommand({ Name: "/other", Value: "o", Type: "String" }));
  const many = await client.send(new GetParametersCommand({ Names: ["/sel", "/other", "/sel:1", "/absent", "/sel:99", "bad name"] }));
  assert.deepEqual(
    many.Parameters?.map((p) => [p.Name, p.Value, p.Selector]),
    [
      ["/sel", "v3", undefined],
      ["/other", "o", undefined],
      ["/sel", "v1", ":1"],
    ],
  );
  assert.deepEqual(many.InvalidParameters, ["/absent", "/sel:99", "bad name"]);
  await rejectsWith(
    client.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/p${i}`) })),
    "ValidationException",
    400,
  );
});

test("100 versions at most; a labelled oldest version blocks the 101st", async () => {
  const client = ssm();
  for (let i = 1; i <= 100; i++)
    await client.send(new PutParameterCommand({ Name: "/versions", Value: `v${i}`, Type: "String", Overwrite: true }));
  await client.send(new LabelParameterVersionCommand({ Name: "/versions", ParameterVersion: 1, Labels: ["first"] }));
  const blocked = await rejectsWith(
    client.send(new PutParameterCommand({ Name: "/versions", Value: "v101", Overwrite: true })),
    "ParameterMaxVersionLimitExceeded",
    400,
  );
  assert.match(blocked.message, /Version 1, the oldest version, can't be deleted because it has a label/);
  await client.send(new UnlabelParameterVersionCommand({ Name: "/versions", ParameterVersion: 1, Labels: ["first"] }));
  assert.equal((await client.send(new PutParameterCommand({ Name: "/versions", Value: "v101", Overwrite: true }))).Version, 101);
  await rejectsWith(client.send(new GetParameterCommand({ Name: "/versions:1" })), "ParameterVersionNotFound", 400);
  assert.equal((await client.send(new GetParameterCommand({ Name: "/versions:2" }))).Parameter?.Value, "v2");
});

test("DeleteParameter and DeleteParameters", async () => {
  const client = ssm();
  for (const Name of ["/d/a", "/d/b"]) await client.send(new PutParameterCommand({ Name, Value: "v", Type: "String" }));
  await client.send(new DeleteParameterCommand({ Name: "/d/a" }));
  await rejectsWith(client.send(new GetParameterCommand({ Name: "/d/a" })), "ParameterNotFound", 400);
  await rejectsWith(client.send(new DeleteParameterCommand({ Name: "/d/a" })), "ParameterNotFound", 400);
  const out = await client.send(new DeleteParametersCommand({ Names: ["/d/b", "/d/zzz"] }));
  assert.deepEqual([out.DeletedParameters, out.InvalidParameters], [["/d/b"], ["/d/zzz"]]);
});
