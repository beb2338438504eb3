import { awsJsonCodec } from "./aws-json.js";
import type { Codec } from "./codec.js";
import type { Protocol } from "./model.js";

/** One codec per wire protocol, shared by every service. */
const CODECS: Partial<Record<Protocol, Codec>> = {
  awsJson1_0: awsJsonCodec,
  awsJson1_1: awsJsonCodec,
};

export function codecFor(protocol: Protocol): Codec {
  const codec = CODECS[protocol];
  if (!codec) throw new Error(`no codec for protocol ${protocol}`);
  return codec;
}
