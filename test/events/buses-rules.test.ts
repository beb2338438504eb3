import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemovePermissionCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
  UpdateEventBusCommand,
} from "@aws-sdk/client-eventbridge";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const events = () => new EventBridgeClient(server.clientConfig());
const ACCOUNT = "000000000000";

test("the default bus exists without being created and cannot be deleted", async () => {
  const bus = await events().send(new DescribeEventBusCommand({}));
  assert.equal(bus.Name, "default");
  assert.equal(bus.Arn, `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`);
  const byName = await events().send(new DescribeEventBusCommand({ Name: "default" }));
  assert.equal(byName.Arn, bus.Arn);
  const err = await rejectsWith(events().send(new DeleteEventBusCommand({ Name: "default" })), "ValidationException", 400);
  assert.equal(err.message, "Cannot delete event bus default.");
  await rejectsWith(events().send(new CreateEventBusCommand({ Name: "default" })), "ResourceAlreadyExistsException", 400);
});

test("CreateEventBus, DescribeEventBus, UpdateEventBus, ListEventBuses and DeleteEventBus", async () => {
  const created = await events().send(
    new CreateEventBusCommand({ Name: "orders", Description: "order events", Tags: [{ Key: "team", Value: "a" }] }),
  );
  assert.equal(created.EventBusArn, `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`);
  assert.equal(created.Description, "order events");
  const dup = await rejectsWith(events().send(new CreateEventBusCommand({ Name: "orders" })), "ResourceAlreadyExistsException", 400);
  assert.equal(dup.message, "Event bus orders already exists.");
  const described = await events().send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
  assert.equal(described.Name, "orders");
  assert.equal(described.Description, "order events");
  assert.ok(described.CreationTime instanceof Date);
  const updated = await events().send(new UpdateEventBusCommand({ Name: "orders", Description: "renamed" }));
  assert.equal(updated.Description, "renamed");
  assert.equal((await events().send(new DescribeEventBusCommand({ Name: "orders" }))).Description, "renamed");

  await events().send(new CreateEventBusCommand({ Name: "orders-eu" }));
  await events().send(new CreateEventBusCommand({ Name: "payments" }));
  const all = await events().send(new ListEventBusesCommand({}));
  assert.deepEqual(
    all.EventBuses?.map((b) => b.Name),
    ["default", "orders", "orders-eu", "payments"],
  );
  const prefixed = await events().send(new ListEventBusesCommand({ NamePrefix: "orders" }));
  assert.deepEqual(
    prefixed.EventBuses?.map((b) => b.Name),
    ["orders", "orders-eu"],
  );
  const first = await events().send(new ListEventBusesCommand({ Limit: 2 }));
  assert.equal(first.EventBuses?.length, 2);
  assert.ok(first.NextToken);
  const second = await events().send(new ListEventBusesCommand({ Limit: 2, NextToken: first.NextToken }));
  assert.deepEqual(
    second.EventBuses?.map((b) => b.Name),
    ["orders-eu", "payments"],
  );
  assert.equal(second.NextToken, undefined);
  await rejectsWith(events().send(new ListEventBusesCommand({ NextToken: "garbage" })), "ValidationException", 400);

  await events().send(new PutRuleCommand({ Name: "p-rule", EventBusName: "payments", EventPattern: '{"source":["p"]}' }));
  const hasRules = await rejectsWith(events().send(new DeleteEventBusCommand({ Name: "payments" })), "ValidationException", 400);
  assert.equal(hasRules.message, "EventBus can't be deleted since it has rules.");
  await events().send(new DeleteRuleCommand({ Name: "p-rule", EventBusName: "payments" }));
  await events().send(new DeleteEventBusCommand({ Name: "payments" }));
  await events().send(new DeleteEventBusCommand({ Name: "payments" })); // deleting again succeeds
  const gone = await rejectsWith(events().send(new DescribeEventBusCommand({ Name: "payments" })), "ResourceNotFoundException", 400);
  assert.equal(gone.message, "Event bus payments does not exist.");
});

test("bus names are validated", async () => {
  const err = await rejectsWith(events().send(new CreateEventBusCommand({ Name: "bad name" })), "ValidationException", 400);
  assert.match(
    err.message,
    /^1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  );
  await rejectsWith(events().send(new CreateEventBusCommand({ Name: "a/b" })), "ValidationException", 400);
  await rejectsWith(events().send(new CreateEventBusCommand({ Name: "x".repeat(257) })), "ValidationException", 400);
  await rejectsWith(events().send(new ListEventBusesCommand({ Limit: 0 })), "ValidationException", 400);
});

test("PutRule creates and replaces rules; DescribeRule reports them", async () => {
  const pattern = JSON.stringify({ source: ["my.app"], "detail-type": ["Order Placed"] });
  const { RuleArn } = await events().send(new PutRuleCommand({ Name: "orders-placed", EventPattern: pattern, Description: "d1" }));
  assert.equal(RuleArn, `arn:aws:events:us-east-1:${ACCOUNT}:rule/orders-placed`);
  const rule = await events().send(new DescribeRuleCommand({ Name: "orders-placed" }));
  assert.deepEqual(
    {
      Name: rule.Name,
      Arn: rule.Arn,
      EventPattern: rule.EventPattern,
      State: rule.State,
      Description: rule.Description,
      EventBusName: rule.EventBusName,
      CreatedBy: rule.CreatedBy,
    },
    {
      Name: "orders-placed",
      Arn: RuleArn,
      EventPattern: pattern,
      State: "ENABLED",
      Description: "d1",
      EventBusName: "default",
      CreatedBy: ACCOUNT,
    },
  );
  // A second PutRule replaces the definition: the description left out is gone.
  await events().send(new PutRuleCommand({ Name: "orders-placed", EventPattern: pattern, State: "DISABLED" }));
  const replaced = await events().send(new DescribeRuleCommand({ Name: "orders-placed" }));
  assert.equal(replaced.State, "DISABLED");
  assert.equal(replaced.Description, undefined);
  await events().send(new EnableRuleCommand({ Name: "orders-placed" }));
  assert.equal((await events().send(new DescribeRuleCommand({ Name: "orders-placed" }))).State, "ENABLED");
  await events().send(new DisableRuleCommand({ Name: "orders-placed" }));
  assert.equal((await events().send(new DescribeRuleCommand({ Name: "orders-placed" }))).State, "DISABLED");
});

test("rules on a custom bus have the bus in their ARN and are listed per bus", async () => {
  await events().send(new CreateEventBusCommand({ Name: "shop" }));
  const pattern = JSON.stringify({ source: ["shop"] });
  const { RuleArn } = await events().send(new PutRuleCommand({ Name: "r1", EventBusName: "shop", EventPattern: pattern }));
  assert.equal(RuleArn, `arn:aws:events:us-east-1:${ACCOUNT}:rule/shop/r1`);
  await events().send(new PutRuleCommand({ Name: "r2", EventBusName: "shop", EventPattern: pattern }));
  await events().send(new PutRuleCommand({ Name: "x1", EventBusName: "shop", EventPattern: pattern }));
  const listed = await events().send(new ListRulesCommand({ EventBusName: "shop" }));
  assert.deepEqual(
    listed.Rules?.map((r) => [r.Name, r.EventBusName]),
    [
      ["r1", "shop"],
      ["r2", "shop"],
      ["x1", "shop"],
    ],
  );
  const prefixed = await events().send(
    new ListRulesCommand({ EventBusName: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/shop`, NamePrefix: "r" }),
  );
  assert.deepEqual(
    prefixed.Rules?.map((r) => r.Name),
    ["r1", "r2"],
  );
  const page1 = await events().send(new ListRulesCommand({ EventBusName: "shop", Limit: 2 }));
  const page2 = await events().send(new ListRulesCommand({ EventBusName: "shop", Limit: 2, NextToken: page1.NextToken }));
  assert.deepEqual(
    [...(page1.Rules ?? []), ...(page2.Rules ?? [])].map((r) => r.Name),
    ["r1", "r2", "x1"],
  );
  const missing = await rejectsWith(events().send(new DescribeRuleCommand({ Name: "r1" })), "ResourceNotFoundException", 400);
  assert.equal(missing.message, "Rule r1 does not exist on EventBus default.");
  const noBus = await rejectsWith(events().send(new ListRulesCommand({ EventBusName: "nope" })), "ResourceNotFoundException", 400);
  assert.equal(noBus.message, "Event bus nope does not exist.");
});

test("PutRule validates its pattern, its schedule and its name", async () => {
  const bad = await rejectsWith(
    events().send(new PutRuleCommand({ Name: "bad", EventPattern: JSON.stringify({ source: "aws.ec2" }) })),
    "InvalidEventPatternException",
    400,
  );
  assert.match(bad.message, /^Event pattern is not valid\. Reason: "source" must be an object or an array/);
  await rejectsWith(events().send(new PutRuleCommand({ Name: "bad", EventPattern: "{not json" })), "InvalidEventPatternException", 400);
  const reasons: [object, string][] = [
    [{ source: [] }, "Empty arrays are not allowed"],
    [{ source: [{ foo: "x" }] }, "Unrecognized match type foo"],
    [{ source: [{ exists: "true" }] }, "exists match pattern must be either true or false."],
    [{ source: [{ prefix: "a", suffix: "b" }] }, "Only one key allowed in match expression"],
    [{ source: [["nested"]] }, "Match value must be String, number, true, false, or null"],
  ];
  for (const [pattern, reason] of reasons) {
    const err = await rejectsWith(
      events().send(new PutRuleCommand({ Name: "bad", EventPattern: JSON.stringify(pattern) })),
      "InvalidEventPatternException",
      400,
    );
    assert.equal(err.message, `Event pattern is not valid. Reason: ${reason}`);
  }
  const empty = await rejectsWith(
    events().send(new PutRuleCommand({ Name: "bad", EventPattern: JSON.stringify({ source: ["a"], detail: {} }) })),
    "InvalidEventPatternException",
    400,
  );
  assert.match(empty.message, /Empty objects are not allowed/);
  const neither = await rejectsWith(events().send(new PutRuleCommand({ Name: "bad" })), "ValidationException", 400);
  assert.equal(neither.message, "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  for (const expression of [
    "rate(0 minutes)",
    "rate(1 minutes)",
    "rate(5 minute)",
    "rate(5 weeks)",
    "cron(* * * * * *)",
    "cron(0 12 * * ?)",
    "every day",
  ]) {
    const err = await rejectsWith(
      events().send(new PutRuleCommand({ Name: "bad", ScheduleExpression: expression })),
      "ValidationException",
      400,
    );
    assert.equal(err.message, "Parameter ScheduleExpression is not valid.", expression);
  }
  await events().send(new CreateEventBusCommand({ Name: "sched" }));
  const custom = await rejectsWith(
    events().send(new PutRuleCommand({ Name: "s", EventBusName: "sched", ScheduleExpression: "rate(5 minutes)" })),
    "ValidationException",
    400,
  );
  assert.equal(custom.message, "ScheduleExpression is supported only on the default event bus.");
  await rejectsWith(
    events().send(new PutRuleCommand({ Name: "bad name", ScheduleExpression: "rate(1 hour)" })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    events().send(new PutRuleCommand({ Name: "x", ScheduleExpression: "rate(1 hour)", State: "ON" as never })),
    "ValidationException",
    400,
  );
  await rejectsWith(events().send(new DescribeRuleCommand({ Name: "bad" })), "ResourceNotFoundException", 400);
});

test("scheduled rules are stored with their expression", async () => {
  for (const expression of [
    "rate(1 minute)",
    "rate(5 minutes)",
    "rate(1 day)",
    "cron(0 12 * * ? *)",
    "cron(0/15 8-17 ? * MON-FRI *)",
    "cron(0 10 L * ? 2030)",
  ]) {
    await events().send(new PutRuleCommand({ Name: "tick", ScheduleExpression: expression }));
    assert.equal((await events().send(new DescribeRuleCommand({ Name: "tick" }))).ScheduleExpression, expression);
  }
});

test("PutTargets, ListTargetsByRule, RemoveTargets and their limits", async () => {
  await events().send(new PutRuleCommand({ Name: "t-rule", EventPattern: JSON.stringify({ source: ["t"] }) }));
  const queue = (n: number) => `arn:aws:sqs:us-east-1:${ACCOUNT}:q${n}`;
  const put = await events().send(
    new PutTargetsCommand({
      Rule: "t-rule",
      Targets: [
        { Id: "b", Arn: queue(2) },
        { Id: "a", Arn: queue(1), Input: '{"x":1}' },
      ],
    }),
  );
  assert.deepEqual({ count: put.FailedEntryCount, entries: put.FailedEntries }, { count: 0, entries: [] });
  const listed = await events().send(new ListTargetsByRuleCommand({ Rule: "t-rule" }));
  assert.deepEqual(listed.Targets, [
    { Id: "a", Arn: queue(1), Input: '{"x":1}' },
    { Id: "b", Arn: queue(2) },
  ]);
  // Same Id replaces; at most five targets per rule.
  await events().send(new PutTargetsCommand({ Rule: "t-rule", Targets: [{ Id: "a", Arn: queue(9) }] }));
  const again = await events().send(new ListTargetsByRuleCommand({ Rule: "t-rule" }));
  assert.equal(again.Targets?.find((t) => t.Id === "a")?.Arn, queue(9));
  await events().send(new PutTargetsCommand({ Rule: "t-rule", Targets: [3, 4, 5].map((n) => ({ Id: `t${n}`, Arn: queue(n) })) }));
  const limit = await rejectsWith(
    events().send(new PutTargetsCommand({ Rule: "t-rule", Targets: [{ Id: "t6", Arn: queue(6) }] })),
    "LimitExceededException",
    400,
  );
  assert.equal(limit.message, "The requested resource exceeds the maximum number allowed.");
  const names = await events().send(new ListRuleNamesByTargetCommand({ TargetArn: queue(3) }));
  assert.deepEqual(names.RuleNames, ["t-rule"]);
  const paged = await events().send(new ListTargetsByRuleCommand({ Rule: "t-rule", Limit: 3 }));
  assert.equal(paged.Targets?.length, 3);
  const rest = await events().send(new ListTargetsByRuleCommand({ Rule: "t-rule", Limit: 3, NextToken: paged.NextToken }));
  assert.equal(rest.Targets?.length, 2);

  const hasTargets = await rejectsWith(events().send(new DeleteRuleCommand({ Name: "t-rule" })), "ValidationException", 400);
  assert.equal(hasTargets.message, "Rule can't be deleted since it has targets.");
  const removed = await events().send(new RemoveTargetsCommand({ Rule: "t-rule", Ids: ["a", "b", "t3", "t4", "t5"] }));
  assert.equal(removed.FailedEntryCount, 0);
  assert.deepEqual((await events().send(new ListTargetsByRuleCommand({ Rule: "t-rule" }))).Targets, []);
  await events().send(new DeleteRuleCommand({ Name: "t-rule" }));
  await events().send(new DeleteRuleCommand({ Name: "t-rule" })); // deleting again succeeds
  await rejectsWith(events().send(new DescribeRuleCommand({ Name: "t-rule" })), "ResourceNotFoundException", 400);
});

test("PutTargets rejects bad targets as a whole request", async () => {
  await events().send(new PutRuleCommand({ Name: "v-rule", EventPattern: JSON.stringify({ source: ["v"] }) }));
  const fifo = await rejectsWith(
    events().send(new PutTargetsCommand({ Rule: "v-rule", Targets: [{ Id: "f", Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q.fifo` }] })),
    "ValidationException",
    400,
  );
  assert.equal(fifo.message, "Parameter(s) SqsParameters must be specified for target: f.");
  await rejectsWith(
    events().send(new PutTargetsCommand({ Rule: "v-rule", Targets: [{ Id: "i", Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, Input: "{" }] })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    events().send(
      new PutTargetsCommand({
        Rule: "v-rule",
        Targets: [{ Id: "i", Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, Input: "{}", InputPath: "$.detail" }],
      }),
    ),
    "ValidationException",
    400,
  );
  const badId = await rejectsWith(
    events().send(new PutTargetsCommand({ Rule: "v-rule", Targets: [{ Id: "bad id", Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` }] })),
    "ValidationException",
    400,
  );
  assert.match(badId.message, /at 'targets.1.member.id' failed to satisfy constraint/);
  const noRule = await rejectsWith(
    events().send(new PutTargetsCommand({ Rule: "nope", Targets: [{ Id: "x", Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` }] })),
    "ResourceNotFoundException",
    400,
  );
  assert.equal(noRule.message, "Rule nope does not exist on EventBus default.");
  assert.deepEqual((await events().send(new ListTargetsByRuleCommand({ Rule: "v-rule" }))).Targets, []);
});

test("TestEventPattern matches events with the shared pattern language", async () => {
  const event = JSON.stringify({
    id: "1",
    account: ACCOUNT,
    source: "my.app",
    time: "2024-01-01T00:00:00Z",
    region: "us-east-1",
    resources: [],
    "detail-type": "Order Placed",
    detail: { amount: 120, customer: { tier: "gold" } },
  });
  const test1 = (pattern: object) => events().send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event }));
  assert.equal((await test1({ source: ["my.app"], detail: { amount: [{ numeric: [">", 100] }] } })).Result, true);
  assert.equal((await test1({ source: ["my.app"], detail: { amount: [{ numeric: ["<", 100] }] } })).Result, false);
  assert.equal((await test1({ detail: { customer: { tier: [{ prefix: "go" }] } } })).Result, true);
  assert.equal((await test1({ "detail-type": [{ "anything-but": "Order Placed" }] })).Result, false);
  await rejectsWith(test1({ source: "my.app" }), "InvalidEventPatternException", 400);
  const badEvent = await rejectsWith(
    events().send(new TestEventPatternCommand({ EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' })),
    "ValidationException",
    400,
  );
  assert.equal(badEvent.message, "Parameter Event is not valid.");
  const { resources: _resources, ...withoutResources } = JSON.parse(event);
  assert.equal(
    (await events().send(new TestEventPatternCommand({ EventPattern: '{"source":["my.app"]}', Event: JSON.stringify(withoutResources) })))
      .Result,
    true,
  );
  await rejectsWith(
    events().send(
      new TestEventPatternCommand({ EventPattern: '{"source":["my.app"]}', Event: JSON.stringify({ ...withoutResources, time: "soon" }) }),
    ),
    "ValidationException",
    400,
  );
});

test("tags on rules and buses", async () => {
  const { EventBusArn } = await events().send(new CreateEventBusCommand({ Name: "tagged", Tags: [{ Key: "a", Value: "1" }] }));
  await events().send(new TagResourceCommand({ ResourceARN: EventBusArn, Tags: [{ Key: "b", Value: "2" }] }));
  assert.deepEqual((await events().send(new ListTagsForResourceCommand({ ResourceARN: EventBusArn }))).Tags, [
    { Key: "a", Value: "1" },
    { Key: "b", Value: "2" },
  ]);
  await events().send(new UntagResourceCommand({ ResourceARN: EventBusArn, TagKeys: ["a"] }));
  assert.deepEqual((await events().send(new ListTagsForResourceCommand({ ResourceARN: EventBusArn }))).Tags, [{ Key: "b", Value: "2" }]);
  const { RuleArn } = await events().send(
    new PutRuleCommand({ Name: "tr", EventBusName: "tagged", EventPattern: '{"source":["x"]}', Tags: [{ Key: "k", Value: "v" }] }),
  );
  assert.deepEqual((await events().send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags, [{ Key: "k", Value: "v" }]);
  const missing = await rejectsWith(
    events().send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:events:us-east-1:${ACCOUNT}:rule/none` })),
    "ResourceNotFoundException",
    400,
  );
  assert.equal(missing.message, "Rule none does not exist on EventBus default.");
});

test("PutPermission and RemovePermission maintain the bus policy", async () => {
  await events().send(new CreateEventBusCommand({ Name: "shared" }));
  await events().send(
    new PutPermissionCommand({ EventBusName: "shared", Action: "events:PutEvents", Principal: "111122223333", StatementId: "s1" }),
  );
  const policy = JSON.parse((await events().send(new DescribeEventBusCommand({ Name: "shared" }))).Policy as string);
  assert.deepEqual(policy.Statement, [
    {
      Sid: "s1",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111122223333:root" },
      Action: "events:PutEvents",
      Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/shared`,
    },
  ]);
  await rejectsWith(
    events().send(
      new PutPermissionCommand({ EventBusName: "shared", Action: "events:PutEvents", Principal: "111122223333", StatementId: "s1" }),
    ),
    "ResourceAlreadyExistsException",
    400,
  );
  await rejectsWith(
    events().send(new RemovePermissionCommand({ EventBusName: "shared", StatementId: "nope" })),
    "ResourceNotFoundException",
    400,
  );
  await events().send(new RemovePermissionCommand({ EventBusName: "shared", StatementId: "s1" }));
  assert.equal((await events().send(new DescribeEventBusCommand({ Name: "shared" }))).Policy, undefined);
  await rejectsWith(
    events().send(new RemovePermissionCommand({ EventBusName: "shared", StatementId: "s1" })),
    "ResourceNotFoundException",
    400,
  );
});
