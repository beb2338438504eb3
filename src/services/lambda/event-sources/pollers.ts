import type { ServiceRuntime } from "../../types.js";
import { pollQueue } from "./sqs.js";
import { type PollerHandle, mappingCollection, type StoredMapping } from "./state.js";
import { pollStream } from "./streams.js";

/** The pollers of one Overcast instance, keyed account/region/uuid. */
const registries = new WeakMap<ServiceRuntime, Map<string, { stopped: boolean }>>();

const keyOf = (account: string, region: string, uuid: string) => `${account}/${region}/${uuid}`;

function registry(runtime: ServiceRuntime): Map<string, { stopped: boolean }> {
  let map = registries.get(runtime);
  if (!map) {
    map = new Map();
    registries.set(runtime, map);
  }
  return map;
}

/** (Re)starts the poller of a mapping after it was created or changed; disabled mappings just stop. */
export function restartPoller(runtime: ServiceRuntime, account: string, region: string, mapping: StoredMapping): void {
  const uuid = mapping.UUID as string;
  stopPoller(runtime, account, region, uuid);
  if (mapping.State !== "Enabled") return;
  const flag = { stopped: false };
  registry(runtime).set(keyOf(account, region, uuid), flag);
  const handle: PollerHandle = { account, region, uuid, active: () => !flag.stopped };
  const run = (mapping.EventSourceArn as string).includes(":sqs:") ? pollQueue : pollStream;
  run(runtime, handle);
}

export function stopPoller(runtime: ServiceRuntime, account: string, region: string, uuid: string): void {
  const map = registry(runtime);
  const key = keyOf(account, region, uuid);
  const flag = map.get(key);
  if (flag) flag.stopped = true;
  map.delete(key);
}

/** Resumes every enabled mapping of every account and region (persistent state survives restarts). */
export function startPollers(runtime: ServiceRuntime): void {
  for (const scope of runtime.state.scopes("lambda")) {
    for (const mapping of mappingCollection(runtime.storeFor(scope.account, scope.region)).values()) {
      restartPoller(runtime, scope.account, scope.region, mapping);
    }
  }
}

export function stopPollers(runtime: ServiceRuntime): void {
  for (const flag of registry(runtime).values()) flag.stopped = true;
  registries.delete(runtime);
}
