import type { Principal, RequestOrigin } from "../services/types.js";

/** Everything IAM needs to decide one request: who, which action, on what, from where. */
export interface AuthorizationRequest {
  principal: Principal;
  service: string;
  operation: string;
  input: Record<string, unknown>;
  account: string;
  region: string;
  origin?: RequestOrigin;
  /** For service principals: the ARN of the resource on whose behalf the call is made (aws:SourceArn). */
  sourceArn?: string;
}

/**
 * The hook where IAM authorization plugs in (its own issue): called after the input is decoded and
 * before the handler runs, for wire requests and cross-service calls alike. Throws AwsError to deny.
 */
export interface Authorizer {
  authorize(request: AuthorizationRequest): void | Promise<void>;
}

/** Without --enforce-iam every authenticated request is allowed, as in LocalStack's default. */
export const allowAll: Authorizer = { authorize() {} };
