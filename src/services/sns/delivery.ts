import { randomUUID } from "node:crypto";
import type { MessageAttributeValue } from "@aws-sdk/client-sns";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { confirmationEnvelope, formatEnvelope, messageFor, notificationEnvelope, type SnsMessage } from "./envelope.js";
import { effectiveRetryPolicy, retryDelays } from "./retry-policy.js";
import type { DeliveryRecord, SubscriptionRecord, TopicRecord } from "./model.js";
import { type Signer, signer } from "./signing.js";
import { parseTopicArn, topicStore } from "./topics.js";

/** Everything a delivery needs once the publishing request is over: it may run later, from a timer. */
export interface Delivery {
  runtime: ServiceRuntime;
  signer: Signer;
  baseUrl: string;
  /** The topic's own store, account and region. */
  store: ScopeStore;
  account: string;
  region: string;
  signatureVersion: string;
  /** The topic's DeliveryPolicy attribute, if set. */
  topicDeliveryPolicy?: string;
}

const HTTP_TIMEOUT_MS = 15_000;
/** Protocols Overcast cannot reach for real: deliveries are recorded for inspection instead. */
const RECORDED = new Set(["email", "email-json", "sms", "application"]);

export async function deliveryFor(ctx: RequestContext, topic: TopicRecord): Promise<Delivery> {
  const { account, region } = parseTopicArn(topic.arn);
  return {
    runtime: ctx.runtime,
    signer: await signer(ctx.runtime.state),
    baseUrl: ctx.origin.baseUrl,
    store: topicStore(ctx, topic.arn),
    account,
    region,
    signatureVersion: topic.attributes.SignatureVersion ?? "1",
    topicDeliveryPolicy: topic.attributes.DeliveryPolicy,
  };
}

export async function deliver(d: Delivery, sub: SubscriptionRecord, msg: SnsMessage): Promise<void> {
  const raw = sub.attributes.RawMessageDelivery === "true";
  const envelope = () => formatEnvelope(notificationEnvelope(msg, sub.protocol, sub.arn, d.baseUrl, d.signer, d.signatureVersion));
  try {
    if (sub.protocol === "sqs") {
      const body = raw ? messageFor(msg, "sqs") : envelope();
      await sendToQueue(d, sub.endpoint, msg, body, raw ? msg.messageAttributes : undefined);
    } else if (sub.protocol === "lambda") {
      await invokeLambda(d, sub, msg);
    } else if (sub.protocol === "http" || sub.protocol === "https") {
      const headers = messageHeaders("Notification", msg.messageId, msg.topicArn, sub.arn, raw);
      postWithRetries(d, sub, raw ? messageFor(msg, sub.protocol) : envelope(), headers, msg);
    } else if (RECORDED.has(sub.protocol)) {
      const text = sub.protocol === "email-json" ? envelope() : messageFor(msg, sub.protocol);
      recordDelivery(d.store, {
        protocol: sub.protocol,
        endpoint: sub.endpoint,
        topicArn: msg.topicArn,
        subscriptionArn: sub.arn,
        messageId: msg.messageId,
        subject: msg.subject,
        message: text,
        timestamp: msg.timestamp,
      });
    }
  } catch {
    await redrive(d, sub, msg, raw ? messageFor(msg, sub.protocol) : envelope());
  }
}

/** SubscriptionConfirmation / UnsubscribeConfirmation to an http(s) endpoint, or the confirmation mail. */
export function sendConfirmation(
  d: Delivery,
  sub: SubscriptionRecord,
  type: "SubscriptionConfirmation" | "UnsubscribeConfirmation",
  token: string,
): void {
  const messageId = randomUUID();
  const timestamp = new Date(d.runtime.now()).toISOString();
  const envelope = confirmationEnvelope(
    type,
    { messageId, topicArn: sub.topicArn, subscriptionArn: sub.arn, token, timestamp },
    d.baseUrl,
    d.signer,
    d.signatureVersion,
  );
  if (sub.protocol === "http" || sub.protocol === "https") {
    const headers = messageHeaders(type, messageId, sub.topicArn, type === "UnsubscribeConfirmation" ? sub.arn : undefined, false);
    postWithRetries(d, sub, formatEnvelope(envelope), headers);
    return;
  }
  recordDelivery(d.store, {
    protocol: sub.protocol,
    endpoint: sub.endpoint,
    topicArn: sub.topicArn,
    subscriptionArn: sub.arn,
    messageId,
    message: formatEnvelope(envelope),
    timestamp,
    subject: "AWS Notification - Subscription Confirmation",
  });
}

function messageHeaders(
  type: string,
  messageId: string,
  topicArn: string,
  subscriptionArn: string | undefined,
  raw: boolean,
): Record<string, string> {
  return {
    "content-type": "text/plain; charset=UTF-8",
    "user-agent": "Amazon Simple Notification Service Agent",
    "x-amz-sns-message-type": type,
    "x-amz-sns-message-id": messageId,
    "x-amz-sns-topic-arn": topicArn,
    ...(subscriptionArn ? { "x-amz-sns-subscription-arn": subscriptionArn } : {}),
    ...(raw ? { "x-amz-sns-rawdelivery": "true" } : {}),
  };
}

async function sendToQueue(
  d: Delivery,
  queueArn: string,
  msg: SnsMessage,
  body: string,
  attributes?: Record<string, MessageAttributeValue>,
): Promise<void> {
  const [, , , region, account, name] = queueArn.split(":");
  const options = { account: d.account, region, asService: "sns", sourceArn: msg.topicArn };
  const { QueueUrl } = await d.runtime.services.call<{ QueueUrl: string }>(
    "sqs",
    "GetQueueUrl",
    { QueueName: name, QueueOwnerAWSAccountId: account },
    options,
  );
  const fifoQueue = name.endsWith(".fifo");
  const input: Record<string, unknown> = { QueueUrl, MessageBody: body };
  if (attributes && Object.keys(attributes).length) input.MessageAttributes = attributes;
  if (fifoQueue && msg.messageGroupId) input.MessageGroupId = msg.messageGroupId;
  if (fifoQueue && msg.deduplicationId) input.MessageDeduplicationId = msg.deduplicationId;
  await d.runtime.services.call("sqs", "SendMessage", input, options);
}

async function invokeLambda(d: Delivery, sub: SubscriptionRecord, msg: SnsMessage): Promise<void> {
  const envelope = notificationEnvelope(msg, "lambda", sub.arn, d.baseUrl, d.signer, d.signatureVersion);
  // Lambda's event spells two of the envelope's keys differently.
  const { SigningCertURL, UnsubscribeURL, ...rest } = envelope;
  const event = {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: sub.arn,
        Sns: { ...rest, MessageAttributes: rest.MessageAttributes ?? {}, SigningCertUrl: SigningCertURL, UnsubscribeUrl: UnsubscribeURL },
      },
    ],
  };
  const region = sub.endpoint.split(":")[3];
  await d.runtime.services.call(
    "lambda",
    "Invoke",
    { FunctionName: sub.endpoint, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) },
    { account: d.account, region, asService: "sns", sourceArn: msg.topicArn },
  );
}

/** POSTs now and, on 5xx/429/network failure, again on the delivery policy's schedule; then redrives. */
function postWithRetries(d: Delivery, sub: SubscriptionRecord, body: string, headers: Record<string, string>, msg?: SnsMessage): void {
  const delays = retryDelays(effectiveRetryPolicy(sub.attributes.DeliveryPolicy, d.topicDeliveryPolicy));
  const attempt = (n: number) => {
    void post(sub.endpoint, body, headers).then(async (outcome) => {
      if (outcome === "delivered") return;
      if (outcome === "retry" && n < delays.length) {
        d.runtime.setTimer(() => attempt(n + 1), delays[n] * 1000);
        return;
      }
      if (msg) await redrive(d, sub, msg, body).catch(() => undefined);
    });
  };
  attempt(0);
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<"delivered" | "retry" | "failed"> {
  try {
    const response = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return "delivered";
    return response.status >= 500 || response.status === 429 ? "retry" : "failed";
  } catch {
    return "retry";
  }
}

function parsePolicy(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A message that could not be delivered goes to the subscription's dead-letter queue, if it has one. */
async function redrive(d: Delivery, sub: SubscriptionRecord, msg: SnsMessage, body: string): Promise<void> {
  const target = (parsePolicy(sub.attributes.RedrivePolicy)?.deadLetterTargetArn as string | undefined) ?? undefined;
  if (!target) return;
  await sendToQueue(d, target, msg, body, sub.attributes.RawMessageDelivery === "true" ? msg.messageAttributes : undefined).catch(
    () => undefined,
  );
}

export function recordDelivery(store: ScopeStore, delivery: Omit<DeliveryRecord, "id">): void {
  const id = randomUUID();
  deliveriesIn(store).set(`${delivery.timestamp}|${id}`, { id, ...delivery });
}

export const deliveriesIn = (store: ScopeStore) => store.collection<DeliveryRecord>("deliveries", { sorted: true });
