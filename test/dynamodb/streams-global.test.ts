import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import { rejectsWith, useServer } from "../helpers.js";
import { validationMessage } from "./fixtures.js";
import { streamsClient } from "./streams-fixtures.js";

const server = useServer();
// The server starts in a hook: clients are made when a test runs.
const regional = (region: string) => () => new DynamoDBClient(server.clientConfig(region));
const east = regional("us-east-1");
const west = regional("us-west-2");
const europe = regional("eu-west-1");

async function createRegional(client: DynamoDBClient, name: string, billing: "PAY_PER_REQUEST" | "PROVISIONED" = "PAY_PER_REQUEST") {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: billing,
      ...(billing === "PROVISIONED" ? { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } : {}),
    }),
  );
}

const addReplica = (client: DynamoDBClient, name: string, RegionName: string) =>
  client.send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Create: { RegionName } }] }));

const valueIn = async (client: DynamoDBClient, name: string, pk: string) =>
  (await client.send(new GetItemCommand({ TableName: name, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item?.v?.S;

async function streamEvents(client: DynamoDBClient, region: string, name: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  const streams = streamsClient(server, region);
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }));
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: Table?.LatestStreamArn,
      ShardId: StreamDescription?.Shards?.[0].ShardId,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
  return Records?.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.pk.S} ${r.dynamodb?.NewImage?.v?.S ?? "-"}`);
}

test("adding a replica copies the table and its items to the other region and describes both", async () => {
  await createRegional(east(), "gt-music");
  await east().send(new PutItemCommand({ TableName: "gt-music", Item: { pk: { S: "a" }, v: { S: "1" } } }));
  const { TableDescription } = await addReplica(east(), "gt-music", "us-west-2");
  assert.equal(TableDescription?.GlobalTableVersion, "2019.11.21");
  assert.deepEqual(TableDescription?.Replicas, [{ RegionName: "us-west-2", ReplicaStatus: "ACTIVE" }]);
  // Replication runs on a NEW_AND_OLD_IMAGES stream, enabled for it.
  assert.deepEqual(TableDescription?.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
  const { Table } = await west().send(new DescribeTableCommand({ TableName: "gt-music" }));
  assert.equal(Table?.TableArn, TableDescription?.TableArn?.replace("us-east-1", "us-west-2"));
  assert.deepEqual(Table?.Replicas, [{ RegionName: "us-east-1", ReplicaStatus: "ACTIVE" }]);
  assert.deepEqual(Table?.KeySchema, TableDescription?.KeySchema);
  assert.ok(Table?.LatestStreamArn?.includes(":us-west-2:"));
  assert.equal(await valueIn(west(), "gt-music", "a"), "1");
});

test("writes replicate both ways, the last writer wins, and each replica's stream records each change once", async () => {
  await west().send(new PutItemCommand({ TableName: "gt-music", Item: { pk: { S: "b" }, v: { S: "west" } } }));
  assert.equal(await valueIn(east(), "gt-music", "b"), "west");
  await east().send(
    new UpdateItemCommand({
      TableName: "gt-music",
      Key: { pk: { S: "b" } },
      UpdateExpression: "SET v = :v",
      ExpressionAttributeValues: { ":v": { S: "east" } },
    }),
  );
  await west().send(new PutItemCommand({ TableName: "gt-music", Item: { pk: { S: "b" }, v: { S: "last" } } }));
  assert.equal(await valueIn(east(), "gt-music", "b"), "last");
  assert.equal(await valueIn(west(), "gt-music", "b"), "last");
  const expected = ["INSERT b west", "MODIFY b east", "MODIFY b last"];
  assert.deepEqual(await streamEvents(west(), "us-west-2", "gt-music"), expected);
  assert.deepEqual((await streamEvents(east(), "us-east-1", "gt-music"))?.slice(-3), expected);
});

test("replica update errors", async () => {
  assert.match(
    await validationMessage(addReplica(east(), "gt-music", "us-west-2")),
    /^Failed to create a the new replica of table with name: ‘gt-music’ because one or more replicas already existed as tables\.$/,
  );
  assert.match(
    await validationMessage(
      east().send(new UpdateTableCommand({ TableName: "gt-music", ReplicaUpdates: [{ Delete: { RegionName: "ap-south-1" } }] })),
    ),
    /one or more replicas were not part of the global table\. Please retry the request without these replicas: \[ap-south-1\]\.$/,
  );
  assert.match(await validationMessage(addReplica(east(), "gt-music", "us-east-1")), /Cannot add or delete the local region/);
  assert.equal(
    await validationMessage(
      east().send(
        new UpdateTableCommand({
          TableName: "gt-music",
          DeletionProtectionEnabled: true,
          ReplicaUpdates: [{ Create: { RegionName: "eu-west-1" } }],
        }),
      ),
    ),
    "One or more parameter values were invalid: Replica modification must be the only operation in the request",
  );
  assert.equal(
    await validationMessage(east().send(new UpdateTableCommand({ TableName: "gt-music", StreamSpecification: { StreamEnabled: false } }))),
    "One or more parameter values were invalid: Disabling Stream is not allowed for a Global Table replica.",
  );
  await createRegional(east(), "gt-provisioned", "PROVISIONED");
  assert.equal(
    await validationMessage(addReplica(east(), "gt-provisioned", "us-west-2")),
    "Table write capacity should either be Pay-Per-Request or AutoScaled.",
  );
  await rejectsWith(west().send(new DescribeTableCommand({ TableName: "gt-provisioned" })), "ResourceNotFoundException", 400);
  await rejectsWith(europe().send(new DescribeTableCommand({ TableName: "gt-music" })), "ResourceNotFoundException", 400);
});

test("removing replicas: through ReplicaUpdates Delete, and by deleting a replica table", async () => {
  await addReplica(east(), "gt-music", "eu-west-1");
  assert.equal(await valueIn(europe(), "gt-music", "b"), "last");
  const { Table } = await west().send(new DescribeTableCommand({ TableName: "gt-music" }));
  assert.deepEqual(Table?.Replicas?.map((r) => r.RegionName).sort(), ["eu-west-1", "us-east-1"]);

  await west().send(new UpdateTableCommand({ TableName: "gt-music", ReplicaUpdates: [{ Delete: { RegionName: "eu-west-1" } }] }));
  await rejectsWith(europe().send(new DescribeTableCommand({ TableName: "gt-music" })), "ResourceNotFoundException", 400);
  const eastView = (await east().send(new DescribeTableCommand({ TableName: "gt-music" }))).Table;
  assert.deepEqual(eastView?.Replicas, [{ RegionName: "us-west-2", ReplicaStatus: "ACTIVE" }]);

  await west().send(new DeleteTableCommand({ TableName: "gt-music" }));
  const alone = (await east().send(new DescribeTableCommand({ TableName: "gt-music" }))).Table;
  assert.equal(alone?.Replicas, undefined);
  assert.equal(alone?.GlobalTableVersion, undefined);
  await east().send(new PutItemCommand({ TableName: "gt-music", Item: { pk: { S: "c" }, v: { S: "only east" } } }));
  assert.equal(await valueIn(east(), "gt-music", "c"), "only east");
  await rejectsWith(west().send(new DescribeTableCommand({ TableName: "gt-music" })), "ResourceNotFoundException", 400);
});
