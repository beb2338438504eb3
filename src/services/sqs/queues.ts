import type {
  CreateQueueRequest,
  CreateQueueResult,
  GetQueueUrlRequest,
  GetQueueUrlResult,
  ListQueuesRequest,
  ListQueuesResult,
} from "@aws-sdk/client-sqs";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidParameterValue, QueueDoesNotExist, QueueNameExists } from "./errors.js";
import type { QueueRecord } from "./model.js";

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function queues(ctx: RequestContext) {
  return ctx.store.collection<QueueRecord>("queues", { sorted: true });
}

export function queueUrl(ctx: RequestContext, account: string, name: string): string {
  return `${ctx.origin.baseUrl}/${account}/${name}`;
}

export function createQueue(input: CreateQueueRequest, ctx: RequestContext): CreateQueueResult {
  const name = input.QueueName as string;
  const attributes: Record<string, string> = { ...(input.Attributes ?? {}) };
  const fifo = name.endsWith(".fifo");
  const base = fifo ? name.slice(0, -5) : name;
  if (!QUEUE_NAME.test(base) || name.length > 80) {
    throw new InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  }
  if (attributes.FifoQueue === "true" && !fifo) {
    throw new InvalidParameterValue(
      "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
    );
  }
  if (fifo && attributes.FifoQueue === undefined) attributes.FifoQueue = "true";
  const existing = queues(ctx).get(name);
  if (existing) {
    for (const [key, value] of Object.entries(attributes)) {
      if (existing.attributes[key] !== value) {
        throw new QueueNameExists(`A queue already exists with the same name and a different value for attribute ${key}`);
      }
    }
    return { QueueUrl: queueUrl(ctx, ctx.account, name) };
  }
  const now = Math.floor(ctx.runtime.now() / 1000);
  queues(ctx).set(name, { name, attributes, createdTimestamp: now, lastModifiedTimestamp: now, tags: { ...(input.tags ?? {}) } });
  return { QueueUrl: queueUrl(ctx, ctx.account, name) };
}

export function getQueueUrl(input: GetQueueUrlRequest, ctx: RequestContext): GetQueueUrlResult {
  const account = input.QueueOwnerAWSAccountId ?? ctx.account;
  const store = account === ctx.account ? ctx.store : ctx.runtime.storeFor(account, ctx.region);
  const name = input.QueueName as string;
  if (!store.collection<QueueRecord>("queues", { sorted: true }).has(name)) {
    throw new QueueDoesNotExist("The specified queue does not exist.");
  }
  return { QueueUrl: queueUrl(ctx, account, name) };
}

export function listQueues(input: ListQueuesRequest, ctx: RequestContext): ListQueuesResult {
  const prefix = input.QueueNamePrefix ?? "";
  const max = input.MaxResults;
  if (max !== undefined && (max < 1 || max > 1000)) {
    throw new InvalidParameterValue("Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.");
  }
  if (input.NextToken !== undefined && max === undefined) {
    throw new InvalidParameterValue("MaxResults is a mandatory parameter when you provide a value for NextToken.");
  }
  const limit = max ?? 1000;
  const after = input.NextToken ? decodeToken(input.NextToken) : undefined;
  const names: string[] = [];
  let more = false;
  for (const [name] of queues(ctx).entriesFrom(after ?? prefix)) {
    if (!name.startsWith(prefix)) break;
    if (name === after) continue;
    if (names.length === limit) {
      more = true;
      break;
    }
    names.push(name);
  }
  return {
    QueueUrls: names.length ? names.map((n) => queueUrl(ctx, ctx.account, n)) : undefined,
    NextToken: more && max !== undefined ? encodeToken(names[names.length - 1]) : undefined,
  };
}

const encodeToken = (name: string) => Buffer.from(JSON.stringify({ after: name })).toString("base64");

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw new AwsError("InvalidParameterValue", "Invalid NextToken value.", { status: 400 });
}
