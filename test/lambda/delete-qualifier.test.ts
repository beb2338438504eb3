import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  GetFunctionUrlConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { rejectsWith, useServer } from "../helpers.js";
import { createFunction, decode } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

const HANDLER = { "index.js": "exports.handler = async (event) => ({ version: process.env.AWS_LAMBDA_FUNCTION_VERSION, event });" };

/** A function with versions 1…count, each published after a description change so every one is new. */
async function withVersions(name: string, count: number): Promise<void> {
  await createFunction(lambda(), name, HANDLER);
  for (let i = 1; i <= count; i++) {
    await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `v${i}` }));
    const { Version } = await lambda().send(new PublishVersionCommand({ FunctionName: name }));
    assert.equal(Version, String(i));
  }
}

const versionsOf = async (name: string) =>
  ((await lambda().send(new ListVersionsByFunctionCommand({ FunctionName: name }))).Versions ?? []).map((v) => v.Version);

test("DeleteFunction with a version qualifier deletes that version only", async () => {
  await withVersions("dq-basic", 2);
  await lambda().send(new DeleteFunctionCommand({ FunctionName: "dq-basic", Qualifier: "1" }));
  assert.deepEqual(await versionsOf("dq-basic"), ["$LATEST", "2"]);
  const missing = await rejectsWith(
    lambda().send(new GetFunctionCommand({ FunctionName: "dq-basic", Qualifier: "1" })),
    "ResourceNotFoundException",
    404,
  );
  assert.match(missing.message, /dq-basic:1/);
  await rejectsWith(
    lambda().send(new InvokeCommand({ FunctionName: "dq-basic", Qualifier: "1", Payload: Buffer.from("{}") })),
    "ResourceNotFoundException",
    404,
  );
  const still = await lambda().send(new InvokeCommand({ FunctionName: "dq-basic", Qualifier: "2", Payload: Buffer.from('{"n":1}') }));
  assert.deepEqual(decode(still.Payload), { version: "2", event: { n: 1 } });
  // The qualified ARN form names the version too; deleting it twice finds nothing.
  await lambda().send(new DeleteFunctionCommand({ FunctionName: `${ARN("dq-basic")}:2` }));
  assert.deepEqual(await versionsOf("dq-basic"), ["$LATEST"]);
  await rejectsWith(
    lambda().send(new DeleteFunctionCommand({ FunctionName: "dq-basic", Qualifier: "2" })),
    "ResourceNotFoundException",
    404,
  );
  // Version numbers are not reused after a delete.
  await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: "dq-basic", Description: "v3" }));
  const { Version } = await lambda().send(new PublishVersionCommand({ FunctionName: "dq-basic" }));
  assert.equal(Version, "3");
});

test("$LATEST and aliases cannot be deleted through a qualifier", async () => {
  await withVersions("dq-refused", 1);
  await lambda().send(new CreateAliasCommand({ FunctionName: "dq-refused", Name: "prod", FunctionVersion: "$LATEST" }));
  const latest = await rejectsWith(
    lambda().send(new DeleteFunctionCommand({ FunctionName: "dq-refused", Qualifier: "$LATEST" })),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(latest.message, "$LATEST version cannot be deleted without deleting the function.");
  await rejectsWith(
    lambda().send(new DeleteFunctionCommand({ FunctionName: "dq-refused", Qualifier: "prod" })),
    "InvalidParameterValueException",
    400,
  );
  assert.deepEqual(await versionsOf("dq-refused"), ["$LATEST", "1"]);
});

test("a version an alias points at, or routes part of its traffic to, cannot be deleted", async () => {
  await withVersions("dq-aliased", 3);
  await lambda().send(new CreateAliasCommand({ FunctionName: "dq-aliased", Name: "live", FunctionVersion: "1" }));
  await lambda().send(
    new CreateAliasCommand({
      FunctionName: "dq-aliased",
      Name: "canary",
      FunctionVersion: "2",
      RoutingConfig: { AdditionalVersionWeights: { "3": 0.1 } },
    }),
  );
  const primary = await rejectsWith(
    lambda().send(new DeleteFunctionCommand({ FunctionName: "dq-aliased", Qualifier: "1" })),
    "ResourceConflictException",
    409,
  );
  assert.equal(primary.message, "Unable to delete version because the following aliases reference it: [live]");
  const weighted = await rejectsWith(
    lambda().send(new DeleteFunctionCommand({ FunctionName: "dq-aliased", Qualifier: "3" })),
    "ResourceConflictException",
    409,
  );
  assert.equal(weighted.message, "Unable to delete version because the following aliases reference it: [canary]");
  assert.deepEqual(await versionsOf("dq-aliased"), ["$LATEST", "1", "2", "3"]);

  await lambda().send(new DeleteAliasCommand({ FunctionName: "dq-aliased", Name: "live" }));
  await lambda().send(new DeleteFunctionCommand({ FunctionName: "dq-aliased", Qualifier: "1" }));
  assert.deepEqual(await versionsOf("dq-aliased"), ["$LATEST", "2", "3"]);
});

test("a deleted version's event invoke config and provisioned concurrency go with it; other qualifiers keep theirs", async () => {
  await withVersions("dq-settings", 2);
  await lambda().send(new CreateFunctionUrlConfigCommand({ FunctionName: "dq-settings", AuthType: "NONE" }));
  for (const Qualifier of ["$LATEST", "1", "2"])
    await lambda().send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "dq-settings", Qualifier, MaximumRetryAttempts: 0 }));
  await lambda().send(
    new PutProvisionedConcurrencyConfigCommand({ FunctionName: "dq-settings", Qualifier: "1", ProvisionedConcurrentExecutions: 1 }),
  );
  await lambda().send(
    new PutProvisionedConcurrencyConfigCommand({ FunctionName: "dq-settings", Qualifier: "2", ProvisionedConcurrentExecutions: 1 }),
  );

  await lambda().send(new DeleteFunctionCommand({ FunctionName: "dq-settings", Qualifier: "1" }));

  const invokeConfigs = await lambda().send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "dq-settings" }));
  assert.deepEqual(invokeConfigs.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn).sort(), [
    `${ARN("dq-settings")}:$LATEST`,
    `${ARN("dq-settings")}:2`,
  ]);
  await rejectsWith(
    lambda().send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "dq-settings", Qualifier: "1" })),
    "ResourceNotFoundException",
    404,
  );
  const provisioned = await lambda().send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "dq-settings" }));
  assert.deepEqual(
    provisioned.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn),
    [`${ARN("dq-settings")}:2`],
  );
  const kept = await lambda().send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "dq-settings", Qualifier: "2" }));
  assert.equal(kept.RequestedProvisionedConcurrentExecutions, 1);
  // The function's own URL (on $LATEST) is not the version's.
  const url = await lambda().send(new GetFunctionUrlConfigCommand({ FunctionName: "dq-settings" }));
  assert.equal(url.FunctionArn, ARN("dq-settings"));
});
