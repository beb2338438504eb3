import type { AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import { regionalArn, requestTags } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { apiDestinationsIn } from "./api-destinations.js";
import { connectionsIn } from "./connections.js";
import { busArn, busesIn, parseBusReference, ruleArn, ruleKey, rulesIn } from "./model.js";

/** The bus a request names (a name or an ARN; the default bus when absent). */
const busOf = (i: OperationInput, ctx: RequestContext, member = "EventBusName") => parseBusReference(ctx, i[member]);

const busResource = (i: OperationInput, ctx: RequestContext, member?: string) => {
  const ref = busOf(i, ctx, member);
  return busArn(ref, ref.name);
};

/** Declarations read state without creating anything: the default bus may not be stored yet. */
const busPolicy = (i: OperationInput, ctx: RequestContext, member?: string) => {
  const ref = busOf(i, ctx, member);
  return busesIn(ctx.runtime.storeFor(ref.account, ref.region)).get(ref.name);
};

const ruleResource = (i: OperationInput, ctx: RequestContext, member = "Name") => {
  const bus = busOf(i, ctx);
  return ruleArn(bus, bus.name, String(i[member] ?? ""));
};

const onBus = (action: string, member = "Name"): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [busResource(i, ctx, member)],
  resourceTags: (i, ctx) => busPolicy(i, ctx, member)?.tags,
});

const onRule = (action: string, member = "Name", extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [ruleResource(i, ctx, member)],
  resourceTags: (i, ctx) => {
    const bus = busOf(i, ctx);
    return rulesIn(ctx.store).get(ruleKey(bus.name, String(i[member] ?? "")))?.tags;
  },
  ...extra,
});

const onAccount = (action: string): OperationAuthorization => ({ action });

/** Tagging operations name their rule or bus by ARN. */
const onTaggedResource = (action: string): OperationAuthorization => ({
  action,
  resources: (i) => [String(i.ResourceARN ?? "*")],
});

const onArchive = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [regionalArn(ctx, "events", `archive/${i.ArchiveName}`)],
  ...extra,
});

const onReplay = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [regionalArn(ctx, "events", `replay/${i.ReplayName}`)],
  ...extra,
});

/** Connections and API destinations: their ARNs end in an id generated at creation (unknown before: `*`). */
const onNamed = (action: string, type: "connection" | "api-destination"): OperationAuthorization => ({
  action,
  resources: (i, ctx) => {
    const records = type === "connection" ? connectionsIn(ctx.store) : apiDestinationsIn(ctx.store);
    return [regionalArn(ctx, "events", `${type}/${i.Name}/${records.get(String(i.Name))?.uuid ?? "*"}`)];
  },
});

export const authorization: AuthorizationTable = {
  CreateEventBus: { ...onBus("events:CreateEventBus"), context: (i) => tagKeys(i) },
  DeleteEventBus: onBus("events:DeleteEventBus"),
  DescribeEventBus: onBus("events:DescribeEventBus"),
  UpdateEventBus: onBus("events:UpdateEventBus"),
  ListEventBuses: onAccount("events:ListEventBuses"),
  PutPermission: onBus("events:PutPermission", "EventBusName"),
  RemovePermission: onBus("events:RemovePermission", "EventBusName"),
  PutRule: onRule("events:PutRule", "Name", { context: (i) => tagKeys(i) }),
  DescribeRule: onRule("events:DescribeRule"),
  DeleteRule: onRule("events:DeleteRule"),
  EnableRule: onRule("events:EnableRule"),
  DisableRule: onRule("events:DisableRule"),
  ListRules: onAccount("events:ListRules"),
  TestEventPattern: onAccount("events:TestEventPattern"),
  PutTargets: onRule("events:PutTargets", "Rule", {
    context: (i) => ({ "events:TargetArn": ((i.Targets ?? []) as { Arn?: string }[]).map((t) => String(t.Arn)) }),
  }),
  RemoveTargets: onRule("events:RemoveTargets", "Rule"),
  ListTargetsByRule: onRule("events:ListTargetsByRule", "Rule"),
  ListRuleNamesByTarget: onAccount("events:ListRuleNamesByTarget"),
  // The buses events are put on; another account's bus is governed by its policy (PutPermission).
  PutEvents: {
    action: "events:PutEvents",
    resources: (i, ctx) => [...new Set(((i.Entries ?? []) as OperationInput[]).map((e) => busResource(e, ctx)))],
    resourcePolicy: (i, ctx) => {
      const first = ((i.Entries ?? []) as OperationInput[])[0];
      return first ? busPolicy(first, ctx)?.policy : undefined;
    },
    context: (i) => {
      const entries = (i.Entries ?? []) as OperationInput[];
      return { "events:source": entries.map((e) => String(e.Source)), "events:detail-type": entries.map((e) => String(e.DetailType)) };
    },
  },
  TagResource: { ...onTaggedResource("events:TagResource"), context: (i) => tagKeys(i) },
  UntagResource: { ...onTaggedResource("events:UntagResource"), context: (i) => ({ "aws:TagKeys": i.TagKeys }) },
  ListTagsForResource: onTaggedResource("events:ListTagsForResource"),
  CreateArchive: onArchive("events:CreateArchive", {
    also: (i) => [{ action: "events:DescribeEventBus", resources: [String(i.EventSourceArn)] }],
  }),
  DescribeArchive: onArchive("events:DescribeArchive"),
  UpdateArchive: onArchive("events:UpdateArchive"),
  DeleteArchive: onArchive("events:DeleteArchive"),
  ListArchives: onAccount("events:ListArchives"),
  StartReplay: onReplay("events:StartReplay", {
    also: (i) => [{ action: "events:PutEvents", resources: [String(i.Destination?.Arn)] }],
  }),
  DescribeReplay: onReplay("events:DescribeReplay"),
  CancelReplay: onReplay("events:CancelReplay"),
  ListReplays: onAccount("events:ListReplays"),
  CreateConnection: onNamed("events:CreateConnection", "connection"),
  DescribeConnection: onNamed("events:DescribeConnection", "connection"),
  UpdateConnection: onNamed("events:UpdateConnection", "connection"),
  DeauthorizeConnection: onNamed("events:DeauthorizeConnection", "connection"),
  DeleteConnection: onNamed("events:DeleteConnection", "connection"),
  ListConnections: onAccount("events:ListConnections"),
  CreateApiDestination: onNamed("events:CreateApiDestination", "api-destination"),
  DescribeApiDestination: onNamed("events:DescribeApiDestination", "api-destination"),
  UpdateApiDestination: onNamed("events:UpdateApiDestination", "api-destination"),
  DeleteApiDestination: onNamed("events:DeleteApiDestination", "api-destination"),
  ListApiDestinations: onAccount("events:ListApiDestinations"),
};

function tagKeys(i: OperationInput) {
  const tags = requestTags(i);
  if (!tags) return {};
  return { "aws:TagKeys": Object.keys(tags), ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])) };
}
