import type { HttpRequest, HttpResponse } from "../protocol/http.js";
import { coverageReport } from "./coverage.js";
import type { ServiceHost } from "./service-host.js";

export const VERSION = "0.1.0";

/**
 * Our own and our peers' operations endpoints: health (LocalStack's shape), reset (all or one
 * service; moto's reset too, for fixtures written against moto_server) and the coverage report.
 * Returns undefined when the request is for AWS, not for us.
 */
export async function operationsRoute(req: HttpRequest, services: ServiceHost): Promise<HttpResponse | undefined> {
  const { method, path } = req;
  if (path === "/_localstack/health" || path === "/_overcast/health") {
    if (method === "GET" || method === "HEAD") return json(200, health(services));
    if (method === "POST" && path === "/_overcast/health") return json(200, health(services));
  }
  if (method === "POST" && (path === "/moto-api/reset" || path === "/_overcast/reset" || path === "/_localstack/state/reset")) {
    const service = new URLSearchParams(req.rawQuery).get("service") ?? undefined;
    if (service && !services.enabled(service)) return json(400, { error: `unknown service ${service}` });
    await services.reset(service);
    return json(200, path === "/moto-api/reset" ? { status: "ok" } : { reset: service ?? "all" });
  }
  if (method === "GET" && path === "/_overcast/coverage") return json(200, await coverageReport(services.enabledIds()));
  if (method === "GET" && (path === "/_localstack/info" || path === "/_overcast/info")) {
    return json(200, {
      version: VERSION,
      edition: "community",
      is_license_activated: false,
      session_id: "overcast",
      machine_id: "overcast",
      system: process.platform,
    });
  }
  return undefined;
}

function health(services: ServiceHost) {
  const status: Record<string, string> = {};
  for (const id of services.enabledIds()) status[id] = services.isLoaded(id) ? "running" : "available";
  return { services: status, edition: "community", version: VERSION };
}

function json(status: number, document: unknown): HttpResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(document) };
}
