import type { Readable } from "node:stream";
import { readBody } from "./codec.js";
import { SerializationFailure } from "./errors.js";
import type { HttpRequest, QueryParams } from "./http.js";
import type { Member, Operation, ServiceModel, Shape } from "./model.js";
import { scalarFromText, scalarToText, toBuffer } from "./values.js";

/**
 * HTTP bindings shared by restJson1 and restXml: which operation a method + path + query names, and
 * where each member travels (label, query, header, prefix headers, payload or body document), both ways.
 * Only the body document differs between the two protocols; the codecs supply it as a DocumentFormat.
 */
export interface DocumentFormat {
  contentType: string;
  /** Parses a body into a value of `shape` (a structure, or a payload member's shape); throws RequestBodyFailure. */
  read(body: Buffer, shape: Shape, member: Member | undefined): unknown;
  /** Writes a value of `shape` as a document; `member` is the payload member when there is one. */
  write(value: unknown, shape: Shape, member: Member | undefined): string;
}

/** The body could not be read as the operation's document: services answer with their own error (S3's MalformedXML). */
export class RequestBodyFailure extends SerializationFailure {}

// ---- Routing -----------------------------------------------------------------------------------------

type PathPart = { literal: string } | { label: string; greedy: boolean };

interface Route {
  operation: Operation;
  method: string;
  parts: PathPart[];
  literalSegments: number;
  /** Query literals of the URI template: `?acl` is [acl, undefined], `?list-type=2` is [list-type, 2]. */
  queryLiterals: Array<[string, string | undefined]>;
  /** Required query and header members: they tell apart operations that share a template (PutObject vs UploadPart). */
  requiredQuery: string[];
  requiredHeaders: string[];
  /** Position in the model: the last tie-breaker, so routing never depends on iteration luck. */
  order: number;
}

export interface RouteMatch {
  operation: Operation;
  /** Percent-decoded label values by member name; greedy labels keep their slashes. */
  labels: Record<string, string>;
}

/** Compiled once per model; models are immutable once linked, so a WeakMap keyed by them is safe. */
const routeTables = new WeakMap<ServiceModel, Route[]>();

function routesOf(model: ServiceModel): Route[] {
  let routes = routeTables.get(model);
  if (!routes) {
    routes = [...model.operations.values()].filter((op) => op.http).map((op, order) => compileRoute(op, order));
    routeTables.set(model, routes);
  }
  return routes;
}

function compileRoute(operation: Operation, order: number): Route {
  const http = operation.http as NonNullable<Operation["http"]>;
  const q = http.uri.indexOf("?");
  const pathTemplate = q < 0 ? http.uri : http.uri.slice(0, q);
  const parts = splitPath(pathTemplate).map((segment): PathPart => {
    const label = /^\{([^}]+?)(\+)?\}$/.exec(segment);
    return label ? { label: label[1], greedy: label[2] === "+" } : { literal: segment };
  });
  const queryLiterals = (q < 0 ? "" : http.uri.slice(q + 1))
    .split("&")
    .filter(Boolean)
    .map((pair): [string, string | undefined] => {
      const eq = pair.indexOf("=");
      return eq < 0 ? [pair, undefined] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
  const input = operation.input;
  const required = (input.required ?? []).map((name) => input.members?.[name]).filter((m): m is Member => m !== undefined);
  return {
    operation,
    method: http.method,
    parts,
    literalSegments: parts.filter((p) => "literal" in p).length,
    queryLiterals,
    requiredQuery: required.filter((m) => m.httpQuery).map((m) => m.httpQuery as string),
    requiredHeaders: required.filter((m) => m.httpHeader).map((m) => (m.httpHeader as string).toLowerCase()),
    order,
  };
}

/** `/a/b` → [a, b]; `/` → []. Segments stay percent-encoded. */
function splitPath(path: string): string[] {
  const trimmed = path.startsWith("/") ? path.slice(1) : path;
  return trimmed === "" ? [] : trimmed.split("/");
}

/** Finds the most specific operation for the request, or undefined when none matches. */
export function matchRoute(
  model: ServiceModel,
  method: string,
  path: string,
  query: QueryParams,
  headers: Record<string, string>,
): RouteMatch | undefined {
  const segments = splitPath(path);
  const candidates: Array<{ route: Route; labels: Record<string, string> }> = [];
  for (const route of routesOf(model)) {
    if (route.method !== method || !queryLiteralsMatch(route, query)) continue;
    const labels = matchPath(route.parts, segments);
    if (labels) candidates.push({ route, labels });
  }
  if (candidates.length === 0) return undefined;
  const satisfied = candidates.filter(
    ({ route }) => route.requiredQuery.every((k) => query.has(k)) && route.requiredHeaders.every((h) => headers[h] !== undefined),
  );
  const pool = satisfied.length ? satisfied : candidates;
  pool.sort((a, b) => specificity(b.route) - specificity(a.route) || a.route.order - b.route.order);
  return { operation: pool[0].route.operation, labels: pool[0].labels };
}

/** Literal path segments weigh most, then query literals, then required query/header members. */
function specificity(route: Route): number {
  return route.literalSegments * 10_000 + route.queryLiterals.length * 100 + route.requiredQuery.length + route.requiredHeaders.length;
}

function queryLiteralsMatch(route: Route, query: QueryParams): boolean {
  return route.queryLiterals.every(([key, value]) => {
    const values = query.get(key);
    return values !== undefined && (value === undefined || values.includes(value));
  });
}

/** Matches segments to the template; a trailing slash is tolerated unless a greedy label takes it. */
function matchPath(parts: PathPart[], segments: string[]): Record<string, string> | undefined {
  const exact = matchSegments(parts, segments);
  if (exact || segments.length === 0 || segments[segments.length - 1] !== "") return exact;
  return matchSegments(parts, segments.slice(0, -1));
}

function matchSegments(parts: PathPart[], segments: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let s = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if ("literal" in part) {
      if (s >= segments.length || decodeSegment(segments[s]) !== part.literal) return undefined;
      s++;
    } else if (part.greedy) {
      const end = segments.length - (parts.length - p - 1);
      if (end <= s) return undefined;
      const value = decodeSegment(segments.slice(s, end).join("/"));
      if (value === "") return undefined;
      labels[part.label] = value;
      s = end;
    } else {
      if (s >= segments.length || segments[s] === "") return undefined;
      labels[part.label] = decodeSegment(segments[s]);
      s++;
    }
  }
  return s === segments.length ? labels : undefined;
}

/** Path decoding: `+` stays a plus; malformed escapes are kept literally rather than failing the request. */
function decodeSegment(segment: string): string {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// ---- Member bindings ---------------------------------------------------------------------------------

interface Bindings {
  payload?: Member;
  /** The structure's members that travel in the body document, as a shape of their own; undefined if none. */
  body?: Shape;
  responseCode?: Member;
  /** Query keys claimed by httpQuery members: httpQueryParams maps get the rest. */
  boundQueryKeys: Set<string>;
}

const bindingCache = new WeakMap<Shape, Bindings>();

function bindingsOf(shape: Shape): Bindings {
  let bindings = bindingCache.get(shape);
  if (!bindings) {
    const members = Object.values(shape.members ?? {});
    const bodyMembers = members.filter(isBodyMember);
    bindings = {
      payload: members.find((m) => m.httpPayload),
      body: bodyMembers.length
        ? { ...shape, members: Object.fromEntries(bodyMembers.map((m) => [m.name, m])), required: undefined }
        : undefined,
      responseCode: members.find((m) => m.httpResponseCode),
      boundQueryKeys: new Set(members.flatMap((m) => (m.httpQuery ? [m.httpQuery] : []))),
    };
    bindingCache.set(shape, bindings);
  }
  return bindings;
}

function isBodyMember(m: Member): boolean {
  return (
    !m.httpLabel &&
    !m.httpQuery &&
    !m.httpQueryParams &&
    !m.httpHeader &&
    m.httpPrefixHeaders === undefined &&
    !m.httpPayload &&
    !m.httpResponseCode
  );
}

/** Whether the operation's input takes the request body as a stream (S3 uploads): it must not be buffered. */
export function hasStreamingInput(operation: Operation): boolean {
  return bindingsOf(operation.input).payload?.shape.traits.streaming === true;
}

/** Reads every bound member of the operation's input from the request. */
export async function decodeBindings(
  req: HttpRequest,
  match: RouteMatch,
  query: QueryParams,
  format: DocumentFormat,
): Promise<Record<string, unknown>> {
  const shape = match.operation.input;
  const input: Record<string, unknown> = {};
  const { boundQueryKeys } = bindingsOf(shape);
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    let value: unknown;
    if (member.httpLabel) {
      const raw = match.labels[name];
      value = raw === undefined ? undefined : scalarFromText(raw, member.shape, member, "date-time", name);
    } else if (member.httpQuery) {
      value = readQueryMember(query.get(member.httpQuery), member);
    } else if (member.httpQueryParams) {
      value = readQueryParams(query, boundQueryKeys, member);
    } else if (member.httpHeader) {
      const raw = req.headers[member.httpHeader.toLowerCase()];
      value = raw === undefined ? undefined : readHeaderMember(raw, member);
    } else if (member.httpPrefixHeaders !== undefined) {
      value = readPrefixHeaders(req.headers, member);
    }
    if (value !== undefined) input[name] = value;
  }
  await readPayload(req, shape, input, format);
  return input;
}

function readQueryMember(values: string[] | undefined, member: Member): unknown {
  if (!values) return undefined;
  if (member.shape.type === "list") {
    const item = member.shape.member as Member;
    return values.map((v) => scalarFromText(v, item.shape, item, "date-time", member.name));
  }
  return scalarFromText(values[0], member.shape, member, "date-time", member.name);
}

/** `httpQueryParams`: every query parameter no other member claims, as a map of strings or of lists. */
function readQueryParams(query: QueryParams, bound: Set<string>, member: Member): Record<string, unknown> | undefined {
  const valueShape = (member.shape.value as Member).shape;
  const out: Record<string, unknown> = {};
  for (const [key, values] of query) {
    if (bound.has(key)) continue;
    out[key] = valueShape.type === "list" ? [...values] : values[0];
  }
  return Object.keys(out).length ? out : undefined;
}

function readHeaderMember(raw: string, member: Member): unknown {
  if (member.shape.type === "list") {
    const item = member.shape.member as Member;
    const httpDates =
      item.shape.type === "timestamp" && (item.timestampFormat ?? item.shape.traits.timestampFormat ?? "http-date") === "http-date";
    return splitHeaderList(raw, httpDates).map((v) => scalarFromText(v, item.shape, item, "http-date", member.name));
  }
  const text = member.shape.type === "string" ? raw : raw.trim();
  return scalarFromText(text, member.shape, member, "http-date", member.name);
}

/** Splits a comma-separated header list, honouring quoted items; HTTP dates contain a comma of their own. */
export function splitHeaderList(raw: string, httpDates = false): string[] {
  if (httpDates) return raw.match(/[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT/g) ?? [];
  const items: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quoted && c === "\\" && i + 1 < raw.length) current += raw[++i];
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) {
      items.push(current.trim());
      current = "";
    } else current += c;
  }
  items.push(current.trim());
  return items.filter((item, i) => item !== "" || i < items.length - 1);
}

function readPrefixHeaders(headers: Record<string, string>, member: Member): Record<string, string> | undefined {
  const prefix = (member.httpPrefixHeaders as string).toLowerCase();
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(prefix) && name.length > prefix.length) out[name.slice(prefix.length)] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

async function readPayload(req: HttpRequest, shape: Shape, input: Record<string, unknown>, format: DocumentFormat): Promise<void> {
  const { payload, body: bodyShape } = bindingsOf(shape);
  if (payload?.shape.traits.streaming) {
    input[payload.name] = req.body; // uploads go to the handler untouched, never buffered
    return;
  }
  const body = await readBody(req.body); // also drains bodies the operation ignores, keeping the connection usable
  if (body.length === 0) return;
  if (payload) {
    const type = payload.shape.type;
    if (type === "blob") input[payload.name] = body;
    else if (type === "string") input[payload.name] = body.toString("utf8");
    else input[payload.name] = format.read(body, payload.shape, payload);
  } else if (bodyShape) {
    Object.assign(input, format.read(body, bodyShape, undefined) as Record<string, unknown>);
  }
}

// ---- Responses ---------------------------------------------------------------------------------------

export interface EncodedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string | Readable | undefined;
}

/** Writes an output (or an error shape's members) onto status, headers and body. */
export function encodeBindings(
  shape: Shape,
  value: Record<string, unknown>,
  defaultStatus: number,
  format: DocumentFormat,
): EncodedResponse {
  const { payload, body: bodyShape, responseCode } = bindingsOf(shape);
  const headers: Record<string, string> = {};
  writeHeaders(shape, value, headers);
  let status = defaultStatus;
  if (responseCode && typeof value[responseCode.name] === "number") status = value[responseCode.name] as number;
  let body: EncodedResponse["body"];
  if (payload) {
    body = payloadBody(payload, value[payload.name], format, headers);
  } else if (bodyShape) {
    body = format.write(value, bodyShape, undefined);
    headers["content-type"] ??= format.contentType;
  }
  // An empty answer says so, rather than opening a chunked body with nothing in it.
  if (body === undefined && status !== 204 && status !== 304) headers["content-length"] ??= "0";
  return { status, headers, body };
}

export function writeHeaders(shape: Shape, value: Record<string, unknown>, headers: Record<string, string>): void {
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (member.httpHeader) {
      headers[member.httpHeader.toLowerCase()] = headerSafe(headerText(v, member));
    } else if (member.httpPrefixHeaders !== undefined) {
      const prefix = member.httpPrefixHeaders.toLowerCase();
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
        if (item !== undefined && item !== null) headers[`${prefix}${key}`.toLowerCase()] = headerSafe(String(item));
      }
    }
  }
}

function headerText(value: unknown, member: Member): string {
  if (member.shape.type !== "list") return scalarToText(value, member.shape, member, "http-date");
  const item = member.shape.member as Member;
  return (value as unknown[])
    .map((v) => {
      const text = scalarToText(v, item.shape, item, "http-date");
      return item.shape.type === "string" && /[,"]/.test(text) ? `"${text.replace(/(["\\])/g, "\\$1")}"` : text;
    })
    .join(", ");
}

/** Header values must be visible ASCII: others are sent RFC 2047-encoded, as S3 does for user metadata. */
function headerSafe(text: string): string {
  return /^[\t\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;
}

function payloadBody(payload: Member, value: unknown, format: DocumentFormat, headers: Record<string, string>): EncodedResponse["body"] {
  if (value === undefined || value === null) return undefined;
  const type = payload.shape.type;
  if (type === "blob") {
    headers["content-type"] ??= "application/octet-stream";
    if (typeof value === "string" || Buffer.isBuffer(value) || value instanceof Uint8Array) return toBuffer(value);
    return value as Readable; // streaming bodies pass through
  }
  if (type === "string") {
    headers["content-type"] ??= "text/plain";
    return String(value);
  }
  headers["content-type"] ??= format.contentType;
  return format.write(value, payload.shape, payload);
}
