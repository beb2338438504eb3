import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { decode, encode } from "cborg";
import { useServer } from "../helpers.js";

/**
 * Kinesis over CBOR, as the AWS SDK for Java and the KCL send it by default: raw requests whose bodies are
 * written the way Jackson's CBOR generator writes them for the SDK (indefinite-length maps, blobs as byte
 * strings, timestamps as tag 1 holding epoch milliseconds), and the CBOR answers read back byte for byte.
 */
const server = useServer();
const CBOR = "application/x-amz-cbor-1.1";

/** A tag-1 value seen on the wire, kept apart from plain numbers to check that the server tagged it. */
class Tagged1 {
  constructor(readonly value: unknown) {}
}

/** Jackson style: maps as 0xbf … 0xff, scalars as cborg writes them, Dates as tag 1 (0xc1) + epoch millis. */
function javaCbor(value: unknown): Buffer {
  if (value instanceof Date) return Buffer.concat([Buffer.from([0xc1]), Buffer.from(encode(value.getTime()))]);
  if (Buffer.isBuffer(value) || typeof value !== "object" || value === null) return Buffer.from(encode(value));
  if (Array.isArray(value)) return Buffer.concat([Buffer.from([0x9f]), ...value.map(javaCbor), Buffer.from([0xff])]);
  const entries = Object.entries(value).flatMap(([k, v]) => [Buffer.from(encode(k)), javaCbor(v)]);
  return Buffer.concat([Buffer.from([0xbf]), ...entries, Buffer.from([0xff])]);
}

interface CborResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  document: Record<string, unknown>;
}

async function send(target: string, body: Buffer | string, contentType = CBOR): Promise<CborResponse> {
  const res = await fetch(server.endpoint, {
    method: "POST",
    headers: {
      "content-type": contentType,
      "x-amz-target": `Kinesis_20131202.${target}`,
      "x-amz-date": "20240101T000000Z",
      authorization: `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`,
    },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const isCbor = res.headers.get("content-type") === CBOR;
  const document = isCbor
    ? decode(bytes, { tags: { 1: (content: () => unknown) => new Tagged1(content()) } })
    : JSON.parse(bytes.toString());
  return { status: res.status, headers: res.headers, body: bytes, document };
}

/** A CBOR call expected to succeed, its answer in CBOR. */
async function call(target: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await send(target, javaCbor(input));
  assert.equal(res.status, 200, `${target}: ${JSON.stringify(res.document)}`);
  assert.equal(res.headers.get("content-type"), CBOR);
  assert.equal(res.headers.get("content-length"), String(res.body.length));
  return res.document;
}

/** A CBOR error: the status, a CBOR map with `__type` and `message`, and the error-type header. */
function assertCborError(res: CborResponse, status: number, code: string): string {
  assert.equal(res.status, status, JSON.stringify(res.document));
  assert.equal(res.headers.get("content-type"), CBOR);
  assert.equal(res.headers.get("x-amzn-errortype"), code);
  assert.match(String(res.headers.get("x-amzn-requestid")), /^[0-9a-f-]{36}$/);
  assert.equal(String(res.document.__type).split("#").pop(), code);
  assert.equal(typeof res.document.message, "string");
  return res.document.message as string;
}

async function createStream(name: string): Promise<string> {
  assert.deepEqual(await call("CreateStream", { StreamName: name, ShardCount: 1 }), {});
  const { Shards } = await call("ListShards", { StreamName: name });
  return (Shards as { ShardId: string }[])[0].ShardId;
}

function millisOf(timestamp: unknown): number {
  assert.ok(timestamp instanceof Tagged1, `not a tag-1 timestamp: ${String(timestamp)}`);
  assert.ok(Number.isInteger(timestamp.value), `tag 1 holds epoch milliseconds, got ${String(timestamp.value)}`);
  return timestamp.value as number;
}

test("PutRecord, GetShardIterator and GetRecords in CBOR: Data as byte strings, arrival times as tag 1 milliseconds", async () => {
  const before = Date.now();
  const shardId = await createStream("cbor-records");
  const data = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
  const put = await call("PutRecord", { StreamName: "cbor-records", PartitionKey: "pk", Data: data });
  assert.equal(put.ShardId, shardId);
  assert.match(put.SequenceNumber as string, /^\d{56}$/);
  const { ShardIterator } = await call("GetShardIterator", {
    StreamName: "cbor-records",
    ShardId: shardId,
    ShardIteratorType: "TRIM_HORIZON",
  });
  assert.equal(typeof ShardIterator, "string");
  const out = await call("GetRecords", { ShardIterator, Limit: 10 });
  const records = out.Records as Record<string, unknown>[];
  assert.equal(records.length, 1);
  assert.ok(records[0].Data instanceof Uint8Array, "Data is a CBOR byte string, not base64 text");
  assert.deepEqual(Buffer.from(records[0].Data), data);
  assert.equal(records[0].PartitionKey, "pk");
  assert.equal(records[0].SequenceNumber, put.SequenceNumber);
  const arrival = millisOf(records[0].ApproximateArrivalTimestamp);
  assert.ok(arrival >= before - 1000 && arrival <= Date.now() + 1000, `arrival ${arrival} is not around now`);
  assert.equal(typeof out.NextShardIterator, "string");
  assert.equal(out.MillisBehindLatest, 0);
});

test("a tag-1 Timestamp in a request counts milliseconds, as the Java SDK sends it (AT_TIMESTAMP)", async () => {
  const shardId = await createStream("cbor-at-timestamp");
  await call("PutRecord", { StreamName: "cbor-at-timestamp", PartitionKey: "pk", Data: Buffer.from("first") });
  await sleep(50);
  await call("PutRecord", { StreamName: "cbor-at-timestamp", PartitionKey: "pk", Data: Buffer.from("second") });
  const iterator = async (input: Record<string, unknown>) =>
    (await call("GetShardIterator", { StreamName: "cbor-at-timestamp", ShardId: shardId, ...input })).ShardIterator;
  const all = await call("GetRecords", { ShardIterator: await iterator({ ShardIteratorType: "TRIM_HORIZON" }) });
  const second = (all.Records as Record<string, unknown>[])[1];
  const at = new Date(millisOf(second.ApproximateArrivalTimestamp));
  const from = await call("GetRecords", { ShardIterator: await iterator({ ShardIteratorType: "AT_TIMESTAMP", Timestamp: at }) });
  assert.deepEqual(
    (from.Records as { Data: Uint8Array }[]).map((r) => Buffer.from(r.Data).toString()),
    ["second"],
  );
  // AWS's error text prints the milliseconds it read: tag 1 holds milliseconds, and so does an untagged number.
  const inAnHour = Date.now() + 3_600_000;
  for (const Timestamp of [new Date(inAnHour), inAnHour]) {
    const input = { StreamName: "cbor-at-timestamp", ShardId: shardId, ShardIteratorType: "AT_TIMESTAMP", Timestamp };
    const message = assertCborError(await send("GetShardIterator", javaCbor(input)), 400, "InvalidArgumentException");
    assert.match(message, new RegExp(`cannot be greater than the currentTimestampInMillis. timestampInMillis: ${inAnHour},`));
  }
});

test("DescribeStreamSummary answers its creation timestamp as tag 1 and counts as CBOR", async () => {
  const before = Date.now();
  await createStream("cbor-summary");
  const { StreamDescriptionSummary: summary } = (await call("DescribeStreamSummary", { StreamName: "cbor-summary" })) as {
    StreamDescriptionSummary: Record<string, unknown>;
  };
  assert.equal(summary.StreamName, "cbor-summary");
  assert.equal(summary.OpenShardCount, 1);
  assert.equal(summary.RetentionPeriodHours, 24);
  const created = millisOf(summary.StreamCreationTimestamp);
  assert.ok(created >= before - 1000 && created <= Date.now() + 1000);
});

test("chunked (indefinite-length) strings and byte strings, as Jackson writes long ones, are joined", async () => {
  const shardId = await createStream("cbor-chunked");
  const chunkedText = Buffer.concat([
    Buffer.from([0x7f]),
    ...["par", "tition-", "key"].map((s) => Buffer.from(encode(s))),
    Buffer.from([0xff]),
  ]);
  const chunkedBytes = Buffer.concat([
    Buffer.from([0x5f]),
    Buffer.from(encode(Buffer.from("hello "))),
    Buffer.from(encode(Buffer.from("world"))),
    Buffer.from([0xff]),
  ]);
  const body = Buffer.concat([
    Buffer.from([0xbf]),
    Buffer.from(encode("StreamName")),
    Buffer.from(encode("cbor-chunked")),
    Buffer.from(encode("PartitionKey")),
    chunkedText,
    Buffer.from(encode("Data")),
    chunkedBytes,
    Buffer.from([0xff]),
  ]);
  const put = await send("PutRecord", body);
  assert.equal(put.status, 200, JSON.stringify(put.document));
  const { ShardIterator } = await call("GetShardIterator", {
    StreamName: "cbor-chunked",
    ShardId: shardId,
    ShardIteratorType: "TRIM_HORIZON",
  });
  const [record] = (await call("GetRecords", { ShardIterator })).Records as { Data: Uint8Array; PartitionKey: string }[];
  assert.equal(record.PartitionKey, "partition-key");
  assert.equal(Buffer.from(record.Data).toString(), "hello world");
});

test("service errors are CBOR maps with __type and message and the modeled status", async () => {
  const missing = await send("DescribeStreamSummary", javaCbor({ StreamName: "no-such-stream" }));
  assert.match(assertCborError(missing, 400, "ResourceNotFoundException"), /no-such-stream/);
  const invalid = await send("CreateStream", javaCbor({ StreamName: "bad name!", ShardCount: 1 }));
  assert.match(assertCborError(invalid, 400, "ValidationException"), /streamName/);
  const unknown = await send("NoSuchOperation", javaCbor({}));
  assertCborError(unknown, 400, "UnknownOperationException");
});

test("malformed CBOR and ill-typed members are SerializationExceptions in CBOR, never a 500", async () => {
  const cases: [string, Buffer][] = [
    ["truncated map", Buffer.from([0xbf, 0x6a, 0x53, 0x74])],
    ["reserved byte", Buffer.from([0x1c])],
    ["trailing bytes", Buffer.concat([javaCbor({ StreamName: "x" }), Buffer.from([0x01])])],
    ["a list at the top", javaCbor(["StreamName"])],
    ["a string at the top", javaCbor("hello")],
    ["unknown tag", Buffer.concat([Buffer.from([0xbf]), Buffer.from(encode("StreamName")), Buffer.from([0xd8, 0x63, 0x61, 0x78, 0xff])])],
    ["text, not base64, where a blob is due", javaCbor({ StreamName: "x", PartitionKey: "pk", Data: "not base64!" })],
    ["bytes where a string is due", javaCbor({ StreamName: Buffer.from("x"), PartitionKey: "pk", Data: Buffer.from("d") })],
    [
      "a string in tag 1",
      Buffer.concat([
        Buffer.from([0xbf]),
        Buffer.from(encode("Timestamp")),
        Buffer.from([0xc1]),
        Buffer.from(encode("now")),
        Buffer.from([0xff]),
      ]),
    ],
    ["chunk of the wrong type", Buffer.from([0xbf, 0x7f, 0x41, 0x61, 0xff, 0x61, 0x62, 0xff])],
    ["unterminated chunked string", Buffer.from([0xbf, 0x7f, 0x61, 0x61])],
  ];
  for (const [what, body] of cases) {
    const target = what === "a string in tag 1" ? "GetShardIterator" : "PutRecord";
    const res = await send(target, body);
    assert.equal(String(res.document.__type).split("#").pop(), "SerializationException", `${what}: ${JSON.stringify(res.document)}`);
    assertCborError(res, 400, "SerializationException");
  }
});

test("an empty CBOR body is an empty input, checked like JSON's", async () => {
  const res = await send("ListStreams", Buffer.alloc(0));
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(res.document.StreamNames));
  const missing = await send("DescribeStreamSummary", Buffer.alloc(0));
  const asJson = await send("DescribeStreamSummary", "{}", "application/x-amz-json-1.1");
  const code = String(asJson.document.__type).split("#").pop() as string;
  assert.equal(asJson.status, 400);
  assert.equal(assertCborError(missing, 400, code), asJson.document.message);
});

test("the same flows still answer in JSON: raw awsJson 1.1 requests and the JS SDK", async () => {
  const json = "application/x-amz-json-1.1";
  const created = await send("CreateStream", JSON.stringify({ StreamName: "json-still", ShardCount: 1 }), json);
  assert.equal(created.status, 200);
  assert.equal(created.headers.get("content-type"), json);
  const data = Buffer.from("json data");
  const put = await send(
    "PutRecord",
    JSON.stringify({ StreamName: "json-still", PartitionKey: "pk", Data: data.toString("base64") }),
    json,
  );
  assert.equal(put.status, 200);
  const shardId = put.document.ShardId as string;
  const kinesis = new KinesisClient(server.clientConfig());
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: "json-still", ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  await kinesis.send(new PutRecordCommand({ StreamName: "json-still", PartitionKey: "pk", Data: Buffer.from("sdk data") }));
  const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  assert.deepEqual(
    Records?.map((r) => Buffer.from(r.Data ?? []).toString()),
    ["json data", "sdk data"],
  );
  assert.ok(Records?.[0].ApproximateArrivalTimestamp instanceof Date);
  // Raw JSON answers carry epoch seconds and base64, not CBOR's milliseconds and bytes.
  const raw = await send("GetRecords", JSON.stringify({ ShardIterator }), json);
  const [first] = raw.document.Records as { Data: string; ApproximateArrivalTimestamp: number }[];
  assert.equal(first.Data, data.toString("base64"));
  assert.ok(Math.abs(first.ApproximateArrivalTimestamp - Date.now() / 1000) < 600);
  const malformed = await send("PutRecord", "{not json", json);
  assert.equal(malformed.status, 400);
  assert.equal(malformed.headers.get("content-type"), json);
  assert.equal(String(malformed.document.__type).split("#").pop(), "SerializationException");
});

test("CBOR goes to Kinesis only: another awsJson service answers a CBOR body in JSON, as a client error", async () => {
  const res = await fetch(server.endpoint, {
    method: "POST",
    headers: {
      "content-type": CBOR,
      "x-amz-target": "AmazonSQS.ListQueues",
      authorization: `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`,
    },
    body: new Uint8Array(javaCbor({})),
  });
  assert.equal(res.status, 400);
  assert.notEqual(res.headers.get("content-type"), CBOR);
  const document = (await res.json()) as { __type?: string };
  assert.match(String(document.__type), /SerializationException|InvalidParameterValue|MalformedQueryString|ValidationException/);
});
