import { authorization } from "./authorization.js";
import type { RequestContext, ServiceDefinition } from "../types.js";
import { defineService } from "../types.js";
import { changeMessageVisibility, changeMessageVisibilityBatch, deleteMessage, deleteMessageBatch } from "./acknowledge.js";
import { SqsEngine } from "./engine.js";
import { sqsValidationError } from "./errors.js";
import { startHousekeeping } from "./housekeeping.js";
import { addPermission, listQueueTags, removePermission, tagQueue, untagQueue } from "./management.js";
import { cancelMessageMoveTask, listMessageMoveTasks, startMessageMoveTask } from "./move-tasks.js";
import {
  createQueue,
  deleteQueue,
  getQueueAttributes,
  getQueueUrl,
  listDeadLetterSourceQueues,
  listQueues,
  purgeQueue,
  setQueueAttributes,
} from "./queues.js";
import { receiveMessage } from "./receive.js";
import { sendMessage, sendMessageBatch } from "./send.js";

/** The engine (message indexes, long polls) lives in this closure, created when the service starts. */
function sqsService(): ServiceDefinition {
  let engine: SqsEngine | undefined;
  const withEngine =
    <I, O>(handler: (input: I, ctx: RequestContext, engine: SqsEngine) => O) =>
    (input: I, ctx: RequestContext): O => {
      engine ??= new SqsEngine(ctx.runtime);
      return handler(input, ctx, engine);
    };
  return defineService({
    id: "sqs",
    authorization,
    operations: {
      AddPermission: addPermission,
      CancelMessageMoveTask: cancelMessageMoveTask,
      ChangeMessageVisibility: withEngine(changeMessageVisibility),
      ChangeMessageVisibilityBatch: withEngine(changeMessageVisibilityBatch),
      CreateQueue: createQueue,
      DeleteMessage: withEngine(deleteMessage),
      DeleteMessageBatch: withEngine(deleteMessageBatch),
      DeleteQueue: withEngine(deleteQueue),
      GetQueueAttributes: withEngine(getQueueAttributes),
      GetQueueUrl: getQueueUrl,
      ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
      ListMessageMoveTasks: listMessageMoveTasks,
      ListQueues: listQueues,
      ListQueueTags: listQueueTags,
      PurgeQueue: withEngine(purgeQueue),
      ReceiveMessage: withEngine(receiveMessage),
      RemovePermission: removePermission,
      SendMessage: withEngine(sendMessage),
      SendMessageBatch: withEngine(sendMessageBatch),
      SetQueueAttributes: setQueueAttributes,
      StartMessageMoveTask: withEngine(startMessageMoveTask),
      TagQueue: tagQueue,
      UntagQueue: untagQueue,
    },
    validationError: sqsValidationError,
    start(runtime) {
      engine = new SqsEngine(runtime);
      startHousekeeping(engine);
    },
    stop() {
      engine?.close();
    },
    reset() {
      engine?.close();
    },
  });
}

export default sqsService();
