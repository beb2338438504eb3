import type { Options } from "../config.js";
import { loadModel, type ServiceModel } from "../protocol/model.js";
import { SERVICES, serviceById } from "../services/registry.js";
import type { ServiceCaller, ServiceDefinition, ServiceRuntime } from "../services/types.js";
import type { BlobStore } from "../state/blobs.js";
import type { StateBackend } from "../state/store.js";

export interface LoadedService {
  definition: ServiceDefinition;
  model: ServiceModel;
  runtime: ServiceRuntime;
}

/**
 * Owns the services: loads each (model + handlers) on its first request, gives it its runtime,
 * and stops its background work on shutdown. Nothing here is module-level state.
 */
export class ServiceHost {
  private readonly loaded = new Map<string, Promise<LoadedService>>();
  /** The services whose loading has finished, for callers on the request path that need no await. */
  private readonly started = new Map<string, LoadedService>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private caller?: ServiceCaller;

  constructor(
    readonly options: Options,
    readonly state: StateBackend,
    readonly blobs: BlobStore,
  ) {}

  /** Set once the gateway exists: services call each other through it. */
  connect(caller: ServiceCaller): void {
    this.caller = caller;
  }

  enabled(id: string): boolean {
    return serviceById.has(id) && (!this.options.services || this.options.services.includes(id));
  }

  enabledIds(): string[] {
    return SERVICES.map((s) => s.id).filter((id) => this.enabled(id));
  }

  isLoaded(id: string): boolean {
    return this.loaded.has(id);
  }

  load(id: string): Promise<LoadedService> {
    let entry = this.loaded.get(id);
    if (!entry) {
      entry = this.start(id);
      entry.then(
        (service) => this.started.set(id, service),
        () => this.loaded.delete(id),
      );
      this.loaded.set(id, entry);
    }
    return entry;
  }

  /** The service if it has finished loading, else undefined (then `load` it). */
  ready(id: string): LoadedService | undefined {
    return this.started.get(id);
  }

  /**
   * After a restart on persisted state, loads every service that has state, so its background work
   * (event source pollers, lifecycle and TTL sweeps, rotation schedules) resumes without waiting for a request.
   */
  async resumeServicesWithState(): Promise<void> {
    const withState = this.enabledIds().filter((id) => this.state.scopes(id).length > 0);
    await Promise.all(withState.map((id) => this.load(id)));
  }

  private async start(id: string): Promise<LoadedService> {
    const info = serviceById.get(id);
    if (!info) throw new Error(`unknown service ${id}`);
    const definition = await info.load();
    const model = loadModel(id);
    const runtime = this.runtimeFor(id);
    await definition.start?.(runtime);
    return { definition, model, runtime };
  }

  private runtimeFor(service: string): ServiceRuntime {
    const host = this;
    return {
      service,
      options: this.options,
      state: this.state,
      blobs: this.blobs,
      get services(): ServiceCaller {
        if (!host.caller) throw new Error("service host is not connected to a gateway");
        return host.caller;
      },
      now: () => Date.now(),
      storeFor: (account, region) => this.state.scope({ service, account, region }),
      setTimer: (fn, ms, repeat = false) => this.setTimer(fn, ms, repeat),
    };
  }

  private setTimer(fn: () => void, ms: number, repeat: boolean) {
    const run = () => {
      if (!repeat) this.timers.delete(timer);
      fn();
    };
    const timer = repeat ? setInterval(run, ms) : setTimeout(run, ms);
    timer.unref?.();
    this.timers.add(timer);
    return {
      cancel: () => {
        clearTimeout(timer);
        this.timers.delete(timer);
      },
    };
  }

  /** Wipes state of one service or all, and lets loaded services drop what they derived from it. */
  async reset(service?: string): Promise<void> {
    this.state.reset(service);
    if (!service) this.blobs.clear();
    for (const [id, entry] of this.loaded) {
      if (!service || service === id) {
        const loaded = await entry;
        loaded.definition.reset?.(loaded.runtime);
      }
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const entry of this.loaded.values()) {
      const service = await entry.catch(() => undefined);
      await service?.definition.stop?.(service.runtime);
    }
  }
}
