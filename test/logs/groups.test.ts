import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const logs = () => new CloudWatchLogsClient(server.clientConfig());

test("CreateLogGroup / DescribeLogGroups over awsJson1_1", async () => {
  const client = logs();
  await client.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/a" }));
  await client.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/b" }));
  await client.send(new CreateLogGroupCommand({ logGroupName: "/app/x" }));
  const all = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/" }));
  assert.deepEqual(
    all.logGroups?.map((g) => g.logGroupName),
    ["/aws/lambda/a", "/aws/lambda/b"],
  );
  const a = all.logGroups?.[0];
  assert.equal(a?.arn, "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*");
  assert.equal(typeof a?.creationTime, "number");
  const page = await client.send(new DescribeLogGroupsCommand({ limit: 1 }));
  assert.equal(page.logGroups?.length, 1);
  const rest = await client.send(new DescribeLogGroupsCommand({ limit: 5, nextToken: page.nextToken }));
  assert.equal(rest.logGroups?.length, 2);
});

test("CreateLogGroup errors", async () => {
  const client = logs();
  await client.send(new CreateLogGroupCommand({ logGroupName: "dup" }));
  const err = await rejectsWith(client.send(new CreateLogGroupCommand({ logGroupName: "dup" })), "ResourceAlreadyExistsException", 400);
  assert.equal(err.message, "The specified log group already exists");
  const bad = await rejectsWith(client.send(new CreateLogGroupCommand({ logGroupName: "bad name" })), "ValidationException", 400);
  assert.match(bad.message, /^1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint/);
  await rejectsWith(client.send(new DeleteLogGroupCommand({ logGroupName: "nope" })), "ResourceNotFoundException", 400);
  await rejectsWith(client.send(new DescribeLogGroupsCommand({ limit: 51 })), "ValidationException", 400);
});

test("an invalid enum value is a ValidationException naming the allowed set", async () => {
  const err = await rejectsWith(
    logs().send(new CreateLogGroupCommand({ logGroupName: "enum", logGroupClass: "GOLD" as never })),
    "ValidationException",
    400,
  );
  assert.match(err.message, /Value 'GOLD' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: \[/);
});
