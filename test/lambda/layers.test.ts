import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AddLayerVersionPermissionCommand,
  DeleteLayerVersionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  RemoveLayerVersionPermissionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { rejectsWith, useServer } from "../helpers.js";
import { createFunction, decode, zip } from "./support.js";

const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const invoke = async (FunctionName: string) => decode((await lambda().send(new InvokeCommand({ FunctionName }))).Payload);
const publish = (LayerName: string, files: Record<string, string>, extra: Record<string, unknown> = {}) =>
  lambda().send(new PublishLayerVersionCommand({ LayerName, Content: { ZipFile: zip(files) }, ...extra }));
const LAYER_ARN = "arn:aws:lambda:us-east-1:000000000000:layer:";

test("PublishLayerVersion numbers versions; Get, GetByArn, ListLayers and ListLayerVersions describe them", async () => {
  const v1 = await publish(
    "tools",
    { "nodejs/node_modules/tool/index.js": "exports.v = 1;" },
    {
      Description: "first",
      CompatibleRuntimes: ["nodejs20.x"],
      CompatibleArchitectures: ["x86_64"],
      LicenseInfo: "MIT",
    },
  );
  assert.equal(v1.Version, 1);
  assert.equal(v1.LayerArn, `${LAYER_ARN}tools`);
  assert.equal(v1.LayerVersionArn, `${LAYER_ARN}tools:1`);
  assert.equal(v1.Description, "first");
  assert.equal(v1.LicenseInfo, "MIT");
  assert.deepEqual(v1.CompatibleRuntimes, ["nodejs20.x"]);
  assert.match(v1.CreatedDate ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  assert.match(v1.Content?.CodeSha256 ?? "", /^[A-Za-z0-9+/]{43}=$/);
  const location = await fetch(v1.Content?.Location as string);
  assert.equal(location.status, 200);
  assert.equal(Buffer.from(await location.arrayBuffer()).length, v1.Content?.CodeSize);

  const v2 = await publish("tools", { "python/tool.py": "V = 2" }, { CompatibleRuntimes: ["python3.12"] });
  assert.equal(v2.Version, 2);
  const got = await lambda().send(new GetLayerVersionCommand({ LayerName: "tools", VersionNumber: 1 }));
  assert.equal(got.Description, "first");
  const byArn = await lambda().send(new GetLayerVersionByArnCommand({ Arn: `${LAYER_ARN}tools:2` }));
  assert.equal(byArn.Version, 2);

  const all = await lambda().send(new ListLayersCommand({}));
  const tools = all.Layers?.find((l) => l.LayerName === "tools");
  assert.equal(tools?.LayerArn, `${LAYER_ARN}tools`);
  assert.equal(tools?.LatestMatchingVersion?.Version, 2);
  const forNode = await lambda().send(new ListLayersCommand({ CompatibleRuntime: "nodejs20.x" }));
  assert.equal(forNode.Layers?.find((l) => l.LayerName === "tools")?.LatestMatchingVersion?.Version, 1);
  const versions = await lambda().send(new ListLayerVersionsCommand({ LayerName: "tools" }));
  assert.deepEqual(
    versions.LayerVersions?.map((v) => v.Version),
    [2, 1],
  );

  await lambda().send(new DeleteLayerVersionCommand({ LayerName: "tools", VersionNumber: 2 }));
  await lambda().send(new DeleteLayerVersionCommand({ LayerName: "tools", VersionNumber: 2 })); // idempotent
  await rejectsWith(lambda().send(new GetLayerVersionCommand({ LayerName: "tools", VersionNumber: 2 })), "ResourceNotFoundException", 404);
  assert.equal((await publish("tools", { "x.txt": "3" })).Version, 3, "numbers are never reused");
});

test("layer content from S3, and the API's errors for bad layer names, versions and contents", async () => {
  const s3 = new S3Client({ ...server.clientConfig(), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "layer-src" }));
  await s3.send(new PutObjectCommand({ Bucket: "layer-src", Key: "l.zip", Body: zip({ "bin/hello": "#!/bin/sh\necho hi\n" }) }));
  const fromS3 = await lambda().send(
    new PublishLayerVersionCommand({ LayerName: "s3layer", Content: { S3Bucket: "layer-src", S3Key: "l.zip" } }),
  );
  assert.equal(fromS3.Version, 1);
  await rejectsWith(
    lambda().send(new PublishLayerVersionCommand({ LayerName: "s3layer", Content: { S3Bucket: "layer-src", S3Key: "missing.zip" } })),
    "InvalidParameterValueException",
    400,
  );
  await rejectsWith(publish("bad name!", { "a.txt": "a" }), "ValidationException", 400);
  await rejectsWith(
    lambda().send(new PublishLayerVersionCommand({ LayerName: "nozip", Content: { ZipFile: Buffer.from("not a zip") } })),
    "InvalidParameterValueException",
    400,
  );
  await rejectsWith(lambda().send(new GetLayerVersionCommand({ LayerName: "ghost", VersionNumber: 1 })), "ResourceNotFoundException", 404);
  await rejectsWith(
    lambda().send(new GetLayerVersionByArnCommand({ Arn: "arn:aws:lambda:us-east-1:000000000000:layer:x" })),
    "ValidationException",
    400,
  );
  assert.deepEqual((await lambda().send(new ListLayerVersionsCommand({ LayerName: "ghost" }))).LayerVersions, []);
});

test("layer version permissions: add, get, duplicate statement, remove", async () => {
  await publish("shared", { "a.txt": "a" });
  await rejectsWith(
    lambda().send(new GetLayerVersionPolicyCommand({ LayerName: "shared", VersionNumber: 1 })),
    "ResourceNotFoundException",
    404,
  );
  const added = await lambda().send(
    new AddLayerVersionPermissionCommand({
      LayerName: "shared",
      VersionNumber: 1,
      StatementId: "everyone",
      Action: "lambda:GetLayerVersion",
      Principal: "*",
    }),
  );
  assert.deepEqual(JSON.parse(added.Statement as string), {
    Sid: "everyone",
    Effect: "Allow",
    Principal: "*",
    Action: "lambda:GetLayerVersion",
    Resource: `${LAYER_ARN}shared:1`,
  });
  const policy = await lambda().send(new GetLayerVersionPolicyCommand({ LayerName: "shared", VersionNumber: 1 }));
  assert.equal(policy.RevisionId, added.RevisionId);
  assert.equal(JSON.parse(policy.Policy as string).Statement[0].Sid, "everyone");
  await rejectsWith(
    lambda().send(
      new AddLayerVersionPermissionCommand({
        LayerName: "shared",
        VersionNumber: 1,
        StatementId: "everyone",
        Action: "lambda:GetLayerVersion",
        Principal: "111122223333",
      }),
    ),
    "ResourceConflictException",
    409,
  );
  await rejectsWith(
    lambda().send(
      new AddLayerVersionPermissionCommand({
        LayerName: "shared",
        VersionNumber: 1,
        StatementId: "x",
        Action: "lambda:InvokeFunction",
        Principal: "*",
      }),
    ),
    "ValidationException",
    400,
  );
  await lambda().send(new RemoveLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: 1, StatementId: "everyone" }));
  await rejectsWith(
    lambda().send(new RemoveLayerVersionPermissionCommand({ LayerName: "shared", VersionNumber: 1, StatementId: "everyone" })),
    "ResourceNotFoundException",
    404,
  );
});

test("a Node function requires a module from its layer; later layers override earlier files; Layers: [] removes them", async () => {
  const base = await publish("greeter", {
    "nodejs/node_modules/greeter/index.js": "exports.greet = (n) => 'hello ' + n;",
    "data/which.txt": "base",
  });
  const override = await publish("override", { "data/which.txt": "override" });
  await createFunction(
    lambda(),
    "uses-layers",
    {
      "index.js": `const fs = require("node:fs");
        exports.handler = async () => ({
          greeting: require("greeter").greet("layer"),
          which: fs.readFileSync(process.env.OVERCAST_LAYER_ROOT + "/data/which.txt", "utf8"),
          pathHasBin: process.env.PATH.split(":").includes(process.env.OVERCAST_LAYER_ROOT + "/bin"),
        });`,
    },
    { Layers: [base.LayerVersionArn as string, override.LayerVersionArn as string] },
  );
  const config = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: "uses-layers" }));
  assert.deepEqual(config.Layers, [
    { Arn: base.LayerVersionArn, CodeSize: base.Content?.CodeSize },
    { Arn: override.LayerVersionArn, CodeSize: override.Content?.CodeSize },
  ]);
  assert.deepEqual(await invoke("uses-layers"), { greeting: "hello layer", which: "override", pathHasBin: true });

  // Deleting a layer version does not break functions that already use it.
  await lambda().send(new DeleteLayerVersionCommand({ LayerName: "greeter", VersionNumber: 1 }));
  await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: "uses-layers", Description: "still works" }));
  assert.equal((await invoke("uses-layers")).greeting, "hello layer");

  await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: "uses-layers", Layers: [] }));
  assert.equal((await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: "uses-layers" }))).Layers, undefined);
  const failed = await lambda().send(new InvokeCommand({ FunctionName: "uses-layers" }));
  assert.equal(failed.FunctionError, "Unhandled");
  assert.match(decode(failed.Payload).errorMessage, /Cannot find module 'greeter'/);
});

test("a Python function imports from its layer's python/ directory", async () => {
  const layer = await publish("pylib", { "python/greet_lib.py": "def greet(name):\n    return 'hi ' + name\n" });
  await createFunction(
    lambda(),
    "py-layers",
    { "app.py": "import greet_lib\n\ndef handler(event, context):\n    return greet_lib.greet('py')\n" },
    { Runtime: "python3.12", Handler: "app.handler", Layers: [layer.LayerVersionArn as string] },
  );
  assert.equal(await invoke("py-layers"), "hi py");
});

test("function Layers errors: malformed ARNs, missing versions, more than 5, two versions of one layer", async () => {
  const one = await publish("dup", { "a.txt": "1" });
  const two = await publish("dup", { "a.txt": "2" });
  const files = { "index.js": "exports.handler = async () => 1;" };
  await rejectsWith(createFunction(lambda(), "l1", files, { Layers: ["not-an-arn"] }), "ValidationException", 400);
  const missing = await rejectsWith(
    createFunction(lambda(), "l2", files, { Layers: [`${LAYER_ARN}nothing:7`] }),
    "InvalidParameterValueException",
    400,
  );
  assert.equal(missing.message, `Layer version ${LAYER_ARN}nothing:7 does not exist.`);
  const six = Array.from({ length: 6 }, () => one.LayerVersionArn as string);
  const many = await rejectsWith(createFunction(lambda(), "l3", files, { Layers: six }), "InvalidParameterValueException", 400);
  assert.equal(many.message, "Cannot reference more than 5 layers.");
  await rejectsWith(
    createFunction(lambda(), "l4", files, { Layers: [one.LayerVersionArn as string, two.LayerVersionArn as string] }),
    "InvalidParameterValueException",
    400,
  );
  await createFunction(lambda(), "l5", files);
  await rejectsWith(
    lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: "l5", Layers: [`${LAYER_ARN}dup:9`] })),
    "InvalidParameterValueException",
    400,
  );
});
