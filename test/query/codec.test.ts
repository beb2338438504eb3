import assert from "node:assert/strict";
import { test } from "node:test";
import { awsQueryCodec, ec2QueryCodec } from "../../src/protocol/aws-query.js";
import type { Codec, CodecContext } from "../../src/protocol/codec.js";
import { AwsError } from "../../src/protocol/errors.js";
import type { HttpRequest } from "../../src/protocol/http.js";
import { loadModel } from "../../src/protocol/model.js";
import { childNamed, parseXml, type XmlElement } from "../../src/protocol/xml.js";

/**
 * The query codecs against the real service models, for the serialization rules the proof operations do
 * not reach: `.member.N` lists, `.entry.N` maps, flattened maps of structures, blobs, timestamps, EC2 lists.
 */

const ctx = (id: string, xmlNamespace?: string): CodecContext => ({ model: loadModel(id), requestId: "req-1", xmlNamespace });
const SQS_NS = "http://queue.amazonaws.com/doc/2012-11-05/";

function form(body: string, rawQuery = ""): HttpRequest {
  return {
    method: "POST",
    path: "/",
    rawQuery,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: Buffer.from(body),
  };
}

async function decode(codec: Codec, id: string, body: string) {
  return codec.decode(form(body), ctx(id, id === "sqs" ? SQS_NS : undefined));
}

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AwsError, `not an AwsError: ${String(err)}`);
    assert.equal(err.code, code);
    assert.ok((err.status ?? 400) >= 400 && (err.status ?? 400) < 500);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const text = (el: XmlElement | undefined) => el?.text;
/** parseXml drops namespace declarations, so the root's xmlns is read from the document text. */
const rootNamespace = (body: unknown) => /^<\?xml[^>]*\?><[\w]+ xmlns="([^"]+)"/.exec(String(body))?.[1];
const path = (el: XmlElement, ...names: string[]) => names.reduce<XmlElement | undefined>((e, n) => (e ? childNamed(e, n) : undefined), el);

test("awsQuery decodes `.member.N` lists of structures, numbers and nested lists (STS AssumeRole)", async () => {
  const { operation, input } = await decode(
    awsQueryCodec,
    "sts",
    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s+1" +
      "&DurationSeconds=900&PolicyArns.member.2.arn=arn%3Ab&PolicyArns.member.1.arn=arn%3Aa" +
      "&Tags.member.1.Key=team&Tags.member.1.Value=core&TransitiveTagKeys.member.1=team",
  );
  assert.equal(operation.name, "AssumeRole");
  assert.deepEqual(input, {
    RoleArn: "arn:aws:iam::111122223333:role/r",
    RoleSessionName: "s 1",
    DurationSeconds: 900,
    PolicyArns: [{ arn: "arn:a" }, { arn: "arn:b" }],
    Tags: [{ Key: "team", Value: "core" }],
    TransitiveTagKeys: ["team"],
  });
});

test("awsQuery decodes `.entry.N` maps with key/value names and structure values (SNS)", async () => {
  const created = await decode(
    awsQueryCodec,
    "sns",
    "Action=CreateTopic&Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Hi&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=false",
  );
  assert.deepEqual(created.input, { Name: "t", Attributes: { DisplayName: "Hi", FifoTopic: "false" } });
  const published = await decode(
    awsQueryCodec,
    "sns",
    "Action=Publish&Message=m&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String" +
      "&MessageAttributes.entry.1.Value.StringValue=red",
  );
  assert.deepEqual(published.input, { Message: "m", MessageAttributes: { color: { DataType: "String", StringValue: "red" } } });
});

test("awsQuery decodes flattened lists and maps under their xmlNames, and base64 blobs (SQS)", async () => {
  const sent = await decode(
    awsQueryCodec,
    "sqs",
    "Action=SendMessage&QueueUrl=u&MessageBody=b&DelaySeconds=3" +
      "&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Number&MessageAttribute.1.Value.StringValue=7" +
      "&MessageAttribute.2.Name=bin&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=aGk%3D",
  );
  const attrs = sent.input.MessageAttributes as Record<string, { BinaryValue?: Buffer }>;
  assert.deepEqual(attrs.n, { DataType: "Number", StringValue: "7" });
  assert.deepEqual(attrs.bin.BinaryValue, Buffer.from("hi"));
  assert.equal(sent.input.DelaySeconds, 3);
  const got = await decode(awsQueryCodec, "sqs", "Action=GetQueueAttributes&QueueUrl=u&AttributeName.1=All&AttributeName.2=DelaySeconds");
  assert.deepEqual(got.input, { QueueUrl: "u", AttributeNames: ["All", "DelaySeconds"] });
});

test("a map key named __proto__ is an ordinary key, not the object's prototype", async () => {
  const { input } = await decode(awsQueryCodec, "sqs", "Action=CreateQueue&QueueName=q&Attribute.1.Name=__proto__&Attribute.1.Value=x");
  const attributes = input.Attributes as Record<string, unknown>;
  assert.ok(Object.hasOwn(attributes, "__proto__"));
  assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
  assert.deepEqual(Object.entries(attributes), [["__proto__", "x"]]);
});

test("awsQuery merges URL and form parameters, and an empty `List=` is an empty list", async () => {
  const req = form("QueueUrl=u&AttributeName=", "Action=GetQueueAttributes&Version=2012-11-05");
  const { operation, input } = await awsQueryCodec.decode(req, ctx("sqs", SQS_NS));
  assert.equal(operation.name, "GetQueueAttributes");
  assert.deepEqual(input, { QueueUrl: "u", AttributeNames: [] });
});

test("awsQuery rejects unparseable values with InvalidParameterValue naming the parameter", async () => {
  await rejects(
    decode(awsQueryCodec, "sqs", "Action=ListQueues&MaxResults=ten"),
    "InvalidParameterValue",
    /\(ten\) for parameter MaxResults/,
  );
  await rejects(
    decode(
      awsQueryCodec,
      "sqs",
      "Action=SendMessage&QueueUrl=u&MessageBody=b&MessageAttribute.1.Name=x&MessageAttribute.1.Value.BinaryValue=%%%",
    ),
    "InvalidParameterValue",
    /MessageAttribute\.1\.Value\.BinaryValue/,
  );
  await rejects(
    decode(awsQueryCodec, "sqs", "Action=CreateQueue&QueueName=q&Attribute.1.Value=1"),
    "MissingParameter",
    /Attribute\.1\.Name/,
  );
});

test("ec2Query decodes ec2QueryNames, flat lists and capitalized xmlNames", async () => {
  const { input } = await decode(
    ec2QueryCodec,
    "ec2",
    "Action=DescribeInstances&Version=2016-11-15&InstanceId.2=i-2&InstanceId.1=i-1&Filter.1.Name=tag%3Aenv&Filter.1.Value.1=prod" +
      "&Filter.1.Value.2=dev&MaxResults=5&DryRun=TRUE&NextToken=t",
  );
  assert.deepEqual(input, {
    InstanceIds: ["i-1", "i-2"],
    Filters: [{ Name: "tag:env", Values: ["prod", "dev"] }],
    MaxResults: 5,
    DryRun: true,
    NextToken: "t",
  });
});

test("ec2Query rejects parameters it does not know, wherever they are", async () => {
  await rejects(
    decode(ec2QueryCodec, "ec2", "Action=DescribeRegions&Bogus=1"),
    "UnknownParameter",
    /^The parameter Bogus is not recognized$/,
  );
  await rejects(decode(ec2QueryCodec, "ec2", "Action=DescribeRegions&Filter.1.Nme=x"), "UnknownParameter", /Filter\.1\.Nme/);
  await rejects(decode(ec2QueryCodec, "ec2", "Action=DescribeRegions&RegionName.first=x"), "UnknownParameter", /RegionName\.first/);
  await rejects(decode(ec2QueryCodec, "ec2", "Action=DescribeRegions&RegionNames.member.1=x"), "UnknownParameter");
  await rejects(decode(ec2QueryCodec, "ec2", "Action=DescribeRegions&AllRegions=yes"), "InvalidParameterValue", /AllRegions/);
});

test("awsQuery encodes Result members, nested structures and ISO timestamps under the model's namespace", () => {
  const operation = loadModel("sts").operations.get("AssumeRole");
  assert.ok(operation);
  const expiration = new Date("2026-01-02T03:04:05Z");
  const res = awsQueryCodec.encode(
    operation,
    { Credentials: { AccessKeyId: "ASIA", SecretAccessKey: "s<&>", SessionToken: "t", Expiration: expiration }, PackedPolicySize: 6 },
    ctx("sts"),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers["content-type"], "text/xml");
  const root = parseXml(String(res.body));
  assert.equal(root.name, "AssumeRoleResponse");
  assert.equal(rootNamespace(res.body), "https://sts.amazonaws.com/doc/2011-06-15/");
  assert.equal(text(path(root, "AssumeRoleResult", "Credentials", "SecretAccessKey")), "s<&>");
  assert.equal(new Date(text(path(root, "AssumeRoleResult", "Credentials", "Expiration")) ?? "").getTime(), expiration.getTime());
  assert.equal(text(path(root, "AssumeRoleResult", "PackedPolicySize")), "6");
  assert.equal(text(path(root, "ResponseMetadata", "RequestId")), "req-1");
});

test("awsQuery encodes flattened lists and maps as repeated elements, others wrapped in member/entry", () => {
  const sqs = ctx("sqs", SQS_NS);
  const receive = sqs.model.operations.get("ReceiveMessage");
  assert.ok(receive);
  const res = awsQueryCodec.encode(
    receive,
    {
      Messages: [
        { MessageId: "m1", Body: "b", Attributes: { SenderId: "A", SentTimestamp: "1" } },
        { MessageId: "m2", Body: "c" },
      ],
    },
    sqs,
  );
  const result = path(parseXml(String(res.body)), "ReceiveMessageResult");
  assert.ok(result);
  const messages = result.children.filter((c) => c.name === "Message");
  assert.deepEqual(
    messages.map((m) => text(childNamed(m, "MessageId"))),
    ["m1", "m2"],
  );
  const attributes = messages[0].children.filter((c) => c.name === "Attribute");
  assert.deepEqual(
    attributes.map((a) => [text(childNamed(a, "Name")), text(childNamed(a, "Value"))]),
    [
      ["SenderId", "A"],
      ["SentTimestamp", "1"],
    ],
  );

  const sns = ctx("sns");
  const getAttributes = sns.model.operations.get("GetTopicAttributes");
  const listTopics = sns.model.operations.get("ListTopics");
  assert.ok(getAttributes && listTopics);
  const map = parseXml(String(awsQueryCodec.encode(getAttributes, { Attributes: { Owner: "1", Policy: "{}" } }, sns).body));
  const entries = path(map, "GetTopicAttributesResult", "Attributes")?.children ?? [];
  assert.deepEqual(
    entries.map((e) => [e.name, text(childNamed(e, "key")), text(childNamed(e, "value"))]),
    [
      ["entry", "Owner", "1"],
      ["entry", "Policy", "{}"],
    ],
  );
  const list = parseXml(String(awsQueryCodec.encode(listTopics, { Topics: [{ TopicArn: "arn:t" }] }, sns).body));
  assert.equal(text(path(list, "ListTopicsResult", "Topics", "member", "TopicArn")), "arn:t");
});

test("awsQuery answers operations without output with the response metadata alone", () => {
  const sqs = ctx("sqs", SQS_NS);
  const deleteQueue = sqs.model.operations.get("DeleteQueue");
  assert.ok(deleteQueue);
  const res = awsQueryCodec.encode(deleteQueue, undefined, sqs);
  const root = parseXml(String(res.body));
  assert.equal(root.name, "DeleteQueueResponse");
  assert.equal(rootNamespace(res.body), SQS_NS);
  assert.deepEqual(
    root.children.map((c) => c.name),
    ["ResponseMetadata"],
  );
});

test("awsQuery errors carry Type, the query error code, and SQS's Detail element", () => {
  const sqs = ctx("sqs", SQS_NS);
  const res = awsQueryCodec.encodeError(new AwsError("QueueDoesNotExist", "The specified queue does not exist."), sqs);
  assert.equal(res.status, 400);
  const root = parseXml(String(res.body));
  assert.equal(root.name, "ErrorResponse");
  assert.equal(rootNamespace(res.body), SQS_NS);
  assert.deepEqual(
    path(root, "Error")?.children.map((c) => [c.name, c.text]),
    [
      ["Type", "Sender"],
      ["Code", "AWS.SimpleQueueService.NonExistentQueue"],
      ["Message", "The specified queue does not exist."],
      ["Detail", ""],
    ],
  );
  assert.equal(text(childNamed(root, "RequestId")), "req-1");
  const internal = awsQueryCodec.encodeError(new AwsError("InternalFailure", "boom", { status: 500 }), ctx("sts"));
  assert.equal(internal.status, 500);
  assert.equal(text(path(parseXml(String(internal.body)), "Error", "Type")), "Receiver");
  assert.equal(path(parseXml(String(internal.body)), "Error", "Detail"), undefined);
});

test("ec2Query encodes requestId first, members by xmlName and lists as item elements", () => {
  const ec2 = ctx("ec2");
  const op = ec2.model.operations.get("DescribeRegions");
  assert.ok(op);
  const res = ec2QueryCodec.encode(
    op,
    { Regions: [{ RegionName: "us-east-1", Endpoint: "ec2.us-east-1.amazonaws.com", Geography: [{ Name: "USA" }] }] },
    ec2,
  );
  const root = parseXml(String(res.body));
  assert.equal(root.name, "DescribeRegionsResponse");
  assert.equal(rootNamespace(res.body), "http://ec2.amazonaws.com/doc/2016-11-15/");
  assert.equal(root.children[0].name, "requestId");
  assert.equal(root.children[0].text, "req-1");
  assert.equal(text(path(root, "regionInfo", "item", "regionName")), "us-east-1");
  assert.equal(text(path(root, "regionInfo", "item", "regionEndpoint")), "ec2.us-east-1.amazonaws.com");
  assert.equal(text(path(root, "regionInfo", "item", "geographySet", "item", "name")), "USA");
});

test("ec2Query errors are Response/Errors/Error with RequestID", () => {
  const res = ec2QueryCodec.encodeError(new AwsError("InvalidParameterValue", "bad", { status: 400 }), ctx("ec2"));
  assert.equal(res.status, 400);
  const root = parseXml(String(res.body));
  assert.equal(root.name, "Response");
  assert.equal(text(path(root, "Errors", "Error", "Code")), "InvalidParameterValue");
  assert.equal(text(path(root, "Errors", "Error", "Message")), "bad");
  assert.equal(text(childNamed(root, "RequestID")), "req-1");
});
