import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeauthorizeConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  UpdateApiDestinationCommand,
} from "@aws-sdk/client-eventbridge";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const events = () => new EventBridgeClient(server.clientConfig());

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
let tokenRequests: Received[] = [];
const sink = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
    if (req.url?.startsWith("/token")) {
      tokenRequests.push(entry);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ access_token: "tok-123", token_type: "Bearer", expires_in: 3600 }));
      return;
    }
    received.push(entry);
    res.statusCode = req.url?.startsWith("/fail") ? 400 : 200;
    res.end("{}");
  });
});
let base = "";
before(async () => {
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});
after(() => sink.close());

async function waitFor(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !predicate(); i++) await new Promise((r) => setTimeout(r, 100));
}

test("connections keep their secrets out of responses", async () => {
  const created = await events().send(
    new CreateConnectionCommand({
      Name: "basic-conn",
      AuthorizationType: "BASIC",
      AuthParameters: {
        BasicAuthParameters: { Username: "user", Password: "secret" },
        InvocationHttpParameters: {
          HeaderParameters: [
            { Key: "X-Team", Value: "core" },
            { Key: "X-Hidden", Value: "h", IsValueSecret: true },
          ],
        },
      },
    }),
  );
  assert.match(created.ConnectionArn ?? "", /^arn:aws:events:us-east-1:000000000000:connection\/basic-conn\/[0-9a-f-]{36}$/);
  assert.equal(created.ConnectionState, "AUTHORIZED");
  const described = await events().send(new DescribeConnectionCommand({ Name: "basic-conn" }));
  assert.deepEqual(described.AuthParameters?.BasicAuthParameters, { Username: "user" });
  assert.deepEqual(described.AuthParameters?.InvocationHttpParameters?.HeaderParameters, [
    { Key: "X-Team", Value: "core" },
    { Key: "X-Hidden", IsValueSecret: true },
  ]);
  await rejectsWith(
    events().send(
      new CreateConnectionCommand({
        Name: "bad",
        AuthorizationType: "API_KEY",
        AuthParameters: { BasicAuthParameters: { Username: "u", Password: "p" } },
      }),
    ),
    "ValidationException",
    400,
  );
  const missing = await rejectsWith(events().send(new DescribeConnectionCommand({ Name: "nope" })), "ResourceNotFoundException", 400);
  assert.equal(missing.message, "Failed to describe the connection(s). Connection 'nope' does not exist.");
  assert.deepEqual(
    (await events().send(new ListConnectionsCommand({ NamePrefix: "basic" }))).Connections?.map((c) => c.Name),
    ["basic-conn"],
  );
});

test("an API destination target receives the event over HTTP with the connection's credentials", async () => {
  const { ConnectionArn } = await events().send(
    new CreateConnectionCommand({
      Name: "key-conn",
      AuthorizationType: "API_KEY",
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "k-1" },
        InvocationHttpParameters: { QueryStringParameters: [{ Key: "source", Value: "eb" }] },
      },
    }),
  );
  const { ApiDestinationArn } = await events().send(
    new CreateApiDestinationCommand({ Name: "orders-api", ConnectionArn, InvocationEndpoint: `${base}/orders/*`, HttpMethod: "POST" }),
  );
  assert.match(ApiDestinationArn ?? "", /:api-destination\/orders-api\/[0-9a-f-]{36}$/);
  const described = await events().send(new DescribeApiDestinationCommand({ Name: "orders-api" }));
  assert.equal(described.InvocationRateLimitPerSecond, 300);
  assert.equal(described.ApiDestinationState, "ACTIVE");
  await events().send(new PutRuleCommand({ Name: "to-api", EventPattern: JSON.stringify({ source: ["api.test"] }) }));
  await events().send(
    new PutTargetsCommand({
      Rule: "to-api",
      Targets: [
        {
          Id: "api",
          Arn: ApiDestinationArn,
          RoleArn: "arn:aws:iam::000000000000:role/eb",
          HttpParameters: { PathParameterValues: ["$.detail.id"], HeaderParameters: { "X-Order": "$.detail.id", "X-Static": "s" } },
          InputPath: "$.detail",
        },
      ],
    }),
  );
  await events().send(new PutEventsCommand({ Entries: [{ Source: "api.test", DetailType: "t", Detail: '{"id":"o-7","total":3}' }] }));
  await waitFor(() => received.length > 0);
  assert.equal(received.length, 1);
  const [request] = received;
  assert.equal(request.method, "POST");
  assert.equal(request.url, "/orders/o-7?source=eb");
  assert.equal(request.headers["x-api-key"], "k-1");
  assert.equal(request.headers["x-order"], "o-7");
  assert.equal(request.headers["x-static"], "s");
  assert.equal(request.headers["user-agent"], "Amazon/EventBridge/ApiDestinations");
  assert.deepEqual(JSON.parse(request.body), { id: "o-7", total: 3 });

  await events().send(new UpdateApiDestinationCommand({ Name: "orders-api", HttpMethod: "PUT" }));
  assert.equal((await events().send(new DescribeApiDestinationCommand({ Name: "orders-api" }))).HttpMethod, "PUT");
  assert.deepEqual(
    (await events().send(new ListApiDestinationsCommand({ ConnectionArn }))).ApiDestinations?.map((d) => d.Name),
    ["orders-api"],
  );
  // A deauthorized connection stops invocations.
  await events().send(new DeauthorizeConnectionCommand({ Name: "key-conn" }));
  assert.equal((await events().send(new DescribeConnectionCommand({ Name: "key-conn" }))).ConnectionState, "DEAUTHORIZED");
  await events().send(new PutEventsCommand({ Entries: [{ Source: "api.test", DetailType: "t", Detail: '{"id":"o-8"}' }] }));
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(received.length, 1);
  await events().send(new DeleteApiDestinationCommand({ Name: "orders-api" }));
  await rejectsWith(events().send(new DescribeApiDestinationCommand({ Name: "orders-api" })), "ResourceNotFoundException", 400);
  const deleted = await events().send(new DeleteConnectionCommand({ Name: "key-conn" }));
  assert.equal(deleted.ConnectionState, "DELETING");
});

test("OAuth client-credentials connections obtain a token and send it as a bearer", async () => {
  tokenRequests = [];
  received.length = 0;
  const { ConnectionArn, ConnectionState } = await events().send(
    new CreateConnectionCommand({
      Name: "oauth-conn",
      AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
      AuthParameters: {
        OAuthParameters: {
          ClientParameters: { ClientID: "cid", ClientSecret: "csecret" },
          AuthorizationEndpoint: `${base}/token`,
          HttpMethod: "POST",
          OAuthHttpParameters: { BodyParameters: [{ Key: "scope", Value: "events" }] },
        },
      },
    }),
  );
  assert.equal(ConnectionState, "AUTHORIZING");
  let state: string | undefined;
  for (let i = 0; i < 50 && state !== "AUTHORIZED"; i++) {
    await new Promise((r) => setTimeout(r, 100));
    state = (await events().send(new DescribeConnectionCommand({ Name: "oauth-conn" }))).ConnectionState;
  }
  assert.equal(state, "AUTHORIZED");
  const described = await events().send(new DescribeConnectionCommand({ Name: "oauth-conn" }));
  assert.deepEqual(described.AuthParameters?.OAuthParameters?.ClientParameters, { ClientID: "cid" });
  assert.equal(tokenRequests[0].headers.authorization, `Basic ${Buffer.from("cid:csecret").toString("base64")}`);
  assert.equal(new URLSearchParams(tokenRequests[0].body).get("scope"), "events");
  const { ApiDestinationArn } = await events().send(
    new CreateApiDestinationCommand({ Name: "oauth-api", ConnectionArn, InvocationEndpoint: `${base}/hook`, HttpMethod: "POST" }),
  );
  await events().send(new PutRuleCommand({ Name: "to-oauth", EventPattern: JSON.stringify({ source: ["oauth.test"] }) }));
  await events().send(
    new PutTargetsCommand({
      Rule: "to-oauth",
      Targets: [{ Id: "api", Arn: ApiDestinationArn, RoleArn: "arn:aws:iam::000000000000:role/eb" }],
    }),
  );
  await events().send(new PutEventsCommand({ Entries: [{ Source: "oauth.test", DetailType: "t", Detail: "{}" }] }));
  await waitFor(() => received.length > 0);
  assert.equal(received[0].headers.authorization, "Bearer tok-123");
  assert.equal(JSON.parse(received[0].body).source, "oauth.test");
});
