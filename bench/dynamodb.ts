import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { capture, clientConfig } from "./capture.js";
import { benchmark, type ServerProcess, stopServer } from "./child.js";
import { measureServer, type ServerFigures } from "./cpu.js";
import { saveFixedResponse, send, type WireRequest } from "./load.js";
import { clockTicksPerSecond } from "./proc.js";
import { printTable, ratio, rps, us } from "./report.js";

/**
 * DynamoDB against dynalite (the npm emulator), both as child processes on this machine: server CPU per
 * PutItem, GetItem and Query page (ascending and descending), with the table at 1,000 items and again at
 * 100,000 — a Query reads one partition, so its cost should not grow with the table.
 * Requests are signed once by the SDK and replayed as bytes (bench/capture.ts), so the SDK's cost is no
 * part of the figures; each server's CPU comes from /proc. For scale, a bare node:http server that answers
 * each request with Overcast's own response bytes (bench/reference-server.ts, no parsing, no work) is
 * measured too: no Node server can cost less than it.
 */
const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const DYNALITE = fileURLToPath(new URL("./dynamodb-dynalite.js", import.meta.url));
const REFERENCE = fileURLToPath(new URL("./reference-server.js", import.meta.url));
const LOAD = { warmup: 500, count: 5_000, connections: 8, timeLimitMs: 12_000 };
const WHOLE_RUN_LIMIT_MS = 600_000;
const TABLE = "bench";
const HOT_ITEMS = 200;
const PAGE = 25;
const SMALL = 1_000;
const LARGE = 100_000;
const LOADERS = 8;

const ddbCapture = (call: (client: DynamoDBClient) => Promise<unknown>) => capture(() => call(new DynamoDBClient(clientConfig)));

interface Workload {
  label: string;
  request: WireRequest;
}

async function workloads(): Promise<Workload[]> {
  const query = (ScanIndexForward: boolean) =>
    ddbCapture((c) =>
      c.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: "pk = :p AND sk >= :s",
          ExpressionAttributeValues: { ":p": { S: "hot" }, ":s": { N: "50" } },
          Limit: PAGE,
          ScanIndexForward,
        }),
      ),
    );
  return [
    {
      label: "PutItem",
      request: await ddbCapture((c) =>
        c.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: { pk: { S: "put" }, sk: { N: "1" }, name: { S: "x".repeat(100) }, n: { N: "42" } },
          }),
        ),
      ),
    },
    {
      label: "GetItem",
      request: await ddbCapture((c) => c.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: "hot" }, sk: { N: "7" } } }))),
    },
    { label: `Query page (${PAGE} items)`, request: await query(true) },
    { label: `Query page, descending`, request: await query(false) },
  ];
}

async function createTable(server: ServerProcess): Promise<void> {
  const client = new DynamoDBClient({ ...clientConfig, requestHandler: undefined, endpoint: server.endpoint });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 100_000, WriteCapacityUnits: 100_000 },
    }),
  );
  client.destroy();
}

const item = (pk: string, sk: number) => ({
  pk: { S: pk },
  sk: { N: String(sk) },
  name: { S: `item ${pk}/${sk}` },
  n: { N: String(sk * 3) },
});

/** Brings the table to `total` items: the hot partition first, then filler partitions of 10 items. */
async function fill(server: ServerProcess, from: number, total: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: LOADERS });
  const client = new DynamoDBClient({ ...clientConfig, endpoint: server.endpoint, requestHandler: { httpAgent: agent } });
  const items = Array.from({ length: total - from }, (_, i) => {
    const n = from + i;
    return n < HOT_ITEMS ? item("hot", n) : item(`f${Math.floor(n / 10)}`, n % 10);
  });
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const batch = items.slice(next, next + 25);
      next += 25;
      let pending: WriteRequest[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending?.length) {
        const result: BatchWriteItemCommandOutput = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: pending } }));
        pending = result.UnprocessedItems?.[TABLE];
      }
    }
  };
  await Promise.all(Array.from({ length: LOADERS }, worker));
  client.destroy();
  agent.destroy();
  return performance.now() - started;
}

async function check(server: ServerProcess, request: WireRequest, label: string): Promise<void> {
  const res = await send(server.endpoint, request);
  if (res.status !== 200) throw new Error(`${label} on ${server.endpoint}: HTTP ${res.status} ${res.body.toString()}`);
  if (label.startsWith("Query") && !res.body.toString().includes(`"Count":${PAGE}`)) {
    throw new Error(`${label}: expected a page of ${PAGE} items, got ${res.body.toString().slice(0, 200)}`);
  }
}

type Figures = Map<string, ServerFigures>;

async function measureAll(server: ServerProcess, list: Workload[], suffix: string, ticks: number, into: Figures): Promise<void> {
  for (const w of list) {
    await check(server, w.request, w.label);
    into.set(`${w.label}${suffix}`, await measureServer(server, w.request, LOAD, ticks));
  }
}

async function main(): Promise<void> {
  await benchmark(WHOLE_RUN_LIMIT_MS, async (start) => {
    const ticks = clockTicksPerSecond();
    const list = await workloads();
    const servers: [string, ServerProcess][] = [];
    for (const [name, script, args] of [
      ["Overcast", CLI, ["--port", "0"]],
      ["dynalite", DYNALITE, []],
    ] as const) {
      const server = await start(script, [...args]);
      servers.push([name, server]);
    }
    const figures = new Map<string, Figures>();
    const loading = new Map<string, number>();
    for (const [name, server] of servers) {
      const own: Figures = new Map();
      figures.set(name, own);
      await createTable(server);
      await fill(server, 0, SMALL);
      await measureAll(server, list, ` @ ${SMALL / 1000}k items`, ticks, own);
      if (name === "Overcast") figures.set("bare", await measureFloor(start, server, list, ` @ ${SMALL / 1000}k items`, ticks));
      loading.set(name, await fill(server, SMALL, LARGE));
      await measureAll(
        server,
        list.filter((w) => w.label.startsWith("Query")),
        ` @ ${LARGE / 1000}k items`,
        ticks,
        own,
      );
    }
    printTable(
      ["measure", "Overcast", "dynalite", "ratio", "bare node:http, same bytes (÷ dynalite)", "target"],
      rows(list, figures, loading),
    );
  });
}

/** The bare node:http server, serving each workload's response as Overcast gave it: the floor under any Node server. */
async function measureFloor(
  start: (script: string, args: string[]) => Promise<ServerProcess>,
  overcast: ServerProcess,
  list: Workload[],
  suffix: string,
  ticks: number,
): Promise<Figures> {
  const scratch = mkdtempSync(join(tmpdir(), "overcast-bench-"));
  const floor: Figures = new Map();
  try {
    for (const w of list) {
      const real = await send(overcast.endpoint, w.request);
      const reference = await start(REFERENCE, [saveFixedResponse(scratch, w.label.replace(/\W+/g, "-"), real)]);
      floor.set(`${w.label}${suffix}`, await measureServer(reference, w.request, LOAD, ticks));
      await stopServer(reference);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return floor;
}

function rows(list: Workload[], figures: Map<string, Figures>, loading: Map<string, number>): string[][] {
  const ours = figures.get("Overcast") as Figures;
  const theirs = figures.get("dynalite") as Figures;
  const bare = figures.get("bare") as Figures;
  const out: string[][] = [];
  for (const key of ours.keys()) {
    const a = ours.get(key) as ServerFigures;
    const b = theirs.get(key) as ServerFigures;
    const floor = bare.get(key);
    out.push([
      `${key}: server CPU per request`,
      us(a.cpuMicrosPerRequest),
      us(b.cpuMicrosPerRequest),
      ratio(a.cpuMicrosPerRequest, b.cpuMicrosPerRequest),
      floor ? `${us(floor.cpuMicrosPerRequest)} (${ratio(floor.cpuMicrosPerRequest, b.cpuMicrosPerRequest)})` : "",
      "≤ 0.33×",
    ]);
    out.push([
      `${key}: throughput`,
      rps(a.requestsPerSecond),
      rps(b.requestsPerSecond),
      ratio(a.requestsPerSecond, b.requestsPerSecond),
      floor ? rps(floor.requestsPerSecond) : "",
      "",
    ]);
  }
  for (const w of list.filter((x) => x.label.startsWith("Query"))) {
    const growth = (f: Figures) =>
      (f.get(`${w.label} @ ${LARGE / 1000}k items`) as ServerFigures).cpuMicrosPerRequest /
      (f.get(`${w.label} @ ${SMALL / 1000}k items`) as ServerFigures).cpuMicrosPerRequest;
    out.push([
      `${w.label}: CPU at ${LARGE / 1000}k ÷ at ${SMALL / 1000}k items`,
      `${growth(ours).toFixed(2)}×`,
      `${growth(theirs).toFixed(2)}×`,
      "",
      "",
      "≈ 1× (flat)",
    ]);
  }
  const load = (name: string) => (LARGE - SMALL) / ((loading.get(name) as number) / 1000);
  out.push([
    `BatchWriteItem loading ${SMALL / 1000}k → ${LARGE / 1000}k items (SDK, ${LOADERS} clients)`,
    rps(load("Overcast")),
    rps(load("dynalite")),
    ratio(load("Overcast"), load("dynalite")),
    "",
    "",
  ]);
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
