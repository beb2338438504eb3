import { XMLParser } from "fast-xml-parser";
import { SerializationFailure } from "./errors.js";

/** XML for the query, ec2Query and restXml codecs: a small writer and a parser into a plain element tree. */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\r": "&#xD;",
  "\n": "&#xA;",
};

/** Escapes text and attribute values; CR/LF as character references so they survive XML parsers' normalization. */
export function escapeXml(text: string): string {
  return /[&<>"'\r\n]/.test(text) ? text.replace(/[&<>"'\r\n]/g, (c) => ESCAPES[c]) : text;
}

/** Builds a document by appending to an array: no DOM, no intermediate objects. */
export class XmlWriter {
  private readonly parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];

  open(name: string, attributes?: Record<string, string | undefined>): this {
    this.parts.push(`<${name}${formatAttributes(attributes)}>`);
    return this;
  }

  close(name: string): this {
    this.parts.push(`</${name}>`);
    return this;
  }

  /** `<name>text</name>`, already-escaped text is not expected: this escapes. */
  leaf(name: string, text: string, attributes?: Record<string, string | undefined>): this {
    this.parts.push(`<${name}${formatAttributes(attributes)}>${escapeXml(text)}</${name}>`);
    return this;
  }

  empty(name: string, attributes?: Record<string, string | undefined>): this {
    this.parts.push(`<${name}${formatAttributes(attributes)}/>`);
    return this;
  }

  text(text: string): this {
    this.parts.push(escapeXml(text));
    return this;
  }

  toString(): string {
    return this.parts.join("");
  }
}

function formatAttributes(attributes?: Record<string, string | undefined>): string {
  if (!attributes) return "";
  let out = "";
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out += ` ${k}="${escapeXml(v)}"`;
  return out;
}

export interface XmlElement {
  /** The element name without namespace prefix. */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content (whitespace kept: S3 keys may be spaces). */
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Ordered = Record<string, unknown> & { ":@"?: Record<string, string> };

/** Parses a document and returns its root element; malformed input throws SerializationFailure. */
export function parseXml(text: string): XmlElement {
  let nodes: Ordered[];
  try {
    nodes = parser.parse(text, true) as Ordered[];
  } catch (err) {
    throw new SerializationFailure(`The XML you provided was not well-formed: ${(err as Error).message}`);
  }
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw new SerializationFailure("The XML you provided was not well-formed: expected one root element");
  return roots[0];
}

function toElement(node: Ordered): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ":@" && k !== "#text");
  if (!name) return undefined;
  const element: XmlElement = { name, attributes: node[":@"] ?? {}, children: [], text: "" };
  for (const child of node[name] as Ordered[]) {
    if ("#text" in child) element.text += String(child["#text"]);
    else {
      const c = toElement(child);
      if (c) element.children.push(c);
    }
  }
  return element;
}

/** The first child element named `name`, if any. */
export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}
