import type { Readable } from "node:stream";
import { AwsError } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import type { Operation, ServiceModel, Shape } from "./model.js";

/** What a codec needs besides the request: the model and the request id to echo. */
export interface CodecContext {
  model: ServiceModel;
  requestId: string;
  /** The XML namespace for query responses where the model has none (query-compatible JSON services). */
  xmlNamespace?: string;
  /** S3 virtual-hosted style: the bucket the Host header names, which the path then leaves out. */
  bucket?: string;
}

export interface DecodedRequest {
  operation: Operation;
  input: Record<string, unknown>;
}

/** One AWS wire protocol, both directions. Codecs are stateless and shared by every service. */
export interface Codec {
  /** Finds the operation the request names and parses its input; throws AwsError / SerializationFailure. */
  decode(req: HttpRequest, ctx: CodecContext): Promise<DecodedRequest>;
  encode(operation: Operation, output: unknown, ctx: CodecContext): HttpResponse;
  encodeError(error: AwsError, ctx: CodecContext): HttpResponse;
  /** The error this protocol gives for an operation the service does not have (or we do not implement). */
  unknownOperation(name: string, ctx: CodecContext): AwsError;
}

/** Most request bodies AWS's front ends buffer are far below this; larger ones are uploads, streamed. */
export const MAX_BUFFERED_BODY = 32 * 1024 * 1024;

export async function readBody(body: Buffer | Readable, limit = MAX_BUFFERED_BODY): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        // Discard the rest instead of destroying the stream: the socket must live to carry the 413.
        body.resume();
        throw new AwsError("RequestEntityTooLarge", `Request body must be at most ${limit} bytes.`, { status: 413 });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof AwsError) throw err;
    throw incompleteBody(err);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/** A client that goes away mid-body is the client's failure, not ours: no 500, no stack trace. */
export function incompleteBody(cause: unknown): AwsError {
  const error = new AwsError("IncompleteBody", "The request body terminated unexpectedly", { status: 400 });
  error.cause = cause;
  return error;
}

/** Status and codes of an error, from the thrower or the service model's error shape. */
export function errorInfo(
  error: AwsError,
  model: ServiceModel,
): { status: number; shape?: Shape; queryCode: string; fault: "Sender" | "Receiver" } {
  const shape = model.errors.get(error.code);
  // The query error trait's status is what query clients see; JSON-only services answer with httpError.
  const queryish = model.metadata.awsQueryCompatible || model.metadata.protocol === "awsQuery";
  const status = error.status ?? (queryish ? shape?.traits.awsQueryError?.status : undefined) ?? shape?.traits.httpError ?? 400;
  const queryCode = error.queryCode ?? shape?.traits.awsQueryError?.code ?? error.code;
  const fault = error.fault ?? (status >= 500 ? "Receiver" : "Sender");
  return { status, shape, queryCode, fault };
}

/** The member of an error shape that carries the message ("message" or "Message"), if any. */
export function messageMemberName(shape: Shape | undefined): string {
  if (!shape?.members) return "message";
  return Object.keys(shape.members).find((k) => k.toLowerCase() === "message") ?? "message";
}
