import { type Codec, type CodecContext, errorInfo, messageMemberName } from "./codec.js";
import { AwsError, SerializationFailure } from "./errors.js";
import { type HttpRequest, type HttpResponse, parseQueryString } from "./http.js";
import { readJson, writeJson } from "./json-values.js";
import type { Member, Operation, Shape } from "./model.js";
import { type DocumentFormat, RequestBodyFailure, decodeBindings, encodeBindings, matchRoute } from "./rest-binding.js";

/** restJson1 (Lambda, API Gateway, …): HTTP bindings with JSON documents that honour jsonName. */
export const restJsonCodec: Codec = {
  async decode(req: HttpRequest, ctx: CodecContext) {
    const query = parseQueryString(req.rawQuery);
    const match = matchRoute(ctx.model, req.method, req.path, query, req.headers);
    if (!match) throw new AwsError("UnknownOperationException", `No operation matches ${req.method} ${req.path}.`, { status: 404 });
    const input = await decodeBindings(req, match, query, jsonFormat);
    return { operation: match.operation, input };
  },

  encode(operation: Operation, output: unknown, ctx: CodecContext): HttpResponse {
    const encoded = encodeBindings(operation.output, (output ?? {}) as Record<string, unknown>, operation.http?.code ?? 200, jsonFormat);
    return { status: encoded.status, headers: { "x-amzn-requestid": ctx.requestId, ...encoded.headers }, body: encoded.body };
  },

  /**
   * The SDKs read the code from `x-amzn-ErrorType` and the message from `message` or `Message`; services
   * whose error shapes carry a `Type` member (Lambda) also say whether the caller or the service failed.
   */
  encodeError(error: AwsError, ctx: CodecContext): HttpResponse {
    const { status, shape } = errorInfo(error, ctx.model);
    const fields: Record<string, unknown> = { ...error.fields, [messageMemberName(shape)]: error.message };
    if (shape?.members?.Type && fields.Type === undefined) fields.Type = status >= 500 ? "Service" : "User";
    const encoded = shape ? encodeBindings(shape, fields, status, jsonFormat) : { status, headers: {}, body: JSON.stringify(fields) };
    const body = encoded.body ?? "{}";
    return {
      status,
      headers: {
        "x-amzn-requestid": ctx.requestId,
        "x-amzn-errortype": error.code,
        ...encoded.headers,
        "content-type": "application/json",
        ...Object.fromEntries(Object.entries(error.headers).map(([k, v]) => [k.toLowerCase(), v])),
      },
      body,
    };
  },

  unknownOperation(name: string, _ctx: CodecContext): AwsError {
    return new AwsError("UnknownOperationException", `Operation ${name} is not supported.`, { status: 404 });
  },
};

const jsonFormat: DocumentFormat = {
  contentType: "application/json",
  read(body: Buffer, shape: Shape, member: Member | undefined): unknown {
    const text = body.toString("utf8").trim();
    if (text === "") return shape.type === "structure" ? {} : undefined;
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (err) {
      throw new RequestBodyFailure((err as Error).message);
    }
    try {
      return readJson(document, shape, member, true);
    } catch (err) {
      if (err instanceof SerializationFailure) throw new RequestBodyFailure(err.message);
      throw err;
    }
  },
  write(value: unknown, shape: Shape, member: Member | undefined): string {
    return JSON.stringify(writeJson(value, shape, member, true) ?? {});
  },
};
