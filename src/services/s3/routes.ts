import type { HostInfo } from "../../gateway/router.js";
import { parseHost } from "../../gateway/router.js";
import { AwsError } from "../../protocol/errors.js";
import type { HttpRequest, HttpResponse } from "../../protocol/http.js";
import { loadModel } from "../../protocol/model.js";
import { restXmlCodec } from "../../protocol/rest-xml.js";
import type { RequestContext, RouteContext } from "../types.js";
import { corsPreflight, withCorsHeaders } from "./cors.js";
import { namesLifecycle, withLifecycleHeaders } from "./lifecycle.js";
import { postObjectRoute } from "./post-object.js";
import { websiteRoute } from "./website.js";

/**
 * S3's requests outside its API model, tried in order; each answers undefined when the request is not its
 * own. Runs before authentication on every S3 request, so each check is cheap.
 */
export async function s3HttpRoute(req: HttpRequest, ctx: RouteContext): Promise<HttpResponse | undefined> {
  return (
    preflightRoute(req, ctx) ??
    (await websiteRoute(req, ctx)) ??
    (await postObjectRoute(req, ctx)) ?? // browser POST Object uploads
    undefined
  );
}

/** Adds CORS headers (requests with an Origin) and lifecycle's expiration and abort dates to API answers. */
export function s3DecorateResponse(req: HttpRequest, response: HttpResponse, ctx: RequestContext): HttpResponse {
  if (!req.headers.origin && !namesLifecycle(ctx.operation)) return response;
  const { bucket, key } = requestResource(req, parseHost(req.headers.host));
  if (!bucket) return response;
  const decorated = req.headers.origin ? withCorsHeaders(req, response, ctx, bucket) : response;
  return key ? withLifecycleHeaders(req, decorated, ctx, bucket, key) : decorated;
}

/** `OPTIONS` on a bucket or object (path-style, virtual-hosted or website host): a CORS preflight. */
function preflightRoute(req: HttpRequest, ctx: RouteContext): HttpResponse | undefined {
  if (req.method !== "OPTIONS") return undefined;
  const { bucket, key } = requestResource(req, ctx.host);
  if (!bucket) return undefined;
  try {
    return corsPreflight(req, ctx, bucket, key);
  } catch (err) {
    if (err instanceof AwsError) return s3ErrorResponse(err, ctx);
    throw err;
  }
}

/** An S3 error in its XML form, for routes that answer outside the API pipeline. */
export function s3ErrorResponse(error: AwsError, ctx: RequestContext): HttpResponse {
  return restXmlCodec.encodeError(error, { model: loadModel("s3"), requestId: ctx.requestId });
}

/** The bucket and key a request names: the host's bucket (virtual-hosted) or the path's first segment. */
export function requestResource(req: HttpRequest, host: HostInfo): { bucket?: string; key?: string } {
  if (host.bucket) return { bucket: host.bucket, key: decodeSegment(req.path.slice(1)) || undefined };
  const rest = req.path.slice(1);
  const slash = rest.indexOf("/");
  if (slash < 0) return { bucket: decodeSegment(rest) || undefined };
  return { bucket: decodeSegment(rest.slice(0, slash)), key: decodeSegment(rest.slice(slash + 1)) || undefined };
}

function decodeSegment(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
