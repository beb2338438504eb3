import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { useServer } from "../helpers.js";
import { CLIENTS, runAws, runPython } from "../query/clients.js";

const server = useServer();

test("GetCallerIdentity names the default account's root for the test credentials", async () => {
  const identity = await new STSClient(server.clientConfig()).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Account, "000000000000");
  assert.equal(identity.UserId, "000000000000");
  assert.equal(identity.Arn, "arn:aws:iam::000000000000:root");
  assert.equal(identity.$metadata.httpStatusCode, 200);
  assert.match(identity.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
});

test("a 12-digit access key id is that account's root, in any Region", async () => {
  for (const region of ["us-east-1", "eu-west-1", "ap-southeast-2"]) {
    const client = new STSClient({ ...server.clientConfig(region), credentials: { accessKeyId: "111122223333", secretAccessKey: "x" } });
    const identity = await client.send(new GetCallerIdentityCommand({}));
    assert.deepEqual(
      { Account: identity.Account, UserId: identity.UserId, Arn: identity.Arn },
      { Account: "111122223333", UserId: "111122223333", Arn: "arn:aws:iam::111122223333:root" },
    );
  }
});

test("boto3 1.43 get_caller_identity", async () => {
  const script = `
import boto3, json
identity = boto3.client("sts").get_caller_identity()
del identity["ResponseMetadata"]
print(json.dumps(identity))
`;
  const identity = await runPython(CLIENTS.python, script, server.endpoint, { AWS_ACCESS_KEY_ID: "444455556666" });
  assert.deepEqual(identity, { UserId: "444455556666", Account: "444455556666", Arn: "arn:aws:iam::444455556666:root" });
});

test("AWS CLI v1 sts get-caller-identity", async () => {
  const run = await runAws(CLIENTS.awsV1, ["sts", "get-caller-identity"], server.endpoint);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { UserId: "000000000000", Account: "000000000000", Arn: "arn:aws:iam::000000000000:root" });
});

test("an unsigned GetCallerIdentity is MissingAuthenticationToken", async () => {
  const { port } = new URL(server.endpoint);
  const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        headers: { host: "sts.us-east-1.localhost.localstack.cloud", "content-type": "application/x-www-form-urlencoded" },
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end("Action=GetCallerIdentity&Version=2011-06-15");
  });
  assert.equal(reply.status, 403);
  assert.match(reply.body, /<Code>MissingAuthenticationToken<\/Code>/);
  assert.match(reply.body, /<Message>Request is missing Authentication Token<\/Message>/);
});
