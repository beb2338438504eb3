import { hostId } from "../../protocol/rest-xml.js";
import type { FilterRule, NotificationConfiguration } from "@aws-sdk/client-s3";
import { evaluate } from "../../iam/engine.js";
import { parsePolicy } from "../../iam/policy.js";
import { AwsError } from "../../protocol/errors.js";
import type { CallOptions, RequestContext } from "../types.js";
import type { BucketRecord } from "./store.js";

/** One configured destination, flattened from the three lists of a notification configuration. */
export interface Destination {
  kind: "queue" | "topic" | "lambda";
  arn: string;
  id: string;
  events: string[];
  rules: FilterRule[];
  prefix: string;
  suffix: string;
}

const SERVICE_PRINCIPAL = "s3.amazonaws.com";
const SUBJECT = "Amazon S3 Notification";

export function destinationsOf(configuration: NotificationConfiguration): Destination[] {
  const entry = (
    kind: Destination["kind"],
    arn: string | undefined,
    c: { Id?: string; Events?: string[]; Filter?: { Key?: { FilterRules?: FilterRule[] } } },
  ): Destination => {
    const rules = c.Filter?.Key?.FilterRules ?? [];
    const rule = (name: string) => rules.find((r) => r.Name?.toLowerCase() === name)?.Value ?? "";
    return { kind, arn: arn ?? "", id: c.Id ?? "", events: c.Events ?? [], rules, prefix: rule("prefix"), suffix: rule("suffix") };
  };
  return [
    ...(configuration.QueueConfigurations ?? []).map((c) => entry("queue", c.QueueArn, c)),
    ...(configuration.TopicConfigurations ?? []).map((c) => entry("topic", c.TopicArn, c)),
    ...(configuration.LambdaFunctionConfigurations ?? []).map((c) => entry("lambda", c.LambdaFunctionArn, c)),
  ];
}

/** `arn:aws:<service>:<region>:<account>:<resource>` parts, or undefined when the ARN is not one of the service's. */
function parseArn(arn: string, service: string): { region: string; account: string; resource: string } | undefined {
  const m = /^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]+):(\d{12}):(.+)$/.exec(arn);
  if (!m || m[1] !== service) return undefined;
  return { region: m[2], account: m[3], resource: m[4] };
}

const SERVICE_OF = { queue: "sqs", topic: "sns", lambda: "lambda" } as const;

function callOptions(destination: Destination, bucket: BucketRecord): CallOptions | undefined {
  const arn = parseArn(destination.arn, SERVICE_OF[destination.kind]);
  if (!arn) return undefined;
  return { account: arn.account, region: arn.region, asService: "s3", sourceArn: `arn:aws:s3:::${bucket.name}` };
}

/**
 * S3 checks that each destination exists and that its resource policy lets s3.amazonaws.com deliver for
 * this bucket, and names every failing destination in one InvalidArgument.
 */
export async function validateDestinations(ctx: RequestContext, bucket: BucketRecord, destinations: Destination[]): Promise<void> {
  const fields: Record<string, string> = {};
  let n = 0;
  for (const destination of destinations) {
    const problem = await destinationProblem(ctx, bucket, destination);
    if (problem === undefined) continue;
    n++;
    fields[`ArgumentName${n}`] = destination.arn;
    fields[`ArgumentValue${n}`] = problem;
  }
  if (n === 0) return;
  // AWS's message names no reason; the fields do, and the log says how to fix it.
  const reasons = Object.entries(fields).filter(([name]) => name.startsWith("ArgumentValue"));
  console.warn(
    `[overcast] s3: PutBucketNotificationConfiguration on ${bucket.name} refused: ` +
      reasons.map(([name, reason]) => `${fields[name.replace("Value", "Name")]}: ${reason}`).join("; ") +
      ". Destinations need a resource policy allowing s3.amazonaws.com (sqs:SendMessage, sns:Publish, or lambda AddPermission).",
  );
  throw new AwsError("InvalidArgument", "Unable to validate the following destination configurations", { status: 400, fields });
}

async function destinationProblem(ctx: RequestContext, bucket: BucketRecord, destination: Destination): Promise<string | undefined> {
  const options = callOptions(destination, bucket);
  if (!options) return "The ARN is not well formed";
  const call: Call = (service, operation, input) => ctx.runtime.services.call(service, operation, input, options);
  if (destination.kind === "lambda") return lambdaProblem(call, destination.arn, bucket);
  const noun = destination.kind;
  try {
    const policy = destination.kind === "queue" ? await queuePolicy(call, destination.arn) : await topicPolicy(call, destination.arn);
    const action = destination.kind === "queue" ? "sqs:SendMessage" : "sns:Publish";
    if (allowsS3(policy, action, destination.arn, bucket)) return undefined;
    return `Permissions on the destination ${noun} do not allow S3 to publish notifications from this bucket`;
  } catch (err) {
    if (isDenied(err)) return undefined; // IAM enforcement refused our look-up; delivery is authorized on its own
    if (err instanceof AwsError) return `The destination ${noun} does not exist`;
    throw err;
  }
}

/** A queue's URL from its ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
async function queueUrl(call: Call, arn: string): Promise<string> {
  const [account, name] = arn.split(":").slice(4);
  const { QueueUrl } = await call<{ QueueUrl: string }>("sqs", "GetQueueUrl", { QueueName: name, QueueOwnerAWSAccountId: account });
  return QueueUrl;
}

async function queuePolicy(call: Call, arn: string): Promise<string | undefined> {
  const QueueUrl = await queueUrl(call, arn);
  const { Attributes } = await call<{ Attributes?: Record<string, string> }>("sqs", "GetQueueAttributes", {
    QueueUrl,
    AttributeNames: ["Policy"],
  });
  return Attributes?.Policy;
}

async function topicPolicy(call: Call, arn: string): Promise<string | undefined> {
  const { Attributes } = await call<{ Attributes?: Record<string, string> }>("sns", "GetTopicAttributes", { TopicArn: arn });
  return Attributes?.Policy;
}

type Call = <O>(service: string, operation: string, input: Record<string, unknown>) => Promise<O>;

/** Lambda needs a resource policy that lets S3 invoke the function; GetPolicy is the way to read it. */
async function lambdaProblem(call: Call, arn: string, bucket: BucketRecord): Promise<string | undefined> {
  const unauthorized = `Not authorized to invoke function [${arn}]`;
  let policy: string | undefined;
  try {
    policy = (await call<{ Policy?: string }>("lambda", "GetPolicy", { FunctionName: arn })).Policy;
  } catch (err) {
    if (isDenied(err)) return undefined;
    if (err instanceof AwsError) return unauthorized;
    // Without GetPolicy, the function's existence is all that can be checked.
    const exists = await call("lambda", "GetFunction", { FunctionName: arn }).then(
      () => true,
      (e: unknown) => isDenied(e),
    );
    return exists ? undefined : unauthorized;
  }
  return allowsS3(policy, "lambda:InvokeFunction", arn, bucket) ? undefined : unauthorized;
}

function isDenied(err: unknown): boolean {
  return err instanceof AwsError && /AccessDenied|AuthorizationError|NotAuthorized/i.test(err.code);
}

/** Evaluates the destination's resource policy for S3 delivering on behalf of this bucket. */
function allowsS3(document: string | undefined, action: string, resource: string, bucket: BucketRecord): boolean {
  if (!document) return false;
  try {
    const policy = parsePolicy(document, "resource");
    const principal = { type: "service" as const, arn: SERVICE_PRINCIPAL, account: bucket.owner, servicePrincipal: SERVICE_PRINCIPAL };
    const context = { "aws:SourceArn": `arn:aws:s3:::${bucket.name}`, "aws:SourceAccount": bucket.owner };
    return (
      evaluate({ principal, action, resource, context }, { resource: [policy], resourceAccount: resource.split(":")[4] }).decision ===
      "allowed"
    );
  } catch {
    return false; // a policy IAM cannot read grants nothing
  }
}

/** Sends one message body to a destination; failures are logged, never returned to the S3 caller. */
export function deliver(ctx: RequestContext, bucket: BucketRecord, destination: Destination, body: string): void {
  const options = callOptions(destination, bucket);
  if (!options) return;
  const call: Call = (service, operation, input) => ctx.runtime.services.call(service, operation, input, options);
  setImmediate(() => {
    const sending = async () => {
      if (destination.kind === "queue") {
        await call("sqs", "SendMessage", { QueueUrl: await queueUrl(call, destination.arn), MessageBody: body });
      } else if (destination.kind === "topic") {
        await call("sns", "Publish", { TopicArn: destination.arn, Message: body, Subject: SUBJECT });
      } else {
        await call("lambda", "Invoke", { FunctionName: destination.arn, InvocationType: "Event", Payload: Buffer.from(body) });
      }
    };
    sending().catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`[overcast] s3: event notification for bucket ${bucket.name} to ${destination.arn} failed: ${reason}`);
    });
  });
}

/**
 * With EventBridge enabled on the bucket, every event goes to the default bus of the bucket's account and
 * region (rules on the bus do the filtering). Asynchronous and never failing the S3 request, as delivery above.
 */
export function publishToEventBridge(ctx: RequestContext, bucket: BucketRecord, detailType: string, detail: object): void {
  const bucketArn = `arn:aws:s3:::${bucket.name}`;
  const options: CallOptions = { account: bucket.owner, region: bucket.region, asService: "s3", sourceArn: bucketArn };
  const entry = {
    Source: "aws.s3",
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    Resources: [bucketArn],
    Time: new Date(ctx.runtime.now()),
  };
  setImmediate(() => {
    ctx.runtime.services
      .call<{ FailedEntryCount?: number; Entries?: { ErrorMessage?: string }[] }>("events", "PutEvents", { Entries: [entry] }, options)
      .then((result) => {
        if (result.FailedEntryCount) throw new Error(result.Entries?.[0]?.ErrorMessage ?? "the entry was refused");
      })
      .catch((err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        console.error(`[overcast] s3: EventBridge event "${detailType}" for bucket ${bucket.name} failed: ${reason}`);
      });
  });
}

/** The message S3 sends to a new SQS or SNS destination when a configuration names it. */
export function sendTestEvent(ctx: RequestContext, bucket: BucketRecord, destination: Destination): void {
  const body = JSON.stringify({
    Service: "Amazon S3",
    Event: "s3:TestEvent",
    Time: new Date(ctx.runtime.now()).toISOString(),
    Bucket: bucket.name,
    RequestId: ctx.requestId,
    HostId: hostId(ctx.requestId),
  });
  deliver(ctx, bucket, destination, body);
}
