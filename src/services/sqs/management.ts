import type {
  AddPermissionRequest,
  ListQueueTagsRequest,
  ListQueueTagsResult,
  RemovePermissionRequest,
  TagQueueRequest,
  UntagQueueRequest,
} from "@aws-sdk/client-sqs";
import type { RequestContext } from "../types.js";
import { InvalidParameterValue, invalidParameter, OverLimit } from "./errors.js";
import { arnOf, checkTags, resolveQueue, saveQueue } from "./queues.js";

const LABEL = /^[A-Za-z0-9_-]{1,80}$/;
const ACTIONS = [
  "*",
  "SendMessage",
  "ReceiveMessage",
  "DeleteMessage",
  "ChangeMessageVisibility",
  "GetQueueAttributes",
  "GetQueueUrl",
  "ListDeadLetterSourceQueues",
  "PurgeQueue",
  "ListQueueTags",
];
const MAX_STATEMENTS = 7;

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string;
}

export function listQueueTags(input: ListQueueTagsRequest, ctx: RequestContext): ListQueueTagsResult {
  const { record } = resolveQueue(ctx, input.QueueUrl as string);
  return { Tags: Object.keys(record.tags).length ? { ...record.tags } : undefined };
}

export function tagQueue(input: TagQueueRequest, ctx: RequestContext): void {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  const tags = { ...ref.record.tags, ...(input.Tags ?? {}) };
  checkTags(tags);
  ref.record.tags = tags;
  saveQueue(ref);
}

export function untagQueue(input: UntagQueueRequest, ctx: RequestContext): void {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  for (const key of input.TagKeys ?? []) delete ref.record.tags[key];
  saveQueue(ref);
}

/** AddPermission writes a statement into the queue's Policy attribute, where IAM enforcement reads it. */
export function addPermission(input: AddPermissionRequest, ctx: RequestContext): void {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  const label = input.Label as string;
  if (!LABEL.test(label))
    throw invalidParameter("Label", label, "Label can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.");
  const accounts = input.AWSAccountIds ?? [];
  const actions = input.Actions ?? [];
  if (accounts.length === 0) throw new InvalidParameterValue("The request must contain the parameter AWSAccountIds.");
  if (actions.length === 0) throw new InvalidParameterValue("The request must contain the parameter Actions.");
  for (const action of actions) {
    if (!ACTIONS.includes(action)) {
      throw invalidParameter("ActionName", `SQS:${action}`, "Please refer to the appropriate WSDL for a list of valid actions.");
    }
  }
  const arn = arnOf(ref);
  const policy = readPolicy(ref.record.attributes.Policy, arn);
  if (policy.Statement.some((s) => s.Sid === label)) throw invalidParameter("Label", label, "Already exists.");
  if (policy.Statement.length >= MAX_STATEMENTS)
    throw new OverLimit(`${MAX_STATEMENTS} Actions were found, maximum allowed is ${MAX_STATEMENTS}.`);
  const principals = accounts.map((a) => `arn:aws:iam::${a}:root`);
  const sqsActions = actions.map((a) => `SQS:${a}`);
  policy.Statement.push({
    Sid: label,
    Effect: "Allow",
    Principal: { AWS: principals.length === 1 ? principals[0] : principals },
    Action: sqsActions.length === 1 ? sqsActions[0] : sqsActions,
    Resource: arn,
  });
  ref.record.attributes.Policy = JSON.stringify(policy);
  saveQueue(ref);
}

export function removePermission(input: RemovePermissionRequest, ctx: RequestContext): void {
  const ref = resolveQueue(ctx, input.QueueUrl as string);
  const label = input.Label as string;
  const policy = readPolicy(ref.record.attributes.Policy, arnOf(ref));
  const remaining = policy.Statement.filter((s) => s.Sid !== label);
  if (remaining.length === policy.Statement.length) throw invalidParameter("Label", label, "can't find label on existing policy.");
  if (remaining.length === 0) delete ref.record.attributes.Policy;
  else ref.record.attributes.Policy = JSON.stringify({ ...policy, Statement: remaining });
  saveQueue(ref);
}

function readPolicy(raw: string | undefined, arn: string): { Version: string; Id: string; Statement: PolicyStatement[] } {
  const fresh = { Version: "2012-10-17", Id: `${arn}/SQSDefaultPolicy`, Statement: [] as PolicyStatement[] };
  if (!raw) return fresh;
  const parsed = JSON.parse(raw) as { Statement?: PolicyStatement | PolicyStatement[] };
  const statements = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return { ...fresh, ...parsed, Statement: statements };
}
