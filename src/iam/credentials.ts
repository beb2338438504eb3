import { type Credential, type CredentialResolver, defaultCredentials } from "../auth/authenticate.js";
import { rootPrincipal } from "../auth/principal.js";
import { AwsError } from "../protocol/errors.js";
import type { StateBackend } from "../state/store.js";
import { iamState, identityStamp, stsSessions } from "./records.js";

/**
 * Access keys → callers, for the gateway: keys IAM issued (AKIA…) are their user (or the root), STS's
 * temporary keys (ASIA…) their session until it expires; any other key falls back to the default
 * mapping (a 12-digit key names its account's root, anything else the default account's root).
 *
 * Key ids are unique and never move between accounts, so the resolver remembers which account each
 * key belongs to and reads that account's record directly instead of scanning every account; what a
 * key resolves to is kept until IAM or STS state changes (temporary keys still expire on time).
 */
export function iamCredentials(state: StateBackend, now: () => number): CredentialResolver {
  const accountOfKey = new Map<string, string>();
  const accountFor = (accessKeyId: string, service: "iam" | "sts", holds: (account: string) => boolean): string | undefined => {
    const known = accountOfKey.get(accessKeyId);
    if (known !== undefined && holds(known)) return known;
    accountOfKey.delete(accessKeyId);
    for (const scope of state.scopes(service)) {
      if (!holds(scope.account)) continue;
      if (accountOfKey.size >= 100_000) accountOfKey.clear();
      accountOfKey.set(accessKeyId, scope.account);
      return scope.account;
    }
    return undefined;
  };
  const resolved = new Map<string, { stamp: string; credential: Credential | undefined; expires?: number }>();
  const resolve = (accessKeyId: string): (Credential & { expires?: number }) | undefined => {
    if (accessKeyId.startsWith("ASIA")) {
      const account = accountFor(accessKeyId, "sts", (a) => stsSessions(state, a).has(accessKeyId));
      const session = account === undefined ? undefined : stsSessions(state, account).get(accessKeyId);
      if (session) return { principal: session.principal, secretAccessKey: session.SecretAccessKey, expires: session.Expiration };
    }
    if (accessKeyId.startsWith("AKIA")) {
      const account = accountFor(accessKeyId, "iam", (a) => iamState(state, a).accessKeys.has(accessKeyId));
      if (account !== undefined) {
        const store = iamState(state, account);
        const key = store.accessKeys.get(accessKeyId);
        if (key?.Status !== "Active") return undefined; // inactive keys are refused like unknown ones
        if (key.UserName === undefined) return { principal: rootPrincipal(account, accessKeyId), secretAccessKey: key.SecretAccessKey };
        const user = store.users.get(key.UserName);
        if (!user) return undefined;
        return {
          principal: { type: "user", account, arn: user.Arn, userId: user.UserId, accessKeyId },
          secretAccessKey: key.SecretAccessKey,
        };
      }
    }
    return defaultCredentials(accessKeyId);
  };
  return (accessKeyId) => {
    const stamp = identityStamp(state);
    let entry = resolved.get(accessKeyId);
    if (entry?.stamp !== stamp) {
      const found = resolve(accessKeyId);
      const credential = found && { principal: found.principal, secretAccessKey: found.secretAccessKey };
      entry = { stamp, credential, expires: found?.expires };
      if (resolved.size >= MAX_REMEMBERED_KEYS) resolved.clear();
      resolved.set(accessKeyId, entry);
    }
    if (entry.expires !== undefined && now() >= entry.expires) {
      throw new AwsError("ExpiredToken", "The security token included in the request is expired", { status: 403 });
    }
    return entry.credential;
  };
}

const MAX_REMEMBERED_KEYS = 100_000;
