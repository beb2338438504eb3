import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { type Overcast, startOvercast } from "../../src/index.js";
import { credentials, useServer } from "../helpers.js";
import { CLIENTS, runPython } from "../query/clients.js";
import { tempDir } from "../state/fixtures.js";

const server = useServer();

const SCRIPT = `
import json, boto3
ddb = boto3.client("dynamodb")
streams = boto3.client("dynamodbstreams")
created = ddb.create_table(
    TableName="boto-stream",
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
)["TableDescription"]
ddb.put_item(TableName="boto-stream", Item={"id": {"S": "1"}, "n": {"N": "1"}, "b": {"B": b"\\x00\\x01"}})
ddb.update_item(TableName="boto-stream", Key={"id": {"S": "1"}}, UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}})
ddb.delete_item(TableName="boto-stream", Key={"id": {"S": "1"}})
arn = streams.list_streams(TableName="boto-stream")["Streams"][0]["StreamArn"]
shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
records = streams.get_records(ShardIterator=iterator)["Records"]
print(json.dumps({
    "created": created["LatestStreamArn"],
    "arn": arn,
    "events": [r["eventName"] for r in records],
    "numbers": [r["dynamodb"].get("NewImage", {}).get("n", {}).get("N") for r in records],
    "binary": list(records[0]["dynamodb"]["NewImage"]["b"]["B"]),
    "old": records[2]["dynamodb"]["OldImage"]["n"]["N"],
    "created_at": type(records[0]["dynamodb"]["ApproximateCreationDateTime"]).__name__,
}))
`;

test("boto3: create a table with a stream, write, read the records", async () => {
  const result = await runPython<{
    created: string;
    arn: string;
    events: string[];
    numbers: (string | null)[];
    binary: number[];
    old: string;
    created_at: string;
  }>(CLIENTS.python, SCRIPT, server.endpoint);
  assert.equal(result.arn, result.created);
  assert.deepEqual(result.events, ["INSERT", "MODIFY", "REMOVE"]);
  assert.deepEqual(result.numbers, ["1", "2", null]);
  assert.deepEqual(result.binary, [0, 1]);
  assert.equal(result.old, "2");
  assert.equal(result.created_at, "datetime");
});

const clientsOf = (cloud: Overcast) => {
  const config = { endpoint: cloud.endpoint, region: "eu-west-1", credentials, maxAttempts: 1 };
  return { ddb: new DynamoDBClient(config), streams: new DynamoDBStreamsClient(config) };
};

test("stream records survive a restart on the same data dir, and new ones follow them", async (t) => {
  const dataDir = tempDir(t);
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  let arn: string;
  try {
    const { ddb, streams } = clientsOf(first);
    await ddb.send(
      new CreateTableCommand({
        TableName: "durable-stream",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
      }),
    );
    for (const pk of ["a", "b"]) await ddb.send(new PutItemCommand({ TableName: "durable-stream", Item: { pk: { S: pk } } }));
    arn = (await streams.send(new ListStreamsCommand({}))).Streams?.[0].StreamArn as string;
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  t.after(() => second.stop());
  const { ddb, streams } = clientsOf(second);
  await ddb.send(new PutItemCommand({ TableName: "durable-stream", Item: { pk: { S: "c" } } }));
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({ StreamArn: arn, ShardId: StreamDescription?.Shards?.[0].ShardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
  assert.deepEqual(
    Records?.map((r) => r.dynamodb?.NewImage?.pk.S),
    ["a", "b", "c"],
  );
  const sequences = Records?.map((r) => BigInt(r.dynamodb?.SequenceNumber as string)) ?? [];
  assert.ok(sequences[0] < sequences[1] && sequences[1] < sequences[2]);
  assert.equal(Records?.[0].awsRegion, "eu-west-1");
});
