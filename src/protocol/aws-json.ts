import { AwsError, SerializationFailure } from "./errors.js";
import { type Codec, type CodecContext, errorInfo, messageMemberName, readBody } from "./codec.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { readJson, writeJson } from "./json-values.js";
import type { Operation } from "./model.js";

/** awsJson1_0 and awsJson1_1: POST / with X-Amz-Target "Prefix.Operation" and a JSON document body. */
export const awsJsonCodec: Codec = {
  async decode(req: HttpRequest, ctx: CodecContext) {
    const operation = targetOperation(req, ctx);
    const body = await readBody(req.body);
    const text = body.toString("utf8").trim();
    let document: unknown = {};
    if (text) {
      try {
        document = JSON.parse(text);
      } catch {
        throw new SerializationFailure("Unable to parse the request body as JSON.");
      }
    }
    return { operation, input: readInput(document, operation, false) };
  },

  encode(operation: Operation, output: unknown, ctx: CodecContext): HttpResponse {
    const document = writeJson(output ?? {}, operation.output, undefined, false) ?? {};
    return jsonResponse(200, document, ctx);
  },

  encodeError(error: AwsError, ctx: CodecContext): HttpResponse {
    const { status, document, headers } = errorDocument(error, ctx, false);
    const response = jsonResponse(status, document, ctx);
    Object.assign(response.headers, headers);
    return response;
  },

  unknownOperation(name: string, _ctx: CodecContext): AwsError {
    return new AwsError("UnknownOperationException", name ? `Unknown operation ${name}` : "Missing required header: X-Amz-Target", {
      status: 400,
    });
  },
};

/** The operation X-Amz-Target names, for the JSON and the CBOR encodings of awsJson requests alike. */
export function targetOperation(req: HttpRequest, ctx: CodecContext): Operation {
  const target = req.headers["x-amz-target"] ?? "";
  const dot = target.lastIndexOf(".");
  const prefix = target.slice(0, dot);
  const name = target.slice(dot + 1);
  const operation = dot > 0 && prefix === ctx.model.metadata.targetPrefix ? ctx.model.operations.get(name) : undefined;
  if (!operation) throw awsJsonCodec.unknownOperation(name || target, ctx);
  if (req.method !== "POST") {
    throw new AwsError("UnknownOperationException", `${req.method} is not supported for this operation.`, { status: 400 });
  }
  return operation;
}

/** The typed input of a parsed request document, which must be a structure. */
export function readInput(document: unknown, operation: Operation, native: boolean): Record<string, unknown> {
  if (document === null || typeof document !== "object" || Array.isArray(document) || document instanceof Uint8Array) {
    throw new SerializationFailure("Start of structure or map expected.");
  }
  return readJson(document, operation.input, undefined, false, native) as Record<string, unknown>;
}

/** An error's document (`__type`, modeled members, message) and headers, before encoding. */
export function errorDocument(
  error: AwsError,
  ctx: CodecContext,
  native: boolean,
): { status: number; document: Record<string, unknown>; headers: Record<string, string> } {
  const { status, shape, queryCode, fault } = errorInfo(error, ctx.model);
  const document: Record<string, unknown> = {
    __type: `${errorNamespace(error.code, shape !== undefined, ctx)}#${error.code}`,
    ...(shape ? (writeJson(error.fields, shape, undefined, false, native) as object) : error.fields),
    // Some errors (KMS's InvalidCiphertextException) carry no message at all.
    ...(error.message ? { [messageMemberName(shape)]: error.message } : {}),
  };
  const headers: Record<string, string> = { "x-amzn-errortype": error.code };
  if (ctx.model.metadata.awsQueryCompatible) headers["x-amzn-query-error"] = `${queryCode};${fault}`;
  return { status, document, headers: Object.assign(headers, error.headers) };
}

/** Errors of the service's model carry its namespace; AWS's request framework (Coral) names its own. */
function errorNamespace(code: string, modeled: boolean, ctx: CodecContext): string {
  if (modeled) return ctx.model.metadata.namespace;
  return code === "ValidationException" ? "com.amazon.coral.validate" : "com.amazon.coral.service";
}

function jsonResponse(status: number, document: unknown, ctx: CodecContext): HttpResponse {
  const body = JSON.stringify(document);
  return {
    status,
    headers: {
      "content-type": `application/x-amz-json-${ctx.model.metadata.jsonVersion ?? "1.0"}`,
      "x-amzn-requestid": ctx.requestId,
      "content-length": String(Buffer.byteLength(body)),
    },
    body,
  };
}
