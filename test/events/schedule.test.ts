import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryBackend } from "../../src/state/store.js";
import type { ServiceRuntime } from "../../src/services/types.js";
import { type RuleRecord, ruleKey, rulesIn } from "../../src/services/events/model.js";
import { nextFireTime, parseSchedule } from "../../src/services/events/schedule.js";
import { fireDueSchedules, scheduledEvent } from "../../src/services/events/scheduler.js";

const at = (iso: string) => Date.parse(iso);
const next = (expression: string, after: string, since = after) => {
  const schedule = parseSchedule(expression);
  assert.ok(schedule, expression);
  const time = nextFireTime(schedule, at(after), at(since));
  return time === undefined ? undefined : new Date(time).toISOString();
};

test("schedule expressions: valid and invalid forms", () => {
  for (const ok of [
    "rate(1 minute)",
    "rate(2 minutes)",
    "rate(1 hour)",
    "rate(12 hours)",
    "rate(1 day)",
    "rate(7 days)",
    "cron(0 10 * * ? *)",
    "cron(15 12 * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0 9 ? * 2#1 *)",
    "cron(0 9 L * ? *)",
    "cron(0 9 15W * ? *)",
    "cron(0 9 ? * 6L *)",
    "cron(0 0 1 JAN,JUL ? 2030-2032)",
  ]) {
    assert.ok(parseSchedule(ok), ok);
  }
  for (const bad of [
    "rate(0 minutes)",
    "rate(1 minutes)",
    "rate(2 minute)",
    "rate(-1 minutes)",
    "rate(1 week)",
    "rate(1.5 hours)",
    "cron(0 10 * * * *)",
    "cron(0 10 ? * ? *)",
    "cron(0 10 * * ?)",
    "cron(60 10 * * ? *)",
    "cron(0 24 * * ? *)",
    "cron(0 10 32 * ? *)",
    "cron(0 10 ? * 8 *)",
    "cron(0 10 * 13 ? *)",
    "cron(0 10 ? * FOO *)",
    "cron(0 10 * * ? 1969)",
    "at(2024-01-01T00:00:00)",
    "",
  ]) {
    assert.equal(parseSchedule(bad), undefined, bad);
  }
});

test("rates fire whole periods after the rule's creation", () => {
  assert.equal(next("rate(5 minutes)", "2024-01-01T00:00:00Z"), "2024-01-01T00:05:00.000Z");
  assert.equal(next("rate(5 minutes)", "2024-01-01T00:07:30Z", "2024-01-01T00:00:00Z"), "2024-01-01T00:10:00.000Z");
  assert.equal(next("rate(1 day)", "2024-01-01T00:00:00Z", "2023-12-31T12:00:00Z"), "2024-01-01T12:00:00.000Z");
});

test("cron expressions fire at their next matching minute, in UTC", () => {
  assert.equal(next("cron(0 10 * * ? *)", "2024-01-01T09:59:00Z"), "2024-01-01T10:00:00.000Z");
  assert.equal(next("cron(0 10 * * ? *)", "2024-01-01T10:00:00Z"), "2024-01-02T10:00:00.000Z");
  assert.equal(next("cron(0/15 * * * ? *)", "2024-01-01T10:07:12Z"), "2024-01-01T10:15:00.000Z");
  // 2024-01-06 is a Saturday: the next weekday run is Monday the 8th.
  assert.equal(next("cron(0 18 ? * MON-FRI *)", "2024-01-05T18:00:00Z"), "2024-01-08T18:00:00.000Z");
  assert.equal(next("cron(0 9 L * ? *)", "2024-02-01T00:00:00Z"), "2024-02-29T09:00:00.000Z");
  // The first Monday (2#1) of February 2024 is the 5th; the last Friday (6L) of January 2024 is the 26th.
  assert.equal(next("cron(0 9 ? * 2#1 *)", "2024-01-31T00:00:00Z"), "2024-02-05T09:00:00.000Z");
  assert.equal(next("cron(0 9 ? * 6L *)", "2024-01-01T00:00:00Z"), "2024-01-26T09:00:00.000Z");
  // 15W in June 2024: the 15th is a Saturday, so Friday the 14th.
  assert.equal(next("cron(0 9 15W * ? *)", "2024-06-01T00:00:00Z"), "2024-06-14T09:00:00.000Z");
  assert.equal(next("cron(0 0 1 JAN,JUL ? 2030)", "2024-01-01T00:00:00Z"), "2030-01-01T00:00:00.000Z");
  assert.equal(next("cron(0 0 1 1 ? 2020)", "2024-01-01T00:00:00Z"), undefined);
});

test("the Scheduled Event envelope", () => {
  const event = scheduledEvent(
    { account: "123456789012", region: "eu-west-1" },
    { bus: "default", name: "tick" },
    "id-1",
    at("2024-03-04T05:06:07.890Z"),
  );
  assert.deepEqual(event, {
    version: "0",
    id: "id-1",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "123456789012",
    time: "2024-03-04T05:06:07Z",
    region: "eu-west-1",
    resources: ["arn:aws:events:eu-west-1:123456789012:rule/tick"],
    detail: {},
  });
});

/** A runtime over in-memory state whose cross-service calls are recorded and whose timers run at once. */
function fakeRuntime() {
  const state = new MemoryBackend();
  const calls: { service: string; operation: string; input: Record<string, unknown> }[] = [];
  const runtime = {
    service: "events",
    state,
    now: () => 0,
    storeFor: (account: string, region: string) => state.scope({ service: "events", account, region }),
    services: {
      call: async (service: string, operation: string, input: Record<string, unknown>) => {
        calls.push({ service, operation, input });
        return operation === "GetQueueUrl" ? { QueueUrl: "http://queue" } : {};
      },
    },
    setTimer: (fn: () => void) => {
      queueMicrotask(fn);
      return { cancel() {} };
    },
  } as unknown as ServiceRuntime;
  return { runtime, calls };
}

test("due scheduled rules fire once to their targets and move to their next time", async () => {
  const { runtime, calls } = fakeRuntime();
  const store = runtime.storeFor("123456789012", "us-east-1");
  const created = at("2024-01-01T00:00:00Z");
  const rule: RuleRecord = {
    name: "every-minute",
    bus: "default",
    scheduleExpression: "rate(1 minute)",
    state: "ENABLED",
    createdBy: "123456789012",
    createdAt: created,
    tags: {},
    targets: [{ Id: "q", Arn: "arn:aws:sqs:us-east-1:123456789012:ticks" }],
    nextFire: created + 60_000,
  };
  rulesIn(store).set(ruleKey("default", rule.name), rule);
  rulesIn(store).set(ruleKey("default", "off"), { ...rule, name: "off", state: "DISABLED", nextFire: undefined });

  assert.equal(fireDueSchedules(runtime, created + 59_000), 0, "not due yet");
  assert.equal(fireDueSchedules(runtime, created + 61_000), 1);
  assert.equal(rulesIn(store).get(ruleKey("default", rule.name))?.nextFire, created + 120_000);
  assert.equal(fireDueSchedules(runtime, created + 62_000), 0, "fires once per period");
  for (let i = 0; i < 10 && !calls.some((c) => c.operation === "SendMessage"); i++) await new Promise((r) => setTimeout(r, 10));
  const sent = calls.filter((c) => c.operation === "SendMessage");
  assert.equal(sent.length, 1);
  const event = JSON.parse(sent[0].input.MessageBody as string);
  assert.equal(event["detail-type"], "Scheduled Event");
  assert.equal(event.source, "aws.events");
  assert.equal(event.time, "2024-01-01T00:01:00Z");
  assert.deepEqual(event.resources, ["arn:aws:events:us-east-1:123456789012:rule/every-minute"]);

  // A sweep that comes late (a busy machine) still fires…
  assert.equal(fireDueSchedules(runtime, created + 150_000), 1);
  assert.equal(rulesIn(store).get(ruleKey("default", rule.name))?.nextFire, created + 180_000);
  // …but firings missed while Overcast was down are skipped, not made up; the rule moves on.
  assert.equal(fireDueSchedules(runtime, created + 3_600_000), 0);
  assert.equal(rulesIn(store).get(ruleKey("default", rule.name))?.nextFire, created + 3_660_000);
});
