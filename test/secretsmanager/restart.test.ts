import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { type Overcast, startOvercast } from "../../src/index.js";
import { credentials } from "../helpers.js";

const config = (cloud: Overcast) => ({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

test("secrets and SecureString parameters still decrypt after a restart on the same data dir", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "overcast-secrets-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  try {
    const sm = new SecretsManagerClient(config(first));
    await sm.send(new CreateSecretCommand({ Name: "persisted", SecretString: "one" }));
    await sm.send(new PutSecretValueCommand({ SecretId: "persisted", SecretString: "two" }));
    await new SSMClient(config(first)).send(new PutParameterCommand({ Name: "/persisted", Value: "secure", Type: "SecureString" }));
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const sm = new SecretsManagerClient(config(second));
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "persisted" }))).SecretString, "two");
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "persisted", VersionStage: "AWSPREVIOUS" }))).SecretString, "one");
  const parameter = await new SSMClient(config(second)).send(new GetParameterCommand({ Name: "/persisted", WithDecryption: true }));
  assert.equal(parameter.Parameter?.Value, "secure");
});
