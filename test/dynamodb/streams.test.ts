import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ExecuteStatementCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, GetRecordsCommand, ListStreamsCommand } from "@aws-sdk/client-dynamodb-streams";
import { rejectsWith, useServer } from "../helpers.js";
import { clients, createTable, validationMessage } from "./fixtures.js";
import { allRecords, iteratorOf, latestStreamArn, streamsClient } from "./streams-fixtures.js";

const server = useServer();

const withStream = (StreamViewType: "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES") => ({
  StreamSpecification: { StreamEnabled: true, StreamViewType },
});

test("CreateTable with a stream reports its ARN and label, as DescribeTable does", async () => {
  const { ddb } = clients(server);
  await createTable(server, "st-create", undefined, withStream("NEW_IMAGE"));
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "st-create" }));
  assert.deepEqual(Table?.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
  assert.match(Table?.LatestStreamLabel ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
  assert.equal(Table?.LatestStreamArn, `${Table?.TableArn}/stream/${Table?.LatestStreamLabel}`);
  const { StreamDescription } = await streamsClient(server).send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }));
  assert.equal(StreamDescription?.StreamStatus, "ENABLED");
  assert.equal(StreamDescription?.StreamViewType, "NEW_IMAGE");
  assert.equal(StreamDescription?.TableName, "st-create");
  assert.deepEqual(StreamDescription?.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }]);
  assert.ok(StreamDescription?.CreationRequestDateTime instanceof Date);
  const shard = StreamDescription?.Shards?.[0];
  assert.match(shard?.ShardId ?? "", /^shardId-\d{20}-[0-9a-f]{8}$/);
  assert.match(shard?.SequenceNumberRange?.StartingSequenceNumber ?? "", /^\d{21,40}$/);
  assert.equal(shard?.SequenceNumberRange?.EndingSequenceNumber, undefined);
  // One shard that never splits: nothing after it, no children.
  const streams = streamsClient(server);
  const after = await streams.send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn, ExclusiveStartShardId: shard?.ShardId }));
  assert.deepEqual(after.StreamDescription?.Shards, []);
  const children = await streams.send(
    new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn, ShardFilter: { Type: "CHILD_SHARDS", ShardId: shard?.ShardId } }),
  );
  assert.deepEqual(children.StreamDescription?.Shards, []);
});

test("one record per actual change, in AWS's format, with increasing sequence numbers", async () => {
  const { ddb } = clients(server);
  await createTable(server, "st-changes", "N", withStream("NEW_AND_OLD_IMAGES"));
  const key = { pk: { S: "a" }, sk: { N: "1" } };
  await ddb.send(new PutItemCommand({ TableName: "st-changes", Item: { ...key, v: { N: "1" }, tags: { SS: ["x", "y"] } } }));
  // Same item again, and the same set in another order: nothing changes, so no record.
  await ddb.send(new PutItemCommand({ TableName: "st-changes", Item: { ...key, tags: { SS: ["y", "x"] }, v: { N: "1.0" } } }));
  await ddb.send(
    new UpdateItemCommand({
      TableName: "st-changes",
      Key: key,
      UpdateExpression: "SET v = :v",
      ExpressionAttributeValues: { ":v": { N: "2" } },
    }),
  );
  await ddb.send(
    new UpdateItemCommand({
      TableName: "st-changes",
      Key: key,
      UpdateExpression: "SET v = :v",
      ExpressionAttributeValues: { ":v": { N: "2" } },
    }),
  );
  await ddb.send(new DeleteItemCommand({ TableName: "st-changes", Key: key }));
  await ddb.send(new DeleteItemCommand({ TableName: "st-changes", Key: key }));
  const records = await allRecords(server, "st-changes");
  assert.deepEqual(
    records.map((r) => r.eventName),
    ["INSERT", "MODIFY", "REMOVE"],
  );
  const [insert, modify, remove] = records;
  assert.equal(insert.eventVersion, "1.1");
  assert.equal(insert.eventSource, "aws:dynamodb");
  assert.equal(insert.awsRegion, "us-east-1");
  assert.match(insert.eventID ?? "", /^[0-9a-f]{32}$/);
  assert.equal(insert.userIdentity, undefined);
  assert.deepEqual(insert.dynamodb?.Keys, key);
  assert.deepEqual(insert.dynamodb?.NewImage, { ...key, v: { N: "1" }, tags: { SS: ["x", "y"] } });
  assert.equal(insert.dynamodb?.OldImage, undefined);
  assert.equal(insert.dynamodb?.StreamViewType, "NEW_AND_OLD_IMAGES");
  assert.ok((insert.dynamodb?.SizeBytes ?? 0) > 0);
  const created = insert.dynamodb?.ApproximateCreationDateTime as Date;
  assert.ok(Math.abs(created.getTime() - Date.now()) < 60_000);
  assert.equal(created.getMilliseconds(), 0);
  assert.deepEqual(modify.dynamodb?.OldImage?.v, { N: "1" });
  assert.deepEqual(modify.dynamodb?.NewImage?.v, { N: "2" });
  assert.deepEqual(remove.dynamodb?.OldImage?.v, { N: "2" });
  assert.equal(remove.dynamodb?.NewImage, undefined);
  const sequences = records.map((r) => BigInt(r.dynamodb?.SequenceNumber as string));
  assert.ok(records.every((r) => /^\d{21,40}$/.test(r.dynamodb?.SequenceNumber ?? "")));
  assert.ok(sequences[0] < sequences[1] && sequences[1] < sequences[2]);
});

test("each view type carries its images only", async () => {
  const { ddb } = clients(server);
  const images = {} as Record<string, [boolean, boolean]>;
  for (const view of ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"] as const) {
    const table = `st-view-${view}`;
    await createTable(server, table, undefined, withStream(view));
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "k" }, v: { S: "1" } } }));
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "k" }, v: { S: "2" } } }));
    const [, modify] = await allRecords(server, table);
    assert.equal(modify.dynamodb?.StreamViewType, view);
    assert.deepEqual(modify.dynamodb?.Keys, { pk: { S: "k" } });
    images[view] = [modify.dynamodb?.NewImage !== undefined, modify.dynamodb?.OldImage !== undefined];
  }
  assert.deepEqual(images, { KEYS_ONLY: [false, false], NEW_IMAGE: [true, false], OLD_IMAGE: [false, true] });
});

test("batch writes and transactions write one record per item; a cancelled transaction writes none", async () => {
  const { ddb } = clients(server);
  await createTable(server, "st-multi", undefined, withStream("KEYS_ONLY"));
  await ddb.send(
    new BatchWriteItemCommand({
      RequestItems: {
        "st-multi": [
          { PutRequest: { Item: { pk: { S: "b1" } } } },
          { PutRequest: { Item: { pk: { S: "b2" } } } },
          { DeleteRequest: { Key: { pk: { S: "missing" } } } },
        ],
      },
    }),
  );
  await ddb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: "st-multi", Item: { pk: { S: "t1" } } } },
        { Delete: { TableName: "st-multi", Key: { pk: { S: "b1" } } } },
        { ConditionCheck: { TableName: "st-multi", Key: { pk: { S: "b2" } }, ConditionExpression: "attribute_exists(pk)" } },
      ],
    }),
  );
  await rejectsWith(
    ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: "st-multi", Item: { pk: { S: "t2" } } } },
          { ConditionCheck: { TableName: "st-multi", Key: { pk: { S: "nope" } }, ConditionExpression: "attribute_exists(pk)" } },
        ],
      }),
    ),
    "TransactionCanceledException",
    400,
  );
  const records = await allRecords(server, "st-multi");
  assert.deepEqual(
    records.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.pk.S}`),
    ["INSERT b1", "INSERT b2", "INSERT t1", "REMOVE b1"],
  );
});

test("PartiQL writes go through the same change hook", async () => {
  const { ddb } = clients(server);
  await createTable(server, "st-partiql", undefined, withStream("NEW_IMAGE"));
  await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "st-partiql" VALUE {'pk': 'p', 'n': 1}` }));
  await ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "st-partiql" SET n = 2 WHERE pk = 'p'` }));
  await ddb.send(new ExecuteStatementCommand({ Statement: `UPDATE "st-partiql" SET n = 2 WHERE pk = 'p'` }));
  await ddb.send(new ExecuteStatementCommand({ Statement: `DELETE FROM "st-partiql" WHERE pk = 'p'` }));
  const records = await allRecords(server, "st-partiql");
  assert.deepEqual(
    records.map((r) => `${r.eventName} ${r.dynamodb?.NewImage?.n?.N ?? "-"}`),
    ["INSERT 1", "MODIFY 2", "REMOVE -"],
  );
});

test("TTL deletes write REMOVE records naming DynamoDB's service principal", async () => {
  const { ddb } = clients(server);
  await createTable(server, "st-ttl", undefined, withStream("OLD_IMAGE"));
  await ddb.send(new UpdateTimeToLiveCommand({ TableName: "st-ttl", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" } }));
  const past = String(Math.floor(Date.now() / 1000) - 60);
  await ddb.send(new PutItemCommand({ TableName: "st-ttl", Item: { pk: { S: "gone" }, exp: { N: past } } }));
  const deadline = Date.now() + 15_000;
  let records = await allRecords(server, "st-ttl");
  while (records.length < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    records = await allRecords(server, "st-ttl");
  }
  assert.equal(records.length, 2);
  assert.equal(records[0].userIdentity, undefined);
  assert.equal(records[1].eventName, "REMOVE");
  assert.deepEqual(records[1].userIdentity, { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" });
  assert.deepEqual(records[1].dynamodb?.OldImage, { pk: { S: "gone" }, exp: { N: past } });
});

test("stream specification errors on CreateTable and UpdateTable", async () => {
  const { ddb } = clients(server);
  assert.equal(
    await validationMessage(createTable(server, "st-bad", undefined, { StreamSpecification: { StreamEnabled: true } })),
    "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required",
  );
  assert.equal(
    await validationMessage(
      createTable(server, "st-bad", undefined, { StreamSpecification: { StreamEnabled: false, StreamViewType: "KEYS_ONLY" } }),
    ),
    "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified",
  );
  await createTable(server, "st-spec");
  assert.equal(
    await validationMessage(ddb.send(new UpdateTableCommand({ TableName: "st-spec", StreamSpecification: { StreamEnabled: false } }))),
    "Table has no stream to disable: TableName: st-spec",
  );
  assert.equal(
    await validationMessage(ddb.send(new UpdateTableCommand({ TableName: "st-spec", StreamSpecification: { StreamEnabled: true } }))),
    "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required",
  );
  await ddb.send(new UpdateTableCommand({ TableName: "st-spec", ...withStream("KEYS_ONLY") }));
  assert.equal(
    await validationMessage(ddb.send(new UpdateTableCommand({ TableName: "st-spec", ...withStream("NEW_IMAGE") }))),
    "Table already has an enabled stream: TableName: st-spec",
  );
  assert.equal(
    await validationMessage(
      ddb.send(
        new UpdateTableCommand({ TableName: "st-spec", StreamSpecification: { StreamEnabled: false, StreamViewType: "KEYS_ONLY" } }),
      ),
    ),
    "One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified",
  );
  assert.equal(
    await validationMessage(
      ddb.send(
        new UpdateTableCommand({
          TableName: "st-spec",
          AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
          GlobalSecondaryIndexUpdates: [
            { Create: { IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } },
          ],
          StreamSpecification: { StreamEnabled: false },
        }),
      ),
    ),
    "One or more parameter values were invalid: You cannot create or delete index while changing stream status",
  );
  // Refused updates leave the table as it was.
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "st-spec" }));
  assert.deepEqual(Table?.StreamSpecification, { StreamEnabled: true, StreamViewType: "KEYS_ONLY" });
  assert.equal(Table?.GlobalSecondaryIndexes, undefined);
});

test("disabling closes the stream but keeps it readable; re-enabling starts a new stream", async () => {
  const { ddb } = clients(server);
  const streams = streamsClient(server);
  await createTable(server, "st-cycle", undefined, withStream("NEW_IMAGE"));
  await ddb.send(new PutItemCommand({ TableName: "st-cycle", Item: { pk: { S: "1" } } }));
  const first = await latestStreamArn(server, "st-cycle");
  const iterator = await iteratorOf(server, first, "TRIM_HORIZON");
  const { TableDescription } = await ddb.send(
    new UpdateTableCommand({ TableName: "st-cycle", StreamSpecification: { StreamEnabled: false } }),
  );
  assert.deepEqual(TableDescription?.StreamSpecification, { StreamEnabled: false });
  assert.equal(TableDescription?.LatestStreamArn, first);
  await ddb.send(new PutItemCommand({ TableName: "st-cycle", Item: { pk: { S: "2" } } }));
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: first }));
  assert.equal(StreamDescription?.StreamStatus, "DISABLED");
  const range = StreamDescription?.Shards?.[0].SequenceNumberRange;
  const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
  assert.deepEqual(
    page.Records?.map((r) => r.dynamodb?.Keys?.pk.S),
    ["1"],
  );
  assert.equal(range?.EndingSequenceNumber, page.Records?.[0].dynamodb?.SequenceNumber);
  // The closed shard was read to its end: no next iterator.
  assert.equal(page.NextShardIterator, undefined);

  await ddb.send(new UpdateTableCommand({ TableName: "st-cycle", ...withStream("KEYS_ONLY") }));
  const second = await latestStreamArn(server, "st-cycle");
  assert.notEqual(second, first);
  await ddb.send(new PutItemCommand({ TableName: "st-cycle", Item: { pk: { S: "3" } } }));
  const records = await allRecords(server, "st-cycle");
  assert.deepEqual(
    records.map((r) => [r.dynamodb?.Keys?.pk.S, r.dynamodb?.StreamViewType]),
    [["3", "KEYS_ONLY"]],
  );
  const listed = await streams.send(new ListStreamsCommand({ TableName: "st-cycle" }));
  assert.deepEqual(listed.Streams?.map((s) => s.StreamArn).sort(), [first, second].sort());
  assert.ok(listed.Streams?.every((s) => s.TableName === "st-cycle" && s.StreamArn?.endsWith(`/stream/${s.StreamLabel}`)));
});

test("deleting a table disables its stream, which stays readable", async () => {
  const { ddb } = clients(server);
  await createTable(server, "st-deleted", undefined, withStream("KEYS_ONLY"));
  await ddb.send(new PutItemCommand({ TableName: "st-deleted", Item: { pk: { S: "1" } } }));
  const arn = await latestStreamArn(server, "st-deleted");
  const iterator = await iteratorOf(server, arn, "TRIM_HORIZON");
  await ddb.send(new DeleteTableCommand({ TableName: "st-deleted" }));
  const { StreamDescription } = await streamsClient(server).send(new DescribeStreamCommand({ StreamArn: arn }));
  assert.equal(StreamDescription?.StreamStatus, "DISABLED");
  const page = await streamsClient(server).send(new GetRecordsCommand({ ShardIterator: iterator }));
  assert.equal(page.Records?.length, 1);
  const listed = await streamsClient(server).send(new ListStreamsCommand({ TableName: "st-deleted" }));
  assert.deepEqual(
    listed.Streams?.map((s) => s.StreamArn),
    [arn],
  );
});

test("ListStreams pages with Limit and ExclusiveStartStreamArn", async () => {
  const streams = streamsClient(server);
  const all = (await streams.send(new ListStreamsCommand({}))).Streams?.map((s) => s.StreamArn) ?? [];
  assert.ok(all.length >= 5);
  const seen: string[] = [];
  let start: string | undefined;
  do {
    const page = await streams.send(new ListStreamsCommand({ Limit: 2, ExclusiveStartStreamArn: start }));
    assert.ok((page.Streams?.length ?? 0) <= 2);
    seen.push(...(page.Streams?.map((s) => s.StreamArn as string) ?? []));
    start = page.LastEvaluatedStreamArn;
  } while (start);
  assert.deepEqual(seen, all);
  await rejectsWith(streams.send(new ListStreamsCommand({ TableName: "no-such-table" })), "ResourceNotFoundException", 400);
  const error = await rejectsWith(streams.send(new ListStreamsCommand({ Limit: 0 })), "ValidationException", 400);
  assert.match(error.message, /Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1/);
});
