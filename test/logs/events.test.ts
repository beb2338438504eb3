import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const logs = () => new CloudWatchLogsClient(server.clientConfig());

async function groupWithStreams(group: string, ...streams: string[]) {
  const client = logs();
  await client.send(new CreateLogGroupCommand({ logGroupName: group }));
  for (const s of streams) await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
  return client;
}

test("CreateLogStream / DescribeLogStreams: name order, prefix, LastEventTime order, pagination", async () => {
  const client = await groupWithStreams("/streams", "b", "a", "c-1", "c-2");
  await rejectsWith(
    client.send(new CreateLogStreamCommand({ logGroupName: "/streams", logStreamName: "a" })),
    "ResourceAlreadyExistsException",
    400,
  );
  await rejectsWith(
    client.send(new CreateLogStreamCommand({ logGroupName: "/none", logStreamName: "a" })),
    "ResourceNotFoundException",
    400,
  );
  await rejectsWith(
    client.send(new CreateLogStreamCommand({ logGroupName: "/streams", logStreamName: "x:y" })),
    "ValidationException",
    400,
  );
  const all = await client.send(new DescribeLogStreamsCommand({ logGroupName: "/streams" }));
  assert.deepEqual(
    all.logStreams?.map((s) => s.logStreamName),
    ["a", "b", "c-1", "c-2"],
  );
  assert.equal(all.logStreams?.[0].arn, "arn:aws:logs:us-east-1:000000000000:log-group:/streams:log-stream:a");
  const prefixed = await client.send(
    new DescribeLogStreamsCommand({ logGroupName: "/streams", logStreamNamePrefix: "c-", descending: true }),
  );
  assert.deepEqual(
    prefixed.logStreams?.map((s) => s.logStreamName),
    ["c-2", "c-1"],
  );
  const now = Date.now();
  await client.send(
    new PutLogEventsCommand({ logGroupName: "/streams", logStreamName: "b", logEvents: [{ timestamp: now - 1000, message: "old" }] }),
  );
  await client.send(
    new PutLogEventsCommand({ logGroupName: "/streams", logStreamName: "a", logEvents: [{ timestamp: now, message: "new" }] }),
  );
  const byTime = await client.send(new DescribeLogStreamsCommand({ logGroupName: "/streams", orderBy: "LastEventTime", descending: true }));
  assert.deepEqual(
    byTime.logStreams?.slice(0, 2).map((s) => s.logStreamName),
    ["a", "b"],
  );
  assert.equal(byTime.logStreams?.[0].lastEventTimestamp, now);
  await rejectsWith(
    client.send(new DescribeLogStreamsCommand({ logGroupName: "/streams", orderBy: "LastEventTime", logStreamNamePrefix: "c" })),
    "InvalidParameterException",
    400,
  );
  const first = await client.send(new DescribeLogStreamsCommand({ logGroupName: "/streams", limit: 3 }));
  assert.equal(first.logStreams?.length, 3);
  const second = await client.send(new DescribeLogStreamsCommand({ logGroupName: "/streams", limit: 3, nextToken: first.nextToken }));
  assert.deepEqual(
    second.logStreams?.map((s) => s.logStreamName),
    ["c-2"],
  );
  assert.equal(second.nextToken, undefined);
  await client.send(new DeleteLogStreamCommand({ logGroupName: "/streams", logStreamName: "a" }));
  await rejectsWith(
    client.send(new GetLogEventsCommand({ logGroupName: "/streams", logStreamName: "a" })),
    "ResourceNotFoundException",
    400,
  );
  await rejectsWith(
    client.send(new DeleteLogStreamCommand({ logGroupName: "/streams", logStreamName: "a" })),
    "ResourceNotFoundException",
    400,
  );
});

test("PutLogEvents enforces AWS's batch rules and reports rejected events", async () => {
  const client = await groupWithStreams("/put", "s");
  const now = Date.now();
  const put = (logEvents: { timestamp: number; message: string }[]) =>
    client.send(new PutLogEventsCommand({ logGroupName: "/put", logStreamName: "s", logEvents }));
  const ok = await put([{ timestamp: now, message: "one" }]);
  assert.ok(ok.nextSequenceToken);
  assert.equal(ok.rejectedLogEventsInfo, undefined);
  const unordered = await rejectsWith(
    put([
      { timestamp: now, message: "b" },
      { timestamp: now - 1, message: "a" },
    ]),
    "InvalidParameterException",
    400,
  );
  assert.match(unordered.message, /chronological order/);
  await rejectsWith(
    put([
      { timestamp: now - 25 * 3_600_000, message: "a" },
      { timestamp: now, message: "b" },
    ]),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(put([]), "ValidationException", 400);
  await rejectsWith(put(Array.from({ length: 10_001 }, () => ({ timestamp: now, message: "x" }))), "ValidationException", 400);
  // 1,048,576 bytes counts 26 bytes of overhead per event: two 524,262-byte messages fit, one more byte does not.
  const half = 1_048_576 / 2 - 26;
  await put([
    { timestamp: now, message: "a".repeat(half) },
    { timestamp: now, message: "b".repeat(half) },
  ]);
  const tooBig = await rejectsWith(
    put([
      { timestamp: now, message: "a".repeat(half + 1) },
      { timestamp: now, message: "b".repeat(half) },
    ]),
    "InvalidParameterException",
    400,
  );
  assert.match(tooBig.message, /1048576/);
  const mixed = await put([
    { timestamp: now - 15 * 86_400_000 + 3_600_000, message: "too old" },
    { timestamp: now - 15 * 86_400_000 + 7_200_000, message: "too old too" },
    { timestamp: now - 14 * 86_400_000 + 3_600_000, message: "kept" },
  ]);
  assert.deepEqual(mixed.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
  const future = await put([
    { timestamp: now, message: "kept too" },
    { timestamp: now + 3 * 3_600_000, message: "too new" },
  ]);
  assert.deepEqual(future.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
  const stored = await client.send(new GetLogEventsCommand({ logGroupName: "/put", logStreamName: "s", startFromHead: true }));
  const messages = stored.events?.map((e) => e.message?.slice(0, 10));
  assert.deepEqual(messages, ["kept", "one", "aaaaaaaaaa", "bbbbbbbbbb", "kept too"]);
  await rejectsWith(
    client.send(new PutLogEventsCommand({ logGroupName: "/put", logStreamName: "nope", logEvents: [{ timestamp: now, message: "x" }] })),
    "ResourceNotFoundException",
    400,
  );
});

test("GetLogEvents pages forwards and backwards with f/ and b/ tokens", async () => {
  const client = await groupWithStreams("/get", "s");
  const base = Date.now() - 60_000;
  const logEvents = Array.from({ length: 10 }, (_, i) => ({ timestamp: base + i, message: `m${i}` }));
  await client.send(new PutLogEventsCommand({ logGroupName: "/get", logStreamName: "s", logEvents }));
  const tail = await client.send(new GetLogEventsCommand({ logGroupName: "/get", logStreamName: "s", limit: 3 }));
  assert.deepEqual(
    tail.events?.map((e) => e.message),
    ["m7", "m8", "m9"],
  );
  assert.match(tail.nextForwardToken ?? "", /^f\/\d{56}$/);
  assert.match(tail.nextBackwardToken ?? "", /^b\/\d{56}$/);
  const before = await client.send(
    new GetLogEventsCommand({ logGroupName: "/get", logStreamName: "s", limit: 3, nextToken: tail.nextBackwardToken }),
  );
  assert.deepEqual(
    before.events?.map((e) => e.message),
    ["m4", "m5", "m6"],
  );
  const head = await client.send(new GetLogEventsCommand({ logGroupName: "/get", logStreamName: "s", limit: 4, startFromHead: true }));
  assert.deepEqual(
    head.events?.map((e) => e.message),
    ["m0", "m1", "m2", "m3"],
  );
  const next = await client.send(
    new GetLogEventsCommand({ logGroupName: "/get", logStreamName: "s", limit: 4, nextToken: head.nextForwardToken }),
  );
  assert.deepEqual(
    next.events?.map((e) => e.message),
    ["m4", "m5", "m6", "m7"],
  );
  const end = await client.send(new GetLogEventsCommand({ logGroupName: "/get", logStreamName: "s", nextToken: tail.nextForwardToken }));
  assert.deepEqual(end.events, []);
  assert.equal(end.nextForwardToken, tail.nextForwardToken, "at the end the same forward token comes back");
  const ranged = await client.send(
    new GetLogEventsCommand({ logGroupName: "/get", logStreamName: "s", startTime: base + 2, endTime: base + 4, startFromHead: true }),
  );
  assert.deepEqual(
    ranged.events?.map((e) => e.message),
    ["m2", "m3"],
  );
  await rejectsWith(
    client.send(new GetLogEventsCommand({ logGroupName: "/get", logStreamName: "s", nextToken: "bogus" })),
    "InvalidParameterException",
    400,
  );
});

test("FilterLogEvents: terms, phrases, exclusions, ?OR, JSON patterns, stream selection, pagination", async () => {
  const client = await groupWithStreams("/filter", "one", "two");
  const t = Date.now() - 10_000;
  await client.send(
    new PutLogEventsCommand({
      logGroupName: "/filter",
      logStreamName: "one",
      logEvents: [
        { timestamp: t, message: "ERROR disk full" },
        { timestamp: t + 2, message: "WARN out of memory soon" },
        { timestamp: t + 4, message: '{"level":"error","latency":250,"user":{"id":"u-17"},"ok":false}' },
      ],
    }),
  );
  await client.send(
    new PutLogEventsCommand({
      logGroupName: "/filter",
      logStreamName: "two",
      logEvents: [
        { timestamp: t + 1, message: "ERROR out of memory" },
        { timestamp: t + 3, message: "INFO all good" },
        { timestamp: t + 5, message: '{"level":"info","latency":20,"user":{"id":"u-2"},"ok":true}' },
      ],
    }),
  );
  const filter = async (filterPattern?: string, extra: Record<string, unknown> = {}) =>
    (await client.send(new FilterLogEventsCommand({ logGroupName: "/filter", filterPattern, ...extra }))).events?.map((e) => e.message) ??
    [];
  assert.equal((await filter()).length, 6);
  assert.deepEqual(await filter("ERROR"), ["ERROR disk full", "ERROR out of memory"]);
  assert.deepEqual(await filter('"out of memory"'), ["ERROR out of memory", "WARN out of memory soon"]);
  assert.deepEqual(await filter('ERROR -"disk"'), ["ERROR out of memory"]);
  assert.deepEqual(await filter("?WARN ?INFO"), ["WARN out of memory soon", "INFO all good"]);
  assert.deepEqual(await filter('{ $.level = "error" }'), ['{"level":"error","latency":250,"user":{"id":"u-17"},"ok":false}']);
  assert.equal((await filter("{ $.latency > 100 }")).length, 1);
  assert.equal((await filter("{ $.latency >= 20 && $.ok IS TRUE }")).length, 1);
  assert.equal((await filter('{ ($.level = "info") || ($.user.id = "u-1*") }')).length, 2);
  assert.equal((await filter('{ $.level != "error" }')).length, 1);
  assert.equal((await filter("{ $.missing NOT EXISTS }")).length, 2);
  assert.deepEqual(await filter("ERROR", { logStreamNames: ["two"] }), ["ERROR out of memory"]);
  assert.deepEqual(await filter(undefined, { logStreamNamePrefix: "tw", startTime: t + 2, endTime: t + 3 }), ["INFO all good"]);
  await rejectsWith(
    client.send(new FilterLogEventsCommand({ logGroupName: "/filter", filterPattern: "{ $.level = " })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(
    client.send(new FilterLogEventsCommand({ logGroupName: "/filter", filterPattern: '"unclosed' })),
    "InvalidParameterException",
    400,
  );
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new FilterLogEventsCommand({ logGroupName: "/filter", limit: 4, nextToken }));
    for (const e of page.events ?? []) {
      assert.ok(e.eventId && e.logStreamName && e.ingestionTime);
      seen.push(e.message as string);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  assert.equal(seen.length, 6);
  assert.equal(new Set(seen).size, 6);
});

test("retention policies take only AWS's values; tags by group name and by ARN; DeleteLogGroup drops its streams", async () => {
  const client = await groupWithStreams("/settings", "s");
  await client.send(new PutRetentionPolicyCommand({ logGroupName: "/settings", retentionInDays: 14 }));
  let group = (await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/settings" }))).logGroups?.[0];
  assert.equal(group?.retentionInDays, 14);
  await rejectsWith(
    client.send(new PutRetentionPolicyCommand({ logGroupName: "/settings", retentionInDays: 2 })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    client.send(new PutRetentionPolicyCommand({ logGroupName: "/nope", retentionInDays: 1 })),
    "ResourceNotFoundException",
    400,
  );
  await client.send(new DeleteRetentionPolicyCommand({ logGroupName: "/settings" }));
  group = (await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/settings" }))).logGroups?.[0];
  assert.equal(group?.retentionInDays, undefined);

  await client.send(new TagLogGroupCommand({ logGroupName: "/settings", tags: { team: "a", env: "dev" } }));
  await client.send(new UntagLogGroupCommand({ logGroupName: "/settings", tags: ["env"] }));
  assert.deepEqual((await client.send(new ListTagsLogGroupCommand({ logGroupName: "/settings" }))).tags, { team: "a" });
  const arn = group?.logGroupArn as string;
  await client.send(new TagResourceCommand({ resourceArn: arn, tags: { cost: "42" } }));
  await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["team"] }));
  assert.deepEqual((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { cost: "42" });
  await rejectsWith(client.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-missing` })), "ResourceNotFoundException", 400);
  await rejectsWith(client.send(new TagLogGroupCommand({ logGroupName: "/nope", tags: { a: "b" } })), "ResourceNotFoundException", 400);

  await client.send(new DeleteLogGroupCommand({ logGroupName: "/settings" }));
  await client.send(new CreateLogGroupCommand({ logGroupName: "/settings" }));
  const streams = await client.send(new DescribeLogStreamsCommand({ logGroupName: "/settings" }));
  assert.deepEqual(streams.logStreams, []);
});
