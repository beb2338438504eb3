import { createHash } from "node:crypto";
import { CreateQueueCommand, type CreateQueueCommandInput, type MessageAttributeValue, SQSClient } from "@aws-sdk/client-sqs";
import type { useServer } from "../helpers.js";

type Server = ReturnType<typeof useServer>;

export const sqsClient = (server: Server, region?: string) => new SQSClient(server.clientConfig(region));

export async function createQueue(
  client: SQSClient,
  QueueName: string,
  Attributes?: CreateQueueCommandInput["Attributes"],
): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName, Attributes }));
  return QueueUrl as string;
}

/** The server runs in this process and reads Date.now(): shifting it moves the service's clock. */
export async function withClockShift<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => real() + ms;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

export const md5 = (data: string | Buffer) => createHash("md5").update(data).digest("hex");

/** An independent implementation of AWS's message-attribute digest, to check the server's. */
export function expectedAttributesMd5(attributes: Record<string, MessageAttributeValue>): string {
  const chunks: Buffer[] = [];
  const prefixed = (data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    chunks.push(length, data);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    prefixed(Buffer.from(name));
    prefixed(Buffer.from(value.DataType as string));
    if (value.BinaryValue) {
      chunks.push(Buffer.from([2]));
      prefixed(Buffer.from(value.BinaryValue));
    } else {
      chunks.push(Buffer.from([1]));
      prefixed(Buffer.from(value.StringValue as string));
    }
  }
  return md5(Buffer.concat(chunks));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
