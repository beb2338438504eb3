import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { WireRequest } from "./load.js";

/** What the SDK hands its HTTP handler: already serialized and SigV4-signed. */
interface SignedHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

class Captured extends Error {
  constructor(readonly request: SignedHttpRequest) {
    super("captured");
  }
}

/** A request handler that never sends: it hands the signed request back to us. */
const capturingHandler = {
  handle(request: SignedHttpRequest): Promise<never> {
    return Promise.reject(new Captured(request));
  },
};

export const clientConfig = {
  endpoint: "http://127.0.0.1:4566",
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
  requestHandler: capturingHandler,
};

/** Runs `send` with the capturing handler and returns the wire form of what the SDK would have sent. */
export async function capture(send: () => Promise<unknown>): Promise<WireRequest> {
  try {
    await send();
  } catch (err) {
    if (err instanceof Captured) return toWire(err.request);
    throw err;
  }
  throw new Error("the SDK sent nothing");
}

function toWire(request: SignedHttpRequest): WireRequest {
  const query = Object.entries(request.query ?? {})
    .flatMap(([k, v]) => (v === null ? [k] : (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)))
    .join("&");
  const body = bodyBytes(request.body);
  const headers = { ...request.headers };
  if (body.length && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length"))
    headers["content-length"] = String(body.length);
  return { method: request.method, path: query ? `${request.path}?${query}` : request.path, headers, body };
}

/** The SDK may hand a string or a Uint8Array view; copy the view's bytes without calling string methods on it. */
function bodyBytes(body: string | Uint8Array | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The trivial operations measured, one per wire protocol, labelled for the report. */
export interface Workload {
  label: string;
  request(): Promise<WireRequest>;
}

export const WORKLOADS: Workload[] = [
  { label: "SQS ListQueues (awsJson1_0)", request: () => capture(() => new SQSClient(clientConfig).send(new ListQueuesCommand({}))) },
  {
    label: "STS GetCallerIdentity (awsQuery)",
    request: () => capture(() => new STSClient(clientConfig).send(new GetCallerIdentityCommand({}))),
  },
  {
    label: "S3 ListBuckets (restXml)",
    request: () => capture(() => new S3Client({ ...clientConfig, forcePathStyle: true }).send(new ListBucketsCommand({}))),
  },
];
