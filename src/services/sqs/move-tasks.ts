import { randomUUID } from "node:crypto";
import type {
  CancelMessageMoveTaskRequest,
  CancelMessageMoveTaskResult,
  ListMessageMoveTasksRequest,
  ListMessageMoveTasksResult,
  ListMessageMoveTasksResultEntry,
  StartMessageMoveTaskRequest,
  StartMessageMoveTaskResult,
} from "@aws-sdk/client-sqs";
import type { RequestContext } from "../types.js";
import type { QueueRef, SqsEngine } from "./engine.js";
import { InvalidParameterValue, invalidParameter, ResourceNotFoundException } from "./errors.js";
import { arnOf, queueByArn, queueCollection } from "./queues.js";
import { sameScopeQueue, transfer } from "./redrive.js";

const DEFAULT_RATE = 500;
const TICK_MS = 1000;

type TaskRecord = ListMessageMoveTasksResultEntry & { taskId: string; sourceQueue: string };

const taskCollection = (ref: QueueRef) => ref.store.collection<TaskRecord>("move-tasks", { sorted: true });

export function startMessageMoveTask(
  input: StartMessageMoveTaskRequest,
  ctx: RequestContext,
  engine: SqsEngine,
): StartMessageMoveTaskResult {
  const source = queueByArn(ctx, input.SourceArn as string);
  if (!source) throw new ResourceNotFoundException("The resource that you specified for the SourceArn parameter doesn't exist.");
  if (!isDeadLetterQueue(source)) throw new InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
  if (input.DestinationArn !== undefined && !queueByArn(ctx, input.DestinationArn)) {
    throw new ResourceNotFoundException("The resource that you specified for the DestinationArn parameter doesn't exist.");
  }
  const rate = input.MaxNumberOfMessagesPerSecond;
  if (rate !== undefined && (rate < 1 || rate > 500)) {
    throw invalidParameter("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500, if provided.");
  }
  if (tasksOf(source).some((t) => t.Status === "RUNNING")) {
    throw new InvalidParameterValue(
      "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
    );
  }
  const taskId = `${String(engine.now()).padStart(15, "0")}-${randomUUID()}`;
  const task: TaskRecord = {
    taskId,
    sourceQueue: source.name,
    TaskHandle: Buffer.from(JSON.stringify({ taskId, sourceArn: arnOf(source) })).toString("base64"),
    Status: "RUNNING",
    SourceArn: arnOf(source),
    DestinationArn: input.DestinationArn,
    MaxNumberOfMessagesPerSecond: rate,
    ApproximateNumberOfMessagesMoved: 0,
    ApproximateNumberOfMessagesToMove: engine.messages(source).size,
    StartedTimestamp: engine.now(),
  };
  taskCollection(source).set(taskKey(task), task);
  const timer = engine.runtime.setTimer(
    () => {
      if (!runTick(source, task.taskId, engine)) timer.cancel();
    },
    TICK_MS,
    true,
  );
  return { TaskHandle: task.TaskHandle };
}

const taskKey = (task: TaskRecord) => `${task.sourceQueue}/${task.taskId}`;

function isDeadLetterQueue(ref: QueueRef): boolean {
  const arn = arnOf(ref);
  for (const queue of queueCollection(ref.store).values()) {
    if (queue.attributes.RedrivePolicy?.includes(`"${arn}"`)) return true;
  }
  return false;
}

function tasksOf(source: QueueRef): TaskRecord[] {
  const prefix = `${source.name}/`;
  const out: TaskRecord[] = [];
  for (const [key, task] of taskCollection(source).entriesFrom(prefix)) {
    if (!key.startsWith(prefix)) break;
    out.push(task);
  }
  return out.reverse(); // newest first
}

/** Moves up to one second's worth of messages; false once the task is over. */
function runTick(source: QueueRef, taskId: string, engine: SqsEngine): boolean {
  const tasks = taskCollection(source);
  const task = tasks.get(`${source.name}/${taskId}`);
  if (task?.Status !== "RUNNING" || !queueCollection(source.store).has(source.name)) return false;
  let budget = task.MaxNumberOfMessagesPerSecond ?? DEFAULT_RATE;
  const now = engine.now();
  for (const message of [...engine.messages(source).values()]) {
    if (budget === 0) break;
    if (message.visibleAt > now) continue;
    const target = sameScopeQueue(source, task.DestinationArn ?? message.deadLetterSourceArn ?? "");
    if (!target) {
      task.Status = "FAILED";
      task.FailureReason = "AWS.SimpleQueueService.NonExistentQueue";
      break;
    }
    engine.remove(source, message.key);
    transfer(target, message, engine, { deadLetterSourceArn: undefined, receiveCount: 0, firstReceiveAt: undefined });
    task.ApproximateNumberOfMessagesMoved = (task.ApproximateNumberOfMessagesMoved ?? 0) + 1;
    budget--;
  }
  if (task.Status === "RUNNING" && budget > 0) task.Status = "COMPLETED";
  tasks.set(taskKey(task), task);
  return task.Status === "RUNNING";
}

export function listMessageMoveTasks(input: ListMessageMoveTasksRequest, ctx: RequestContext): ListMessageMoveTasksResult {
  const source = queueByArn(ctx, input.SourceArn as string);
  if (!source) throw new ResourceNotFoundException("The resource that you specified for the SourceArn parameter doesn't exist.");
  const max = input.MaxResults ?? 1;
  if (max < 1 || max > 10) throw invalidParameter("MaxResults", max, "Must be between 1 and 10, if provided.");
  const results = tasksOf(source)
    .slice(0, max)
    .map(({ taskId: _id, sourceQueue: _queue, TaskHandle, ...task }) => ({
      ...task,
      TaskHandle: task.Status === "RUNNING" ? TaskHandle : undefined,
    }));
  return { Results: results };
}

export function cancelMessageMoveTask(input: CancelMessageMoveTaskRequest, ctx: RequestContext): CancelMessageMoveTaskResult {
  const handle = input.TaskHandle as string;
  let parsed: { taskId?: string; sourceArn?: string } = {};
  try {
    parsed = JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as typeof parsed;
  } catch {
    // falls through to the not-found error
  }
  const source = parsed.sourceArn ? queueByArn(ctx, parsed.sourceArn) : undefined;
  const task = source && taskCollection(source).get(`${source.name}/${parsed.taskId}`);
  if (!source || !task) throw new ResourceNotFoundException("Task does not exist.");
  if (task.Status !== "RUNNING") throw new InvalidParameterValue("Only active tasks can be cancelled.");
  task.Status = "CANCELLED";
  taskCollection(source).set(taskKey(task), task);
  return { ApproximateNumberOfMessagesMoved: task.ApproximateNumberOfMessagesMoved };
}
