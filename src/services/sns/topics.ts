import type {
  CreateTopicInput,
  CreateTopicResponse,
  DeleteTopicInput,
  GetDataProtectionPolicyInput,
  GetDataProtectionPolicyResponse,
  GetTopicAttributesInput,
  GetTopicAttributesResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTopicsInput,
  ListTopicsResponse,
  PutDataProtectionPolicyInput,
  SetTopicAttributesInput,
  TagResourceRequest,
  UntagResourceRequest,
} from "@aws-sdk/client-sns";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { invalid, ResourceNotFound, TagLimitExceeded, topicNotFound } from "./errors.js";
import type { SubscriptionRecord, TopicRecord } from "./model.js";
import { decodeToken, encodeToken } from "./paging.js";
import { effectiveTopicDeliveryPolicy, validateDeliveryPolicy } from "./retry-policy.js";

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;
const SETTABLE = new Set([
  "DisplayName",
  "Policy",
  "DeliveryPolicy",
  "KmsMasterKeyId",
  "SignatureVersion",
  "TracingConfig",
  "ContentBasedDeduplication",
  "FifoTopic",
  "ArchivePolicy",
  "FifoThroughputScope",
  "DataProtectionPolicy",
  ...["HTTP", "Firehose", "Lambda", "SQS", "Application"].flatMap((p) => [
    `${p}SuccessFeedbackRoleArn`,
    `${p}SuccessFeedbackSampleRate`,
    `${p}FailureFeedbackRoleArn`,
  ]),
]);
const MAX_TAGS = 50;

export const topicsIn = (store: ScopeStore) => store.collection<TopicRecord>("topics", { sorted: true });
export const subscriptionsIn = (store: ScopeStore) => store.collection<SubscriptionRecord>("subscriptions", { sorted: true });

export function parseTopicArn(arn: string | undefined, what = "TopicArn"): { region: string; account: string; name: string } {
  const match = TOPIC_ARN.exec(arn ?? "");
  if (!match) throw invalid(what);
  return { region: match[1], account: match[2], name: match[3] };
}

/** The store that holds a topic: the ARN's own account and region, which may differ from the caller's. */
export function topicStore(ctx: RequestContext, arn: string, what = "TopicArn"): ScopeStore {
  const { account, region } = parseTopicArn(arn, what);
  return account === ctx.account && region === ctx.region ? ctx.store : ctx.runtime.storeFor(account, region);
}

export function findTopic(ctx: RequestContext, arn: string | undefined, what = "TopicArn"): TopicRecord {
  const { name } = parseTopicArn(arn, what);
  const topic = topicsIn(topicStore(ctx, arn as string, what)).get(name);
  if (!topic || topic.arn !== arn) throw topicNotFound();
  return topic;
}

export const saveTopic = (ctx: RequestContext, topic: TopicRecord) => topicsIn(topicStore(ctx, topic.arn)).set(topic.name, topic);
export const isFifo = (topic: TopicRecord) => topic.attributes.FifoTopic === "true";

export function createTopic(input: CreateTopicInput, ctx: RequestContext): CreateTopicResponse {
  const name = input.Name as string;
  const attributes: Record<string, string> = { ...(input.Attributes ?? {}) };
  const fifoName = name.endsWith(".fifo");
  if (attributes.FifoTopic === "true" && (!fifoName || !TOPIC_NAME.test(name.slice(0, -5)) || name.length > 256)) {
    throw invalid(
      "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
    );
  }
  if (attributes.FifoTopic !== "true" && !TOPIC_NAME.test(name)) throw invalid("Topic Name");
  for (const [key, value] of Object.entries(attributes)) validateTopicAttribute(key, value, attributes.FifoTopic === "true");
  const tags = tagMap(input.Tags ?? []);
  const arn = `arn:aws:sns:${ctx.region}:${ctx.account}:${name}`;
  const existing = topicsIn(ctx.store).get(name);
  if (existing) {
    if (Object.entries(attributes).some(([k, v]) => (existing.attributes[k] ?? defaultAttribute(k)) !== v)) {
      throw invalid("Attributes Reason: Topic already exists with different attributes");
    }
    if (Object.entries(tags).some(([k, v]) => existing.tags[k] !== v))
      throw invalid("Tags Reason: Topic already exists with different tags");
    return { TopicArn: existing.arn };
  }
  if (input.DataProtectionPolicy !== undefined) validateJsonPolicy(input.DataProtectionPolicy, "DataProtectionPolicy");
  if (attributes.FifoTopic === "false") delete attributes.FifoTopic;
  const topic: TopicRecord = {
    name,
    arn,
    attributes,
    tags,
    dataProtectionPolicy: input.DataProtectionPolicy,
    subscriptionsDeleted: 0,
    sequence: 0,
  };
  topicsIn(ctx.store).set(name, topic);
  return { TopicArn: arn };
}

const defaultAttribute = (key: string) => (key === "FifoTopic" || key === "ContentBasedDeduplication" ? "false" : undefined);

function validateTopicAttribute(key: string, value: string, fifo: boolean): void {
  if (!SETTABLE.has(key)) throw invalid("AttributeName");
  if (key === "Policy" || key === "DataProtectionPolicy" || key === "ArchivePolicy") validateJsonPolicy(value, key);
  if (key === "DeliveryPolicy") validateDeliveryPolicy(value, "topic");
  if (key === "TracingConfig" && value !== "PassThrough" && value !== "Active") throw invalid("TracingConfig");
  if (key === "FifoThroughputScope" && (!fifo || (value !== "Topic" && value !== "MessageGroup"))) throw invalid("FifoThroughputScope");
  if ((key === "FifoTopic" || key === "ContentBasedDeduplication") && value !== "true" && value !== "false") {
    throw invalid(`Attributes Reason: ${key} must be true or false`);
  }
  if (key === "ContentBasedDeduplication" && value === "true" && !fifo) {
    throw invalid("ContentBasedDeduplication Reason: Content based deduplication can only be set for FIFO topics");
  }
  if (key === "SignatureVersion" && value !== "1" && value !== "2") throw invalid("SignatureVersion");
  if (key === "DisplayName" && value.length > 100) throw invalid("DisplayName");
}

function validateJsonPolicy(value: string, key: string): void {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return;
  } catch {
    // reported below
  }
  throw invalid(`${key}: failed to parse JSON`);
}

export function deleteTopic(input: DeleteTopicInput, ctx: RequestContext): void {
  const { name } = parseTopicArn(input.TopicArn);
  const store = topicStore(ctx, input.TopicArn as string);
  // Deleting a topic that does not exist succeeds, as in AWS; its subscriptions go with it.
  if (!topicsIn(store).delete(name)) return;
  const subs = subscriptionsIn(store);
  for (const sub of [...topicSubscriptions(store, input.TopicArn as string)]) subs.delete(sub.arn);
}

export function listTopics(input: ListTopicsInput, ctx: RequestContext): ListTopicsResponse {
  const after = input.NextToken !== undefined ? decodeToken(input.NextToken) : undefined;
  const topics: { TopicArn: string }[] = [];
  let more = false;
  for (const [name, topic] of topicsIn(ctx.store).entriesFrom(after)) {
    if (name === after) continue;
    if (topics.length === 100) {
      more = true;
      break;
    }
    topics.push({ TopicArn: topic.arn });
  }
  return { Topics: topics, NextToken: more ? encodeToken(topics[topics.length - 1].TopicArn.split(":")[5]) : undefined };
}

export function getTopicAttributes(input: GetTopicAttributesInput, ctx: RequestContext): GetTopicAttributesResponse {
  const topic = findTopic(ctx, input.TopicArn);
  const counts = { confirmed: 0, pending: 0 };
  for (const sub of topicSubscriptions(topicStore(ctx, topic.arn), topic.arn)) {
    if (sub.pending) counts.pending++;
    else counts.confirmed++;
  }
  const { account } = parseTopicArn(topic.arn);
  const fifo = isFifo(topic);
  return {
    Attributes: {
      TopicArn: topic.arn,
      Owner: account,
      Policy: topicPolicy(topic),
      DisplayName: "",
      SubscriptionsConfirmed: String(counts.confirmed),
      SubscriptionsPending: String(counts.pending),
      SubscriptionsDeleted: String(topic.subscriptionsDeleted),
      EffectiveDeliveryPolicy: JSON.stringify(effectiveTopicDeliveryPolicy(topic.attributes.DeliveryPolicy)),
      ...(fifo ? { FifoTopic: "true", ContentBasedDeduplication: "false" } : {}),
      ...topic.attributes,
    },
  };
}

/** The topic's access policy: the one set on it, or the default that lets the owner account do everything. */
export function topicPolicy(topic: TopicRecord): string {
  return topic.attributes.Policy ?? defaultPolicy(topic.arn, parseTopicArn(topic.arn).account);
}

function defaultPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: arn,
        Condition: { StringEquals: { "AWS:SourceOwner": account } },
      },
    ],
  });
}

export function setTopicAttributes(input: SetTopicAttributesInput, ctx: RequestContext): void {
  const topic = findTopic(ctx, input.TopicArn);
  const name = input.AttributeName as string;
  const value = input.AttributeValue ?? "";
  if (name === "FifoTopic") throw invalid("AttributeName Reason: FifoTopic cannot be changed after the topic is created");
  validateTopicAttribute(name, value, isFifo(topic));
  if (name === "DataProtectionPolicy") topic.dataProtectionPolicy = value;
  else topic.attributes[name] = value;
  saveTopic(ctx, topic);
}

function tagMap(tags: { Key?: string; Value?: string }[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags) {
    const key = tag.Key ?? "";
    if (key.length < 1 || key.length > 128 || key.startsWith("aws:")) throw invalid("Tags Reason: invalid tag key");
    if ((tag.Value ?? "").length > 256) throw invalid("Tags Reason: invalid tag value");
    map[key] = tag.Value ?? "";
  }
  if (Object.keys(map).length > MAX_TAGS) throw new TagLimitExceeded("Could not complete request: tag quota of per resource exceeded");
  return map;
}

function taggedTopic(ctx: RequestContext, arn: string | undefined): TopicRecord {
  const match = TOPIC_ARN.exec(arn ?? "");
  const topic = match ? topicsIn(topicStore(ctx, arn as string)).get(match[3]) : undefined;
  if (!topic) throw new ResourceNotFound("Resource does not exist");
  return topic;
}

export function tagResource(input: TagResourceRequest, ctx: RequestContext): Record<string, never> {
  const topic = taggedTopic(ctx, input.ResourceArn);
  const merged = { ...topic.tags, ...tagMap(input.Tags ?? []) };
  if (Object.keys(merged).length > MAX_TAGS) throw new TagLimitExceeded("Could not complete request: tag quota of per resource exceeded");
  topic.tags = merged;
  saveTopic(ctx, topic);
  return {};
}

export function untagResource(input: UntagResourceRequest, ctx: RequestContext): Record<string, never> {
  const topic = taggedTopic(ctx, input.ResourceArn);
  for (const key of input.TagKeys ?? []) delete topic.tags[key];
  saveTopic(ctx, topic);
  return {};
}

export function listTagsForResource(input: ListTagsForResourceRequest, ctx: RequestContext): ListTagsForResourceResponse {
  const topic = taggedTopic(ctx, input.ResourceArn);
  return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
}

export function putDataProtectionPolicy(input: PutDataProtectionPolicyInput, ctx: RequestContext): void {
  const topic = findTopic(ctx, input.ResourceArn, "ResourceArn");
  validateJsonPolicy(input.DataProtectionPolicy as string, "DataProtectionPolicy");
  topic.dataProtectionPolicy = input.DataProtectionPolicy;
  saveTopic(ctx, topic);
}

export function getDataProtectionPolicy(input: GetDataProtectionPolicyInput, ctx: RequestContext): GetDataProtectionPolicyResponse {
  const topic = findTopic(ctx, input.ResourceArn, "ResourceArn");
  return { DataProtectionPolicy: topic.dataProtectionPolicy };
}

export function* topicSubscriptions(store: ScopeStore, topicArn: string): Generator<SubscriptionRecord> {
  for (const [arn, sub] of subscriptionsIn(store).entriesFrom(`${topicArn}:`)) {
    if (!arn.startsWith(`${topicArn}:`)) return;
    yield sub;
  }
}
