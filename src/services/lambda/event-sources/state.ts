import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import type { Collection, ScopeStore } from "../../../state/store.js";
import type { ServiceRuntime } from "../../types.js";

/** A mapping as the API returns it, with timestamps in epoch seconds (plain JSON) and its settled state. */
export type StoredMapping = Omit<EventSourceMappingConfiguration, "LastModified" | "StartingPositionTimestamp"> & {
  LastModified: number;
  StartingPositionTimestamp?: number;
  State: "Enabled" | "Disabled";
};

export function mappingCollection(store: ScopeStore): Collection<StoredMapping> {
  return store.collection<StoredMapping>("event-source-mappings");
}

/** A running poller: `active()` turns false once it is stopped; its loops then end after their current step. */
export interface PollerHandle {
  account: string;
  region: string;
  uuid: string;
  active(): boolean;
}

/** The mapping as currently stored, while its poller is still wanted. */
export function currentMapping(runtime: ServiceRuntime, handle: PollerHandle): StoredMapping | undefined {
  if (!handle.active()) return undefined;
  return mappingCollection(runtime.storeFor(handle.account, handle.region)).get(handle.uuid);
}

/** Records the outcome of the latest batch, as GetEventSourceMapping reports it. */
export function recordResult(runtime: ServiceRuntime, handle: PollerHandle, result: string): void {
  const mapping = currentMapping(runtime, handle);
  if (!mapping || mapping.LastProcessingResult === result) return;
  mappingCollection(runtime.storeFor(handle.account, handle.region)).set(handle.uuid, { ...mapping, LastProcessingResult: result });
}

/** Waits on a service-owned timer (cleared at shutdown, so a stopped server leaves nothing pending). */
export function pause(runtime: ServiceRuntime, ms: number): Promise<void> {
  return new Promise((resolve) => runtime.setTimer(resolve, ms));
}
