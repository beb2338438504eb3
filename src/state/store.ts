import { createRequire } from "node:module";
import type * as btree from "sorted-btree";

type BTree<K, V> = InstanceType<typeof btree.default.default<K, V>>;
// sorted-btree is CommonJS with an `exports.default`; load it the way Node's ESM loader can see it.
const BTree: typeof btree.default.default = createRequire(import.meta.url)("sorted-btree").default;

/**
 * State is plain data, scoped service → account → region, kept in named collections of records.
 * Every backend keeps the working set in memory (services read synchronously, so check-then-write is
 * atomic on Node's single thread); a persistent backend also writes each change through before the
 * request is acknowledged.
 */
export interface Collection<V> {
  readonly size: number;
  get(key: string): V | undefined;
  has(key: string): boolean;
  /** Stores (and, when persistent, durably writes) the record. Call again after mutating a record. */
  set(key: string, value: V): void;
  delete(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<V>;
  entries(): IterableIterator<[string, V]>;
  /** Entries in key order from `from` (inclusive) onwards; only for sorted collections. */
  entriesFrom(from?: string): IterableIterator<[string, V]>;
  /** Entries in descending key order from `from` (inclusive) downwards; only for sorted collections. */
  entriesReversed(from?: string): IterableIterator<[string, V]>;
  clear(): void;
}

export interface CollectionOptions {
  /** Keep keys in code-point order (S3 listings, DynamoDB keys): O(log n) seeks instead of a sort. */
  sorted?: boolean;
}

export interface ScopeStore {
  collection<V>(name: string, options?: CollectionOptions): Collection<V>;
}

export interface Scope {
  service: string;
  account: string;
  region: string;
}

/** One storage interface, two backends: memory (default) and a persistent data directory. */
export interface StateBackend {
  readonly persistent: boolean;
  scope(scope: Scope): ScopeStore;
  /** The scopes a service has state in (for background work over every account and region). */
  scopes(service: string): Scope[];
  /** Runs `fn` so that all its writes become durable together or not at all. */
  transaction<T>(fn: () => T): T;
  /** Wipes one service's state, or everything. */
  reset(service?: string): void;
  /** A number that changes whenever the service's state does: a stamp for caches derived from that state. */
  changes(service: string): number;
  close(): void;
}

/** Receives each change of a collection, for persistence. */
export interface ChangeSink {
  put(collection: string, key: string, value: unknown): void;
  remove(collection: string, key: string): void;
  clear(collection: string): void;
}

const unsorted = (): never => {
  throw new Error("entriesFrom() and entriesReversed() need a sorted collection");
};

/** An in-memory collection that reports changes to an optional sink. */
export function memoryCollection<V>(
  name: string,
  options: CollectionOptions,
  sink?: ChangeSink,
  initial?: Iterable<[string, V]>,
  onChange: () => void = () => {},
): Collection<V> {
  const map: Map<string, V> | BTree<string, V> = options.sorted ? new BTree<string, V>(undefined, compareCodePoints) : new Map<string, V>();
  for (const [k, v] of initial ?? []) map.set(k, v);
  return {
    get size() {
      return map.size;
    },
    get: (key) => map.get(key),
    has: (key) => map.has(key),
    set(key, value) {
      sink?.put(name, key, value);
      map.set(key, value);
      onChange();
    },
    delete(key) {
      if (!map.has(key)) return false;
      sink?.remove(name, key);
      map.delete(key);
      onChange();
      return true;
    },
    keys: () => map.keys(),
    values: () => map.values(),
    entries: () => map.entries(),
    entriesFrom: options.sorted ? (from) => (map as BTree<string, V>).entries(from) : unsorted,
    entriesReversed: options.sorted ? (from) => (map as BTree<string, V>).entriesReversed(from) : unsorted,
    clear() {
      sink?.clear(name);
      map.clear();
      onChange();
    },
  };
}

/** UTF-8 byte order equals code-point order; JS string comparison is UTF-16 order, which differs above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      // Surrogates (0xD800–0xDFFF) encode code points above every BMP character.
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1;
      return ca - cb;
    }
  }
  return a.length - b.length;
}

export const scopeKey = (s: Scope) => `${s.service}/${s.account}/${s.region}`;

/** Counts writes per service, for StateBackend.changes(). */
export class ChangeCounter {
  private readonly counts = new Map<string, number>();

  bump(service: string): void {
    this.counts.set(service, (this.counts.get(service) ?? 0) + 1);
  }

  get(service: string): number {
    return this.counts.get(service) ?? 0;
  }
}

/** The default backend: everything in memory, gone when the process ends. */
export class MemoryBackend implements StateBackend {
  readonly persistent = false;
  private readonly counter = new ChangeCounter();
  private readonly stores = new Map<string, { scope: Scope; collections: Map<string, Collection<unknown>> }>();

  scope(scope: Scope): ScopeStore {
    const key = scopeKey(scope);
    let entry = this.stores.get(key);
    if (!entry) {
      entry = { scope, collections: new Map() };
      this.stores.set(key, entry);
    }
    const { collections } = entry;
    const changed = () => this.counter.bump(scope.service);
    return {
      collection<V>(name: string, options: CollectionOptions = {}): Collection<V> {
        let c = collections.get(name);
        if (!c) {
          c = memoryCollection<unknown>(name, options, undefined, undefined, changed);
          collections.set(name, c);
        }
        return c as Collection<V>;
      },
    };
  }

  scopes(service: string): Scope[] {
    return [...this.stores.values()].filter((e) => e.scope.service === service).map((e) => e.scope);
  }

  transaction<T>(fn: () => T): T {
    return fn();
  }

  reset(service?: string): void {
    for (const [key, entry] of this.stores) {
      if (!service || entry.scope.service === service) {
        this.stores.delete(key);
        this.counter.bump(entry.scope.service);
      }
    }
  }

  changes(service: string): number {
    return this.counter.get(service);
  }

  close(): void {}
}
