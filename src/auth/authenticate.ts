import type { Options } from "../config.js";
import type { HttpRequest } from "../protocol/http.js";
import type { ServiceInfo } from "../services/registry.js";
import type { Principal } from "../services/types.js";
import { sniffCredentialScope } from "../gateway/scope.js";

/**
 * Who is calling. By default any credentials are accepted and the access key only selects the account;
 * with --enforce-signatures the SigV4 signature is verified against the key's secret first.
 */
export async function authenticate(
  req: HttpRequest,
  _service: ServiceInfo,
  _options: Options,
  principalFor: (accessKeyId: string | undefined) => Principal,
): Promise<Principal> {
  const scope = sniffCredentialScope(req);
  return principalFor(scope?.accessKeyId);
}
