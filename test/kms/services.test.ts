import assert from "node:assert/strict";
import { test } from "node:test";
import { DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, ListAliasesCommand } from "@aws-sdk/client-kms";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { useServer } from "../helpers.js";
import { createKey, kmsClient } from "./support.js";

const server = useServer();

test("another service asking for alias/aws/secretsmanager gets an AWS managed key created on first use", async () => {
  const kms = kmsClient(server, "eu-west-3");
  const before = await kms.send(new ListAliasesCommand({}));
  assert.equal(before.Aliases?.length ?? 0, 0);
  const sm = new SecretsManagerClient(server.clientConfig("eu-west-3"));
  await sm.send(new CreateSecretCommand({ Name: "uses-default-key", SecretString: "v" }));
  const { Aliases } = await kms.send(new ListAliasesCommand({}));
  assert.deepEqual(
    Aliases?.map((a) => a.AliasName),
    ["alias/aws/secretsmanager"],
  );
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/secretsmanager" }));
  assert.equal(KeyMetadata?.KeyManager, "AWS");
  assert.equal(KeyMetadata?.KeyId, Aliases?.[0].TargetKeyId);
});

test("a secret under a customer key becomes unreadable while the key is disabled", async () => {
  const kms = kmsClient(server);
  const keyId = await createKey(kms);
  const sm = new SecretsManagerClient(server.clientConfig());
  await sm.send(new CreateSecretCommand({ Name: "customer-key-secret", SecretString: "s3cret", KmsKeyId: keyId }));
  await kms.send(new DisableKeyCommand({ KeyId: keyId }));
  await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: "customer-key-secret" })));
  await kms.send(new EnableKeyCommand({ KeyId: keyId }));
  const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: "customer-key-secret" }));
  assert.equal(SecretString, "s3cret");
});
