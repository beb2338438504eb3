import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  PutItemCommand,
  type ReplicationGroupUpdate,
  QueryCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type _Record } from "@aws-sdk/client-dynamodb-streams";
import { rejectsWith, useServer } from "../helpers.js";
import { validationMessage } from "./fixtures.js";
import { streamsClient } from "./streams-fixtures.js";

const server = useServer();
// The server starts in a hook: clients are made when a test runs.
const clientIn = (region: string) => new DynamoDBClient(server.clientConfig(region));
const east = () => clientIn("us-east-1");
const europe = () => clientIn("eu-west-1");
const west = () => clientIn("us-west-2");

const byColor = {
  IndexName: "byColor",
  KeySchema: [{ AttributeName: "color", KeyType: "HASH" as const }],
  Projection: { ProjectionType: "ALL" as const },
};

async function createGlobal(name: string, regions: string[]) {
  await east().send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (const RegionName of regions) {
    await east().send(new UpdateTableCommand({ TableName: name, ReplicaUpdates: [{ Create: { RegionName } }] }));
  }
}

const put = (client: DynamoDBClient, name: string, pk: string, attributes: Record<string, { S: string } | { N: string }> = {}) =>
  client.send(new PutItemCommand({ TableName: name, Item: { pk: { S: pk }, ...attributes } }));

const addIndex = (client: DynamoDBClient, name: string) =>
  client.send(
    new UpdateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "color", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: byColor }],
    }),
  );

async function colored(client: DynamoDBClient, name: string, color: string) {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: name,
      IndexName: "byColor",
      KeyConditionExpression: "color = :c",
      ExpressionAttributeValues: { ":c": { S: color } },
    }),
  );
  return Items?.map((i) => i.pk.S).sort();
}

/** Runs `fn` with the process clock moved forward (the server runs in this process). */
async function withClockAhead<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() + ms;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

const describe = async (client: DynamoDBClient, name: string) => (await client.send(new DescribeTableCommand({ TableName: name }))).Table;

async function streamRecords(region: string, name: string): Promise<_Record[]> {
  const table = await describe(clientIn(region), name);
  const streams = streamsClient(server, region);
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: table?.LatestStreamArn }));
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: table?.LatestStreamArn,
      ShardId: StreamDescription?.Shards?.[0].ShardId,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  return (await streams.send(new GetRecordsCommand({ ShardIterator }))).Records ?? [];
}

test("a GSI added on one replica exists, backfilled, on every replica, and one created later has it", async () => {
  await createGlobal("gs-paint", ["eu-west-1"]);
  await put(east(), "gs-paint", "a", { color: { S: "red" } });
  await put(europe(), "gs-paint", "b", { color: { S: "red" } });
  await put(europe(), "gs-paint", "c", { color: { S: "blue" } });
  await addIndex(east(), "gs-paint");

  const inEurope = await describe(europe(), "gs-paint");
  assert.deepEqual(
    inEurope?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus, i.ItemCount]),
    [["byColor", "ACTIVE", 3]],
  );
  assert.ok(inEurope?.GlobalSecondaryIndexes?.[0].IndexArn?.includes(":eu-west-1:"));
  assert.deepEqual(
    inEurope?.AttributeDefinitions?.map((d) => d.AttributeName),
    ["pk", "color"],
  );
  assert.deepEqual(inEurope?.Replicas, [
    { RegionName: "us-east-1", ReplicaStatus: "ACTIVE", GlobalSecondaryIndexes: [{ IndexName: "byColor" }] },
  ]);
  assert.deepEqual(await colored(europe(), "gs-paint", "red"), ["a", "b"]);

  // Writes after the change keep every region's index in step.
  await put(east(), "gs-paint", "d", { color: { S: "blue" } });
  assert.deepEqual(await colored(europe(), "gs-paint", "blue"), ["c", "d"]);

  await east().send(new UpdateTableCommand({ TableName: "gs-paint", ReplicaUpdates: [{ Create: { RegionName: "us-west-2" } }] }));
  assert.deepEqual(await colored(west(), "gs-paint", "blue"), ["c", "d"]);
  const replicas = (await describe(east(), "gs-paint"))?.Replicas;
  assert.deepEqual(
    replicas?.map((r) => [r.RegionName, r.GlobalSecondaryIndexes?.map((i) => i.IndexName)]),
    [
      ["eu-west-1", ["byColor"]],
      ["us-west-2", ["byColor"]],
    ],
  );
});

test("a GSI deleted on one replica is gone from every replica", async () => {
  await west().send(new UpdateTableCommand({ TableName: "gs-paint", GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byColor" } }] }));
  for (const client of [east(), europe(), west()]) {
    const table = await describe(client, "gs-paint");
    assert.equal(table?.GlobalSecondaryIndexes, undefined);
    assert.deepEqual(
      table?.Replicas?.map((r) => r.GlobalSecondaryIndexes),
      [undefined, undefined],
    );
    assert.match(await validationMessage(colored(client, "gs-paint", "red")), /The table does not have the specified index: byColor/);
  }
  // Adding it back elsewhere backfills again from the replicated items.
  await addIndex(europe(), "gs-paint");
  assert.deepEqual(await colored(west(), "gs-paint", "red"), ["a", "b"]);
});

test("TTL enabled on one replica is enabled on all; an expired item is deleted everywhere, as DynamoDB's delete only where it expired", async () => {
  await europe().send(
    new UpdateTimeToLiveCommand({ TableName: "gs-paint", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } }),
  );
  for (const client of [east(), europe(), west()]) {
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: "gs-paint" }));
    assert.deepEqual(TimeToLiveDescription, { TimeToLiveStatus: "ENABLED", AttributeName: "exp" });
  }
  assert.equal(
    await validationMessage(
      west().send(new UpdateTimeToLiveCommand({ TableName: "gs-paint", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } })),
    ),
    "TimeToLive is already enabled",
  );

  await put(east(), "gs-paint", "expired", { exp: { N: String(Math.floor(Date.now() / 1000) - 60) } });
  const removals = async () => {
    const byRegion = await Promise.all(
      ["us-east-1", "eu-west-1", "us-west-2"].map(async (region) => {
        const records = await streamRecords(region, "gs-paint");
        return records.filter((r) => r.eventName === "REMOVE" && r.dynamodb?.Keys?.pk.S === "expired");
      }),
    );
    return byRegion.flat();
  };
  let removed: _Record[] = [];
  for (let i = 0; i < 60 && removed.length < 3; i++) {
    await new Promise((r) => setTimeout(r, 250));
    removed = await removals();
  }
  assert.equal(removed.length, 3, "each replica's stream records the delete once");
  const byService = removed.filter((r) => r.userIdentity);
  assert.equal(byService.length, 1, "only the region that expired the item names DynamoDB as the deleter");
  assert.deepEqual(byService[0].userIdentity, { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" });
  for (const client of [east(), europe(), west()]) assert.equal((await describe(client, "gs-paint"))?.ItemCount, 4);

  await east().send(
    new UpdateTimeToLiveCommand({ TableName: "gs-paint", TimeToLiveSpecification: { Enabled: false, AttributeName: "exp" } }),
  );
  const { TimeToLiveDescription } = await west().send(new DescribeTimeToLiveCommand({ TableName: "gs-paint" }));
  assert.equal(TimeToLiveDescription?.TimeToLiveStatus, "DISABLED");
});

test("table class is synchronised unless a replica overrides it; deletion protection is each replica's own", async () => {
  await east().send(new UpdateTableCommand({ TableName: "gs-paint", TableClass: "STANDARD_INFREQUENT_ACCESS" }));
  assert.equal((await describe(west(), "gs-paint"))?.TableClassSummary?.TableClass, "STANDARD_INFREQUENT_ACCESS");
  await east().send(
    new UpdateTableCommand({
      TableName: "gs-paint",
      ReplicaUpdates: [{ Update: { RegionName: "eu-west-1", TableClassOverride: "STANDARD" } }],
    }),
  );
  assert.equal((await describe(europe(), "gs-paint"))?.TableClassSummary, undefined);
  const replicas = (await describe(west(), "gs-paint"))?.Replicas;
  assert.deepEqual(
    replicas?.map((r) => [r.RegionName, r.ReplicaTableClassSummary?.TableClass]),
    [
      ["us-east-1", "STANDARD_INFREQUENT_ACCESS"],
      ["eu-west-1", undefined],
    ],
  );

  await west().send(new UpdateTableCommand({ TableName: "gs-paint", DeletionProtectionEnabled: true }));
  assert.equal((await describe(west(), "gs-paint"))?.DeletionProtectionEnabled, true);
  assert.equal((await describe(east(), "gs-paint"))?.DeletionProtectionEnabled, false);
  // A protected replica leaves its group neither by DeleteTable nor by ReplicaUpdates; the message names its region.
  const protectedReplica =
    "Cannot delete table gs-paint in region us-west-2 because it has deletion protection enabled. Disable deletion protection first.";
  assert.equal(await validationMessage(west().send(new DeleteTableCommand({ TableName: "gs-paint" }))), protectedReplica);
  assert.equal(
    await validationMessage(
      east().send(new UpdateTableCommand({ TableName: "gs-paint", ReplicaUpdates: [{ Delete: { RegionName: "us-west-2" } }] })),
    ),
    protectedReplica,
  );
  await west().send(new UpdateTableCommand({ TableName: "gs-paint", DeletionProtectionEnabled: false }));
});

test("global table settings errors", async () => {
  assert.equal(
    await validationMessage(
      europe().send(new UpdateTableCommand({ TableName: "gs-paint", StreamSpecification: { StreamEnabled: false } })),
    ),
    "One or more parameter values were invalid: Disabling Stream is not allowed for a Global Table replica.",
  );
  assert.equal(
    await validationMessage(
      east().send(
        new UpdateTableCommand({
          TableName: "gs-paint",
          BillingMode: "PROVISIONED",
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        }),
      ),
    ),
    "Table write capacity should either be Pay-Per-Request or AutoScaled.",
  );
  assert.equal((await describe(west(), "gs-paint"))?.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
  assert.equal(
    await validationMessage(
      east().send(
        new UpdateTableCommand({
          TableName: "gs-paint",
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byColor" } }],
          ReplicaUpdates: [{ Delete: { RegionName: "us-west-2" } }],
        }),
      ),
    ),
    "One or more parameter values were invalid: Replica modification must be the only operation in the request",
  );
  assert.equal(
    await validationMessage(
      east().send(
        new UpdateTableCommand({
          TableName: "gs-paint",
          BillingMode: "PROVISIONED",
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
          ReplicaUpdates: [{ Delete: { RegionName: "us-west-2" } }],
        }),
      ),
    ),
    "One or more parameter values were invalid: Replica modification must be the only operation in the request",
  );
  assert.ok((await describe(west(), "gs-paint"))?.GlobalSecondaryIndexes, "a refused request changes nothing");

  const replicaUpdate = (ReplicaUpdates: ReplicationGroupUpdate[]) =>
    validationMessage(east().send(new UpdateTableCommand({ TableName: "gs-paint", ReplicaUpdates })));
  assert.equal(
    await replicaUpdate([{ Create: { RegionName: "ap-south-1" }, Delete: { RegionName: "ap-south-1" } }]),
    "Update table operation with more than one type of replica actions not allowed.",
  );
  assert.equal(
    await replicaUpdate([{ Create: { RegionName: "ap-south-1" } }, { Create: { RegionName: "ca-central-1" } }]),
    "Update table operation with more than one create or delete replica actions not allowed",
  );
  assert.equal(
    await replicaUpdate([{ Update: { RegionName: "us-west-2" } }]),
    "There are no actions specified in the Replica Update Action of the request.",
  );
  assert.equal(
    await replicaUpdate([{ Update: { RegionName: "us-west-2", ProvisionedThroughputOverride: { ReadCapacityUnits: 5 } } }]),
    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
  );
  assert.equal(
    await replicaUpdate([{ Update: { RegionName: "us-west-2", KMSMasterKeyId: "alias/aws/dynamodb" } }]),
    "One or more parameter values were invalid: KMSMasterKeyId must be specified for each replica.",
  );
  assert.equal(
    await replicaUpdate([{ Create: { RegionName: "us-east-1" } }]),
    "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.",
  );

  // us-east-1 sourced the other replicas within the last 24 hours.
  const sourceHeld =
    "Replica cannot be deleted because it has acted as a source region for new replica(s) being added to the table in the last 24 hours.";
  assert.equal(await validationMessage(east().send(new DeleteTableCommand({ TableName: "gs-paint" }))), sourceHeld);
  assert.equal(
    await validationMessage(
      west().send(new UpdateTableCommand({ TableName: "gs-paint", ReplicaUpdates: [{ Delete: { RegionName: "us-east-1" } }] })),
    ),
    sourceHeld,
  );
  assert.equal((await describe(east(), "gs-paint"))?.Replicas?.length, 2);
});

test("replicas that sourced nothing can be deleted; the last one left is a regional table again", async () => {
  await europe().send(new DeleteTableCommand({ TableName: "gs-paint" }));
  await east().send(new UpdateTableCommand({ TableName: "gs-paint", ReplicaUpdates: [{ Delete: { RegionName: "us-west-2" } }] }));
  await rejectsWith(west().send(new DescribeTableCommand({ TableName: "gs-paint" })), "ResourceNotFoundException", 400);
  const alone = await describe(east(), "gs-paint");
  assert.equal(alone?.Replicas, undefined);
  // A GSI change on a regional table stays regional, and the table can be deleted.
  await east().send(new UpdateTableCommand({ TableName: "gs-paint", GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byColor" } }] }));
  await rejectsWith(europe().send(new DescribeTableCommand({ TableName: "gs-paint" })), "ResourceNotFoundException", 400);
  await east().send(new DeleteTableCommand({ TableName: "gs-paint" }));
  await rejectsWith(east().send(new DescribeTableCommand({ TableName: "gs-paint" })), "ResourceNotFoundException", 400);
});

test("within 24 hours of sourcing a replica, a replica leaves its group only once that one is gone", async () => {
  await createGlobal("gs-chain", ["us-west-2"]);
  // Sent twice, the same Create is applied once.
  const createEurope = { Create: { RegionName: "eu-west-1" } };
  await west().send(new UpdateTableCommand({ TableName: "gs-chain", ReplicaUpdates: [createEurope, createEurope] }));
  assert.deepEqual(
    (await describe(europe(), "gs-chain"))?.Replicas?.map((r) => r.RegionName),
    ["us-east-1", "us-west-2"],
  );
  const sourceHeld = /acted as a source region for new replica\(s\) being added to the table in the last 24 hours/;
  assert.match(await validationMessage(west().send(new DeleteTableCommand({ TableName: "gs-chain" }))), sourceHeld);
  assert.match(
    await validationMessage(
      east().send(new UpdateTableCommand({ TableName: "gs-chain", ReplicaUpdates: [{ Delete: { RegionName: "us-west-2" } }] })),
    ),
    sourceHeld,
  );
  await europe().send(new DeleteTableCommand({ TableName: "gs-chain" }));
  await west().send(new DeleteTableCommand({ TableName: "gs-chain" }));
  assert.equal((await describe(east(), "gs-chain"))?.Replicas, undefined);
  await east().send(new DeleteTableCommand({ TableName: "gs-chain" }));
});

test("24 hours after sourcing a replica, a replica may leave although the one it sourced remains", async () => {
  await createGlobal("gs-aged", ["us-west-2"]);
  const removeEast = () =>
    west().send(new UpdateTableCommand({ TableName: "gs-aged", ReplicaUpdates: [{ Delete: { RegionName: "us-east-1" } }] }));
  assert.match(await validationMessage(removeEast()), /acted as a source region/);
  await withClockAhead(24 * 3600 * 1000 + 1000, removeEast);
  await rejectsWith(east().send(new DescribeTableCommand({ TableName: "gs-aged" })), "ResourceNotFoundException", 400);
  assert.equal((await describe(west(), "gs-aged"))?.Replicas, undefined);
  await west().send(new DeleteTableCommand({ TableName: "gs-aged" }));
});

test("a replica keeps the table's stream view type; the stream cannot change while replicas exist", async () => {
  await east().send(
    new CreateTableCommand({
      TableName: "gs-keys",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
    }),
  );
  const before = (await describe(east(), "gs-keys"))?.LatestStreamArn;
  await east().send(new UpdateTableCommand({ TableName: "gs-keys", ReplicaUpdates: [{ Create: { RegionName: "eu-west-1" } }] }));
  const source = await describe(east(), "gs-keys");
  assert.equal(source?.LatestStreamArn, before);
  const replica = await describe(europe(), "gs-keys");
  assert.deepEqual(replica?.StreamSpecification, { StreamEnabled: true, StreamViewType: "KEYS_ONLY" });
  assert.ok(replica?.LatestStreamArn?.includes(":eu-west-1:"));
  await put(east(), "gs-keys", "k", { v: { S: "1" } });
  const records = await streamRecords("eu-west-1", "gs-keys");
  assert.deepEqual(
    records.map((r) => [r.eventName, r.dynamodb?.Keys?.pk.S, r.dynamodb?.NewImage]),
    [["INSERT", "k", undefined]],
  );
  assert.equal(
    await validationMessage(
      europe().send(
        new UpdateTableCommand({
          TableName: "gs-keys",
          StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
        }),
      ),
    ),
    "Table already has an enabled stream: TableName: gs-keys",
  );
});
