import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { StateBackend } from "../state/store.js";
import type { Statement } from "./policy.js";
import { IAM_REGION } from "./records.js";

/**
 * The encoded authorization failure messages some services (EC2) append to their denials, and that
 * sts:DecodeAuthorizationMessage turns back into the details of the decision. Like AWS's, they are
 * opaque: sealed with AES-256-GCM under a key of the account (kept in its STS state), so only the
 * account that was denied can decode them, and a tampered message is refused.
 */
export interface AuthorizationDetails {
  allowed: boolean;
  explicitDeny: boolean;
  principal: { id: string; arn: string; name?: string };
  action: string;
  resource: string;
  conditions: Record<string, string | string[] | undefined>;
  matchedStatements: Statement[];
}

const KEY_NAME = "authorization-message";

function accountKey(state: StateBackend, account: string): Buffer {
  const keys = state.scope({ service: "sts", account, region: IAM_REGION }).collection<string>("keys");
  let key = keys.get(KEY_NAME);
  if (key === undefined) {
    key = randomBytes(32).toString("base64");
    keys.set(KEY_NAME, key);
  }
  return Buffer.from(key, "base64");
}

/** AWS's decoded form: lists wrapped in {items: […]}, condition values as {value}. */
function decodedDocument(details: AuthorizationDetails): string {
  const conditions = Object.entries(details.conditions)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) => ({ key, values: { items: (Array.isArray(v) ? v : [v as string]).map((value) => ({ value })) } }));
  return JSON.stringify({
    allowed: details.allowed,
    explicitDeny: details.explicitDeny,
    matchedStatements: {
      items: details.matchedStatements.map((s) => ({
        statementId: s.Sid ?? "",
        effect: s.Effect.toUpperCase(),
        actions: { items: (s.Action ?? []).map((value) => ({ value })) },
        resources: { items: (s.Resource ?? []).map((value) => ({ value })) },
      })),
    },
    failures: { items: [] },
    context: {
      principal: details.principal,
      action: details.action,
      resource: details.resource,
      conditions: { items: conditions },
    },
  });
}

export function encodeAuthorizationMessage(state: StateBackend, account: string, details: AuthorizationDetails): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", accountKey(state, account), iv);
  const sealed = Buffer.concat([cipher.update(decodedDocument(details), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
}

/** The decoded JSON document, or undefined when the message was not produced for this account (or was altered). */
export function decodeAuthorizationMessage(state: StateBackend, account: string, encoded: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, "base64url");
  if (bytes.length < 29) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", accountKey(state, account), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
