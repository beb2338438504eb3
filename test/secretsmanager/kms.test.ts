import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ListAliasesCommand } from "@aws-sdk/client-kms";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sm = () => new SecretsManagerClient(server.clientConfig());
const kms = () => new KMSClient(server.clientConfig());

test("values are encrypted under aws/secretsmanager by default, which KMS creates on first use", async () => {
  await sm().send(new CreateSecretCommand({ Name: "default-key", SecretString: "v" }));
  const aliases = await kms().send(new ListAliasesCommand({}));
  assert.ok(aliases.Aliases?.some((a) => a.AliasName === "alias/aws/secretsmanager" && a.TargetKeyId));
  const described = await sm().send(new DescribeSecretCommand({ SecretId: "default-key" }));
  assert.equal(described.KmsKeyId, undefined);
  const versions = await sm().send(new ListSecretVersionIdsCommand({ SecretId: "default-key" }));
  assert.deepEqual(versions.Versions?.[0].KmsKeyIds, ["DefaultEncryptionKey"]);
});

test("a customer key encrypts the secret; a disabled key makes reads and writes fail", async () => {
  const key = (await kms().send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
  await sm().send(new CreateSecretCommand({ Name: "own-key", SecretString: "mine", KmsKeyId: key }));
  assert.equal((await sm().send(new DescribeSecretCommand({ SecretId: "own-key" }))).KmsKeyId, key);
  assert.equal((await sm().send(new GetSecretValueCommand({ SecretId: "own-key" }))).SecretString, "mine");
  const versions = await sm().send(new ListSecretVersionIdsCommand({ SecretId: "own-key" }));
  assert.deepEqual(versions.Versions?.[0].KmsKeyIds, [key]);
  await kms().send(new DisableKeyCommand({ KeyId: key }));
  const read = await rejectsWith(sm().send(new GetSecretValueCommand({ SecretId: "own-key" })), "DecryptionFailure", 400);
  assert.match(read.message, /^Secrets Manager can't decrypt the protected secret text using the provided KMS key\./);
  await rejectsWith(sm().send(new PutSecretValueCommand({ SecretId: "own-key", SecretString: "x" })), "EncryptionFailure", 400);
  await kms().send(new EnableKeyCommand({ KeyId: key }));
  assert.equal((await sm().send(new GetSecretValueCommand({ SecretId: "own-key" }))).SecretString, "mine");
});

test("a missing key refuses CreateSecret without creating it; UpdateSecret switches keys for new versions", async () => {
  await rejectsWith(
    sm().send(new CreateSecretCommand({ Name: "bad-key", SecretString: "v", KmsKeyId: "alias/nothing-here" })),
    "EncryptionFailure",
    400,
  );
  await rejectsWith(sm().send(new DescribeSecretCommand({ SecretId: "bad-key" })), "ResourceNotFoundException", 400);
  await sm().send(new CreateSecretCommand({ Name: "switch", SecretString: "old" }));
  const key = (await kms().send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
  await sm().send(new UpdateSecretCommand({ SecretId: "switch", KmsKeyId: key, SecretString: "new" }));
  assert.equal((await sm().send(new GetSecretValueCommand({ SecretId: "switch" }))).SecretString, "new");
  assert.equal((await sm().send(new GetSecretValueCommand({ SecretId: "switch", VersionStage: "AWSPREVIOUS" }))).SecretString, "old");
  // A failed update leaves the secret as it was.
  await kms().send(new DisableKeyCommand({ KeyId: key }));
  await rejectsWith(
    sm().send(new UpdateSecretCommand({ SecretId: "switch", Description: "changed", SecretString: "x" })),
    "EncryptionFailure",
    400,
  );
  assert.equal((await sm().send(new DescribeSecretCommand({ SecretId: "switch" }))).Description, undefined);
});
