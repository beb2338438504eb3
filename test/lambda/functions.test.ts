import assert from "node:assert/strict";
import { test } from "node:test";
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { LambdaClient, ListFunctionsCommand, paginateListFunctions } from "@aws-sdk/client-lambda";
import { AwsError, ValidationFailure } from "../../src/protocol/errors.js";
import { functions, listFunctions } from "../../src/services/lambda/functions.js";
import type { RequestContext } from "../../src/services/types.js";
import { MemoryBackend } from "../../src/state/store.js";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const lambda = (region = "us-east-1") => new LambdaClient(server.clientConfig(region));

test("ListFunctions over restJson1: an account without functions lists none", async () => {
  const res = await lambda().send(new ListFunctionsCommand({}));
  assert.deepEqual(res.Functions, []);
  assert.equal(res.NextMarker, undefined);
  assert.equal(res.$metadata.httpStatusCode, 200);
  assert.ok(res.$metadata.requestId);
  const pages = [];
  for await (const page of paginateListFunctions({ client: lambda("eu-west-1") }, { MaxItems: 10 })) pages.push(page);
  assert.equal(pages.length, 1);
});

test("ListFunctions validates its parameters as Lambda does", async () => {
  const low = await rejectsWith(lambda().send(new ListFunctionsCommand({ MaxItems: 0 })), "ValidationException", 400);
  assert.equal(
    low.message,
    "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
  await rejectsWith(lambda().send(new ListFunctionsCommand({ MaxItems: 10_001 })), "ValidationException", 400);
  await rejectsWith(lambda().send(new ListFunctionsCommand({ FunctionVersion: "SOME" as never })), "ValidationException", 400);
  await rejectsWith(lambda().send(new ListFunctionsCommand({ MasterRegion: "us-east-1" })), "InvalidParameterValueException", 400);
  await rejectsWith(lambda().send(new ListFunctionsCommand({ Marker: "not-a-marker" })), "InvalidParameterValueException", 400);
});

/** The handler against a store of its own: functions exist only once CreateFunction does, so they are seeded here. */
function seeded(): RequestContext {
  const store = new MemoryBackend().scope({ service: "lambda", account: "000000000000", region: "us-east-1" });
  const ctx = { store } as unknown as RequestContext;
  const config = (name: string, version: string, extra: Partial<FunctionConfiguration> = {}): FunctionConfiguration => ({
    FunctionName: name,
    FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}${version === "$LATEST" ? "" : `:${version}`}`,
    Version: version,
    ...extra,
  });
  const empty = { code: {}, aliases: {}, tags: {}, lastVersion: 0 };
  for (let i = 0; i < 60; i++) {
    const name = `fn-${String(i).padStart(2, "0")}`;
    functions(ctx).set(name, { ...empty, latest: config(name, "$LATEST"), versions: {} });
  }
  functions(ctx).set("versioned", {
    ...empty,
    latest: config("versioned", "$LATEST"),
    versions: { "10": config("versioned", "10"), "2": config("versioned", "2") },
  });
  functions(ctx).set("edge", {
    ...empty,
    latest: config("edge", "$LATEST"),
    versions: { "1": config("edge", "1", { MasterArn: "arn:aws:lambda:us-east-1:000000000000:function:edge-master:1" }) },
  });
  return ctx;
}

test("ListFunctions pages at most 50 functions, in name order, with a marker that resumes where it stopped", () => {
  const ctx = seeded();
  const first = listFunctions({ MaxItems: 1000 }, ctx);
  assert.equal(first.Functions?.length, 50);
  assert.equal(first.Functions?.[0].FunctionName, "edge");
  assert.ok(first.NextMarker);
  const second = listFunctions({ Marker: first.NextMarker }, ctx);
  const names = [...(first.Functions ?? []), ...(second.Functions ?? [])].map((f) => f.FunctionName);
  assert.equal(names.length, 62);
  assert.equal(new Set(names).size, 62);
  assert.equal(second.NextMarker, undefined);
  assert.ok(second.Functions?.every((f) => f.Version === "$LATEST"));
});

test("FunctionVersion=ALL lists published versions after $LATEST, numerically; a marker can stop inside a function", () => {
  const ctx = seeded();
  const pageSize = 2;
  const versions: string[] = [];
  let marker: string | undefined;
  do {
    const page = listFunctions({ FunctionVersion: "ALL", MaxItems: pageSize, Marker: marker }, ctx);
    for (const f of page.Functions ?? []) if (f.FunctionName === "versioned") versions.push(f.Version as string);
    assert.ok((page.Functions?.length ?? 0) <= pageSize);
    marker = page.NextMarker;
  } while (marker);
  assert.deepEqual(versions, ["$LATEST", "2", "10"]);
});

test("MasterRegion keeps only Lambda@Edge replicas of that region", () => {
  const ctx = seeded();
  const edge = listFunctions({ FunctionVersion: "ALL", MasterRegion: "us-east-1" }, ctx);
  assert.deepEqual(
    edge.Functions?.map((f) => `${f.FunctionName}:${f.Version}`),
    ["edge:1"],
  );
  assert.deepEqual(listFunctions({ FunctionVersion: "ALL", MasterRegion: "eu-west-1" }, ctx).Functions, []);
  assert.throws(() => listFunctions({ FunctionVersion: "ALL", MasterRegion: "mars" }, ctx), ValidationFailure);
  assert.throws(
    () => listFunctions({ MasterRegion: "ALL" }, ctx),
    (e) => e instanceof AwsError && e.code === "InvalidParameterValueException",
  );
});
