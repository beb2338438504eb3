import type {
  CreateQueueRequest,
  CreateQueueResult,
  DeleteQueueRequest,
  GetQueueAttributesRequest,
  GetQueueAttributesResult,
  GetQueueUrlRequest,
  GetQueueUrlResult,
  ListDeadLetterSourceQueuesRequest,
  ListDeadLetterSourceQueuesResult,
  ListQueuesRequest,
  ListQueuesResult,
  PurgeQueueRequest,
  SetQueueAttributesRequest,
} from "@aws-sdk/client-sqs";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { type AttributeCheckContext, checkAttributes, effectiveAttributes, queueArn, selectAttributeNames } from "./attributes.js";
import type { QueueRef, SqsEngine } from "./engine.js";
import {
  InvalidParameterValue,
  invalidAddress,
  invalidParameter,
  PurgeQueueInProgress,
  QueueDeletedRecently,
  QueueNameExists,
  queueDoesNotExist,
} from "./errors.js";
import { paginate } from "./paging.js";
import type { QueueRecord } from "./model.js";
import { queueCounters } from "./receive.js";

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const RECREATE_DELAY_MS = 60_000;
const PURGE_INTERVAL_MS = 60_000;

export const queueCollection = (store: ScopeStore) => store.collection<QueueRecord>("queues", { sorted: true });
const deletedQueues = (store: ScopeStore) => store.collection<number>("deleted-queues");

export function queueUrl(ctx: RequestContext, account: string, name: string): string {
  return `${ctx.origin.baseUrl}/${account}/${name}`;
}

/** Finds the queue a QueueUrl names: `<anything>/<account>/<name>`, in the request's region. */
export function resolveQueue(ctx: RequestContext, url: string): QueueRef {
  const match = /^(?:[a-z]+:\/\/[^/]*)?\/?(\d{12})\/([^/?#]+)\/?$/.exec(url ?? "");
  if (!match) throw invalidAddress(url);
  const [, account, name] = match;
  const store = account === ctx.account ? ctx.store : ctx.runtime.storeFor(account, ctx.region);
  const record = queueCollection(store).get(name);
  if (!record) throw queueDoesNotExist();
  return { store, account, region: ctx.region, name, record };
}

export function saveQueue(ref: QueueRef): void {
  queueCollection(ref.store).set(ref.name, ref.record);
}

export function arnOf(ref: { account: string; region: string; name: string }): string {
  return queueArn(ref.account, ref.region, ref.name);
}

/** Finds a queue of this account and region by ARN, for dead-letter targets and move tasks. */
export function queueByArn(ctx: RequestContext, arn: string): QueueRef | undefined {
  const match = /^arn:aws:sqs:([^:]+):(\d{12}):([^:]+)$/.exec(arn);
  if (!match) return undefined;
  const [, region, account, name] = match;
  const store = account === ctx.account && region === ctx.region ? ctx.store : ctx.runtime.storeFor(account, region);
  const record = queueCollection(store).get(name);
  return record ? { store, account, region, name, record } : undefined;
}

function checkContext(ctx: RequestContext, name: string): AttributeCheckContext {
  const fifo = name.endsWith(".fifo");
  return {
    queue: { name, fifo },
    request: ctx,
    checkRedrivePolicy(policy, raw) {
      const reason = (text: string) => invalidParameter("RedrivePolicy", raw, text);
      if (typeof policy.deadLetterTargetArn !== "string")
        throw reason("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
      if (policy.maxReceiveCount === undefined) throw reason("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
      const count = Number(policy.maxReceiveCount);
      if (!Number.isInteger(count) || count < 1 || count > 1000) {
        throw reason(
          `Invalid value for maxReceiveCount: ${String(policy.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
        );
      }
      const target = queueByArn(ctx, policy.deadLetterTargetArn);
      if (!target || target.account !== ctx.account || target.region !== ctx.region) throw reason("Dead letter target does not exist.");
      if ((target.record.attributes.FifoQueue === "true") !== fifo)
        throw reason("Dead-letter queue must be same type of queue as the source.");
      if (!redriveAllowed(target.record, queueArn(ctx.account, ctx.region, name))) {
        throw reason(`Queue ${policy.deadLetterTargetArn} does not allow this queue to use it as a dead-letter queue.`);
      }
    },
  };
}

/** The dead-letter queue's RedriveAllowPolicy decides which source queues may use it. */
function redriveAllowed(target: QueueRecord, sourceArn: string): boolean {
  const raw = target.attributes.RedriveAllowPolicy;
  if (!raw) return true;
  const policy = JSON.parse(raw) as { redrivePermission: string; sourceQueueArns?: string[] };
  if (policy.redrivePermission === "denyAll") return false;
  return policy.redrivePermission === "allowAll" || (policy.sourceQueueArns ?? []).includes(sourceArn);
}

/** SQS answers with the redrive policy in its own canonical form. */
function normalizeAttributes(attributes: Record<string, string>): Record<string, string> {
  if (attributes.RedrivePolicy) {
    const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(attributes.RedrivePolicy) as Record<string, unknown>;
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn, maxReceiveCount: Number(maxReceiveCount) });
  }
  return attributes;
}

export function createQueue(input: CreateQueueRequest, ctx: RequestContext): CreateQueueResult {
  const name = input.QueueName as string;
  const fifo = name.endsWith(".fifo");
  const base = fifo ? name.slice(0, -5) : name;
  const requested = input.Attributes ?? {};
  if (!QUEUE_NAME.test(base) || name.length > 80 || (requested.FifoQueue === "true" && !fifo)) {
    throw new InvalidParameterValue(
      fifo || requested.FifoQueue === "true"
        ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
        : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    );
  }
  const attributes = normalizeAttributes(checkAttributes(requested, checkContext(ctx, name), true));
  if (fifo) attributes.FifoQueue = "true";
  checkThroughputSettings(attributes);
  const existing = queueCollection(ctx.store).get(name);
  if (existing) {
    const current = effectiveAttributes(existing);
    for (const [key, value] of Object.entries(attributes)) {
      if (current[key] !== value)
        throw new QueueNameExists(`A queue already exists with the same name and a different value for attribute ${key}`);
    }
    return { QueueUrl: queueUrl(ctx, ctx.account, name) };
  }
  const deletedAt = deletedQueues(ctx.store).get(name);
  if (deletedAt !== undefined && ctx.runtime.now() - deletedAt < RECREATE_DELAY_MS) {
    throw new QueueDeletedRecently("You must wait 60 seconds after deleting a queue before you can create another with the same name.");
  }
  const tags = input.tags ?? {};
  checkTags(tags);
  const now = Math.floor(ctx.runtime.now() / 1000);
  queueCollection(ctx.store).set(name, {
    name,
    attributes,
    createdTimestamp: now,
    lastModifiedTimestamp: now,
    tags: { ...tags },
    nextSequence: 1,
  });
  return { QueueUrl: queueUrl(ctx, ctx.account, name) };
}

/** High throughput for FIFO needs deduplication per message group. */
function checkThroughputSettings(attributes: Record<string, string>): void {
  if (attributes.FifoThroughputLimit === "perMessageGroupId" && attributes.DeduplicationScope === "queue") {
    throw new InvalidParameterValue(
      "Invalid value for the parameter FifoThroughputLimit. Reason: To enable high throughput for FIFO queues, set DeduplicationScope to messageGroup and FifoThroughputLimit to perMessageGroupId.",
    );
  }
}

export function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > 50) throw new InvalidParameterValue("Too many tags added for queue. The maximum number of tags is 50.");
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128) throw invalidParameter("TagKey", key, "Tag keys must be between 1 and 128 characters long.");
    if (String(value).length > 256) throw invalidParameter("TagValue", value, "Tag values must be up to 256 characters long.");
  }
}

export function getQueueUrl(input: GetQueueUrlRequest, ctx: RequestContext): GetQueueUrlResult {
  const account = input.QueueOwnerAWSAccountId ?? ctx.account;
  const store = account === ctx.account ? ctx.store : ctx.runtime.storeFor(account, ctx.region);
  const name = input.QueueName as string;
  if (!queueCollection(store).has(name)) throw queueDoesNotExist();
  return { QueueUrl: queueUrl(ctx, account, name) };
}

export function listQueues(input: ListQueuesRequest, ctx: RequestContext): ListQueuesResult {
  const prefix = input.QueueNamePrefix ?? "";
  const page = paginate(input, queueCollection(ctx.store).entriesFrom(prefix), ([name]) => name.startsWith(prefix));
  return {
    QueueUrls: page.names.length ? page.names.map((n) => queueUrl(ctx, ctx.account, n)) : undefined,
    NextToken: page.nextToken,
  };
}

export function listDeadLetterSourceQueues(
  input: ListDeadLetterSourceQueuesRequest,
  ctx: RequestContext,
): ListDeadLetterSourceQueuesResult {
  const target = resolveQueue(ctx, input.QueueUrl as string);
  const arn = arnOf(target);
  const isSource = ([, queue]: [string, QueueRecord]) =>
    !!queue.attributes.RedrivePolicy &&
    (JSON.parse(queue.attributes.RedrivePolicy) as { deadLetterTargetArn: string }).deadLetterTargetArn === arn;
  const page = paginate(input, queueCollection(target.store).entriesFrom(""), () => true, isSource);
  return { queueUrls: page.names.map((n) => queueUrl(ctx, target.account, n)), NextToken: page.nextToken };
}

export function deleteQueue(input: DeleteQueueRequest, ctx: RequestContext, engine: SqsEngine): void {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  queueCollection(ref.store).delete(ref.name);
  deletedQueues(ref.store).set(ref.name, ctx.runtime.now());
  engine.dropQueue(ref);
}

export function purgeQueue(input: PurgeQueueRequest, ctx: RequestContext, engine: SqsEngine): void {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  const now = ctx.runtime.now();
  if (ref.record.lastPurge !== undefined && now - ref.record.lastPurge < PURGE_INTERVAL_MS) {
    throw new PurgeQueueInProgress(`Only one PurgeQueue operation on ${ref.name} is allowed every 60 seconds.`);
  }
  ref.record.lastPurge = now;
  saveQueue(ref);
  engine.clear(ref);
}

export function getQueueAttributes(input: GetQueueAttributesRequest, ctx: RequestContext, engine: SqsEngine): GetQueueAttributesResult {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  const names = selectAttributeNames((input.AttributeNames ?? []) as string[], ref.record.attributes.FifoQueue === "true");
  if (names.length === 0) return {};
  const counters = queueCounters(ref, engine);
  const all: Record<string, string> = {
    QueueArn: arnOf(ref),
    ApproximateNumberOfMessages: String(counters.visible),
    ApproximateNumberOfMessagesNotVisible: String(counters.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counters.delayed),
    CreatedTimestamp: String(ref.record.createdTimestamp),
    LastModifiedTimestamp: String(ref.record.lastModifiedTimestamp),
    ...effectiveAttributes(ref.record),
  };
  const out: Record<string, string> = {};
  for (const name of names) if (all[name] !== undefined) out[name] = all[name];
  return { Attributes: Object.keys(out).length ? out : undefined };
}

export function setQueueAttributes(input: SetQueueAttributesRequest, ctx: RequestContext): void {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  const changes = normalizeAttributes(checkAttributes(input.Attributes ?? {}, checkContext(ctx, ref.name), false));
  const next = { ...ref.record.attributes };
  for (const [key, value] of Object.entries(changes)) {
    if (value === "") delete next[key];
    else next[key] = value;
  }
  checkThroughputSettings(effectiveAttributes({ ...ref.record, attributes: next }));
  ref.record.attributes = next;
  ref.record.lastModifiedTimestamp = Math.floor(ctx.runtime.now() / 1000);
  saveQueue(ref);
}
