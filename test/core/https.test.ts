import assert from "node:assert/strict";
import https from "node:https";
import { connect } from "node:http2";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { test } from "node:test";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { credentials, useServer } from "../helpers.js";

const server = useServer({ httpsPort: 0 });

test("HTTPS serves AWS requests with a local certificate for our host names", async () => {
  const endpoint = server.cloud.httpsEndpoint as string;
  assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
  const agent = new https.Agent({ rejectUnauthorized: false });
  const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials, requestHandler: new NodeHttpHandler({ httpsAgent: agent }) });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "over-tls" }));
  assert.match(QueueUrl as string, /^https:\/\/127\.0\.0\.1:\d+\/000000000000\/over-tls$/);

  const { port } = new URL(endpoint);
  const cert = await new Promise<ReturnType<TLSSocket["getPeerCertificate"]>>((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port: Number(port), rejectUnauthorized: false, servername: "localhost" }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on("error", reject);
  });
  const san = cert.subjectaltname ?? "";
  for (const name of ["DNS:localhost", "DNS:*.localhost.localstack.cloud", "IP Address:127.0.0.1"])
    assert.ok(san.includes(name), `${name} in ${san}`);
  agent.destroy();
});

test("HTTPS negotiates HTTP/2 by ALPN", async () => {
  const session = connect(server.cloud.httpsEndpoint as string, { rejectUnauthorized: false });
  const status = await new Promise<number>((resolve, reject) => {
    const req = session.request({ ":path": "/_localstack/health" });
    req.on("response", (h) => resolve(Number(h[":status"])));
    req.on("error", reject);
    req.resume();
    req.end();
  });
  assert.equal(status, 200);
  session.close();
});
