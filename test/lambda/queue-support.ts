import { CreateQueueCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** Creates a queue and returns its URL and ARN. */
export async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
}

/** Long-polls until `count` messages arrived (deleting none) or `timeoutMs` passed. */
export async function receiveMessages(sqs: SQSClient, url: string, count = 1, timeoutMs = 15_000): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < count && Date.now() < deadline) {
    const wait = Math.max(0, Math.min(5, Math.floor((deadline - Date.now()) / 1000)));
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: wait,
        MessageAttributeNames: ["All"],
        VisibilityTimeout: 300,
      }),
    );
    messages.push(...(res.Messages ?? []));
  }
  return messages;
}

/** Counts the messages of a queue, visible or in flight. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible) };
}

/** Polls `check` until it returns a value, for background effects. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * JavaScript for a test function's module: `send(body)` posts a message to the queue whose URL is in the
 * function's SEEN_URL, through the query API (functions carry no SDK; any signature is accepted by default).
 */
export const SEND_TO_SEEN_QUEUE = `const http = require("node:http");
function send(body) {
  const form = new URLSearchParams({ Action: "SendMessage", MessageBody: body }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(process.env.SEEN_URL), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded",
      authorization: "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x" } }, (res) => { res.resume(); res.on("end", resolve); });
    req.on("error", reject);
    req.end(form);
  });
}`;
