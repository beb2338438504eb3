import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { rejectsWith, useServer } from "../helpers.js";
import { ROLE, createFunction, decode, zip } from "./support.js";

const run = promisify(execFile);
const server = useServer();
const lambda = () => new LambdaClient(server.clientConfig());
const invoke = (FunctionName: string, event: unknown = {}) =>
  lambda().send(new InvokeCommand({ FunctionName, Payload: Buffer.from(JSON.stringify(event)) }));

const PYTHON_APP = `
import os, boto3

def handler(event, context):
    print("python got", event)
    groups = boto3.client("logs").describe_log_groups(logGroupNamePrefix="/from-python")["logGroups"]
    return {"sum": event["a"] + event["b"], "request": context.aws_request_id, "left": context.get_remaining_time_in_millis(),
            "groups": [g["logGroupName"] for g in groups], "tmp": os.environ["TMPDIR"]}

def fails(event, context):
    raise ValueError("bad value")
`;

test("python3 functions: handler, context, boto3 calls back into Overcast, errors", async () => {
  await new CloudWatchLogsClient(server.clientConfig()).send(new CreateLogGroupCommand({ logGroupName: "/from-python" }));
  await createFunction(
    lambda(),
    "py",
    { "pkg/app.py": PYTHON_APP, "pkg/__init__.py": "" },
    { Runtime: "python3.12", Handler: "pkg/app.handler" },
  );
  const res = await invoke("py", { a: 2, b: 3 });
  assert.equal(res.FunctionError, undefined, Buffer.from(res.Payload ?? []).toString());
  const body = decode(res.Payload);
  assert.equal(body.sum, 5);
  assert.match(body.request, /^[0-9a-f-]{36}$/);
  assert.ok(body.left > 0);
  assert.deepEqual(body.groups, ["/from-python"], "the SDK inside the function reached Overcast with the function's credentials");

  await createFunction(lambda(), "py-fails", { "app.py": PYTHON_APP }, { Runtime: "python3.12", Handler: "app.fails" });
  const failed = await invoke("py-fails");
  assert.equal(failed.FunctionError, "Unhandled");
  const error = decode(failed.Payload);
  assert.equal(error.errorType, "ValueError");
  assert.equal(error.errorMessage, "bad value");
  assert.ok(Array.isArray(error.stackTrace) && error.stackTrace.length > 0);

  await createFunction(lambda(), "py-missing", { "app.py": PYTHON_APP }, { Runtime: "python3.12", Handler: "nothere.handler" });
  const missing = decode((await invoke("py-missing")).Payload);
  assert.equal(missing.errorType, "Runtime.ImportModuleError");
  assert.match(missing.errorMessage, /^Unable to import module 'nothere': No module named 'nothere'/);
  await createFunction(lambda(), "py-noattr", { "app.py": PYTHON_APP }, { Runtime: "python3.12", Handler: "app.nope" });
  assert.equal(decode((await invoke("py-noattr")).Payload).errorMessage, "Handler 'nope' missing on module 'app'");
});

const SHELL_BOOTSTRAP = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  REQUEST_ID="$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)"
  echo "shell handling $REQUEST_ID"
  if [ "$_HANDLER" = "raw" ]; then BODY="not json"; else BODY="{\\"echo\\":$EVENT,\\"handler\\":\\"$_HANDLER\\"}"; fi
  curl -sS -o /dev/null -X POST "$API/invocation/$REQUEST_ID/response" -d "$BODY"
done
`;

test("provided.al2023 runs the function's own bootstrap against the Runtime API", async () => {
  await createFunction(lambda(), "shell", { bootstrap: SHELL_BOOTSTRAP }, { Runtime: "provided.al2023", Handler: "function.handler" });
  const res = await lambda().send(new InvokeCommand({ FunctionName: "shell", Payload: Buffer.from('{"x":1}'), LogType: "Tail" }));
  assert.equal(res.FunctionError, undefined);
  assert.deepEqual(decode(res.Payload), { echo: { x: 1 }, handler: "function.handler" });
  assert.match(Buffer.from(res.LogResult ?? "", "base64").toString(), /^shell handling [0-9a-f-]{36}$/m);
  // A response that is not JSON is passed through untouched, as Lambda does.
  await createFunction(lambda(), "raw", { bootstrap: SHELL_BOOTSTRAP }, { Runtime: "provided.al2", Handler: "raw" });
  const raw = await invoke("raw");
  assert.equal(raw.FunctionError, undefined);
  assert.equal(Buffer.from(raw.Payload ?? []).toString(), "not json");
  await createFunction(lambda(), "no-bootstrap", { "main.sh": "echo" }, { Runtime: "provided.al2023", Handler: "x" });
  const missing = await invoke("no-bootstrap");
  assert.equal(missing.FunctionError, "Unhandled");
  assert.equal(decode(missing.Payload).errorType, "Runtime.InvalidEntrypoint");
  await createFunction(lambda(), "crashes", { bootstrap: "#!/bin/sh\nexit 3\n" }, { Runtime: "provided.al2023", Handler: "x" });
  const crash = decode((await invoke("crashes")).Payload);
  assert.equal(crash.errorType, "Runtime.ExitError");
  assert.match(crash.errorMessage, /exit status 3/);
});

test("code from S3: CreateFunction reads the object; a missing object is InvalidParameterValueException", async () => {
  const s3 = new S3Client({ ...server.clientConfig(), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "code-bucket" }));
  const body = zip({ "index.js": "exports.handler = async () => 'from s3';" });
  await s3.send(new PutObjectCommand({ Bucket: "code-bucket", Key: "fn.zip", Body: body }));
  await lambda().send(
    new CreateFunctionCommand({
      FunctionName: "from-s3",
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Role: ROLE,
      Code: { S3Bucket: "code-bucket", S3Key: "fn.zip" },
    }),
  );
  assert.equal(decode((await invoke("from-s3")).Payload), "from s3");
  const missing = await rejectsWith(
    lambda().send(
      new CreateFunctionCommand({
        FunctionName: "s3-missing",
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { S3Bucket: "code-bucket", S3Key: "nope.zip" },
      }),
    ),
    "InvalidParameterValueException",
    400,
  );
  assert.match(missing.message, /S3 Error Code: NoSuchKey/);
});

test("AWS CLI v1: create-function from a zip file and invoke", async () => {
  const dir = mkdtempSync(join(tmpdir(), "overcast-cli-"));
  writeFileSync(join(dir, "fn.zip"), zip({ "app.py": "def handler(event, context):\n    return {'cli': event['n'] + 1}\n" }));
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ENDPOINT_URL: server.endpoint,
  };
  const cli = (...args: string[]) => run("aws", ["--endpoint-url", server.endpoint, "lambda", ...args], { env });
  const created = JSON.parse(
    (
      await cli(
        "create-function",
        "--function-name",
        "cli-fn",
        "--runtime",
        "python3.12",
        "--handler",
        "app.handler",
        "--role",
        ROLE,
        "--zip-file",
        `fileb://${join(dir, "fn.zip")}`,
      )
    ).stdout,
  );
  assert.equal(created.FunctionName, "cli-fn");
  assert.equal(created.State, "Pending");
  const invoked = JSON.parse((await cli("invoke", "--function-name", "cli-fn", "--payload", '{"n": 41}', join(dir, "out.json"))).stdout);
  assert.equal(invoked.StatusCode, 200);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")), { cli: 42 });
  const missing = await cli("invoke", "--function-name", "nope", join(dir, "out2.json")).then(
    () => assert.fail("expected the CLI to fail"),
    (err: { stderr: string }) => err.stderr,
  );
  assert.match(missing, /ResourceNotFoundException/);
  const got = await lambda().send(new GetFunctionCommand({ FunctionName: "cli-fn" }));
  assert.equal(got.Configuration?.Runtime, "python3.12");
});
