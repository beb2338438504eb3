import { type DecodeOptions, decode, encode, Token, Tokenizer, Type, type TypeEncoder } from "cborg";
import { errorDocument, readInput, targetOperation, awsJsonCodec } from "./aws-json.js";
import { type Codec, type CodecContext, readBody } from "./codec.js";
import { type AwsError, SerializationFailure } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { writeJson } from "./json-values.js";
import type { Operation } from "./model.js";

/**
 * The CBOR encoding of awsJson 1.1 that the AWS SDK for Java and the Kinesis Client Library use for Kinesis by
 * default (`Content-Type: application/x-amz-cbor-1.1`): the same X-Amz-Target operations and the same document,
 * encoded as CBOR, with blobs as byte strings and timestamps as tag 1. Unlike RFC 8949's tag 1 (seconds), AWS's
 * tagged timestamps count epoch milliseconds, in requests and responses alike.
 */
export const CBOR_CONTENT_TYPE = "application/x-amz-cbor-1.1";

const EPOCH_TIMESTAMP_TAG = 1;

export const awsJsonCborCodec: Codec = {
  async decode(req: HttpRequest, ctx: CodecContext) {
    const operation = targetOperation(req, ctx);
    const body = await readBody(req.body);
    const document = body.length === 0 ? {} : parseCbor(body);
    return { operation, input: readInput(document, operation, true) };
  },

  encode(operation: Operation, output: unknown, ctx: CodecContext): HttpResponse {
    return cborResponse(200, writeJson(output ?? {}, operation.output, undefined, false, true) ?? {}, ctx);
  },

  encodeError(error: AwsError, ctx: CodecContext): HttpResponse {
    const { status, document, headers } = errorDocument(error, ctx, true);
    const response = cborResponse(status, document, ctx);
    Object.assign(response.headers, headers);
    return response;
  },

  unknownOperation: awsJsonCodec.unknownOperation,
};

function parseCbor(body: Buffer): unknown {
  const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  // Integers past 2^53 fail rather than lose digits; duplicate keys are allowed, the last one winning, as in JSON.
  const options: DecodeOptions = { allowBigInt: false, tags: { [EPOCH_TIMESTAMP_TAG]: epochMillis } };
  try {
    return decode(bytes, { ...options, tokenizer: new ChunkedStringTokenizer(bytes, options) });
  } catch (err) {
    if (err instanceof SerializationFailure) throw err;
    throw new SerializationFailure("Unable to parse the request body as CBOR.");
  }
}

function epochMillis(content: () => unknown): Date {
  const millis = content();
  const date = typeof millis === "number" ? new Date(millis) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new SerializationFailure(`Invalid timestamp value: ${String(millis)}`);
  return date;
}

/**
 * Jackson, which the Java SDK writes CBOR with, sends strings of some thousands of characters (a resource
 * policy, say) as indefinite-length "chunked" strings, which cborg leaves to the caller: joined here into one.
 */
class ChunkedStringTokenizer extends Tokenizer {
  override next(): Token {
    const start = this._pos;
    const head = this.data[start];
    if (head !== 0x5f && head !== 0x7f) return super.next();
    const type = head === 0x5f ? Type.bytes : Type.string;
    const chunks: (Uint8Array | string)[] = [];
    this._pos++;
    while (this.data[this._pos] !== 0xff) {
      if (this.done()) throw new SerializationFailure("Unexpected end of a chunked CBOR string.");
      const chunk = super.next();
      if (!Type.equals(chunk.type, type)) throw new SerializationFailure("A chunked CBOR string holds a chunk of another type.");
      chunks.push(chunk.value);
    }
    this._pos++; // the break
    const value = type === Type.bytes ? Buffer.concat(chunks as Uint8Array[]) : chunks.join("");
    return new Token(type, value, this._pos - start);
  }
}

const ENCODE_OPTIONS = {
  // Keys in the document's own order: nothing reads CBOR maps in key order, and sorting costs.
  mapSorter: undefined,
  typeEncoders: { Date: timestampTokens as TypeEncoder },
};

function timestampTokens(date: Date): Token[] {
  const millis = date.getTime();
  return [new Token(Type.tag, EPOCH_TIMESTAMP_TAG), millis >= 0 ? new Token(Type.uint, millis) : new Token(Type.negint, millis)];
}

function cborResponse(status: number, document: unknown, ctx: CodecContext): HttpResponse {
  const encoded = encode(document, ENCODE_OPTIONS);
  const body = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  return {
    status,
    headers: { "content-type": CBOR_CONTENT_TYPE, "x-amzn-requestid": ctx.requestId, "content-length": String(body.length) },
    body,
  };
}
