import { defineService } from "../types.js";
import { sqsValidationError } from "./errors.js";
import { createQueue, getQueueUrl, listQueues } from "./queues.js";

export default defineService({
  id: "sqs",
  operations: {
    CreateQueue: createQueue,
    GetQueueUrl: getQueueUrl,
    ListQueues: listQueues,
  },
  validationError: sqsValidationError,
});
