import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sm = () => new SecretsManagerClient(server.clientConfig());
const NOT_FOUND = "Secrets Manager can't find the specified secret.";
const token = (c: string) => c.repeat(36);

test("CreateSecret returns an ARN with a 6-character random suffix; GetSecretValue by name, ARN and partial ARN", async () => {
  const client = sm();
  const created = await client.send(new CreateSecretCommand({ Name: "db/password", SecretString: "hunter2", Description: "db" }));
  assert.match(created.ARN ?? "", /^arn:aws:secretsmanager:us-east-1:000000000000:secret:db\/password-[A-Za-z0-9]{6}$/);
  assert.equal(created.Name, "db/password");
  assert.match(created.VersionId ?? "", /^[0-9a-f-]{36}$/);
  const partial = (created.ARN as string).slice(0, -7);
  for (const SecretId of ["db/password", created.ARN, partial]) {
    const value = await client.send(new GetSecretValueCommand({ SecretId }));
    assert.equal(value.SecretString, "hunter2");
    assert.equal(value.ARN, created.ARN);
    assert.deepEqual(value.VersionStages, ["AWSCURRENT"]);
    assert.equal(value.VersionId, created.VersionId);
    assert.ok(value.CreatedDate instanceof Date);
  }
  // A wrong suffix is another secret.
  const wrong = `${partial}-ZZZZZZ`;
  const err = await rejectsWith(client.send(new GetSecretValueCommand({ SecretId: wrong })), "ResourceNotFoundException", 400);
  assert.equal(err.message, NOT_FOUND);
});

test("binary secrets round-trip", async () => {
  const client = sm();
  const bytes = new Uint8Array([0, 1, 2, 250, 255]);
  await client.send(new CreateSecretCommand({ Name: "bin", SecretBinary: bytes }));
  const value = await client.send(new GetSecretValueCommand({ SecretId: "bin" }));
  assert.deepEqual(Buffer.from(value.SecretBinary as Uint8Array), Buffer.from(bytes));
  assert.equal(value.SecretString, undefined);
});

test("CreateSecret errors: existing name, both values, bad name, deleted name; same token and value is a retry", async () => {
  const client = sm();
  const first = await client.send(new CreateSecretCommand({ Name: "dup", SecretString: "a", ClientRequestToken: token("a") }));
  assert.equal(first.VersionId, token("a"));
  const retry = await client.send(new CreateSecretCommand({ Name: "dup", SecretString: "a", ClientRequestToken: token("a") }));
  assert.equal(retry.ARN, first.ARN);
  const exists = await rejectsWith(
    client.send(new CreateSecretCommand({ Name: "dup", SecretString: "a" })),
    "ResourceExistsException",
    400,
  );
  assert.equal(exists.message, "The operation failed because the secret dup already exists.");
  const both = await rejectsWith(
    client.send(new CreateSecretCommand({ Name: "both", SecretString: "a", SecretBinary: new Uint8Array([1]) })),
    "InvalidParameterException",
    400,
  );
  assert.match(both.message, /both a binary secret value and a string secret value/);
  const bad = await rejectsWith(client.send(new CreateSecretCommand({ Name: "bad name", SecretString: "a" })), "ValidationException", 400);
  assert.match(bad.message, /^Invalid name/);
  await rejectsWith(client.send(new CreateSecretCommand({ Name: "x".repeat(513) })), "ValidationException", 400);
  await rejectsWith(
    client.send(new CreateSecretCommand({ Name: "short-token", ClientRequestToken: "abc" })),
    "InvalidParameterException",
    400,
  );
  await client.send(new DeleteSecretCommand({ SecretId: "dup" }));
  const deleted = await rejectsWith(
    client.send(new CreateSecretCommand({ Name: "dup", SecretString: "b" })),
    "InvalidRequestException",
    400,
  );
  assert.match(deleted.message, /already scheduled for deletion/);
});

test("a secret without a value has no AWSCURRENT version", async () => {
  const client = sm();
  const created = await client.send(new CreateSecretCommand({ Name: "empty" }));
  assert.equal(created.VersionId, undefined);
  const err = await rejectsWith(client.send(new GetSecretValueCommand({ SecretId: "empty" })), "ResourceNotFoundException", 400);
  assert.equal(err.message, "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
});

test("PutSecretValue moves AWSCURRENT and AWSPREVIOUS; AWSPENDING stays apart; tokens are idempotent", async () => {
  const client = sm();
  const v1 = (await client.send(new CreateSecretCommand({ Name: "stages", SecretString: "one" }))).VersionId as string;
  const v2 = token("2");
  const put = await client.send(new PutSecretValueCommand({ SecretId: "stages", SecretString: "two", ClientRequestToken: v2 }));
  assert.deepEqual(put.VersionStages, ["AWSCURRENT"]);
  const again = await client.send(new PutSecretValueCommand({ SecretId: "stages", SecretString: "two", ClientRequestToken: v2 }));
  assert.equal(again.VersionId, v2);
  await rejectsWith(
    client.send(new PutSecretValueCommand({ SecretId: "stages", SecretString: "other", ClientRequestToken: v2 })),
    "ResourceExistsException",
    400,
  );
  const v3 = token("3");
  await client.send(
    new PutSecretValueCommand({ SecretId: "stages", SecretString: "three", ClientRequestToken: v3, VersionStages: ["AWSPENDING"] }),
  );
  let described = await client.send(new DescribeSecretCommand({ SecretId: "stages" }));
  assert.deepEqual(described.VersionIdsToStages, { [v1]: ["AWSPREVIOUS"], [v2]: ["AWSCURRENT"], [v3]: ["AWSPENDING"] });
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "stages", VersionStage: "AWSPREVIOUS" }))).SecretString, "one");
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "stages", VersionStage: "AWSPENDING" }))).SecretString, "three");
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "stages", VersionId: v1 }))).SecretString, "one");
  const mismatch = await rejectsWith(
    client.send(new GetSecretValueCommand({ SecretId: "stages", VersionId: v1, VersionStage: "AWSCURRENT" })),
    "ResourceNotFoundException",
    400,
  );
  assert.match(mismatch.message, /for VersionId/);
  // Promote the pending version as rotation's finishSecret step does.
  const refused = await rejectsWith(
    client.send(new UpdateSecretVersionStageCommand({ SecretId: "stages", VersionStage: "AWSCURRENT", MoveToVersionId: v3 })),
    "InvalidParameterException",
    400,
  );
  assert.match(refused.message, new RegExp(`currently attached to version ${v2}`));
  await client.send(
    new UpdateSecretVersionStageCommand({ SecretId: "stages", VersionStage: "AWSCURRENT", MoveToVersionId: v3, RemoveFromVersionId: v2 }),
  );
  described = await client.send(new DescribeSecretCommand({ SecretId: "stages" }));
  assert.deepEqual(described.VersionIdsToStages, { [v2]: ["AWSPREVIOUS"], [v3]: ["AWSPENDING", "AWSCURRENT"] });
  await client.send(new UpdateSecretVersionStageCommand({ SecretId: "stages", VersionStage: "AWSPENDING", RemoveFromVersionId: v3 }));
  const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: "stages" }));
  assert.deepEqual(versions.Versions?.map((v) => v.VersionId).sort(), [v2, v3].sort());
  const withDeprecated = await client.send(new ListSecretVersionIdsCommand({ SecretId: "stages", IncludeDeprecated: true }));
  assert.equal(withDeprecated.Versions?.length, 3);
  await rejectsWith(
    client.send(new UpdateSecretVersionStageCommand({ SecretId: "stages", VersionStage: "AWSCURRENT", RemoveFromVersionId: v3 })),
    "InvalidParameterException",
    400,
  );
});

test("UpdateSecret changes the description and adds a current version", async () => {
  const client = sm();
  await client.send(new CreateSecretCommand({ Name: "upd", SecretString: "old", Tags: [{ Key: "team", Value: "a" }] }));
  const updated = await client.send(new UpdateSecretCommand({ SecretId: "upd", Description: "new desc", SecretString: "new" }));
  assert.ok(updated.VersionId);
  const value = await client.send(new GetSecretValueCommand({ SecretId: "upd" }));
  assert.equal(value.SecretString, "new");
  const described = await client.send(new DescribeSecretCommand({ SecretId: "upd" }));
  assert.equal(described.Description, "new desc");
  assert.deepEqual(described.Tags, [{ Key: "team", Value: "a" }]);
  assert.ok(described.CreatedDate instanceof Date && described.LastChangedDate instanceof Date);
  assert.ok(described.LastAccessedDate instanceof Date);
  assert.equal(described.LastAccessedDate.getUTCHours(), 0);
  const onlyDescription = await client.send(new UpdateSecretCommand({ SecretId: "upd", Description: "d2" }));
  assert.equal(onlyDescription.VersionId, undefined);
  await rejectsWith(client.send(new UpdateSecretCommand({ SecretId: "nope", Description: "x" })), "ResourceNotFoundException", 400);
});

test("DeleteSecret: recovery window rules, deleted secrets refuse access, RestoreSecret, forced deletion", async () => {
  const client = sm();
  await client.send(new CreateSecretCommand({ Name: "del", SecretString: "x" }));
  const range = await rejectsWith(
    client.send(new DeleteSecretCommand({ SecretId: "del", RecoveryWindowInDays: 6 })),
    "InvalidParameterException",
    400,
  );
  assert.equal(range.message, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  await rejectsWith(
    client.send(new DeleteSecretCommand({ SecretId: "del", RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
    "InvalidParameterException",
    400,
  );
  const before = Date.now();
  const deleted = await client.send(new DeleteSecretCommand({ SecretId: "del", RecoveryWindowInDays: 7 }));
  const days = ((deleted.DeletionDate as Date).getTime() - before) / 86_400_000;
  assert.ok(days > 6.9 && days < 7.1, `deletion in ${days} days`);
  const refused = await rejectsWith(client.send(new GetSecretValueCommand({ SecretId: "del" })), "InvalidRequestException", 400);
  assert.equal(refused.message, "You can't perform this operation on the secret because it was marked for deletion.");
  await rejectsWith(client.send(new PutSecretValueCommand({ SecretId: "del", SecretString: "y" })), "InvalidRequestException", 400);
  const described = await client.send(new DescribeSecretCommand({ SecretId: "del" }));
  assert.ok(described.DeletedDate instanceof Date);
  await client.send(new RestoreSecretCommand({ SecretId: "del" }));
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "del" }))).SecretString, "x");
  await client.send(new DeleteSecretCommand({ SecretId: "del", ForceDeleteWithoutRecovery: true }));
  const gone = await rejectsWith(client.send(new DescribeSecretCommand({ SecretId: "del" })), "ResourceNotFoundException", 400);
  assert.equal(gone.message, NOT_FOUND);
  await client.send(new CreateSecretCommand({ Name: "del", SecretString: "reborn" }));
  await rejectsWith(client.send(new RestoreSecretCommand({ SecretId: "missing" })), "ResourceNotFoundException", 400);
});

test("secrets are per region and missing ids are ResourceNotFoundException", async () => {
  await sm().send(new CreateSecretCommand({ Name: "regional", SecretString: "x" }));
  const west = new SecretsManagerClient(server.clientConfig("eu-west-1"));
  const err = await rejectsWith(west.send(new GetSecretValueCommand({ SecretId: "regional" })), "ResourceNotFoundException", 400);
  assert.equal(err.message, NOT_FOUND);
});
