import type { HttpRequest, HttpResponse } from "../../protocol/http.js";
import type { StateBackend } from "../../state/store.js";
import type { DeliveryRecord } from "./model.js";
import { certificateFor } from "./signing.js";
import { E164, optOut } from "./sms.js";
import { DEFAULT_ACCOUNT } from "../../auth/principal.js";

/**
 * Overcast's own SNS routes: the signing certificates (SigningCertURL points here) and the recorded
 * deliveries to endpoints that cannot be reached for real (email, SMS, mobile push).
 */
export function snsInspectionRoute(req: HttpRequest, state: StateBackend): HttpResponse | undefined {
  const cert = req.method === "GET" ? certificateFor(state, req.path) : undefined;
  if (cert) return { status: 200, headers: { "content-type": "application/x-x509-ca-cert" }, body: cert };
  if (req.path === "/_overcast/sns/opt-out" && req.method === "POST") return optOutRoute(req, state);
  if (req.path !== "/_overcast/sns/deliveries") return undefined;
  const filter = new URLSearchParams(req.rawQuery);
  if (req.method === "GET") return json(200, { deliveries: deliveries(state, filter) });
  if (req.method === "DELETE") {
    let deleted = 0;
    for (const scope of deliveryScopes(state, filter)) {
      const collection = state.scope(scope).collection<DeliveryRecord>("deliveries", { sorted: true });
      for (const [key, record] of [...collection.entries()]) if (selected(record, filter) && collection.delete(key)) deleted++;
    }
    return json(200, { deleted });
  }
  return undefined;
}

/** Stands in for a recipient texting STOP: `POST /_overcast/sns/opt-out?phoneNumber=+1…&account=…&region=…`. */
function optOutRoute(req: HttpRequest, state: StateBackend): HttpResponse {
  const query = new URLSearchParams(req.rawQuery);
  const phoneNumber = query.get("phoneNumber") ?? "";
  if (!E164.test(phoneNumber)) return json(400, { error: "phoneNumber must be an E.164 number such as +15550100" });
  const scope = { service: "sns", account: query.get("account") ?? DEFAULT_ACCOUNT, region: query.get("region") ?? "us-east-1" };
  optOut(state.scope(scope), phoneNumber, Date.now());
  return json(200, { optedOut: phoneNumber });
}

function deliveryScopes(state: StateBackend, filter: URLSearchParams) {
  return state
    .scopes("sns")
    .filter(
      (s) =>
        s.account !== "aws" &&
        (!filter.get("account") || s.account === filter.get("account")) &&
        (!filter.get("region") || s.region === filter.get("region")),
    );
}

function deliveries(state: StateBackend, filter: URLSearchParams) {
  const out: (DeliveryRecord & { account: string; region: string })[] = [];
  for (const scope of deliveryScopes(state, filter)) {
    for (const record of state.scope(scope).collection<DeliveryRecord>("deliveries", { sorted: true }).values()) {
      if (selected(record, filter)) out.push({ ...record, account: scope.account, region: scope.region });
    }
  }
  return out.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

function selected(record: DeliveryRecord, filter: URLSearchParams): boolean {
  const protocol = filter.get("protocol");
  const endpoint = filter.get("endpoint");
  return (!protocol || record.protocol === protocol) && (!endpoint || record.endpoint === endpoint);
}

function json(status: number, document: unknown): HttpResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(document) };
}
