import type { GetCallerIdentityRequest, GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import type { RequestContext } from "../types.js";
import { MissingAuthenticationToken } from "./errors.js";

/** Who signed the request: STS answers for any valid caller, and no policy can deny it. */
export function getCallerIdentity(_input: GetCallerIdentityRequest, ctx: RequestContext): GetCallerIdentityResponse {
  const { principal } = ctx;
  if (principal.type === "anonymous") throw new MissingAuthenticationToken("Request is missing Authentication Token");
  return { UserId: principal.userId, Account: principal.account, Arn: principal.arn };
}
