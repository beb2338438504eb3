import { CreateQueueCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

/** A queue to deliver events to: its URL and ARN. */
export async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: name.endsWith(".fifo") ? { FifoQueue: "true" } : {} }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
}

/** Waits (generously: the machine is shared) until `expected` messages arrived, then checks no more follow quickly. */
export async function receiveAll(sqs: SQSClient, url: string, expected: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let i = 0; i < 20 && messages.length < expected; i++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
        VisibilityTimeout: 60,
      }),
    );
    messages.push(...(Messages ?? []));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { Messages: extra } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  messages.push(...(extra ?? []));
  return messages;
}

export const sqsClient = (config: object) => new SQSClient(config);
