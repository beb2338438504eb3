import { fileURLToPath } from "node:url";
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { capture, clientConfig } from "./capture.js";
import { benchmark, type ServerProcess } from "./child.js";
import { measureServer } from "./cpu.js";
import { send, type WireRequest } from "./load.js";
import { clockTicksPerSecond } from "./proc.js";
import { instructionsPerRequest, startUnderCallgrind, stopCallgrind, valgrindAvailable } from "./instructions.js";
import { waitUntilServing } from "./ready.js";
import { median, printTable, us } from "./report.js";

/**
 * What --enforce-iam costs: the same requests, made by an IAM user whose permissions come from an inline
 * policy and a group policy, against one server without enforcement and one with it. Requests are
 * SigV4-signed once by the SDK and replayed as bytes (as in run.ts); the figure is the server's own CPU
 * per request, the median of alternating rounds. Target: enforcement adds < 20%. CPU time on a shared
 * 2-core machine moves by ±15% between runs, so the same comparison is also made in user-space
 * instructions per request, counted by callgrind (bench/instructions.ts), which do not move with load.
 */
const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const LOAD = { warmup: 1_000, count: 8_000, connections: 8, timeLimitMs: 8_000 };
const ROUNDS = 5;
const WHOLE_RUN_LIMIT_MS = 900_000;
const CALLGRIND = { warmup: 2_000, count: 500, rounds: 4 };
const ACCOUNT = "000000000000";

interface Workload {
  name: string;
  request: WireRequest;
}

async function main(): Promise<void> {
  await benchmark(WHOLE_RUN_LIMIT_MS, async (start) => {
    const off = await start(CLI, ["--port", "0"]);
    const on = await start(CLI, ["--port", "0", "--enforce-iam"]);
    const offWork = await prepare(off, false);
    const onWork = await prepare(on, true);
    const ticks = clockTicksPerSecond();
    const rows: string[][] = [];
    for (let i = 0; i < offWork.length; i++) {
      // Rounds alternate between the servers and the medians are compared: the machine is shared, so one run is noisy.
      const without: number[] = [];
      const withIam: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        without.push((await measureServer(off, offWork[i].request, LOAD, ticks)).cpuMicrosPerRequest);
        withIam.push((await measureServer(on, onWork[i].request, LOAD, ticks)).cpuMicrosPerRequest);
      }
      const added = median(withIam) / median(without) - 1;
      rows.push([
        `${offWork[i].name}: server CPU per request`,
        us(median(without)),
        us(median(withIam)),
        `${added >= 0 ? "+" : ""}${(added * 100).toFixed(1)}%`,
        "< +20%",
      ]);
    }
    printTable(["measure", "enforcement off", "--enforce-iam", "added", "target"], rows);
    if (valgrindAvailable()) await compareInstructions();
    else console.log("\nvalgrind is not installed: instruction counts skipped (apt-get install valgrind)");
  });
}

/** The same workloads, each server under callgrind: user-space instructions per request. */
async function compareInstructions(): Promise<void> {
  const off = await startUnderCallgrind(CLI, ["--port", "0"]);
  const on = await startUnderCallgrind(CLI, ["--port", "0", "--enforce-iam"]);
  try {
    const offWork = await prepare(off.server, false);
    const onWork = await prepare(on.server, true);
    const measures = offWork.flatMap((w, i) => [
      { target: off, request: w.request },
      { target: on, request: onWork[i].request },
    ]);
    const counts = await instructionsPerRequest(measures, CALLGRIND.warmup, CALLGRIND.count, CALLGRIND.rounds);
    const rows = offWork.map((w, i) => {
      const [without, withIam] = [counts[2 * i], counts[2 * i + 1]];
      const added = withIam / without - 1;
      return [
        `${w.name}: instructions per request`,
        `${Math.round(without / 1000)}k`,
        `${Math.round(withIam / 1000)}k`,
        `${added >= 0 ? "+" : ""}${(added * 100).toFixed(1)}%`,
        "< +20%",
      ];
    });
    console.log(
      `\nUser-space instructions per request (callgrind; after ${CALLGRIND.warmup} warm-up requests, the lowest of ${CALLGRIND.rounds} rounds of ${CALLGRIND.count}, servers taking turns):\n`,
    );
    printTable(["measure", "enforcement off", "--enforce-iam", "added", "target"], rows);
  } finally {
    await Promise.all([stopCallgrind(off), stopCallgrind(on)]);
  }
}

/** A queue, a bucket with an object, and a user allowed to use them; the user's signed requests. */
async function prepare(server: ServerProcess, enforcing: boolean): Promise<Workload[]> {
  await waitUntilServing(server);
  const root = { endpoint: server.endpoint, region: "us-east-1", credentials: clientConfig.credentials, maxAttempts: 1 };
  const iam = new IAMClient(root);
  await new SQSClient(root).send(new CreateQueueCommand({ QueueName: "bench" }));
  const s3 = new S3Client({ ...root, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "bench" }));
  await s3.send(new PutObjectCommand({ Bucket: "bench", Key: "object", Body: "x".repeat(1024) }));
  await iam.send(new CreateUserCommand({ UserName: "bench-user" }));
  await iam.send(new CreateGroupCommand({ GroupName: "bench-group" }));
  await iam.send(new AddUserToGroupCommand({ GroupName: "bench-group", UserName: "bench-user" }));
  const statement = (Action: string, Resource: string) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });
  await iam.send(
    new PutUserPolicyCommand({
      UserName: "bench-user",
      PolicyName: "send",
      PolicyDocument: statement("sqs:SendMessage", `arn:aws:sqs:us-east-1:${ACCOUNT}:bench`),
    }),
  );
  await iam.send(
    new PutGroupPolicyCommand({
      GroupName: "bench-group",
      PolicyName: "read",
      PolicyDocument: statement("s3:GetObject", "arn:aws:s3:::bench/*"),
    }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "bench-user" }));
  const credentials = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
  const asUser = { ...clientConfig, credentials };
  const workloads: Workload[] = [
    {
      name: "SQS SendMessage as an IAM user",
      request: await capture(() =>
        new SQSClient(asUser).send(
          new SendMessageCommand({ QueueUrl: `http://127.0.0.1:4566/${ACCOUNT}/bench`, MessageBody: "x".repeat(256) }),
        ),
      ),
    },
    {
      name: "S3 GetObject (1 KB) as an IAM user",
      request: await capture(() =>
        new S3Client({ ...asUser, forcePathStyle: true }).send(new GetObjectCommand({ Bucket: "bench", Key: "object" })),
      ),
    },
  ];
  for (const w of workloads) {
    const res = await send(server.endpoint, w.request);
    if (res.status !== 200) throw new Error(`${w.name}: HTTP ${res.status}: ${res.body.toString()}`);
  }
  // Proof that the enforcing server does enforce: the user may not write the object it may read.
  const write = await capture(() =>
    new S3Client({ ...asUser, forcePathStyle: true }).send(new PutObjectCommand({ Bucket: "bench", Key: "object", Body: "y" })),
  );
  const status = (await send(server.endpoint, write)).status;
  if (status !== (enforcing ? 403 : 200))
    throw new Error(`PutObject as the user answered ${status} (enforcement ${enforcing ? "on" : "off"})`);
  return workloads;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
