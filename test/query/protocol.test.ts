import assert from "node:assert/strict";
import { test } from "node:test";
import { childNamed, parseXml, type XmlElement } from "../../src/protocol/xml.js";
import { useServer } from "../helpers.js";

/** The query protocols over raw HTTP: response envelopes, and every kind of bad input as a 4xx XML error. */

const server = useServer();

const FORM = "application/x-www-form-urlencoded; charset=utf-8";

/** A SigV4-shaped Authorization header: signatures are not verified by default, but the scope routes the request. */
const authorization = (service: string, key = "test") =>
  `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`;

interface Reply {
  status: number;
  contentType: string;
  requestId: string;
  text: string;
  xml: XmlElement;
}

async function send(service: string, body: string, init: { path?: string; method?: string; contentType?: string } = {}): Promise<Reply> {
  const res = await fetch(server.endpoint + (init.path ?? "/"), {
    method: init.method ?? "POST",
    headers: { "content-type": init.contentType ?? FORM, authorization: authorization(service) },
    body: (init.method ?? "POST") === "GET" ? undefined : body,
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    requestId: res.headers.get("x-amzn-requestid") ?? "",
    text,
    xml: parseXml(text),
  };
}

const child = (el: XmlElement | undefined, ...names: string[]) => names.reduce((e, n) => (e ? childNamed(e, n) : undefined), el);
const textOf = (el: XmlElement | undefined, ...names: string[]) => child(el, ...names)?.text;

/** Asserts an awsQuery ErrorResponse and returns its Error element. */
function assertQueryError(reply: Reply, status: number, code: string, message?: string | RegExp): XmlElement {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.contentType, /^text\/xml/);
  assert.equal(reply.xml.name, "ErrorResponse");
  const error = childNamed(reply.xml, "Error");
  assert.ok(error, reply.text);
  assert.equal(textOf(error, "Type"), "Sender");
  assert.equal(textOf(error, "Code"), code);
  if (typeof message === "string") assert.equal(textOf(error, "Message"), message);
  else if (message) assert.match(textOf(error, "Message") ?? "", message);
  assert.equal(textOf(reply.xml, "RequestId"), reply.requestId);
  return error;
}

function assertEc2Error(reply: Reply, status: number, code: string, message?: string | RegExp): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.xml.name, "Response");
  assert.equal(textOf(reply.xml, "Errors", "Error", "Code"), code);
  if (typeof message === "string") assert.equal(textOf(reply.xml, "Errors", "Error", "Message"), message);
  else if (message) assert.match(textOf(reply.xml, "Errors", "Error", "Message") ?? "", message);
  assert.equal(textOf(reply.xml, "RequestID"), reply.requestId);
}

test("STS answers in the query envelope: Result, ResponseMetadata and its namespace", async () => {
  const reply = await send("sts", "Action=GetCallerIdentity&Version=2011-06-15");
  assert.equal(reply.status, 200);
  assert.equal(reply.contentType, "text/xml");
  assert.equal(reply.xml.name, "GetCallerIdentityResponse");
  assert.match(reply.text, /<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
  assert.equal(textOf(reply.xml, "GetCallerIdentityResult", "Account"), "000000000000");
  assert.equal(textOf(reply.xml, "GetCallerIdentityResult", "Arn"), "arn:aws:iam::000000000000:root");
  assert.equal(textOf(reply.xml, "ResponseMetadata", "RequestId"), reply.requestId);
});

test("a GET with the parameters in the query string is the same request", async () => {
  const reply = await send("sts", "", { method: "GET", path: "/?Action=GetCallerIdentity&Version=2011-06-15" });
  assert.equal(reply.status, 200);
  assert.equal(textOf(reply.xml, "GetCallerIdentityResult", "UserId"), "000000000000");
});

test("an unknown action is InvalidAction in each query dialect", async () => {
  assertQueryError(
    await send("sts", "Action=Frobnicate&Version=2011-06-15"),
    400,
    "InvalidAction",
    "Could not find operation Frobnicate for version 2011-06-15",
  );
  // Modelled but not implemented is the same answer: nothing is registered without real semantics.
  assertQueryError(await send("sts", "Action=GetScopedCredentials&Version=2011-06-15"), 400, "InvalidAction", /GetScopedCredentials/);
  const sqs = await send("sqs", "Action=Frobnicate&Version=2012-11-05");
  assertQueryError(sqs, 400, "InvalidAction", "The action Frobnicate is not valid for this endpoint.");
  assert.match(sqs.text, /<ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/">/);
  assertEc2Error(
    await send("ec2", "Action=Frobnicate&Version=2016-11-15"),
    400,
    "InvalidAction",
    "The action Frobnicate is not valid for this web service.",
  );
});

test("a request without an Action is MissingAction", async () => {
  assertQueryError(await send("sts", "Version=2011-06-15"), 400, "MissingAction");
  assertEc2Error(await send("ec2", "Version=2016-11-15"), 400, "MissingAction");
  assertEc2Error(await send("ec2", ""), 400, "MissingAction");
});

test("a malformed form body is a query error, not a crash", async () => {
  // A JSON document posted as a form has no Action parameter.
  assertQueryError(await send("sts", JSON.stringify({ Action: "GetCallerIdentity" })), 400, "MissingAction");
  // A form body under another content type is not read as parameters.
  assertQueryError(await send("sts", "Action=GetCallerIdentity", { contentType: "application/json" }), 400, "MissingAction");
  // Broken keys: empty segments, non-numeric list indexes, stray separators and percent escapes.
  assertEc2Error(
    await send("ec2", "Action=DescribeRegions&Version=2016-11-15&Filter..Name=x"),
    400,
    "UnknownParameter",
    "The parameter Filter..Name is not recognized",
  );
  assertEc2Error(
    await send("ec2", "Action=DescribeRegions&Version=2016-11-15&RegionName.one=us-east-1"),
    400,
    "UnknownParameter",
    /RegionName\.one/,
  );
  assertEc2Error(await send("ec2", "Action=DescribeRegions&Version=2016-11-15&%ZZ=1&&"), 400, "UnknownParameter", /%ZZ/);
  assertQueryError(
    await send("sqs", "Action=CreateQueue&Version=2012-11-05&QueueName=q&Attribute.1.Value=5"),
    400,
    "MissingParameter",
    /Attribute\.1\.Name/,
  );
});

test("a wrong-typed parameter is InvalidParameterValue", async () => {
  const sqs = assertQueryError(
    await send("sqs", "Action=ListQueues&Version=2012-11-05&MaxResults=many"),
    400,
    "InvalidParameterValue",
    /MaxResults/,
  );
  assert.ok(childNamed(sqs, "Detail"), "SQS query errors carry a Detail element");
  assertEc2Error(
    await send("ec2", "Action=DescribeRegions&Version=2016-11-15&AllRegions=maybe"),
    400,
    "InvalidParameterValue",
    /\(maybe\) for parameter AllRegions/,
  );
});

test("a missing required parameter is MissingParameter", async () => {
  assertQueryError(
    await send("sqs", "Action=GetQueueUrl&Version=2012-11-05"),
    400,
    "MissingParameter",
    "The request must contain the parameter QueueName.",
  );
});

test("SQS over query: results in XML, flattened QueueUrl lists, NonExistentQueue errors", async () => {
  const created = await send(
    "sqs",
    "Action=CreateQueue&Version=2012-11-05&QueueName=raw-q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=2",
  );
  assert.equal(created.status, 200, created.text);
  const url = textOf(created.xml, "CreateQueueResult", "QueueUrl");
  assert.equal(url, `${server.endpoint}/000000000000/raw-q`);
  // The attribute was decoded: the same name with another value conflicts.
  assertQueryError(
    await send("sqs", "Action=CreateQueue&Version=2012-11-05&QueueName=raw-q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=3"),
    400,
    "QueueAlreadyExists",
  );
  await send("sqs", "Action=CreateQueue&Version=2012-11-05&QueueName=raw-r");
  const listed = await send("sqs", "Action=ListQueues&Version=2012-11-05&QueueNamePrefix=raw-");
  const result = childNamed(listed.xml, "ListQueuesResult");
  assert.deepEqual(
    result?.children.map((c) => [c.name, c.text]),
    [
      ["QueueUrl", `${server.endpoint}/000000000000/raw-q`],
      ["QueueUrl", `${server.endpoint}/000000000000/raw-r`],
    ],
  );
  // Old SDKs post queue actions to the queue URL itself.
  const byUrl = await send("sqs", "Action=GetQueueUrl&Version=2012-11-05&QueueName=raw-q", { path: "/000000000000/raw-q" });
  assert.equal(textOf(byUrl.xml, "GetQueueUrlResult", "QueueUrl"), url);
  const missing = await send("sqs", "Action=GetQueueUrl&Version=2012-11-05&QueueName=nope");
  assertQueryError(missing, 400, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
});

test("EC2 answers with requestId first and item-wrapped lists", async () => {
  const reply = await send("ec2", "Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1");
  assert.equal(reply.status, 200, reply.text);
  assert.match(reply.text, /<DescribeRegionsResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>/);
  assert.equal(textOf(reply.xml, "requestId"), reply.requestId);
  const items = child(reply.xml, "regionInfo")?.children ?? [];
  assert.deepEqual(
    items.map((i) => [i.name, textOf(i, "regionName"), textOf(i, "regionEndpoint"), textOf(i, "optInStatus")]),
    [["item", "eu-west-1", "ec2.eu-west-1.amazonaws.com", "opt-in-not-required"]],
  );
});

test("EC2 DryRun answers DryRunOperation with 412", async () => {
  assertEc2Error(
    await send("ec2", "Action=DescribeAvailabilityZones&Version=2016-11-15&DryRun=true"),
    412,
    "DryRunOperation",
    "Request would have succeeded, but DryRun flag is set.",
  );
});

test("SQS query requests posted to the queue URL may leave QueueUrl out", async () => {
  const created = await send("sqs", "Action=CreateQueue&QueueName=by-path&Version=2012-11-05");
  assert.equal(created.status, 200);
  const sent = await send("sqs", "Action=SendMessage&MessageBody=hello&Version=2012-11-05", { path: "/000000000000/by-path" });
  assert.equal(sent.status, 200, sent.text);
  assert.match(sent.text, /<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592<\/MD5OfMessageBody>/);
  const received = await send("sqs", "Action=ReceiveMessage&Version=2012-11-05", { path: "/000000000000/by-path" });
  assert.match(received.text, /<Body>hello<\/Body>/);
});
