import assert from "node:assert/strict";
import { test } from "node:test";
import { CLIENTS, runClient } from "../query/clients.js";
import { useServer } from "../helpers.js";
import { createQueue, receiveAll, sqsClient } from "./helpers.js";

const server = useServer();

async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const run = await runClient(CLIENTS.awsV1, ["--endpoint-url", server.endpoint, "--output", "json", ...args], server.endpoint);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trim() ? (JSON.parse(run.stdout) as Record<string, unknown>) : {};
}

test("AWS CLI v1: put-rule, put-targets and put-events deliver to a queue; errors come back as AWS's", async () => {
  const sqs = sqsClient(server.clientConfig());
  const queue = await createQueue(sqs, "cli-target");
  const rule = await cli("events", "put-rule", "--name", "cli-rule", "--event-pattern", JSON.stringify({ source: ["cli.test"] }));
  assert.equal(rule.RuleArn, "arn:aws:events:us-east-1:000000000000:rule/cli-rule");
  const targets = await cli("events", "put-targets", "--rule", "cli-rule", "--targets", JSON.stringify([{ Id: "q", Arn: queue.arn }]));
  assert.deepEqual(targets, { FailedEntryCount: 0, FailedEntries: [] });
  const put = await cli(
    "events",
    "put-events",
    "--entries",
    JSON.stringify([
      { Source: "cli.test", DetailType: "From CLI", Detail: JSON.stringify({ via: "cli" }) },
      { DetailType: "no source", Detail: "{}" },
    ]),
  );
  assert.equal(put.FailedEntryCount, 1);
  const entries = put.Entries as Record<string, string>[];
  assert.equal(entries[1].ErrorCode, "InvalidArgument");
  const [message] = await receiveAll(sqs, queue.url, 1);
  const event = JSON.parse(message.Body as string);
  assert.equal(event.id, entries[0].EventId);
  assert.equal(event["detail-type"], "From CLI");
  assert.deepEqual(event.detail, { via: "cli" });

  const missing = await runClient(
    CLIENTS.awsV1,
    ["--endpoint-url", server.endpoint, "events", "describe-rule", "--name", "nope"],
    server.endpoint,
  );
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /ResourceNotFoundException.*Rule nope does not exist on EventBus default\./);
});
