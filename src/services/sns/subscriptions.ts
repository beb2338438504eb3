import { randomBytes, randomUUID } from "node:crypto";
import type {
  ConfirmSubscriptionInput,
  ConfirmSubscriptionResponse,
  GetSubscriptionAttributesInput,
  GetSubscriptionAttributesResponse,
  ListSubscriptionsByTopicInput,
  ListSubscriptionsByTopicResponse,
  ListSubscriptionsInput,
  ListSubscriptionsResponse,
  SetSubscriptionAttributesInput,
  SubscribeInput,
  SubscribeResponse,
  Subscription,
  UnsubscribeInput,
} from "@aws-sdk/client-sns";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { invalid, subscriptionNotFound } from "./errors.js";
import { type FilterPolicyScope, parseFilterPolicy } from "./filter-policy.js";
import { deliveryFor, sendConfirmation } from "./delivery.js";
import type { SubscriptionRecord, TopicRecord } from "./model.js";
import { decodeToken, encodeToken } from "./paging.js";
import { effectiveRetryPolicy, validateDeliveryPolicy } from "./retry-policy.js";
import { findTopic, isFifo, parseTopicArn, saveTopic, subscriptionsIn, topicStore, topicSubscriptions, topicsIn } from "./topics.js";

const PROTOCOLS = new Set(["sqs", "lambda", "http", "https", "email", "email-json", "sms", "application"]);
const SETTABLE = new Set([
  "DeliveryPolicy",
  "FilterPolicy",
  "FilterPolicyScope",
  "RawMessageDelivery",
  "RedrivePolicy",
  "SubscriptionRoleArn",
  "ReplayPolicy",
]);
const RAW_CAPABLE = new Set(["sqs", "http", "https"]);
/** Subscribed endpoints that need no confirmation round trip. */
const CONFIRMED_AT_ONCE = new Set(["sqs", "lambda", "sms", "application"]);
const PAGE = 100;

export function subscribe(input: SubscribeInput, ctx: RequestContext): SubscribeResponse {
  const topic = findTopic(ctx, input.TopicArn);
  const protocol = input.Protocol as string;
  if (!PROTOCOLS.has(protocol)) throw invalid(`Amazon SNS does not support this protocol string: ${protocol}`);
  const endpoint = input.Endpoint ?? "";
  validateEndpoint(protocol, endpoint);
  if (isFifo(topic) && protocol !== "sqs") throw invalid(`Invalid protocol type: ${protocol}`);
  if (!isFifo(topic) && protocol === "sqs" && endpoint.endsWith(".fifo")) {
    throw invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
  }
  const attributes = { ...(input.Attributes ?? {}) };
  for (const [key, value] of Object.entries(attributes)) validateSubscriptionAttribute(key, value, protocol, attributes);
  const store = topicStore(ctx, topic.arn);
  const existing = findExisting(store, topic.arn, protocol, endpoint);
  if (existing) {
    if (Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v)) {
      throw invalid("Attributes Reason: Subscription already exists with different attributes");
    }
    return { SubscriptionArn: existing.pending && !input.ReturnSubscriptionArn ? "pending confirmation" : existing.arn };
  }
  const pending = !CONFIRMED_AT_ONCE.has(protocol);
  const sub: SubscriptionRecord = {
    arn: `${topic.arn}:${randomUUID()}`,
    topicArn: topic.arn,
    owner: ctx.account,
    protocol,
    endpoint,
    attributes,
    pending,
    token: pending ? randomBytes(64).toString("hex") : undefined,
    confirmationWasAuthenticated: !pending,
  };
  subscriptionsIn(store).set(sub.arn, sub);
  if (pending) void confirm(ctx, topic, sub, "SubscriptionConfirmation", sub.token as string);
  return { SubscriptionArn: pending && !input.ReturnSubscriptionArn ? "pending confirmation" : sub.arn };
}

async function confirm(
  ctx: RequestContext,
  topic: TopicRecord,
  sub: SubscriptionRecord,
  type: "SubscriptionConfirmation" | "UnsubscribeConfirmation",
  token: string,
) {
  try {
    sendConfirmation(await deliveryFor(ctx, topic), sub, type, token);
  } catch {
    // A confirmation that cannot be produced leaves the subscription pending, as an unreachable endpoint would.
  }
}

function validateEndpoint(protocol: string, endpoint: string): void {
  const ok: Record<string, () => boolean> = {
    sqs: () => /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(endpoint),
    lambda: () => /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/.test(endpoint),
    http: () => /^http:\/\/[^/\s]+/.test(endpoint),
    https: () => /^https:\/\/[^/\s]+/.test(endpoint),
    email: () => /^[^@\s]+@[^@\s]+$/.test(endpoint),
    "email-json": () => /^[^@\s]+@[^@\s]+$/.test(endpoint),
    sms: () => /^\+?[0-9]{1,15}$/.test(endpoint.replace(/[-\s().]/g, "")),
    application: () => /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/.+/.test(endpoint),
  };
  if (ok[protocol]()) return;
  const what: Record<string, string> = {
    sqs: "SQS endpoint ARN",
    lambda: "Lambda endpoint ARN",
    http: "Endpoint must match the specified protocol",
    https: "Endpoint must match the specified protocol",
    email: "Email address",
    "email-json": "Email address",
    sms: `Invalid SMS endpoint: ${endpoint}`,
    application: "Application endpoint arn invalid",
  };
  throw invalid(what[protocol]);
}

function validateSubscriptionAttribute(key: string, value: string, protocol: string, all: Record<string, string>): void {
  if (!SETTABLE.has(key)) throw invalid(`Attributes Reason: Unknown attribute ${key}`);
  if (key === "RawMessageDelivery") {
    if (value !== "true" && value !== "false")
      throw invalid("Attributes Reason: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.");
    if (!RAW_CAPABLE.has(protocol))
      throw invalid(`Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`);
  }
  if (key === "FilterPolicyScope" && value !== "MessageAttributes" && value !== "MessageBody") {
    throw invalid(
      "Attributes Reason: FilterPolicyScope: Invalid value [" + value + "]. Please use either MessageBody or MessageAttributes",
    );
  }
  if (key === "FilterPolicy" && value !== "") parseFilterPolicy(value, (all.FilterPolicyScope as FilterPolicyScope) ?? "MessageAttributes");
  if (key === "RedrivePolicy" && value !== "") validateRedrivePolicy(value);
  if (key === "DeliveryPolicy") validateDeliveryPolicy(value, "subscription");
}

function validateRedrivePolicy(value: string): void {
  const policy = validateJson(value, "RedrivePolicy") as { deadLetterTargetArn?: unknown };
  if (typeof policy.deadLetterTargetArn !== "string" || !/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:.+$/.test(policy.deadLetterTargetArn)) {
    throw invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn");
  }
}

function validateJson(value: string, key: string): unknown {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw invalid(`${key}: failed to parse JSON.`);
}

function findExisting(store: ScopeStore, topicArn: string, protocol: string, endpoint: string): SubscriptionRecord | undefined {
  for (const sub of topicSubscriptions(store, topicArn)) if (sub.protocol === protocol && sub.endpoint === endpoint) return sub;
  return undefined;
}

function findSubscription(ctx: RequestContext, arn: string | undefined): SubscriptionRecord {
  const topicArn = (arn ?? "").split(":").slice(0, 6).join(":");
  parseTopicArn(topicArn, "SubscriptionArn");
  if ((arn ?? "").split(":").length !== 7) throw invalid("SubscriptionArn");
  const sub = subscriptionsIn(topicStore(ctx, topicArn, "SubscriptionArn")).get(arn as string);
  if (!sub) throw subscriptionNotFound();
  return sub;
}

export async function unsubscribe(input: UnsubscribeInput, ctx: RequestContext): Promise<void> {
  const sub = findSubscription(ctx, input.SubscriptionArn);
  const store = topicStore(ctx, sub.topicArn);
  subscriptionsIn(store).delete(sub.arn);
  const topic = findTopic(ctx, sub.topicArn);
  topic.subscriptionsDeleted++;
  saveTopic(ctx, topic);
  if (sub.protocol === "http" || sub.protocol === "https")
    await confirm(ctx, topic, sub, "UnsubscribeConfirmation", randomBytes(64).toString("hex"));
}

export function confirmSubscription(input: ConfirmSubscriptionInput, ctx: RequestContext): ConfirmSubscriptionResponse {
  const topic = findTopic(ctx, input.TopicArn);
  const store = topicStore(ctx, topic.arn);
  for (const sub of topicSubscriptions(store, topic.arn)) {
    if (sub.token !== input.Token) continue;
    sub.pending = false;
    sub.confirmationWasAuthenticated = input.AuthenticateOnUnsubscribe === "true";
    subscriptionsIn(store).set(sub.arn, sub);
    return { SubscriptionArn: sub.arn };
  }
  throw invalid("Token");
}

export function getSubscriptionAttributes(input: GetSubscriptionAttributesInput, ctx: RequestContext): GetSubscriptionAttributesResponse {
  const sub = findSubscription(ctx, input.SubscriptionArn);
  const attributes: Record<string, string> = {
    SubscriptionArn: sub.arn,
    TopicArn: sub.topicArn,
    Owner: sub.owner,
    Protocol: sub.protocol,
    Endpoint: sub.endpoint,
    ConfirmationWasAuthenticated: String(sub.confirmationWasAuthenticated),
    PendingConfirmation: String(sub.pending),
    RawMessageDelivery: "false",
    SubscriptionPrincipal: `arn:aws:iam::${sub.owner}:root`,
    ...sub.attributes,
  };
  if (attributes.FilterPolicy && !attributes.FilterPolicyScope) attributes.FilterPolicyScope = "MessageAttributes";
  if (sub.protocol === "http" || sub.protocol === "https") {
    const topicPolicy = topicsIn(topicStore(ctx, sub.topicArn)).get(parseTopicArn(sub.topicArn).name)?.attributes.DeliveryPolicy;
    attributes.EffectiveDeliveryPolicy = JSON.stringify({
      healthyRetryPolicy: effectiveRetryPolicy(sub.attributes.DeliveryPolicy, topicPolicy),
    });
  }
  return { Attributes: attributes };
}

export function setSubscriptionAttributes(input: SetSubscriptionAttributesInput, ctx: RequestContext): void {
  const sub = findSubscription(ctx, input.SubscriptionArn);
  const name = input.AttributeName as string;
  const value = input.AttributeValue ?? "";
  validateSubscriptionAttribute(name, value, sub.protocol, { ...sub.attributes, [name]: value });
  // A new scope must still fit the stored policy (a nested policy needs MessageBody scope).
  if (name === "FilterPolicyScope" && sub.attributes.FilterPolicy)
    parseFilterPolicy(sub.attributes.FilterPolicy, value as FilterPolicyScope);
  if (value === "" && (name === "FilterPolicy" || name === "RedrivePolicy")) delete sub.attributes[name];
  else sub.attributes[name] = value;
  subscriptionsIn(topicStore(ctx, sub.topicArn)).set(sub.arn, sub);
}

const listed = (sub: SubscriptionRecord): Subscription => ({
  SubscriptionArn: sub.pending ? "PendingConfirmation" : sub.arn,
  Owner: sub.owner,
  Protocol: sub.protocol,
  Endpoint: sub.endpoint,
  TopicArn: sub.topicArn,
});

function page(entries: Iterable<[string, SubscriptionRecord]>, token: string | undefined, within: (arn: string) => boolean) {
  const after = token !== undefined ? decodeToken(token) : undefined;
  const subs: SubscriptionRecord[] = [];
  for (const [arn, sub] of entries) {
    if (!within(arn)) break;
    if (arn === after) continue;
    if (subs.length === PAGE) return { Subscriptions: subs.map(listed), NextToken: encodeToken(subs[subs.length - 1].arn) };
    subs.push(sub);
  }
  return { Subscriptions: subs.map(listed), NextToken: undefined };
}

export function listSubscriptions(input: ListSubscriptionsInput, ctx: RequestContext): ListSubscriptionsResponse {
  const after = input.NextToken !== undefined ? decodeToken(input.NextToken) : undefined;
  return page(subscriptionsIn(ctx.store).entriesFrom(after), input.NextToken, () => true);
}

export function listSubscriptionsByTopic(input: ListSubscriptionsByTopicInput, ctx: RequestContext): ListSubscriptionsByTopicResponse {
  const topic = findTopic(ctx, input.TopicArn);
  const prefix = `${topic.arn}:`;
  const after = input.NextToken !== undefined ? decodeToken(input.NextToken) : prefix;
  return page(subscriptionsIn(topicStore(ctx, topic.arn)).entriesFrom(after), input.NextToken, (arn) => arn.startsWith(prefix));
}
