import { AwsError, SerializationFailure } from "./errors.js";
import type { QueryParams } from "./http.js";
import type { Member, Shape } from "./model.js";
import { scalarFromText } from "./values.js";

/**
 * Form parameters → typed input, for awsQuery and ec2Query. The dotted keys (`Attribute.1.Name`,
 * `Filter.2.Value.1`) are first folded into a tree, then the tree is read against the input shape, so each
 * list, map and structure looks only at its own children.
 *
 * The two flavours differ only in naming: awsQuery uses xmlName and wraps lists in `.member.N` (or
 * `.<memberXmlName>.N`) and maps in `.entry.N` unless the member is flattened; ec2Query uses ec2QueryName
 * (else the capitalized xmlName) and always writes lists flat (`Name.N`).
 */
export type QueryFlavor = "query" | "ec2";

export interface ParamNode {
  /** The full key of this node, as the client sent it: for error messages. */
  key: string;
  value?: string;
  children: Map<string, ParamNode>;
}

/** Signing and protocol parameters that travel with every request and are no operation's input. */
const ENVELOPE_PARAMS = new Set([
  "Action",
  "Version",
  "AWSAccessKeyId",
  "SignatureVersion",
  "SignatureMethod",
  "Signature",
  "Timestamp",
  "Expires",
  "SecurityToken",
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-Signature",
  "X-Amz-SignedHeaders",
  "X-Amz-Security-Token",
]);

/** Folds `A.B.1=x` style keys into a tree; the first occurrence of a repeated key wins. */
export function paramTree(params: QueryParams, flavor: QueryFlavor): ParamNode {
  const root: ParamNode = { key: "", children: new Map() };
  for (const [key, values] of params) {
    if (ENVELOPE_PARAMS.has(key)) continue;
    const segments = key.split(".");
    if (segments.some((s) => s === "")) {
      if (flavor === "ec2") throw unknownParameter(key);
      continue;
    }
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      let child = node.children.get(segments[i]);
      if (!child) {
        child = { key: segments.slice(0, i + 1).join("."), children: new Map() };
        node.children.set(segments[i], child);
      }
      node = child;
    }
    if (node.value === undefined) node.value = values[0];
  }
  return root;
}

export function readQueryInput(tree: ParamNode, shape: Shape, flavor: QueryFlavor): Record<string, unknown> {
  return readStructure(tree, shape, flavor);
}

/** The key a member is sent under. */
export function queryWireName(name: string, member: Member, flavor: QueryFlavor): string {
  if (flavor === "query") return member.xmlName ?? name;
  return member.ec2QueryName ?? capitalize(member.xmlName ?? name);
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function readStructure(node: ParamNode, shape: Shape, flavor: QueryFlavor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const used = new Set<string>();
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const wire = queryWireName(name, member, flavor);
    const child = node.children.get(wire);
    if (!child) continue;
    used.add(wire);
    const value = readValue(child, member, flavor);
    if (value !== undefined) out[name] = value;
  }
  // EC2 rejects parameters it does not know; the Coral-based query services ignore them.
  if (flavor === "ec2") {
    for (const [wire, child] of node.children) if (!used.has(wire)) throw unknownParameter(firstLeafKey(child));
  }
  return out;
}

function readValue(node: ParamNode, member: Member, flavor: QueryFlavor): unknown {
  const shape = member.shape;
  switch (shape.type) {
    case "structure":
    case "union":
      return readStructure(node, shape, flavor);
    case "list":
      return readList(node, member, flavor);
    case "map":
      return readMap(node, member, flavor);
    default:
      return readScalar(node, member, flavor);
  }
}

function readList(node: ParamNode, member: Member, flavor: QueryFlavor): unknown[] {
  const item = member.shape.member as Member;
  let container: ParamNode | undefined = node;
  if (flavor === "query" && !member.xmlFlattened) container = node.children.get(item.xmlName ?? "member");
  // `List=` with no items is how the query protocol sends an empty list.
  if (!container) return [];
  return indexedChildren(container, flavor).map((child) => readValue(child, item, flavor));
}

function readMap(node: ParamNode, member: Member, flavor: QueryFlavor): Record<string, unknown> {
  const keyMember = member.shape.key as Member;
  const valueMember = member.shape.value as Member;
  const container = flavor === "query" && !member.xmlFlattened ? node.children.get("entry") : node;
  const out: Record<string, unknown> = {};
  if (!container) return out;
  for (const entry of indexedChildren(container, flavor)) {
    const keyNode = entry.children.get(keyMember.xmlName ?? "key");
    const valueNode = entry.children.get(valueMember.xmlName ?? "value");
    if (keyNode?.value === undefined) throw missingMapPart(entry.key, keyMember.xmlName ?? "key");
    if (!valueNode) throw missingMapPart(entry.key, valueMember.xmlName ?? "value");
    const value = readValue(valueNode, valueMember, flavor);
    // defineProperty: a `__proto__` key is data here, not the object's prototype.
    if (value !== undefined) Object.defineProperty(out, keyNode.value, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The `.N` children of a list or map node, in index order (clients number from 1; gaps are allowed). */
function indexedChildren(node: ParamNode, flavor: QueryFlavor): ParamNode[] {
  const items: [number, ParamNode][] = [];
  for (const [segment, child] of node.children) {
    if (/^[1-9]\d{0,8}$/.test(segment)) items.push([Number(segment), child]);
    else if (flavor === "ec2") throw unknownParameter(firstLeafKey(child));
  }
  return items.sort((a, b) => a[0] - b[0]).map(([, child]) => child);
}

function readScalar(node: ParamNode, member: Member, flavor: QueryFlavor): unknown {
  if (node.value === undefined) {
    if (flavor === "ec2") throw unknownParameter(firstLeafKey(node));
    return undefined;
  }
  const shape = member.shape;
  const text = shape.type === "boolean" ? node.value.toLowerCase() : node.value;
  try {
    return scalarFromText(text, shape, member, "date-time", node.key);
  } catch (err) {
    if (err instanceof SerializationFailure) throw invalidValue(node.key, node.value, shape);
    throw err;
  }
}

function firstLeafKey(node: ParamNode): string {
  let current = node;
  while (current.value === undefined && current.children.size > 0) current = current.children.values().next().value as ParamNode;
  return current.key;
}

const TYPE_NAMES: Partial<Record<Shape["type"], string>> = { number: "Number", boolean: "Boolean", timestamp: "Timestamp", blob: "Blob" };

function invalidValue(key: string, text: string, shape: Shape): AwsError {
  const expected = TYPE_NAMES[shape.type] ?? shape.type;
  return new AwsError("InvalidParameterValue", `Value (${text}) for parameter ${key} is invalid. Expected: '${expected}'.`, {
    status: 400,
  });
}

function unknownParameter(key: string): AwsError {
  return new AwsError("UnknownParameter", `The parameter ${key} is not recognized`, { status: 400 });
}

function missingMapPart(entryKey: string, part: string): AwsError {
  return new AwsError("MissingParameter", `The request must contain the parameter ${entryKey}.${part}`, { status: 400 });
}
