import type { Target } from "@aws-sdk/client-eventbridge";
import { AwsError } from "../../protocol/errors.js";
import type { ServiceRuntime } from "../types.js";
import { invokeApiDestination } from "./api-invoke.js";
import { PermanentFailure } from "./errors.js";
import { select, targetInput } from "./input.js";
import { guarded, type Scope } from "./model.js";
import { type EventEnvelope, routeEvent } from "./put-events.js";

/** One event on its way to one target of one rule. */
export interface TargetDelivery {
  /** The rule's account and region. */
  scope: Scope;
  ruleArn: string;
  ruleName: string;
  target: Target;
  event: EventEnvelope;
  ingestionTime: string;
}

const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_EVENT_AGE_S = 86_400;
const MAX_BACKOFF_MS = 300_000;

/** Starts a delivery; it runs on the service's timers, retrying per the target's RetryPolicy, then dead-lettering. */
export function deliverToTarget(runtime: ServiceRuntime, delivery: TargetDelivery): void {
  const started = runtime.now();
  const attempt = (n: number) => {
    sendToTarget(runtime, delivery)
      .catch((err: unknown) => {
        const policy = delivery.target.RetryPolicy;
        const maxAttempts = policy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
        const maxAgeMs = (policy?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_S) * 1000;
        const delay = Math.min(1000 * 2 ** n, MAX_BACKOFF_MS);
        if (retryable(err) && n < maxAttempts && runtime.now() + delay - started <= maxAgeMs) {
          runtime.setTimer(
            guarded("delivering an event", () => attempt(n + 1)),
            delay,
          );
          return;
        }
        const exhausted = !retryable(err) ? undefined : n >= maxAttempts ? "MaximumRetryAttempts" : "MaximumEventAgeInSeconds";
        // A dead-letter queue that cannot take the event either leaves it dropped, as in AWS.
        void deadLetter(runtime, delivery, err, n, exhausted).catch(() => undefined);
      })
      .catch((err: unknown) => console.error("[overcast] events: delivering an event failed:", err));
  };
  runtime.setTimer(
    guarded("delivering an event", () => attempt(0)),
    0,
  );
}

/** Throttling and service-side failures are worth retrying; a missing resource or a denied call is not. */
function retryable(err: unknown): boolean {
  if (err instanceof PermanentFailure) return false;
  if (err instanceof AwsError) return (err.status ?? 400) >= 500 || err.status === 429 || err.code === "ThrottlingException";
  return true;
}

async function sendToTarget(runtime: ServiceRuntime, d: TargetDelivery): Promise<void> {
  const arn = d.target.Arn as string;
  const [, , service, region, account, ...rest] = arn.split(":");
  const resource = rest.join(":");
  const body = targetInput(d.target, d.event, { ruleArn: d.ruleArn, ruleName: d.ruleName, ingestionTime: d.ingestionTime });
  const options = { account: d.scope.account, region, asService: "events", sourceArn: d.ruleArn };
  const call = (svc: string, operation: string, input: Record<string, unknown>) => runtime.services.call(svc, operation, input, options);
  switch (service) {
    case "sqs":
      return sendToQueue(call, account, resource, body, {
        MessageGroupId: d.target.SqsParameters?.MessageGroupId,
        MessageDeduplicationId: d.event.id,
      });
    case "sns":
      await call("sns", "Publish", { TopicArn: arn, Message: body });
      return;
    case "lambda":
      await call("lambda", "Invoke", { FunctionName: arn, InvocationType: "Event", Payload: Buffer.from(body) });
      return;
    case "logs":
      return sendToLogGroup(call, resource, d.event, body);
    case "kinesis":
      await call("kinesis", "PutRecord", { StreamARN: arn, Data: Buffer.from(body), PartitionKey: partitionKey(d) });
      return;
    case "events":
      if (resource.startsWith("api-destination/")) return invokeApiDestination(runtime, { account, region }, resource, d, body);
      if (!resource.startsWith("event-bus/")) break;
      routeEvent(runtime, { account, region, name: resource.slice("event-bus/".length) }, d.event, d.scope.account);
      return;
  }
  throw new PermanentFailure("UnsupportedTarget", `Target ${arn} is not a supported target.`);
}

/** The value at the target's PartitionKeyPath, or else the event id (AWS's default). */
function partitionKey(d: TargetDelivery): string {
  const path = d.target.KinesisParameters?.PartitionKeyPath;
  const value = path ? select(d.event, path) : undefined;
  return typeof value === "string" || typeof value === "number" ? String(value) : d.event.id;
}

type Call = (svc: string, operation: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function sendToQueue(
  call: Call,
  owner: string,
  name: string,
  body: string,
  fifo: { MessageGroupId?: string; MessageDeduplicationId: string },
): Promise<void> {
  const { QueueUrl } = (await call("sqs", "GetQueueUrl", { QueueName: name, QueueOwnerAWSAccountId: owner })) as { QueueUrl: string };
  const input: Record<string, unknown> = { QueueUrl, MessageBody: body };
  // FIFO queues get the target's group and the event id as deduplication id.
  if (name.endsWith(".fifo")) Object.assign(input, fifo);
  await call("sqs", "SendMessage", input);
}

/** CloudWatch Logs targets write each event to a stream named after the event's id. */
async function sendToLogGroup(call: Call, resource: string, event: EventEnvelope, body: string): Promise<void> {
  const group = /^log-group:([^:]+)/.exec(resource)?.[1];
  if (!group) throw new PermanentFailure("UnsupportedTarget", `Target ${resource} is not a log group.`);
  await call("logs", "CreateLogStream", { logGroupName: group, logStreamName: event.id }).catch((err: unknown) => {
    if (!(err instanceof AwsError && err.code === "ResourceAlreadyExistsException")) throw err;
  });
  await call("logs", "PutLogEvents", {
    logGroupName: group,
    logStreamName: event.id,
    logEvents: [{ timestamp: Date.parse(event.time), message: body }],
  });
}

/** An undeliverable event goes to the target's dead-letter queue, with AWS's attributes saying why. */
async function deadLetter(
  runtime: ServiceRuntime,
  d: TargetDelivery,
  err: unknown,
  retries: number,
  exhausted: string | undefined,
): Promise<void> {
  const dlq = d.target.DeadLetterConfig?.Arn;
  if (!dlq) return;
  const [, , , region, account, name] = dlq.split(":");
  const options = { account: d.scope.account, region, asService: "events", sourceArn: d.ruleArn };
  const call: Call = (svc, operation, input) => runtime.services.call(svc, operation, input, options);
  const code = err instanceof AwsError ? err.code : err instanceof PermanentFailure ? err.code : "InternalException";
  const attribute = (value: string) => ({ DataType: "String", StringValue: value });
  const { QueueUrl } = (await call("sqs", "GetQueueUrl", { QueueName: name, QueueOwnerAWSAccountId: account })) as { QueueUrl: string };
  await call("sqs", "SendMessage", {
    QueueUrl,
    MessageBody: JSON.stringify(d.event),
    MessageAttributes: {
      RULE_ARN: attribute(d.ruleArn),
      TARGET_ARN: attribute(d.target.Arn as string),
      ERROR_CODE: attribute(code),
      ERROR_MESSAGE: attribute(err instanceof Error ? err.message : String(err)),
      RETRY_ATTEMPTS: attribute(String(retries)),
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attribute(exhausted) } : {}),
    },
  });
}
