import type { Member, Shape } from "./model.js";
import type { QueryFlavor } from "./query-params.js";
import { scalarToText } from "./values.js";
import type { XmlWriter } from "./xml.js";

/**
 * Typed output → XML elements, for awsQuery and ec2Query responses. Members are written under their
 * xmlName; lists are wrapped (`<member>` for query, `<item>` for EC2, or the list member's xmlName) unless
 * flattened; maps are `<entry><key/><value/></entry>` unless flattened.
 */
export function writeQueryMembers(w: XmlWriter, shape: Shape, value: Record<string, unknown>, flavor: QueryFlavor): void {
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v === undefined || v === null || member.xmlAttribute) continue;
    writeElement(w, member.xmlName ?? name, member, v, flavor);
  }
}

function writeElement(w: XmlWriter, element: string, member: Member, value: unknown, flavor: QueryFlavor): void {
  const shape = member.shape;
  switch (shape.type) {
    case "structure":
    case "union":
      w.open(element, attributesOf(shape, value as Record<string, unknown>));
      writeQueryMembers(w, shape, value as Record<string, unknown>, flavor);
      w.close(element);
      return;
    case "list":
      writeList(w, element, member, value as unknown[], flavor);
      return;
    case "map":
      writeMap(w, element, member, value as Record<string, unknown> | Map<string, unknown>, flavor);
      return;
    default:
      w.leaf(element, scalarToText(value, shape, member, "date-time"));
  }
}

function writeList(w: XmlWriter, element: string, member: Member, items: unknown[], flavor: QueryFlavor): void {
  const item = member.shape.member as Member;
  const present = items.filter((v) => v !== undefined && v !== null);
  if (member.xmlFlattened) {
    for (const v of present) writeElement(w, element, item, v, flavor);
    return;
  }
  const itemElement = item.xmlName ?? (flavor === "ec2" ? "item" : "member");
  w.open(element);
  for (const v of present) writeElement(w, itemElement, item, v, flavor);
  w.close(element);
}

function writeMap(
  w: XmlWriter,
  element: string,
  member: Member,
  map: Record<string, unknown> | Map<string, unknown>,
  flavor: QueryFlavor,
): void {
  const keyMember = member.shape.key as Member;
  const valueMember = member.shape.value as Member;
  const keyElement = keyMember.xmlName ?? "key";
  const valueElement = valueMember.xmlName ?? "value";
  const entries = map instanceof Map ? [...map.entries()] : Object.entries(map);
  const writeEntry = (entryElement: string, k: string, v: unknown) => {
    w.open(entryElement).leaf(keyElement, k);
    writeElement(w, valueElement, valueMember, v, flavor);
    w.close(entryElement);
  };
  if (member.xmlFlattened) {
    for (const [k, v] of entries) if (v !== undefined && v !== null) writeEntry(element, k, v);
    return;
  }
  w.open(element);
  for (const [k, v] of entries) if (v !== undefined && v !== null) writeEntry("entry", k, v);
  w.close(element);
}

function attributesOf(shape: Shape, value: Record<string, unknown>): Record<string, string> | undefined {
  let attributes: Record<string, string> | undefined;
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (!member.xmlAttribute || v === undefined || v === null) continue;
    attributes ??= {};
    attributes[member.xmlName ?? name] = scalarToText(v, member.shape, member, "date-time");
  }
  return attributes;
}
