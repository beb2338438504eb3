import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { credentials } from "../helpers.js";
import { openRaw, startCli, tempDir } from "./fixtures.js";

const LOOPS = 8;
const KILL_AFTER_ACKS = 400;

async function listAllQueues(client: SQSClient): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListQueuesCommand({ MaxResults: 1000, NextToken }));
    for (const url of page.QueueUrls ?? []) names.push(url.slice(url.lastIndexOf("/") + 1));
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

test("kill -9 during a stream of CreateQueue calls loses no acknowledged queue and leaves a clean database", async (t) => {
  const dataDir = tempDir(t);
  const first = await startCli(["--data-dir", dataDir, "--services", "sqs"]);
  t.after(() => first.child.kill("SIGKILL"));
  const client = new SQSClient({ endpoint: first.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

  const attempted = new Set<string>();
  const acknowledged = new Set<string>();
  let killed = false;
  const loop = async (id: number) => {
    for (let i = 0; ; i++) {
      const name = `crash-${id}-${i}`;
      attempted.add(name);
      try {
        await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: String(i % 900) } }));
      } catch (err) {
        if (!killed) throw err;
        return;
      }
      acknowledged.add(name);
      if (acknowledged.size >= KILL_AFTER_ACKS && !killed) {
        killed = true;
        first.child.kill("SIGKILL");
      }
    }
  };
  await Promise.all(Array.from({ length: LOOPS }, (_, id) => loop(id)));
  const { signal } = await first.exited;
  assert.equal(signal, "SIGKILL");
  client.destroy();
  assert.ok(acknowledged.size >= KILL_AFTER_ACKS);
  // Calls were still in flight when the process died, so the kill really was mid-stream.
  assert.ok(attempted.size > acknowledged.size, `${attempted.size} attempted, ${acknowledged.size} acknowledged`);

  const second = await startCli(["--data-dir", dataDir, "--services", "sqs"]);
  t.after(() => second.child.kill("SIGKILL"));
  const again = new SQSClient({ endpoint: second.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
  const listed = await listAllQueues(again);
  again.destroy();
  const present = new Set(listed);
  const missing = [...acknowledged].filter((name) => !present.has(name));
  assert.deepEqual(missing, [], "every acknowledged CreateQueue survives the crash");
  const unexpected = listed.filter((name) => !attempted.has(name));
  assert.deepEqual(unexpected, []);
  t.diagnostic(`${acknowledged.size} acknowledged, ${attempted.size} attempted, ${listed.length} present after restart`);

  second.child.kill("SIGTERM");
  assert.deepEqual(await second.exited, { code: 0, signal: null });
  const db = openRaw(join(dataDir, "state.db"));
  try {
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    const rows = db.prepare("SELECT count(*) AS n FROM records WHERE service = 'sqs' AND collection = 'queues'").get() as { n: number };
    assert.equal(rows.n, listed.length);
  } finally {
    db.close();
  }
});
