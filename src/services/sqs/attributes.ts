import type { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidAttributeName, InvalidAttributeValue, invalidParameter } from "./errors.js";
import { MAX_MESSAGE_SIZE, type QueueRecord } from "./model.js";

/** How one settable attribute is checked and what it is when never set. */
interface AttributeRule {
  fifoOnly?: boolean;
  /** Only CreateQueue may set it. */
  createOnly?: boolean;
  defaultValue?(attributes: Record<string, string>): string | undefined;
  /** Returns the value to store, or throws SQS's error. */
  check(value: string, name: string, ctx: AttributeCheckContext): string;
}

export interface AttributeCheckContext {
  queue: { name: string; fifo: boolean };
  request: RequestContext;
  /** Validates a RedrivePolicy against the dead-letter queue (needs the queue store). */
  checkRedrivePolicy(policy: Record<string, unknown>, raw: string): void;
}

const invalidValue = (name: string) => new InvalidAttributeValue(`Invalid value for the parameter ${name}.`);

function integer(min: number, max: number, fallback: number): AttributeRule {
  return {
    defaultValue: () => String(fallback),
    check(value, name) {
      if (!/^-?\d+$/.test(value.trim())) throw invalidValue(name);
      const n = Number(value);
      if (n < min || n > max) throw invalidValue(name);
      return String(n);
    },
  };
}

function oneOf(values: string[], options: Partial<AttributeRule> = {}): AttributeRule {
  return {
    ...options,
    check(value, name) {
      const found = values.find((v) => v.toLowerCase() === value.toLowerCase());
      if (found === undefined) throw invalidValue(name);
      return found;
    },
  };
}

function jsonPolicy(check: (doc: Record<string, unknown>, raw: string, name: string, ctx: AttributeCheckContext) => void): AttributeRule {
  return {
    check(value, name, ctx) {
      if (value === "") return "";
      let doc: unknown;
      try {
        doc = JSON.parse(value);
      } catch {
        doc = undefined;
      }
      if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
        throw name === "Policy" ? invalidValue(name) : invalidParameter(name, value, "Redrive policy is not a valid JSON map.");
      }
      check(doc as Record<string, unknown>, value, name, ctx);
      return value;
    },
  };
}

const RULES: Record<string, AttributeRule> = {
  DelaySeconds: integer(0, 900, 0),
  MaximumMessageSize: integer(1024, MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE),
  MessageRetentionPeriod: integer(60, 1_209_600, 345_600),
  ReceiveMessageWaitTimeSeconds: integer(0, 20, 0),
  VisibilityTimeout: integer(0, 43_200, 30),
  KmsDataKeyReusePeriodSeconds: {
    ...integer(60, 86_400, 300),
    defaultValue: (a) => (a.KmsMasterKeyId ? "300" : undefined),
  },
  KmsMasterKeyId: { check: (value) => value },
  // New queues are encrypted with SQS-owned keys unless a KMS key is chosen.
  SqsManagedSseEnabled: oneOf(["true", "false"], { defaultValue: (a) => (a.KmsMasterKeyId ? "false" : "true") }),
  Policy: jsonPolicy(() => undefined),
  RedrivePolicy: jsonPolicy((doc, _raw, _name, ctx) => ctx.checkRedrivePolicy(doc, _raw)),
  RedriveAllowPolicy: jsonPolicy(checkRedriveAllowPolicy),
  // A standard queue does not know the attribute at all, not even as "false".
  FifoQueue: { ...oneOf(["true", "false"]), createOnly: true, fifoOnly: true },
  ContentBasedDeduplication: oneOf(["true", "false"], { fifoOnly: true, defaultValue: () => "false" }),
  DeduplicationScope: oneOf(["messageGroup", "queue"], { fifoOnly: true, defaultValue: () => "queue" }),
  FifoThroughputLimit: oneOf(["perQueue", "perMessageGroupId"], { fifoOnly: true, defaultValue: () => "perQueue" }),
};

/** Computed attributes, in the order SQS lists them for "All". */
const READ_ONLY = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
];

function checkRedriveAllowPolicy(doc: Record<string, unknown>, raw: string, name: string): void {
  const permission = doc.redrivePermission;
  const fail = (reason: string): AwsError => invalidParameter(name, raw, reason);
  if (!["allowAll", "denyAll", "byQueue"].includes(permission as string)) {
    throw fail("Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.");
  }
  const sources = doc.sourceQueueArns;
  if (permission === "byQueue") {
    if (!Array.isArray(sources) || sources.length === 0 || sources.length > 10) {
      throw fail(
        "Amazon SQS can't create the redrive allow policy. When you specify the byQueue permission type, you must also specify one or more sourceQueueArns values.",
      );
    }
  } else if (sources !== undefined) {
    throw fail(
      "Amazon SQS can't create the redrive allow policy. To specify one or more source queue ARNs, you must set redrivePermission to byQueue.",
    );
  }
}

/** Validates attributes for CreateQueue / SetQueueAttributes; returns them normalized. */
export function checkAttributes(attributes: Record<string, string>, ctx: AttributeCheckContext, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const rule = RULES[name];
    if (!rule || (rule.fifoOnly && !ctx.queue.fifo)) throw new InvalidAttributeName(`Unknown Attribute ${name}.`);
    if (rule.createOnly && !creating) throw invalidValue(name);
    out[name] = rule.check(String(value), name, ctx);
  }
  if (out.FifoQueue === "false" && ctx.queue.fifo) throw invalidValue("FifoQueue");
  return out;
}

/** The attributes SQS reports for a queue, defaults included, without the computed ones. */
export function effectiveAttributes(queue: QueueRecord): Record<string, string> {
  const fifo = queue.attributes.FifoQueue === "true";
  const out: Record<string, string> = {};
  for (const [name, rule] of Object.entries(RULES)) {
    if (rule.fifoOnly && !fifo) continue;
    const value = queue.attributes[name] ?? rule.defaultValue?.(queue.attributes);
    if (value !== undefined && value !== "") out[name] = value;
  }
  return out;
}

export function queueArn(account: string, region: string, name: string): string {
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

/** The names GetQueueAttributes returns: "All" expands to every attribute the queue has. */
export function selectAttributeNames(requested: string[], fifo: boolean): string[] {
  const known = [...READ_ONLY, ...Object.keys(RULES)];
  if (requested.includes("All")) return known;
  for (const name of requested) {
    const rule = RULES[name];
    if ((!rule && !READ_ONLY.includes(name)) || (rule?.fifoOnly && !fifo)) throw new InvalidAttributeName(`Unknown Attribute ${name}.`);
  }
  return requested;
}

export function attributeNumber(
  queue: QueueRecord,
  name: "DelaySeconds" | "VisibilityTimeout" | "MaximumMessageSize" | "MessageRetentionPeriod" | "ReceiveMessageWaitTimeSeconds",
): number {
  return Number(queue.attributes[name] ?? RULES[name].defaultValue?.(queue.attributes));
}

export const isFifo = (queue: QueueRecord) => queue.attributes.FifoQueue === "true";
