import type { AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { queueArn } from "./attributes.js";
import type { QueueRecord } from "./model.js";
import { queueCollection } from "./queues.js";

/** The queue a request names by URL, ARN or name (with an owner account), without resolving errors: the handler reports those. */
function target(i: OperationInput, ctx: RequestContext): { account: string; name: string } | undefined {
  if (typeof i.QueueUrl === "string") {
    const m = /(\d{12})\/([^/?#]+)\/?$/.exec(i.QueueUrl);
    return m ? { account: m[1], name: m[2] } : undefined;
  }
  const arn = typeof i.SourceArn === "string" ? i.SourceArn : taskSource(i.TaskHandle);
  if (arn) {
    const [, , , , account, name] = arn.split(":");
    return account && name ? { account, name } : undefined;
  }
  if (typeof i.QueueName === "string") return { account: i.QueueOwnerAWSAccountId ?? ctx.account, name: i.QueueName };
  return undefined;
}

/** Move-task handles carry their source queue's ARN. */
function taskSource(handle: unknown): string | undefined {
  if (typeof handle !== "string") return undefined;
  try {
    return (JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as { sourceArn?: string }).sourceArn;
  } catch {
    return undefined;
  }
}

function queueRecord(i: OperationInput, ctx: RequestContext): QueueRecord | undefined {
  const t = target(i, ctx);
  return t ? queueCollection(ctx.runtime.storeFor(t.account, ctx.region)).get(t.name) : undefined;
}

/** Every queue operation acts on its queue, whose Policy attribute is the resource policy (AddPermission writes it). */
const onQueue = (action: string): OperationAuthorization => ({
  action,
  resources: (i, ctx) => {
    const t = target(i, ctx);
    return [t ? queueArn(t.account, ctx.region, t.name) : "*"];
  },
  resourcePolicy: (i, ctx) => queueRecord(i, ctx)?.attributes.Policy,
  resourceTags: (i, ctx) => queueRecord(i, ctx)?.tags,
});

export const authorization: AuthorizationTable = {
  AddPermission: onQueue("sqs:AddPermission"),
  CancelMessageMoveTask: onQueue("sqs:CancelMessageMoveTask"),
  ChangeMessageVisibility: onQueue("sqs:ChangeMessageVisibility"),
  ChangeMessageVisibilityBatch: onQueue("sqs:ChangeMessageVisibility"),
  CreateQueue: onQueue("sqs:CreateQueue"),
  DeleteMessage: onQueue("sqs:DeleteMessage"),
  DeleteMessageBatch: onQueue("sqs:DeleteMessage"),
  DeleteQueue: onQueue("sqs:DeleteQueue"),
  GetQueueAttributes: onQueue("sqs:GetQueueAttributes"),
  GetQueueUrl: onQueue("sqs:GetQueueUrl"),
  ListDeadLetterSourceQueues: onQueue("sqs:ListDeadLetterSourceQueues"),
  ListMessageMoveTasks: onQueue("sqs:ListMessageMoveTasks"),
  ListQueues: { action: "sqs:ListQueues" },
  ListQueueTags: onQueue("sqs:ListQueueTags"),
  PurgeQueue: onQueue("sqs:PurgeQueue"),
  ReceiveMessage: onQueue("sqs:ReceiveMessage"),
  RemovePermission: onQueue("sqs:RemovePermission"),
  SendMessage: onQueue("sqs:SendMessage"),
  SendMessageBatch: onQueue("sqs:SendMessage"),
  SetQueueAttributes: onQueue("sqs:SetQueueAttributes"),
  StartMessageMoveTask: onQueue("sqs:StartMessageMoveTask"),
  TagQueue: onQueue("sqs:TagQueue"),
  UntagQueue: onQueue("sqs:UntagQueue"),
};
