import { AwsError, ValidationFailure } from "../../protocol/errors.js";
import type { ServiceRuntime } from "../types.js";
import type { Environment, LogLine } from "./environment.js";

const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_000_000;

/** Ships each environment's output to CloudWatch Logs (`/aws/lambda/<name>`, one stream per environment). */
export class FunctionLogs {
  constructor(private readonly runtime: ServiceRuntime) {}

  async write(target: { account: string; region: string }, env: Environment, lines: LogLine[]): Promise<void> {
    const events = lines
      .filter((l) => l.message.length > 0)
      .map((l) => ({ timestamp: l.timestamp, message: l.message }))
      .sort((a, b) => a.timestamp - b.timestamp);
    if (events.length === 0) return;
    const options = { account: target.account, region: target.region, asService: "lambda" };
    const call = (operation: string, input: Record<string, unknown>) => this.runtime.services.call("logs", operation, input, options);
    try {
      if (!env.logStreamCreated) {
        await ignoreExisting(call("CreateLogGroup", { logGroupName: env.logGroup }));
        await ignoreExisting(call("CreateLogStream", { logGroupName: env.logGroup, logStreamName: env.logStream }));
        env.logStreamCreated = true;
      }
      for (const batch of batches(events)) {
        await call("PutLogEvents", { logGroupName: env.logGroup, logStreamName: env.logStream, logEvents: batch });
      }
    } catch (err) {
      // Logs are best effort, as in AWS: a deleted group or disabled logs service never fails the invocation.
      if (!(err instanceof AwsError || err instanceof ValidationFailure)) throw err;
    }
  }
}

async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof AwsError && err.code === "ResourceAlreadyExistsException")) throw err;
  }
}

function* batches(events: { timestamp: number; message: string }[]): Iterable<{ timestamp: number; message: string }[]> {
  let batch: { timestamp: number; message: string }[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.message, "utf8") + 26;
    if (batch.length === MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length) yield batch;
}
