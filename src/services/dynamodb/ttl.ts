import type { ServiceRuntime } from "../types.js";
import { isExpired } from "./items.js";
import { itemsOf, tables, writeItem } from "./storage.js";

/** How often expired items are deleted; reads already hide them in between. */
export const TTL_SWEEP_MS = 2000;

/** Deletes every expired item of every table with TTL enabled, in every account and region. */
export function sweepExpiredItems(runtime: ServiceRuntime): void {
  const now = runtime.now();
  for (const scope of runtime.state.scopes("dynamodb")) {
    // The sweep's deletes are DynamoDB's own: their stream records name its service principal.
    const holder = { store: runtime.storeFor(scope.account, scope.region), runtime, servicePrincipal: "dynamodb.amazonaws.com" };
    for (const table of tables(holder).values()) {
      if (!table.ttl?.enabled) continue;
      const expired = [...itemsOf(holder, table).entries()].filter(([, item]) => isExpired(table, item, now));
      if (!expired.length) continue;
      runtime.state.transaction(() => {
        for (const [key, item] of expired) writeItem(holder, table, key, item, undefined);
      });
    }
  }
}
