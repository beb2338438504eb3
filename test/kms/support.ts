import { CreateKeyCommand, type CreateKeyCommandInput, KMSClient } from "@aws-sdk/client-kms";
import type { useServer } from "../helpers.js";

type Server = ReturnType<typeof useServer>;

export const kmsClient = (server: Server, region?: string) => new KMSClient(server.clientConfig(region));

export async function createKey(client: KMSClient, input: CreateKeyCommandInput = {}): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand(input));
  return KeyMetadata?.KeyId as string;
}

/** The server runs in this process and reads Date.now(): shifting it moves KMS's clock. */
export async function withClockShift<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => real() + ms;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

export const DAY_MS = 86_400_000;
