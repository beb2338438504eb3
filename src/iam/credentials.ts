import { type CredentialResolver, defaultCredentials } from "../auth/authenticate.js";
import { rootPrincipal } from "../auth/principal.js";
import { AwsError } from "../protocol/errors.js";
import type { StateBackend } from "../state/store.js";
import { iamState, stsSessions } from "./records.js";

/**
 * Access keys → callers, for the gateway: keys IAM issued (AKIA…) are their user (or the root), STS's
 * temporary keys (ASIA…) their session until it expires; any other key falls back to the default
 * mapping (a 12-digit key names its account's root, anything else the default account's root).
 */
export function iamCredentials(state: StateBackend, now: () => number): CredentialResolver {
  return (accessKeyId) => {
    if (accessKeyId.startsWith("ASIA")) {
      for (const scope of state.scopes("sts")) {
        const session = stsSessions(state, scope.account).get(accessKeyId);
        if (!session) continue;
        if (now() >= session.Expiration) {
          throw new AwsError("ExpiredToken", "The security token included in the request is expired", { status: 403 });
        }
        return { principal: session.principal, secretAccessKey: session.SecretAccessKey };
      }
    }
    if (accessKeyId.startsWith("AKIA")) {
      for (const scope of state.scopes("iam")) {
        const store = iamState(state, scope.account);
        const key = store.accessKeys.get(accessKeyId);
        if (!key) continue;
        if (key.Status !== "Active") return undefined; // inactive keys are refused like unknown ones
        if (key.UserName === undefined)
          return { principal: rootPrincipal(scope.account, accessKeyId), secretAccessKey: key.SecretAccessKey };
        const user = store.users.get(key.UserName);
        if (!user) return undefined;
        return {
          principal: { type: "user", account: scope.account, arn: user.Arn, userId: user.UserId, accessKeyId },
          secretAccessKey: key.SecretAccessKey,
        };
      }
    }
    return defaultCredentials(accessKeyId);
  };
}
