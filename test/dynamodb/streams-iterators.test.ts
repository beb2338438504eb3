import assert from "node:assert/strict";
import { test } from "node:test";
import { PutItemCommand, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand } from "@aws-sdk/client-dynamodb-streams";
import { rejectsWith, useServer } from "../helpers.js";
import { clients, createTable } from "./fixtures.js";
import { iteratorOf, latestStreamArn, shardIdOf, streamsClient } from "./streams-fixtures.js";

const server = useServer();

const put = (table: string, pk: string) => clients(server).ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk } } }));

async function keysRead(iterator: string, limit?: number) {
  const page = await streamsClient(server).send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  return { keys: page.Records?.map((r) => r.dynamodb?.Keys?.pk.S), page };
}

/** Runs `fn` with the process clock moved forward (the server runs in this process). */
async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() + ms;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

test("iterator types: TRIM_HORIZON, LATEST, AT_ and AFTER_SEQUENCE_NUMBER; Limit and NextShardIterator", async () => {
  await createTable(server, "it-types", undefined, { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } });
  for (const pk of ["a", "b", "c"]) await put("it-types", pk);
  const arn = await latestStreamArn(server, "it-types");
  const latest = await iteratorOf(server, arn, "LATEST");
  assert.ok(latest.startsWith(`${arn}|1|`));
  const first = await keysRead(await iteratorOf(server, arn, "TRIM_HORIZON"), 2);
  assert.deepEqual(first.keys, ["a", "b"]);
  const second = await keysRead(first.page.NextShardIterator as string);
  assert.deepEqual(second.keys, ["c"]);
  const bSequence = first.page.Records?.[1].dynamodb?.SequenceNumber as string;
  assert.deepEqual((await keysRead(await iteratorOf(server, arn, "AT_SEQUENCE_NUMBER", bSequence))).keys, ["b", "c"]);
  assert.deepEqual((await keysRead(await iteratorOf(server, arn, "AFTER_SEQUENCE_NUMBER", bSequence))).keys, ["c"]);
  // An open shard always has a next iterator, also after an empty page; it sees records written later.
  const empty = await keysRead(second.page.NextShardIterator as string);
  assert.deepEqual(empty.keys, []);
  assert.ok(empty.page.NextShardIterator);
  await put("it-types", "d");
  assert.deepEqual((await keysRead(empty.page.NextShardIterator as string)).keys, ["d"]);
  assert.deepEqual((await keysRead(latest)).keys, ["d"]);
  const { StreamDescription } = await streamsClient(server).send(new DescribeStreamCommand({ StreamArn: arn }));
  const start = StreamDescription?.Shards?.[0].SequenceNumberRange?.StartingSequenceNumber as string;
  assert.ok(BigInt(start) < BigInt(bSequence));
  assert.deepEqual((await keysRead(await iteratorOf(server, arn, "AT_SEQUENCE_NUMBER", start))).keys, ["a", "b", "c", "d"]);
});

test("GetShardIterator errors: unknown stream or shard, missing, superfluous and foreign sequence numbers", async () => {
  await createTable(server, "it-errors", undefined, { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } });
  await put("it-errors", "a");
  const streams = streamsClient(server);
  const arn = await latestStreamArn(server, "it-errors");
  const ShardId = await shardIdOf(server, arn);
  const request = (input: Partial<ConstructorParameters<typeof GetShardIteratorCommand>[0]>) =>
    streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId, ShardIteratorType: "TRIM_HORIZON", ...input }));
  const missingStream = `${arn.slice(0, -3)}999`;
  const noStream = await rejectsWith(request({ StreamArn: missingStream }), "ResourceNotFoundException", 400);
  assert.equal(noStream.message, `Requested resource not found: Stream: ${missingStream} not found`);
  await rejectsWith(request({ ShardId: "shardId-00000000000000000000-00000000" }), "ResourceNotFoundException", 400);
  const missing = await rejectsWith(request({ ShardIteratorType: "AT_SEQUENCE_NUMBER" }), "ValidationException", 400);
  assert.match(missing.message, /SequenceNumber is required/);
  await rejectsWith(request({ SequenceNumber: "1".repeat(22) }), "ValidationException", 400);
  const short = await rejectsWith(request({ ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: "123" }), "ValidationException", 400);
  assert.match(short.message, /at 'sequenceNumber' failed to satisfy constraint: Member must have length greater than or equal to 21/);
  const beyond = await rejectsWith(
    request({ ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: "9".repeat(30) }),
    "ValidationException",
    400,
  );
  assert.match(beyond.message, /Invalid SequenceNumber/);
  await rejectsWith(request({ ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: "x".repeat(22) }), "ValidationException", 400);
  await rejectsWith(request({ ShardIteratorType: "FIRST" as never }), "ValidationException", 400);
  await rejectsWith(streams.send(new DescribeStreamCommand({ StreamArn: missingStream })), "ResourceNotFoundException", 400);
});

test("GetRecords errors: Limit range, malformed iterators", async () => {
  await createTable(server, "it-records", undefined, { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } });
  const streams = streamsClient(server);
  const iterator = await iteratorOf(server, await latestStreamArn(server, "it-records"), "TRIM_HORIZON");
  for (const Limit of [0, 1001]) {
    await rejectsWith(streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit })), "ValidationException", 400);
  }
  for (const ShardIterator of ["garbage", `${iterator.split("|1|")[0]}|1|bm90IGpzb24=`]) {
    const error = await rejectsWith(streams.send(new GetRecordsCommand({ ShardIterator })), "ValidationException", 400);
    assert.equal(error.message, "Invalid ShardIterator");
  }
  assert.deepEqual((await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }))).Records, []);
});

test("iterators expire after 15 minutes", async () => {
  await createTable(server, "it-expiry", undefined, { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } });
  await put("it-expiry", "a");
  const iterator = await iteratorOf(server, await latestStreamArn(server, "it-expiry"), "TRIM_HORIZON");
  const streams = streamsClient(server);
  const fresh = await later(14 * 60_000, () => streams.send(new GetRecordsCommand({ ShardIterator: iterator })));
  assert.equal(fresh.Records?.length, 1);
  const error = await later(16 * 60_000, () =>
    rejectsWith(streams.send(new GetRecordsCommand({ ShardIterator: iterator })), "ExpiredIteratorException", 400),
  );
  assert.match(error.message, /The iterator is valid for 15 minutes/);
});

test("records are trimmed after 24 hours; a disabled stream is gone after 24 hours", async () => {
  const { ddb } = clients(server);
  await createTable(server, "it-trim", undefined, { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } });
  await put("it-trim", "old");
  const arn = await latestStreamArn(server, "it-trim");
  const streams = streamsClient(server);
  const oldPage = await streams.send(new GetRecordsCommand({ ShardIterator: await iteratorOf(server, arn, "TRIM_HORIZON") }));
  const oldSequence = oldPage.Records?.[0].dynamodb?.SequenceNumber as string;
  const day = 24 * 3600_000;
  await later(day + 60_000, async () => {
    await put("it-trim", "new");
    // TRIM_HORIZON moves past the trimmed record; an iterator pointing at it fails.
    const { keys } = await keysRead(await iteratorOf(server, arn, "TRIM_HORIZON"));
    assert.deepEqual(keys, ["new"]);
    await rejectsWith(iteratorOf(server, arn, "AT_SEQUENCE_NUMBER", oldSequence), "TrimmedDataAccessException", 400);
    assert.deepEqual((await keysRead(await iteratorOf(server, arn, "AFTER_SEQUENCE_NUMBER", oldSequence))).keys, ["new"]);
    await ddb.send(new UpdateTableCommand({ TableName: "it-trim", StreamSpecification: { StreamEnabled: false } }));
  });
  await later(2 * day + 90_000, async () => {
    await rejectsWith(streams.send(new DescribeStreamCommand({ StreamArn: arn })), "ResourceNotFoundException", 400);
    const listed = await streams.send(new ListStreamsCommand({ TableName: "it-trim" }));
    assert.deepEqual(listed.Streams, []);
  });
});

test("a held iterator fails once the records it points at were trimmed", async () => {
  await createTable(server, "it-held", undefined, { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } });
  await put("it-held", "a");
  const arn = await latestStreamArn(server, "it-held");
  const iterator = await iteratorOf(server, arn, "AT_SEQUENCE_NUMBER", await firstSequence(arn));
  await later(24 * 3600_000 + 60_000, async () => {
    const horizon = await iteratorOf(server, arn, "TRIM_HORIZON");
    assert.deepEqual((await keysRead(horizon)).keys, []);
  });
  // Not expired (the clock is back), but its record is gone.
  await rejectsWith(streamsClient(server).send(new GetRecordsCommand({ ShardIterator: iterator })), "TrimmedDataAccessException", 400);
});

async function firstSequence(arn: string): Promise<string> {
  const page = await streamsClient(server).send(new GetRecordsCommand({ ShardIterator: await iteratorOf(server, arn, "TRIM_HORIZON") }));
  return page.Records?.[0].dynamodb?.SequenceNumber as string;
}
