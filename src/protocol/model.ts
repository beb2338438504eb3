import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The service models, as extracted from the official AWS SDK v3 schemas by scripts/gen-models.mjs.
 * A model is loaded on a service's first request and linked once, so codecs walk plain object graphs.
 */
export type Protocol = "awsJson1_0" | "awsJson1_1" | "awsQuery" | "ec2Query" | "restJson1" | "restXml" | "rpcv2Cbor";

export type ShapeType =
  | "string"
  | "number"
  | "boolean"
  | "blob"
  | "timestamp"
  | "document"
  | "bigInteger"
  | "bigDecimal"
  | "list"
  | "map"
  | "structure"
  | "union";

export interface MemberTraits {
  xmlName?: string;
  xmlFlattened?: boolean;
  xmlAttribute?: boolean;
  xmlNamespace?: { prefix?: string; uri: string } | string[];
  ec2QueryName?: string;
  jsonName?: string;
  httpHeader?: string;
  httpQuery?: string;
  httpLabel?: boolean;
  httpPayload?: boolean;
  httpPrefixHeaders?: string;
  httpQueryParams?: boolean;
  httpResponseCode?: boolean;
  timestampFormat?: "date-time" | "http-date" | "epoch-seconds";
  idempotencyToken?: boolean;
  sensitive?: boolean;
  enum?: string[];
  [trait: string]: unknown;
}

export interface Member extends MemberTraits {
  name: string;
  shape: Shape;
}

export interface Shape {
  name: string;
  type: ShapeType;
  traits: MemberTraits & {
    awsQueryError?: { code: string; status: number };
    httpError?: number;
    streaming?: boolean;
  };
  /** Structures and unions. */
  members?: Record<string, Member>;
  required?: string[];
  error?: boolean;
  /** Lists. */
  member?: Member;
  /** Maps. */
  key?: Member;
  value?: Member;
}

export interface HttpBinding {
  method: string;
  uri: string;
  code: number;
}

export interface Operation {
  name: string;
  input: Shape;
  output: Shape;
  http?: HttpBinding;
}

export interface ServiceMetadata {
  protocol: Protocol;
  /** Smithy namespace, e.g. "com.amazonaws.sqs" (JSON error `__type`s). */
  namespace: string;
  apiVersion: string;
  serviceId: string;
  signingName: string;
  targetPrefix?: string;
  xmlNamespace?: string;
  awsQueryCompatible?: boolean;
  jsonVersion?: string;
}

export interface ServiceModel {
  id: string;
  source: string;
  metadata: ServiceMetadata;
  operations: Map<string, Operation>;
  shapes: Map<string, Shape>;
  /** Error shapes by name (AWS error codes). */
  errors: Map<string, Shape>;
}

interface RawMember extends MemberTraits {
  target: string;
}
interface RawShape {
  type: ShapeType;
  traits?: Shape["traits"];
  members?: Record<string, RawMember>;
  required?: string[];
  error?: boolean;
  member?: RawMember;
  key?: RawMember;
  value?: RawMember;
}
interface RawModel {
  id: string;
  source: string;
  metadata: ServiceMetadata;
  operations: Record<string, { input: string; output: string; http?: HttpBinding }>;
  errors: string[];
  shapes: Record<string, RawShape>;
}

const modelsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "models");
const loaded = new Map<string, ServiceModel>();

export function loadModel(id: string): ServiceModel {
  const cached = loaded.get(id);
  if (cached) return cached;
  const raw = JSON.parse(readFileSync(join(modelsDir, `${id}.json`), "utf8")) as RawModel;
  const model = linkModel(raw);
  loaded.set(id, model);
  return model;
}

/** The raw model's operation names, without linking: enough for coverage reports. */
export function modelOperationNames(id: string): string[] {
  const cached = loaded.get(id);
  if (cached) return [...cached.operations.keys()];
  const raw = JSON.parse(readFileSync(join(modelsDir, `${id}.json`), "utf8")) as RawModel;
  return Object.keys(raw.operations);
}

function linkModel(raw: RawModel): ServiceModel {
  const shapes = new Map<string, Shape>();
  for (const [name, r] of Object.entries(raw.shapes)) {
    shapes.set(name, { name, type: r.type, traits: r.traits ?? {}, required: r.required, error: r.error });
  }
  const resolve = (m: RawMember, name: string): Member => {
    const shape = shapes.get(m.target);
    if (!shape) throw new Error(`model ${raw.id}: unknown shape ${m.target}`);
    const { target: _target, ...traits } = m;
    return { ...traits, name, shape };
  };
  for (const [name, r] of Object.entries(raw.shapes)) {
    const shape = shapes.get(name) as Shape;
    if (r.members) {
      shape.members = {};
      for (const [memberName, m] of Object.entries(r.members)) shape.members[memberName] = resolve(m, memberName);
    }
    if (r.member) shape.member = resolve(r.member, "member");
    if (r.key) shape.key = resolve(r.key, "key");
    if (r.value) shape.value = resolve(r.value, "value");
  }
  const operations = new Map<string, Operation>();
  for (const [name, op] of Object.entries(raw.operations)) {
    operations.set(name, {
      name,
      input: shapes.get(op.input) as Shape,
      output: shapes.get(op.output) as Shape,
      http: op.http,
    });
  }
  const errors = new Map<string, Shape>();
  for (const name of raw.errors) errors.set(name, shapes.get(name) as Shape);
  return { id: raw.id, source: raw.source, metadata: raw.metadata, operations, shapes, errors };
}
