import assert from "node:assert/strict";
import { test } from "node:test";
import { LambdaClient } from "@aws-sdk/client-lambda";
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { rejectsWith, useServer } from "../helpers.js";
import { createFunction } from "../lambda/support.js";

const server = useServer();
const sm = () => new SecretsManagerClient(server.clientConfig());
const lambda = () => new LambdaClient(server.clientConfig());

/**
 * A rotation function as AWS's templates write them, calling Secrets Manager back through
 * AWS_ENDPOINT_URL with the JSON protocol: createSecret puts an AWSPENDING version, finishSecret moves
 * AWSCURRENT to it. FAIL_AT makes one step throw.
 */
const ROTATOR = `
const call = async (op, body) => {
  const res = await fetch(process.env.AWS_ENDPOINT_URL, {
    method: "POST",
    headers: { "x-amz-target": "secretsmanager." + op, "content-type": "application/x-amz-json-1.1" },
    body: JSON.stringify(body),
  });
  const out = await res.json();
  if (res.status !== 200) throw new Error(op + ": " + JSON.stringify(out));
  return out;
};
exports.handler = async (event) => {
  const { Step, SecretId, ClientRequestToken } = event;
  console.log("step", Step);
  if (process.env.FAIL_AT === Step) throw new Error("failing at " + Step);
  const meta = await call("DescribeSecret", { SecretId });
  if (Step === "createSecret") {
    if ((meta.VersionIdsToStages[ClientRequestToken] || []).includes("AWSPENDING")) return;
    const current = await call("GetSecretValue", { SecretId, VersionStage: "AWSCURRENT" });
    await call("PutSecretValue", { SecretId, ClientRequestToken, SecretString: current.SecretString + "-rotated", VersionStages: ["AWSPENDING"] });
  } else if (Step === "testSecret") {
    await call("GetSecretValue", { SecretId, VersionId: ClientRequestToken, VersionStage: "AWSPENDING" });
  } else if (Step === "finishSecret") {
    const currentId = Object.keys(meta.VersionIdsToStages).find((id) => meta.VersionIdsToStages[id].includes("AWSCURRENT"));
    if (currentId === ClientRequestToken) return;
    await call("UpdateSecretVersionStage", { SecretId, VersionStage: "AWSCURRENT", MoveToVersionId: ClientRequestToken, RemoveFromVersionId: currentId });
  }
};`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("RotateSecret runs the function's four steps: a new AWSCURRENT value, the old one AWSPREVIOUS, dates set", async () => {
  const fn = await createFunction(lambda(), "rotator", { "index.js": ROTATOR }, { Timeout: 30 });
  const { ARN } = await sm().send(new CreateSecretCommand({ Name: "db-password", SecretString: "s3cret" }));
  const started = await sm().send(
    new RotateSecretCommand({ SecretId: "db-password", RotationLambdaARN: fn.FunctionArn, RotationRules: { AutomaticallyAfterDays: 30 } }),
  );
  assert.equal(started.ARN, ARN);
  assert.match(started.VersionId ?? "", /^[0-9a-f-]{36}$/);
  const rotated = await until("the rotation to finish", async () => {
    const d = await sm().send(new DescribeSecretCommand({ SecretId: "db-password" }));
    return d.LastRotatedDate ? d : undefined;
  });
  assert.equal(rotated.RotationEnabled, true);
  assert.equal(rotated.RotationLambdaARN, fn.FunctionArn);
  assert.deepEqual(rotated.RotationRules, { AutomaticallyAfterDays: 30 });
  const nextIn = (rotated.NextRotationDate?.getTime() ?? 0) - (rotated.LastRotatedDate?.getTime() ?? 0);
  assert.ok(Math.abs(nextIn - 30 * 86_400_000) < 5_000, `next rotation ${nextIn} ms after the last`);
  assert.deepEqual(rotated.VersionIdsToStages?.[started.VersionId as string]?.sort(), ["AWSCURRENT", "AWSPENDING"]);
  assert.equal((await sm().send(new GetSecretValueCommand({ SecretId: "db-password" }))).SecretString, "s3cret-rotated");
  const previous = await sm().send(new GetSecretValueCommand({ SecretId: "db-password", VersionStage: "AWSPREVIOUS" }));
  assert.equal(previous.SecretString, "s3cret");

  // Rotating again with the stored configuration makes another version.
  const again = await sm().send(new RotateSecretCommand({ SecretId: "db-password" }));
  await until("the second rotation", async () => {
    const v = await sm().send(new GetSecretValueCommand({ SecretId: "db-password" }));
    return v.VersionId === again.VersionId ? v : undefined;
  });
  assert.equal((await sm().send(new GetSecretValueCommand({ SecretId: "db-password" }))).SecretString, "s3cret-rotated-rotated");
});

test("a failing step leaves the rotation pending: RotateSecret refuses until cancelled, which reports the pending version", async () => {
  const fn = await createFunction(
    lambda(),
    "broken-rotator",
    { "index.js": ROTATOR },
    { Timeout: 30, Environment: { Variables: { FAIL_AT: "setSecret" } } },
  );
  await sm().send(new CreateSecretCommand({ Name: "api-key", SecretString: "k1" }));
  const started = await sm().send(new RotateSecretCommand({ SecretId: "api-key", RotationLambdaARN: fn.FunctionArn }));
  await until("the AWSPENDING version", async () => {
    const d = await sm().send(new DescribeSecretCommand({ SecretId: "api-key" }));
    return d.VersionIdsToStages?.[started.VersionId as string]?.includes("AWSPENDING") ? d : undefined;
  });
  await new Promise((r) => setTimeout(r, 500));
  const d = await sm().send(new DescribeSecretCommand({ SecretId: "api-key" }));
  assert.equal(d.LastRotatedDate, undefined);
  assert.equal((await sm().send(new GetSecretValueCommand({ SecretId: "api-key" }))).SecretString, "k1");
  const refused = await rejectsWith(sm().send(new RotateSecretCommand({ SecretId: "api-key" })), "InvalidRequestException", 400);
  assert.match(refused.message, /previous rotation isn't complete/);
  const cancelled = await sm().send(new CancelRotateSecretCommand({ SecretId: "api-key" }));
  assert.equal(cancelled.VersionId, started.VersionId);
  assert.equal((await sm().send(new DescribeSecretCommand({ SecretId: "api-key" }))).RotationEnabled, false);
});

test("RotateSecret checks its function and rules", async () => {
  await sm().send(new CreateSecretCommand({ Name: "plain", SecretString: "v" }));
  await rejectsWith(sm().send(new RotateSecretCommand({ SecretId: "plain" })), "InvalidRequestException", 400);
  await rejectsWith(
    sm().send(new RotateSecretCommand({ SecretId: "plain", RotationLambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:nope" })),
    "ResourceNotFoundException",
    400,
  );
  const fn = await createFunction(lambda(), "rules-rotator", { "index.js": ROTATOR });
  const bad = [
    { AutomaticallyAfterDays: 0 },
    { AutomaticallyAfterDays: 1001 },
    { AutomaticallyAfterDays: 5, ScheduleExpression: "rate(10 days)" },
    { ScheduleExpression: "rate(2 hours)" },
    { ScheduleExpression: "every day" },
    { ScheduleExpression: "rate(1 day)", Duration: "25h" },
  ];
  for (const RotationRules of bad) {
    await rejectsWith(
      sm().send(new RotateSecretCommand({ SecretId: "plain", RotationLambdaARN: fn.FunctionArn, RotationRules, RotateImmediately: false })),
      "InvalidParameterException",
      400,
    );
  }
  const scheduled = await sm().send(
    new RotateSecretCommand({
      SecretId: "plain",
      RotationLambdaARN: fn.FunctionArn,
      RotationRules: { ScheduleExpression: "rate(10 hours)", Duration: "2h" },
      RotateImmediately: false,
    }),
  );
  assert.equal(scheduled.VersionId, undefined);
  const d = await sm().send(new DescribeSecretCommand({ SecretId: "plain" }));
  assert.deepEqual(d.RotationRules, { ScheduleExpression: "rate(10 hours)", Duration: "2h" });
  const nextIn = (d.NextRotationDate?.getTime() ?? 0) - Date.now();
  assert.ok(nextIn > 9.9 * 3_600_000 && nextIn <= 10 * 3_600_000, `next rotation in ${nextIn} ms`);
  assert.equal(d.LastRotatedDate, undefined);
});
