import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { rejectsWith, useServer } from "../helpers.js";
import { ROLE, createFunction, decode, zip } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());

test("CreateFunction reports Pending, then GetFunction shows Active with a downloadable package", async () => {
  const client = lambda();
  const files = { "index.js": "exports.handler = async () => 'v1';" };
  const created = await createFunction(client, "life", files, { Tags: { team: "core" }, Description: "first" });
  assert.equal(created.$metadata.httpStatusCode, 201);
  assert.equal(created.State, "Pending");
  assert.equal(created.StateReasonCode, "Creating");
  assert.equal(created.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:life");
  assert.equal(created.CodeSha256, createHash("sha256").update(zip(files)).digest("base64"));
  assert.equal(created.CodeSize, zip(files).length);
  assert.equal(created.Timeout, 3);
  assert.equal(created.MemorySize, 128);
  assert.equal(created.Version, "$LATEST");
  assert.equal(created.PackageType, "Zip");
  assert.match(created.LastModified ?? "", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);

  const got = await client.send(new GetFunctionCommand({ FunctionName: "life" }));
  assert.equal(got.Configuration?.State, "Active");
  assert.equal(got.Configuration?.LastUpdateStatus, "Successful");
  assert.deepEqual(got.Tags, { team: "core" });
  assert.equal(got.Code?.RepositoryType, "S3");
  const download = await fetch(got.Code?.Location as string);
  assert.equal(download.status, 200);
  assert.deepEqual(new Uint8Array(await download.arrayBuffer()), zip(files));

  const listed = await client.send(new ListFunctionsCommand({}));
  const entry = listed.Functions?.find((f) => f.FunctionName === "life");
  assert.equal(entry?.Description, "first");
  assert.equal(entry?.State, undefined, "ListFunctions omits state fields");

  const updated = await client.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: "life", Timeout: 30, Environment: { Variables: { AB: "1" } } }),
  );
  assert.equal(updated.LastUpdateStatus, "InProgress");
  const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: "life" }));
  assert.equal(config.Timeout, 30);
  assert.deepEqual(config.Environment?.Variables, { AB: "1" });
  assert.equal(config.LastUpdateStatus, "Successful");

  const newFiles = { "index.js": "exports.handler = async () => 'v2';" };
  const recoded = await client.send(new UpdateFunctionCodeCommand({ FunctionName: "life", ZipFile: zip(newFiles) }));
  assert.equal(recoded.CodeSha256, createHash("sha256").update(zip(newFiles)).digest("base64"));
  const res = await client.send(new InvokeCommand({ FunctionName: "life" }));
  assert.equal(decode(res.Payload), "v2");
  await rejectsWith(
    client.send(new UpdateFunctionCodeCommand({ FunctionName: "life", ZipFile: zip(newFiles), RevisionId: "stale" })),
    "PreconditionFailedException",
    412,
  );

  await client.send(new DeleteFunctionCommand({ FunctionName: "life" }));
  const gone = await rejectsWith(client.send(new GetFunctionCommand({ FunctionName: "life" })), "ResourceNotFoundException", 404);
  assert.equal(gone.message, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:life");
  await rejectsWith(client.send(new DeleteFunctionCommand({ FunctionName: "life" })), "ResourceNotFoundException", 404);
  assert.equal((await fetch(got.Code?.Location as string)).status, 404, "the package is gone with the function");
});

test("CreateFunction rejects bad input with Lambda's errors", async () => {
  const client = lambda();
  const code = { ZipFile: zip({ "index.js": "" }) };
  const base = { FunctionName: "bad", Runtime: "nodejs20.x" as const, Handler: "index.handler", Role: ROLE, Code: code };
  const send = (extra: Record<string, unknown>) => client.send(new CreateFunctionCommand({ ...base, ...extra }));
  await rejectsWith(send({ Runtime: "cobol85" }), "ValidationException", 400);
  const deprecated = await rejectsWith(send({ Runtime: "nodejs12.x" }), "InvalidParameterValueException", 400);
  assert.match(deprecated.message, /^The runtime parameter of nodejs12.x is no longer supported/);
  const role = await rejectsWith(send({ Role: "not-a-role" }), "ValidationException", 400);
  assert.match(role.message, /Value 'not-a-role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  await rejectsWith(send({ Timeout: 0 }), "ValidationException", 400);
  const timeout = await rejectsWith(send({ Timeout: 901 }), "ValidationException", 400);
  assert.match(timeout.message, /Member must have value less than or equal to 900/);
  await rejectsWith(send({ MemorySize: 64 }), "ValidationException", 400);
  await rejectsWith(send({ MemorySize: 10241 }), "ValidationException", 400);
  const env = await rejectsWith(send({ Environment: { Variables: { BIG: "x".repeat(4100) } } }), "InvalidParameterValueException", 400);
  assert.match(env.message, /exceeded the 4KB limit/);
  const reserved = await rejectsWith(send({ Environment: { Variables: { AWS_REGION: "x" } } }), "InvalidParameterValueException", 400);
  assert.match(reserved.message, /reserved keys .* AWS_REGION$/);
  const noHandler = await rejectsWith(send({ Handler: undefined }), "InvalidParameterValueException", 400);
  assert.equal(noHandler.message, "Runtime and Handler are mandatory parameters for functions created with deployment packages.");
  await rejectsWith(send({ Code: {} }), "InvalidParameterValueException", 400);
  const badZip = await rejectsWith(send({ Code: { ZipFile: Buffer.from("not a zip") } }), "InvalidParameterValueException", 400);
  assert.match(badZip.message, /Could not unzip uploaded file/);
  await rejectsWith(send({ FunctionName: "has space" }), "ValidationException", 400);
  await send({ FunctionName: "twice" });
  const twice = await rejectsWith(send({ FunctionName: "twice" }), "ResourceConflictException", 409);
  assert.equal(twice.message, "Function already exist: twice");
  await rejectsWith(
    client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "absent", Timeout: 5 })),
    "ResourceNotFoundException",
    404,
  );
});

test("versions and aliases: PublishVersion snapshots, Qualifier resolution, weighted aliases", async () => {
  const client = lambda();
  await createFunction(client, "ver", { "index.js": "exports.handler = async () => 'one';" });
  const v1 = await client.send(new PublishVersionCommand({ FunctionName: "ver", Description: "first" }));
  assert.equal(v1.Version, "1");
  assert.equal(v1.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:ver:1");
  const same = await client.send(new PublishVersionCommand({ FunctionName: "ver" }));
  assert.equal(same.Version, "1", "unchanged code publishes no new version");
  await rejectsWith(
    client.send(new PublishVersionCommand({ FunctionName: "ver", CodeSha256: "wrong" })),
    "InvalidParameterValueException",
    400,
  );
  await client.send(
    new UpdateFunctionCodeCommand({
      FunctionName: "ver",
      ZipFile: zip({ "index.js": "exports.handler = async () => 'two';" }),
      Publish: true,
    }),
  );
  const versions = await client.send(new ListVersionsByFunctionCommand({ FunctionName: "ver" }));
  assert.deepEqual(
    versions.Versions?.map((v) => v.Version),
    ["$LATEST", "1", "2"],
  );

  const invoke = async (Qualifier?: string, FunctionName = "ver") => {
    const res = await client.send(new InvokeCommand({ FunctionName, Qualifier }));
    return [decode(res.Payload), res.ExecutedVersion];
  };
  assert.deepEqual(await invoke("1"), ["one", "1"]);
  assert.deepEqual(await invoke("2"), ["two", "2"]);
  assert.deepEqual(await invoke(undefined, "ver:1"), ["one", "1"]);
  assert.deepEqual(await invoke("$LATEST"), ["two", "$LATEST"]);

  const alias = await client.send(new CreateAliasCommand({ FunctionName: "ver", Name: "live", FunctionVersion: "1", Description: "prod" }));
  assert.equal(alias.AliasArn, "arn:aws:lambda:us-east-1:000000000000:function:ver:live");
  assert.deepEqual(await invoke("live"), ["one", "1"]);
  await rejectsWith(
    client.send(new CreateAliasCommand({ FunctionName: "ver", Name: "live", FunctionVersion: "1" })),
    "ResourceConflictException",
    409,
  );
  await rejectsWith(
    client.send(new CreateAliasCommand({ FunctionName: "ver", Name: "x", FunctionVersion: "9" })),
    "ResourceNotFoundException",
    404,
  );
  await rejectsWith(
    client.send(new CreateAliasCommand({ FunctionName: "ver", Name: "123", FunctionVersion: "1" })),
    "ValidationException",
    400,
  );
  const moved = await client.send(
    new UpdateAliasCommand({
      FunctionName: "ver",
      Name: "live",
      FunctionVersion: "2",
      RoutingConfig: { AdditionalVersionWeights: { "1": 1 } },
    }),
  );
  assert.equal(moved.FunctionVersion, "2");
  assert.deepEqual(await invoke("live"), ["one", "1"], "weight 1.0 routes every call to the additional version");
  await client.send(new UpdateAliasCommand({ FunctionName: "ver", Name: "live", RoutingConfig: { AdditionalVersionWeights: {} } }));
  assert.deepEqual(await invoke("live"), ["two", "2"]);
  assert.equal((await client.send(new GetAliasCommand({ FunctionName: "ver", Name: "live" }))).Description, "prod");
  await client.send(new CreateAliasCommand({ FunctionName: "ver", Name: "canary", FunctionVersion: "1" }));
  const all = await client.send(new ListAliasesCommand({ FunctionName: "ver" }));
  assert.deepEqual(
    all.Aliases?.map((a) => a.Name),
    ["canary", "live"],
  );
  const forOne = await client.send(new ListAliasesCommand({ FunctionName: "ver", FunctionVersion: "1" }));
  assert.deepEqual(
    forOne.Aliases?.map((a) => a.Name),
    ["canary"],
  );
  await rejectsWith(client.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "1" })), "ResourceConflictException", 409);
  await client.send(new DeleteAliasCommand({ FunctionName: "ver", Name: "canary" }));
  await client.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "1" }));
  await rejectsWith(client.send(new GetFunctionCommand({ FunctionName: "ver", Qualifier: "1" })), "ResourceNotFoundException", 404);
  const missingAlias = await rejectsWith(
    client.send(new GetAliasCommand({ FunctionName: "ver", Name: "canary" })),
    "ResourceNotFoundException",
    404,
  );
  assert.equal(missingAlias.message, "Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:ver:canary");
  await rejectsWith(
    client.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "$LATEST" })),
    "InvalidParameterValueException",
    400,
  );
});

test("tags on functions: TagResource, UntagResource, ListTags", async () => {
  const client = lambda();
  const { FunctionArn } = await createFunction(client, "tagged", { "index.js": "" }, { Tags: { a: "1" } });
  await client.send(new TagResourceCommand({ Resource: FunctionArn, Tags: { b: "2", c: "3" } }));
  await client.send(new UntagResourceCommand({ Resource: FunctionArn, TagKeys: ["a"] }));
  assert.deepEqual((await client.send(new ListTagsCommand({ Resource: FunctionArn }))).Tags, { b: "2", c: "3" });
  await rejectsWith(client.send(new ListTagsCommand({ Resource: `${FunctionArn}:1` })), "InvalidParameterValueException", 400);
  await rejectsWith(client.send(new ListTagsCommand({ Resource: `${FunctionArn}-nope` })), "ResourceNotFoundException", 404);
});
