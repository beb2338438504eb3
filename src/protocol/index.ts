import type { Codec } from "./codec.js";
import type { Protocol } from "./model.js";

/**
 * One codec per wire protocol, shared by every service, loaded on the first request that needs it
 * (the XML codecs pull in the XML parser, which start-up should not pay for).
 */
const CODECS: Partial<Record<Protocol, () => Promise<Codec>>> = {
  awsJson1_0: () => import("./aws-json.js").then((m) => m.awsJsonCodec),
  awsJson1_1: () => import("./aws-json.js").then((m) => m.awsJsonCodec),
  awsQuery: () => import("./aws-query.js").then((m) => m.awsQueryCodec),
  ec2Query: () => import("./aws-query.js").then((m) => m.ec2QueryCodec),
  restXml: () => import("./rest-xml.js").then((m) => m.restXmlCodec),
  restJson1: () => import("./rest-json.js").then((m) => m.restJsonCodec),
};

/** Each codec's module promise, kept once loaded: the import machinery is not free per request. */
const loaded = new Map<Protocol, Promise<Codec>>();

export function codecFor(protocol: Protocol): Promise<Codec> {
  let codec = loaded.get(protocol);
  if (!codec) {
    const load = CODECS[protocol];
    if (!load) throw new Error(`no codec for protocol ${protocol}`);
    codec = load();
    loaded.set(protocol, codec);
  }
  return codec;
}
