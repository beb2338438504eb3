import { AwsError } from "./errors.js";
import { type Codec, type CodecContext, errorInfo, messageMemberName, readBody } from "./codec.js";
import { type HttpRequest, type HttpResponse, parseQueryString, type QueryParams } from "./http.js";
import type { Operation, Shape } from "./model.js";
import { paramTree, type QueryFlavor, readQueryInput } from "./query-params.js";
import { writeQueryMembers } from "./query-xml.js";
import { XmlWriter } from "./xml.js";

/**
 * awsQuery: `Action=Op&Version=…&Member=…` as a form body (or in the URL of a GET), answered with
 * `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` XML. Also what old clients speak to
 * query-compatible JSON services (SQS), where the namespace comes from the service registry.
 */
export const awsQueryCodec: Codec = {
  decode: (req, ctx) => decodeQuery(req, ctx, "query", awsQueryCodec),

  encode(operation: Operation, output: unknown, ctx: CodecContext): HttpResponse {
    const w = new XmlWriter().open(`${operation.name}Response`, { xmlns: namespaceOf(ctx) });
    // Operations without output (Smithy's Unit) answer with the response metadata alone.
    if (Object.keys(operation.output.members ?? {}).length > 0) {
      w.open(`${operation.name}Result`);
      writeQueryMembers(w, operation.output, (output ?? {}) as Record<string, unknown>, "query");
      w.close(`${operation.name}Result`);
    }
    w.open("ResponseMetadata").leaf("RequestId", ctx.requestId).close("ResponseMetadata");
    w.close(`${operation.name}Response`);
    return xmlResponse(200, w.toString(), ctx, "text/xml");
  },

  encodeError(error: AwsError, ctx: CodecContext): HttpResponse {
    const { status, shape, queryCode, fault } = errorInfo(error, ctx.model);
    const w = new XmlWriter().open("ErrorResponse", { xmlns: namespaceOf(ctx) }).open("Error");
    w.leaf("Type", fault).leaf("Code", queryCode).leaf("Message", error.message);
    writeErrorFields(w, error, shape, "query");
    // SQS's query front end always adds an empty Detail element; the Coral query services do not.
    if (ctx.model.metadata.awsQueryCompatible) w.empty("Detail");
    w.close("Error").leaf("RequestId", ctx.requestId).close("ErrorResponse");
    const response = xmlResponse(status, w.toString(), ctx, "text/xml");
    Object.assign(response.headers, error.headers);
    return response;
  },

  unknownOperation(name: string, ctx: CodecContext): AwsError {
    if (!name) return missingAction();
    const message = ctx.model.metadata.awsQueryCompatible
      ? `The action ${name} is not valid for this endpoint.`
      : `Could not find operation ${name} for version ${ctx.model.metadata.apiVersion}`;
    return new AwsError("InvalidAction", message, { status: 400 });
  },
};

/**
 * ec2Query: the same requests with EC2's naming (ec2QueryName, flat `Name.N` lists), answered with
 * `<OpResponse><requestId>…</requestId>…members…</OpResponse>` and `<Response><Errors>…` errors.
 */
export const ec2QueryCodec: Codec = {
  decode: (req, ctx) => decodeQuery(req, ctx, "ec2", ec2QueryCodec),

  encode(operation: Operation, output: unknown, ctx: CodecContext): HttpResponse {
    const w = new XmlWriter().open(`${operation.name}Response`, { xmlns: ec2Namespace(ctx) });
    w.leaf("requestId", ctx.requestId);
    writeQueryMembers(w, operation.output, (output ?? {}) as Record<string, unknown>, "ec2");
    w.close(`${operation.name}Response`);
    return xmlResponse(200, w.toString(), ctx, "text/xml;charset=UTF-8");
  },

  encodeError(error: AwsError, ctx: CodecContext): HttpResponse {
    const { status, shape, queryCode } = errorInfo(error, ctx.model);
    const w = new XmlWriter().open("Response").open("Errors").open("Error");
    w.leaf("Code", queryCode).leaf("Message", error.message);
    writeErrorFields(w, error, shape, "ec2");
    w.close("Error").close("Errors").leaf("RequestID", ctx.requestId).close("Response");
    const response = xmlResponse(status, w.toString(), ctx, "text/xml;charset=UTF-8");
    Object.assign(response.headers, error.headers);
    return response;
  },

  unknownOperation(name: string): AwsError {
    if (!name) return missingAction();
    return new AwsError("InvalidAction", `The action ${name} is not valid for this web service.`, { status: 400 });
  },
};

async function decodeQuery(req: HttpRequest, ctx: CodecContext, flavor: QueryFlavor, codec: Codec) {
  const params = await requestParams(req);
  const action = params.get("Action")?.[0] ?? "";
  const operation = action ? ctx.model.operations.get(action) : undefined;
  if (!operation) throw codec.unknownOperation(action, ctx);
  const input = readQueryInput(paramTree(params, flavor), operation.input, flavor);
  // Old SQS clients post to the queue URL and may leave QueueUrl out: the path names the queue.
  if (
    ctx.model.metadata.awsQueryCompatible &&
    operation.input.members?.QueueUrl &&
    input.QueueUrl === undefined &&
    QUEUE_PATH.test(req.path)
  ) {
    input.QueueUrl = req.path;
  }
  return { operation, input };
}

const QUEUE_PATH = /^\/\d{12}\/[^/]+\/?$/;

/** URL parameters and form-body parameters together; on a repeated key the URL's value wins. */
async function requestParams(req: HttpRequest): Promise<QueryParams> {
  const params = parseQueryString(req.rawQuery);
  const body = await readBody(req.body);
  const contentType = req.headers["content-type"] ?? "";
  if (body.length === 0 || (contentType && !contentType.toLowerCase().includes("application/x-www-form-urlencoded"))) return params;
  for (const [key, values] of parseQueryString(body.toString("utf8"))) {
    const existing = params.get(key);
    if (existing) existing.push(...values);
    else params.set(key, values);
  }
  return params;
}

function missingAction(): AwsError {
  return new AwsError("MissingAction", "The request must contain the parameter Action.", { status: 400 });
}

/** Members of the error shape besides the message (or free-form fields where there is no shape). */
function writeErrorFields(w: XmlWriter, error: AwsError, shape: Shape | undefined, flavor: QueryFlavor): void {
  if (shape) {
    const { [messageMemberName(shape)]: _message, ...fields } = error.fields;
    writeQueryMembers(w, shape, fields, flavor);
    return;
  }
  for (const [name, value] of Object.entries(error.fields)) if (value !== undefined && value !== null) w.leaf(name, String(value));
}

function namespaceOf(ctx: CodecContext): string | undefined {
  return ctx.xmlNamespace ?? ctx.model.metadata.xmlNamespace;
}

/** EC2's responses carry its namespace with the trailing slash its Smithy model leaves off. */
function ec2Namespace(ctx: CodecContext): string | undefined {
  const ns = namespaceOf(ctx);
  return ns && !ns.endsWith("/") ? `${ns}/` : ns;
}

function xmlResponse(status: number, body: string, ctx: CodecContext, contentType: string): HttpResponse {
  return {
    status,
    headers: { "content-type": contentType, "x-amzn-requestid": ctx.requestId, "content-length": String(Buffer.byteLength(body)) },
    body,
  };
}
