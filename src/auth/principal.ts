import type { Principal } from "../services/types.js";

/** The account every key that names no account maps to, as on LocalStack. */
export const DEFAULT_ACCOUNT = "000000000000";

/** The secret that the default test credentials (and any unknown key, when signatures are enforced) sign with. */
export const DEFAULT_SECRET = "test";

/**
 * Maps an access key id to the caller. Until IAM issues keys, a 12-digit key id names its account and
 * any other key is the default account's root, as LocalStack does.
 */
export function principalForAccessKey(accessKeyId: string | undefined): Principal {
  if (!accessKeyId) {
    return { type: "anonymous", account: DEFAULT_ACCOUNT, arn: "*", userId: "anonymous" };
  }
  const account = /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT;
  return rootPrincipal(account, accessKeyId);
}

export function rootPrincipal(account: string, accessKeyId?: string): Principal {
  return { type: "root", account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId };
}

export function servicePrincipal(account: string, service: string): Principal {
  const servicePrincipal = `${service}.amazonaws.com`;
  return { type: "service", account, arn: servicePrincipal, userId: servicePrincipal, servicePrincipal };
}
