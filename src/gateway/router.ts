import type { HttpRequest } from "../protocol/http.js";
import type { WireProtocol } from "../protocol/index.js";
import {
  type ServiceInfo,
  serviceByEndpointPrefix,
  serviceById,
  serviceBySigningName,
  serviceByTargetPrefix,
} from "../services/registry.js";

/**
 * Which service a request is for, the way AWS's front ends tell: the X-Amz-Target prefix, the SigV4
 * credential scope, the host name, and for unsigned requests the shape of the request itself.
 */
export interface RouteHints {
  /** Service from the SigV4 credential scope (header or presigned query). */
  signingName?: string;
  region?: string;
}

export interface HostInfo {
  /** Service named by the host (`sqs.us-east-1.localhost.localstack.cloud`). */
  service?: ServiceInfo;
  region?: string;
  /** S3 virtual-hosted bucket (`bucket.s3.localhost.localstack.cloud`, `bucket.s3.amazonaws.com`). */
  bucket?: string;
  /** S3 website endpoint host (`bucket.s3-website.localhost…`). */
  website?: boolean;
  /** Lambda function URL host (`<url-id>.lambda-url.<region>.localhost…`). */
  functionUrlId?: string;
}

const LOCAL_SUFFIXES = [".localhost.localstack.cloud", ".amazonaws.com", ".localhost"];
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** Parses our own and AWS's host name forms. Unknown hosts (127.0.0.1:4566, my-box) carry no hints. */
export function parseHost(rawHost: string | undefined): HostInfo {
  if (!rawHost) return {};
  const host = rawHost.replace(/:\d+$/, "").toLowerCase();
  const suffix = LOCAL_SUFFIXES.find((s) => host.endsWith(s));
  if (!suffix) return {};
  const labels = host.slice(0, -suffix.length).split(".");
  if (labels.length === 1 && labels[0] === "") return {};
  // <bucket>.s3[.<region>] / <bucket>.s3-website[.-]<region>
  const s3At = labels.findIndex((l, i) => i > 0 && (l === "s3" || l.startsWith("s3-website") || l.startsWith("s3-")));
  if (s3At > 0) {
    const label = labels[s3At];
    const website = label.startsWith("s3-website");
    const region = labels[s3At + 1] && REGION.test(labels[s3At + 1]) ? labels[s3At + 1] : regionSuffix(label);
    return { service: serviceById.get("s3"), bucket: labels.slice(0, s3At).join("."), region, website };
  }
  // <url-id>.lambda-url.<region>: Lambda function URLs
  if (labels[1] === "lambda-url") return { service: serviceById.get("lambda"), region: labels[2], functionUrlId: labels[0] };
  const service = serviceByEndpointPrefix.get(labels[0]) ?? (labels[0].startsWith("s3") ? serviceById.get("s3") : undefined);
  const region = labels.find((l) => REGION.test(l));
  return { service, region };
}

function regionSuffix(label: string): string | undefined {
  const m = label.match(/^s3-(?:website[.-])?(.+)$/);
  return m && REGION.test(m[1]) ? m[1] : undefined;
}

/** Query actions that clients send unsigned, so no credential scope names their service. */
const UNSIGNED_QUERY_ACTIONS: Record<string, string> = {
  AssumeRoleWithWebIdentity: "sts",
  AssumeRoleWithSAML: "sts",
  // The SubscribeURL / UnsubscribeURL in SNS's messages are opened as plain GETs.
  ConfirmSubscription: "sns",
  Unsubscribe: "sns",
};

export function resolveService(req: HttpRequest, hints: RouteHints, host: HostInfo, formAction?: string): ServiceInfo | undefined {
  const target = req.headers["x-amz-target"];
  if (target) {
    const byTarget = serviceByTargetPrefix.get(target.slice(0, target.lastIndexOf(".")));
    if (byTarget) return byTarget;
  }
  if (hints.signingName) {
    const bySigning = serviceBySigningName.get(hints.signingName);
    if (bySigning) return bySigning;
  }
  if (host.service) return host.service;
  if (formAction && UNSIGNED_QUERY_ACTIONS[formAction]) return serviceById.get(UNSIGNED_QUERY_ACTIONS[formAction]);
  // SQS query-protocol requests post to the queue URL: /<12-digit account>/<queue name>.
  const form = (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
  if ((formAction || form) && /^\/\d{12}\/[^/]+\/?$/.test(req.path)) return serviceById.get("sqs");
  // As on LocalStack, anything else unsigned is S3 (browser uploads, presigned POST forms, curl).
  return serviceById.get("s3");
}

/** The awsJson services AWS also answers in CBOR: only Kinesis, which the Java SDK and the KCL send CBOR by default. */
const CBOR_SERVICES = new Set(["kinesis"]);

/** The protocol of this request: a service's model names one, but query-compatible JSON services take both. */
export function requestProtocol(req: HttpRequest, service: ServiceInfo): WireProtocol {
  if (service.queryXmlNamespace && !req.headers["x-amz-target"]) return "awsQuery";
  if (CBOR_SERVICES.has(service.id) && req.headers["content-type"]?.startsWith("application/x-amz-cbor-1.1")) return "awsJsonCbor";
  return service.protocol;
}
