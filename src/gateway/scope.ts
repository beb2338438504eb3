import type { HttpRequest } from "../protocol/http.js";
import { decodeQueryComponent } from "../protocol/http.js";

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

/**
 * A cheap look at the SigV4 credential scope, enough to route the request (service, region, account).
 * Full parsing and verification happen in auth/ once the service — and so its error format — is known.
 */
export function sniffCredentialScope(req: HttpRequest): CredentialScope | undefined {
  const auth = req.headers.authorization;
  let m = auth ? SCOPE.exec(auth) : null;
  if (!m && req.rawQuery.includes("X-Amz-Credential=")) {
    const raw = /(?:^|&)X-Amz-Credential=([^&]*)/.exec(req.rawQuery)?.[1];
    if (raw) m = SCOPE.exec(`Credential=${decodeQueryComponent(raw)}`);
  }
  if (m) return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4] };
  // SigV2-style "AWS AKID:signature" headers still come from some old S3 tools.
  const v2 = auth ? /^AWS ([^:\s]+):/.exec(auth) : null;
  return v2 ? { accessKeyId: v2[1], date: "", region: "", service: "" } : undefined;
}
