import { Readable } from "node:stream";
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
import { type Overcast, startOvercast } from "../src/index.js";
import { capture, clientConfig } from "./capture.js";
import { benchmark, type ServerProcess } from "./child.js";
import { measureServer } from "./cpu.js";
import { send, type WireRequest } from "./load.js";
import { clockTicksPerSecond } from "./proc.js";
import { waitUntilServing } from "./ready.js";
import { median, printTable, us } from "./report.js";

/**
 * What --enforce-iam costs: the same requests, made by an IAM user whose permissions come from an inline
 * policy and a group policy, against one server without enforcement and one with it. Requests are
 * SigV4-signed once by the SDK and replayed as bytes (as in run.ts); the figure is the server's own CPU
 * per request, the median of alternating rounds. Target: enforcement adds < 20%. Server CPU on a shared
 * 2-core machine moves by ±20% between runs (the kernel's loopback work, scheduling, GC), more than
 * what enforcement costs, so the same requests are also sent straight to the request core in this
 * process, where the difference can be seen.
 */
const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const LOAD = { warmup: 1_000, count: 8_000, connections: 8, timeLimitMs: 8_000 };
const ROUNDS = 5;
const WHOLE_RUN_LIMIT_MS = 900_000;
const IN_PROCESS = { warmup: 5_000, count: 5_000, rounds: 9 };
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
    const serverMicros: number[] = [];
    for (let i = 0; i < offWork.length; i++) {
      // Rounds alternate between the servers and the medians are compared: the machine is shared, so one run is noisy.
      const without: number[] = [];
      const withIam: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        without.push((await measureServer(off, offWork[i].request, LOAD, ticks)).cpuMicrosPerRequest);
        withIam.push((await measureServer(on, onWork[i].request, LOAD, ticks)).cpuMicrosPerRequest);
      }
      const added = median(withIam) / median(without) - 1;
      serverMicros.push(median(without));
      rows.push([
        `${offWork[i].name}: server CPU per request`,
        us(median(without)),
        us(median(withIam)),
        `${added >= 0 ? "+" : ""}${(added * 100).toFixed(1)}%`,
        "< +20%",
      ]);
    }
    rows.push(...(await compareInProcess(serverMicros)));
    printTable(["measure", "enforcement off", "--enforce-iam", "added", "target"], rows);
  });
}

/**
 * The same requests through the request core in this process (`Overcast.handle`: routing, auth, IAM,
 * the handler, serialization; no sockets): CPU per request with and without enforcement, alternating
 * rounds, medians. Without the kernel's loopback work and the other process's scheduling, what
 * enforcement adds stands out from the noise.
 */
async function compareInProcess(serverMicros: number[]): Promise<string[][]> {
  const off = await startOvercast({ port: 0, logLevel: "quiet" });
  const on = await startOvercast({ port: 0, logLevel: "quiet", enforceIam: true });
  try {
    const offWork = await prepare(asProcess(off), false);
    const onWork = await prepare(asProcess(on), true);
    const rows: string[][] = [];
    for (let i = 0; i < offWork.length; i++) {
      const without: number[] = [];
      const withIam: number[] = [];
      await coreMicrosPerRequest(off, offWork[i].request, IN_PROCESS.warmup);
      await coreMicrosPerRequest(on, onWork[i].request, IN_PROCESS.warmup);
      for (let round = 0; round < IN_PROCESS.rounds; round++) {
        without.push(await coreMicrosPerRequest(off, offWork[i].request, IN_PROCESS.count));
        withIam.push(await coreMicrosPerRequest(on, onWork[i].request, IN_PROCESS.count));
      }
      const added = median(withIam) - median(without);
      const share = (added / serverMicros[i]) * 100;
      rows.push([
        `${offWork[i].name}: request core CPU per request (in process)`,
        us(median(without)),
        us(median(withIam)),
        `${added >= 0 ? "+" : "−"}${us(Math.abs(added))} = ${share >= 0 ? "+" : ""}${share.toFixed(1)}% of server CPU`,
        "< +20%",
      ]);
    }
    return rows;
  } finally {
    await Promise.all([off.stop(), on.stop()]);
  }
}

/** An in-process Overcast as prepare() sees a child server (only the endpoint is used). */
const asProcess = (cloud: Overcast) => ({ endpoint: cloud.endpoint }) as ServerProcess;

/** CPU (user + system) of this process per request sent straight to the request core. */
async function coreMicrosPerRequest(cloud: Overcast, wire: WireRequest, count: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const response = await cloud.handle({
      method: wire.method,
      path: wire.path.split("?")[0],
      rawQuery: wire.path.includes("?") ? wire.path.slice(wire.path.indexOf("?") + 1) : "",
      headers: { ...wire.headers, host: new URL(cloud.endpoint).host },
      body: wire.body,
      sourceIp: "127.0.0.1",
      secure: false,
    });
    if (response.status !== 200) throw new Error(`in-process request answered ${response.status}`);
    if (response.body instanceof Readable) for await (const _ of response.body);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
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
