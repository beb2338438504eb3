import { createHash, createSign } from "node:crypto";
import type { StateBackend } from "../../state/store.js";

/**
 * SNS signs every HTTP/SQS/Lambda message with a key whose X.509 certificate it serves at SigningCertURL.
 * Ours is generated on first use and kept in the state (persisted with it); certificates are never
 * replaced, only added, so every URL ever handed out keeps verifying.
 */
interface CertRecord {
  id: string;
  key: string;
  cert: string;
}

const SCOPE = { service: "sns", account: "aws", region: "global" } as const;
export const CERT_PATH_PREFIX = "/_overcast/sns/SimpleNotificationService-";

const certs = (state: StateBackend) => state.scope(SCOPE).collection<CertRecord>("signing-certificates");

export interface Signer {
  certUrl(baseUrl: string): string;
  sign(fields: Record<string, string | undefined>, version: string): string;
}

export async function signer(state: StateBackend): Promise<Signer> {
  const record = certs(state).values().next().value ?? (await generateCertificate(state));
  return {
    certUrl: (baseUrl) => `${baseUrl}${CERT_PATH_PREFIX}${record.id}.pem`,
    sign(fields, version) {
      const signing = createSign(version === "2" ? "RSA-SHA256" : "RSA-SHA1");
      signing.update(canonicalString(fields));
      return signing.sign(record.key, "base64");
    },
  };
}

/** The certificate for a SigningCertURL path, if it is one of ours. */
export function certificateFor(state: StateBackend, path: string): string | undefined {
  if (!path.startsWith(CERT_PATH_PREFIX) || !path.endsWith(".pem")) return undefined;
  return certs(state).get(path.slice(CERT_PATH_PREFIX.length, -4))?.cert;
}

async function generateCertificate(state: StateBackend): Promise<CertRecord> {
  const { generate } = await import("selfsigned");
  const pems = await generate([{ name: "commonName", value: "sns.amazonaws.com" }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 5 * 365 * 86_400_000),
    // Supported by selfsigned but missing from its types.
    ...({ algorithm: "sha256" } as object),
  });
  const id = createHash("sha256").update(pems.cert).digest("hex").slice(0, 32);
  const record = { id, key: pems.private, cert: pems.cert };
  certs(state).set(id, record);
  return record;
}

/** The string SNS signs: the message's signed fields in this order, as "Name\nvalue\n" pairs. */
const SIGNED_NOTIFICATION = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"];
const SIGNED_CONFIRMATION = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];

function canonicalString(fields: Record<string, string | undefined>): string {
  const names = fields.Type === "Notification" ? SIGNED_NOTIFICATION : SIGNED_CONFIRMATION;
  return names
    .filter((name) => fields[name] !== undefined)
    .map((name) => `${name}\n${fields[name]}\n`)
    .join("");
}
