import { type Codec, type CodecContext, errorInfo } from "./codec.js";
import { AwsError, SerializationFailure } from "./errors.js";
import { type HttpRequest, type HttpResponse, parseQueryString } from "./http.js";
import type { Member, MemberTraits, Operation, ServiceModel, Shape } from "./model.js";
import { type DocumentFormat, RequestBodyFailure, decodeBindings, encodeBindings, matchRoute } from "./rest-binding.js";
import { scalarFromText, scalarToText } from "./values.js";
import { type XmlElement, XmlWriter, childNamed, parseXml } from "./xml.js";

/**
 * restXml (S3, CloudFront, Route 53): HTTP bindings with XML documents. S3 differs from the others in
 * ways its Smithy model marks with protocol options our extracted models do not carry (noErrorWrapping)
 * or that are plain S3 conventions (request id headers, 405 for unsupported methods), so those follow
 * from the service id.
 */
export const restXmlCodec: Codec = {
  async decode(req: HttpRequest, ctx: CodecContext) {
    const query = parseQueryString(req.rawQuery);
    const path = ctx.bucket ? `/${ctx.bucket}${req.path === "/" ? "" : req.path}` : req.path;
    const match = matchRoute(ctx.model, req.method, path, query, req.headers);
    if (!match) throw noRoute(req.method, path, ctx);
    const input = await decodeBindings(req, match, query, xmlFormat(ctx.model));
    return { operation: match.operation, input };
  },

  encode(operation: Operation, output: unknown, ctx: CodecContext): HttpResponse {
    if (isS3(ctx.model) && operation.name === "GetBucketLocation") return bucketLocation(output, ctx);
    const encoded = encodeBindings(
      operation.output,
      (output ?? {}) as Record<string, unknown>,
      operation.http?.code ?? 200,
      xmlFormat(ctx.model),
    );
    // S3 answers a ranged read with 206, which its model can only say through the Content-Range it sends.
    const status = isS3(ctx.model) && encoded.status === 200 && encoded.headers["content-range"] ? 206 : encoded.status;
    return { status, headers: { ...requestIdHeaders(ctx), ...encoded.headers }, body: encoded.body };
  },

  encodeError(error: AwsError, ctx: CodecContext): HttpResponse {
    const { status, queryCode, fault } = errorInfo(error, ctx.model);
    const w = new XmlWriter();
    if (isS3(ctx.model)) {
      w.open("Error").leaf("Code", error.code).leaf("Message", error.message);
      writeFields(w, error.fields);
      w.leaf("RequestId", ctx.requestId).leaf("HostId", hostId(ctx.requestId)).close("Error");
    } else {
      w.open("ErrorResponse", { xmlns: ctx.model.metadata.xmlNamespace });
      w.open("Error").leaf("Type", fault).leaf("Code", queryCode).leaf("Message", error.message);
      writeFields(w, error.fields);
      w.close("Error").leaf("RequestId", ctx.requestId).close("ErrorResponse");
    }
    // 304 Not Modified carries no body at all, only the validators.
    if (status === 304) return { status, headers: { ...requestIdHeaders(ctx), ...lowerCaseKeys(error.headers) }, body: undefined };
    const body = w.toString();
    return {
      status,
      headers: {
        ...requestIdHeaders(ctx),
        "content-type": "application/xml",
        "content-length": String(Buffer.byteLength(body)),
        ...lowerCaseKeys(error.headers),
      },
      body,
    };
  },

  /**
   * S3 has no "unknown operation": a request naming an S3 operation we do not implement gets S3's own answer
   * for functionality it does not implement, NotImplemented (501), naming the operation.
   */
  unknownOperation(name: string, ctx: CodecContext): AwsError {
    if (isS3(ctx.model) && ctx.model.operations.has(name)) {
      return new AwsError("NotImplemented", `The ${name} operation is not implemented by Overcast yet.`, {
        status: 501,
        fault: "Receiver",
      });
    }
    return new AwsError("UnknownOperationException", `Operation ${name} is not supported.`, { status: 404 });
  },
};

const isS3 = (model: ServiceModel) => model.metadata.serviceId === "S3";

/**
 * GetBucketLocation's document is the bare `<LocationConstraint>region</LocationConstraint>` (empty for
 * us-east-1), a shape S3's model cannot express: it would nest the member inside a root of the same name.
 */
function bucketLocation(output: unknown, ctx: CodecContext): HttpResponse {
  const constraint = (output as { LocationConstraint?: string } | undefined)?.LocationConstraint;
  const body = new XmlWriter().leaf("LocationConstraint", constraint ?? "", { xmlns: ctx.model.metadata.xmlNamespace ?? "" }).toString();
  return { status: 200, headers: { ...requestIdHeaders(ctx), "content-type": "application/xml" }, body };
}

/** S3 answers every path (it is the service, a bucket or an object), so a missing route is a method it does not allow there. */
function noRoute(method: string, path: string, ctx: CodecContext): AwsError {
  if (!isS3(ctx.model)) return new AwsError("UnknownOperationException", `No operation matches ${method} ${path}.`, { status: 404 });
  return methodNotAllowed(method, path);
}

/** The resource type follows from the path: `/` is the service, `/bucket` a bucket, anything deeper an object. */
function methodNotAllowed(method: string, path: string): AwsError {
  const depth = path.split("/").filter(Boolean).length;
  const resourceType = depth === 0 ? "SERVICE" : depth === 1 ? "BUCKET" : "OBJECT";
  return new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", {
    status: 405,
    fields: { Method: method, ResourceType: resourceType },
  });
}

function requestIdHeaders(ctx: CodecContext): Record<string, string> {
  if (isS3(ctx.model)) return { "x-amz-request-id": ctx.requestId, "x-amz-id-2": hostId(ctx.requestId) };
  return { "x-amzn-requestid": ctx.requestId };
}

/** S3's extended request id: opaque to clients, derived so that one request always shows the same one. */
/** x-amz-id-2 is an opaque base64 token; derived from the request id so that it is stable per request. */
export function hostId(requestId: string): string {
  return Buffer.from(requestId).toString("base64");
}

function writeFields(w: XmlWriter, fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    w.leaf(name, value instanceof Date ? value.toISOString() : String(value));
  }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

// ---- XML documents -----------------------------------------------------------------------------------

const formats = new WeakMap<ServiceModel, DocumentFormat>();

function xmlFormat(model: ServiceModel): DocumentFormat {
  let format = formats.get(model);
  if (!format) {
    format = {
      contentType: "application/xml",
      read: (body, shape, member) => readXmlDocument(body, shape, member),
      write: (value, shape, member) => writeXmlDocument(value, shape, member, model.metadata.xmlNamespace),
    };
    formats.set(model, format);
  }
  return format;
}

/** The document's root element: the payload member's xmlName, else the shape's xmlName, else its name. */
function rootName(shape: Shape, member: Member | undefined): string {
  return member?.xmlName ?? shape.traits.xmlName ?? shape.name;
}

export function writeXmlDocument(value: unknown, shape: Shape, member: Member | undefined, serviceNamespace: string | undefined): string {
  const w = new XmlWriter();
  const own = member?.xmlNamespace ?? shape.traits.xmlNamespace;
  const rootAttributes = own ? namespaceAttribute(own) : serviceNamespace ? { xmlns: serviceNamespace } : undefined;
  writeValue(w, rootName(shape, member), shape, member, value, rootAttributes);
  return w.toString();
}

function writeValue(
  w: XmlWriter,
  name: string,
  shape: Shape,
  member: Member | undefined,
  value: unknown,
  extra?: Record<string, string>,
): void {
  const attributes = { ...extra, ...namespaceAttribute(member?.xmlNamespace) };
  switch (shape.type) {
    case "structure":
    case "union": {
      const record = value as Record<string, unknown>;
      w.open(name, { ...attributes, ...xmlAttributes(shape, record) });
      for (const [memberName, m] of Object.entries(shape.members ?? {})) {
        const v = record[memberName];
        if (v !== undefined && v !== null && !m.xmlAttribute) writeMember(w, m, v);
      }
      w.close(name);
      return;
    }
    case "list": {
      const item = shape.member as Member;
      w.open(name, attributes);
      for (const v of value as unknown[]) if (v !== undefined && v !== null) writeValue(w, item.xmlName ?? "member", item.shape, item, v);
      w.close(name);
      return;
    }
    case "map":
      w.open(name, attributes);
      writeEntries(w, "entry", shape, value);
      w.close(name);
      return;
    default:
      w.leaf(name, scalarToText(value, shape, member, "date-time"), attributes);
  }
}

/** Flattened lists and maps repeat under the member's own name instead of a wrapper element. */
function writeMember(w: XmlWriter, member: Member, value: unknown): void {
  const name = member.xmlName ?? member.name;
  if (member.xmlFlattened && member.shape.type === "list") {
    const item = member.shape.member as Member;
    for (const v of value as unknown[]) if (v !== undefined && v !== null) writeValue(w, name, item.shape, item, v);
  } else if (member.xmlFlattened && member.shape.type === "map") {
    writeEntries(w, name, member.shape, value);
  } else {
    writeValue(w, name, member.shape, member, value);
  }
}

function writeEntries(w: XmlWriter, entryName: string, shape: Shape, value: unknown): void {
  const key = shape.key as Member;
  const valueMember = shape.value as Member;
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries) {
    if (v === undefined || v === null) continue;
    w.open(entryName);
    writeValue(w, key.xmlName ?? "key", key.shape, key, k);
    writeValue(w, valueMember.xmlName ?? "value", valueMember.shape, valueMember, v);
    w.close(entryName);
  }
}

function xmlAttributes(shape: Shape, record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, m] of Object.entries(shape.members ?? {})) {
    const v = record[name];
    if (m.xmlAttribute && v !== undefined && v !== null) out[m.xmlName ?? name] = scalarToText(v, m.shape, m, "date-time");
  }
  return out;
}

/** The xmlNamespace trait (`[prefix, uri]`, `{prefix, uri}` or a bare uri) as an xmlns attribute. */
function namespaceAttribute(ns: MemberTraits["xmlNamespace"] | undefined): Record<string, string> | undefined {
  if (!ns) return undefined;
  const [prefix, uri] = Array.isArray(ns)
    ? ns.length > 1
      ? [ns[0], ns[1]]
      : [undefined, ns[0]]
    : typeof ns === "string"
      ? [undefined, ns]
      : [ns.prefix, ns.uri];
  return { [prefix ? `xmlns:${prefix}` : "xmlns"]: uri };
}

export function readXmlDocument(body: Buffer, shape: Shape, member: Member | undefined): unknown {
  try {
    const root = parseXml(body.toString("utf8"));
    const expected = localName(rootName(shape, member));
    if (root.name !== expected) throw new SerializationFailure(`Expected the root element ${expected}, found ${root.name}.`);
    return readValue(root, shape, member, expected);
  } catch (err) {
    if (err instanceof SerializationFailure && !(err instanceof RequestBodyFailure)) throw new RequestBodyFailure(err.message);
    throw err;
  }
}

function readValue(element: XmlElement, shape: Shape, member: Member | undefined, path: string): unknown {
  switch (shape.type) {
    case "structure":
    case "union":
      return readStructure(element, shape, path);
    case "list": {
      const item = shape.member as Member;
      const itemName = localName(item.xmlName ?? "member");
      return element.children.filter((c) => c.name === itemName).map((c) => readValue(c, item.shape, item, path));
    }
    case "map":
      return readEntries(
        element.children.filter((c) => c.name === "entry"),
        shape,
        path,
      );
    default:
      return scalarFromText(element.text, shape, member, "date-time", path);
  }
}

function readStructure(element: XmlElement, shape: Shape, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(shape.members ?? {})) {
    const wire = localName(m.xmlName ?? name);
    const memberPath = `${path}.${wire}`;
    if (m.xmlAttribute) {
      const text = element.attributes[wire] ?? element.attributes[m.xmlName ?? name];
      if (text !== undefined) out[name] = scalarFromText(text, m.shape, m, "date-time", memberPath);
    } else if (m.xmlFlattened && m.shape.type === "list") {
      const item = m.shape.member as Member;
      const items = element.children.filter((c) => c.name === wire);
      if (items.length) out[name] = items.map((c) => readValue(c, item.shape, item, memberPath));
    } else if (m.xmlFlattened && m.shape.type === "map") {
      const entries = element.children.filter((c) => c.name === wire);
      if (entries.length) out[name] = readEntries(entries, m.shape, memberPath);
    } else {
      const child = childNamed(element, wire);
      if (child) out[name] = readValue(child, m.shape, m, memberPath);
    }
  }
  return out;
}

function readEntries(entries: XmlElement[], shape: Shape, path: string): Record<string, unknown> {
  const key = shape.key as Member;
  const value = shape.value as Member;
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const k = childNamed(entry, localName(key.xmlName ?? "key"));
    const v = childNamed(entry, localName(value.xmlName ?? "value"));
    if (k && v) out[k.text] = readValue(v, value.shape, value, `${path}.${k.text}`);
  }
  return out;
}

/** The parser drops namespace prefixes, so `xsi:type` is found as `type`. */
function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}
