import type { Codec } from "./codec.js";
import type { Protocol } from "./model.js";

/** The models' protocols, and the CBOR encoding of awsJson that the Java SDK sends Kinesis. */
export type WireProtocol = Protocol | "awsJsonCbor";

/**
 * One codec per wire protocol, shared by every service, loaded on the first request that needs it
 * (the XML codecs pull in the XML parser, which start-up should not pay for).
 */
const CODECS: Partial<Record<WireProtocol, () => Promise<Codec>>> = {
  awsJson1_0: () => import("./aws-json.js").then((m) => m.awsJsonCodec),
  awsJson1_1: () => import("./aws-json.js").then((m) => m.awsJsonCodec),
  awsQuery: () => import("./aws-query.js").then((m) => m.awsQueryCodec),
  ec2Query: () => import("./aws-query.js").then((m) => m.ec2QueryCodec),
  restXml: () => import("./rest-xml.js").then((m) => m.restXmlCodec),
  restJson1: () => import("./rest-json.js").then((m) => m.restJsonCodec),
  awsJsonCbor: () => import("./aws-json-cbor.js").then((m) => m.awsJsonCborCodec),
};

/** Each codec's module promise, kept once loaded: the import machinery is not free per request. */
const loaded = new Map<WireProtocol, Promise<Codec>>();

export function codecFor(protocol: WireProtocol): Promise<Codec> {
  let codec = loaded.get(protocol);
  if (!codec) {
    const load = CODECS[protocol];
    if (!load) throw new Error(`no codec for protocol ${protocol}`);
    codec = load();
    loaded.set(protocol, codec);
  }
  return codec;
}
