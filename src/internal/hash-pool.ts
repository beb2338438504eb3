import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type Digest, type DigestName, newDigest } from "./digests.js";

/**
 * Digests of large bodies computed on worker threads, so that concurrent uploads hash on every core while
 * the event loop only moves bytes (MD5, which every S3 ETag needs, runs well below network speed on one
 * core). The producer copies its chunks into slabs and hands them over; each worker hashes the slabs of
 * the jobs it was given, in order, and hands every slab back, which bounds the memory a job holds.
 */

/** Bytes per slab: one message per slab costs next to nothing beside hashing it. */
const SLAB_BYTES = 1 << 20;
/** Slabs one job may have queued at its worker before its producer waits: enough that the worker never starves. */
const SLABS_IN_FLIGHT = 2;
/** Free slabs kept for reuse (fresh memory costs a page fault per 4 KiB on first touch): four uploads' worth. */
const SPARE_SLABS = 4 * (SLABS_IN_FLIGHT + 1);
/**
 * Bodies up to this size are hashed on the calling thread: below it, posting to a worker and waiting for
 * its answer costs more than hashing (measured with `npm run bench:s3`, see bench/README.md).
 */
export const OFFLOAD_ABOVE_BYTES = 256 * 1024;

const WORKER_SCRIPT = new URL("./hash-worker.js", import.meta.url);

export type ToWorker =
  | { type: "open"; job: number; digests: DigestName[] }
  | { type: "update"; job: number; slab: ArrayBuffer; length: number }
  | { type: "finish"; job: number }
  | { type: "abort"; job: number };

export type FromWorker = { type: "released"; job: number; slab: ArrayBuffer } | { type: "digests"; job: number; values: Uint8Array[] };

export class HashPool {
  private readonly threads: HashThread[] = [];
  private readonly spareSlabs: ArrayBuffer[] = [];
  private nextJob = 1;
  private closed = false;

  constructor(readonly size = availableParallelism()) {}

  /** A job on the least busy thread, starting a thread when all are busy; undefined once the pool is closed. */
  open(digests: DigestName[]): HashJob | undefined {
    if (this.closed) return undefined;
    const thread = this.leastBusy();
    const job = new HashJob(this, thread, this.nextJob++);
    thread.attach(job);
    thread.post({ type: "open", job: job.id, digests });
    return job;
  }

  /** Threads running and jobs open (health checks and tests: an aborted upload must leave no job behind). */
  usage(): { threads: number; jobs: number } {
    return { threads: this.threads.length, jobs: this.threads.reduce((sum, t) => sum + t.load, 0) };
  }

  /** Terminates the threads; jobs still running fail, later bodies are hashed by their callers. */
  async close(): Promise<void> {
    this.closed = true;
    this.spareSlabs.length = 0;
    await Promise.all(this.threads.splice(0).map((thread) => thread.terminate()));
  }

  takeSlab(): ArrayBuffer {
    return this.spareSlabs.pop() ?? new ArrayBuffer(SLAB_BYTES);
  }

  giveBackSlab(slab: ArrayBuffer): void {
    if (!this.closed && this.spareSlabs.length < SPARE_SLABS) this.spareSlabs.push(slab);
  }

  private forget(thread: HashThread): void {
    const index = this.threads.indexOf(thread);
    if (index >= 0) this.threads.splice(index, 1);
  }

  private leastBusy(): HashThread {
    const idle = this.threads.reduce<HashThread | undefined>((best, t) => (!best || t.load < best.load ? t : best), undefined);
    if (idle && (idle.load === 0 || this.threads.length >= this.size)) return idle;
    const thread = new HashThread(this, (gone) => this.forget(gone));
    this.threads.push(thread);
    return thread;
  }
}

/** One worker thread and the jobs it holds; unreferenced while idle so it never keeps the process alive. */
class HashThread {
  private readonly jobs = new Map<number, HashJob>();
  private readonly worker: Worker;
  private gone = false;

  constructor(
    private readonly pool: HashPool,
    private readonly onGone: (thread: HashThread) => void,
  ) {
    this.worker = new Worker(WORKER_SCRIPT);
    this.worker.unref();
    this.worker.on("message", (message: FromWorker) => this.receive(message));
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => this.fail(new Error(`hash worker exited (${code})`)));
  }

  get load(): number {
    return this.jobs.size;
  }

  attach(job: HashJob): void {
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.set(job.id, job);
  }

  detach(job: HashJob): void {
    this.jobs.delete(job.id);
    if (this.jobs.size === 0) this.worker.unref();
  }

  post(message: ToWorker): void {
    // A slab moves to the worker and back (transferred, not copied or shared: filling shared memory goes
    // through V8's relaxed memmove, several times slower than a plain copy).
    this.worker.postMessage(message, message.type === "update" ? [message.slab] : undefined);
  }

  async terminate(): Promise<void> {
    this.fail(new Error("hash pool closed"));
    await this.worker.terminate();
  }

  private receive(message: FromWorker): void {
    const job = this.jobs.get(message.job);
    if (message.type === "released") {
      this.pool.giveBackSlab(message.slab);
      job?.released();
    } else job?.settle(message.values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)));
  }

  private fail(err: Error): void {
    if (this.gone) return;
    this.gone = true;
    this.onGone(this);
    for (const job of this.jobs.values()) job.fail(err);
    this.jobs.clear();
  }
}

type Waiter = { resolve: () => void; reject: (err: Error) => void };

/** The digests of one byte stream, computed by one worker thread. */
export class HashJob {
  private slab?: ArrayBuffer;
  private filled = 0;
  private inFlight = 0;
  private waiter?: Waiter;
  private result?: { resolve: (values: Buffer[]) => void; reject: (err: Error) => void };
  private failure?: Error;

  constructor(
    private readonly pool: HashPool,
    private readonly thread: HashThread,
    readonly id: number,
  ) {}

  /** Queues `chunk` for hashing; resolves once the producer may go on (a job's slabs in flight are bounded). */
  async write(chunk: Uint8Array): Promise<void> {
    for (let offset = 0; offset < chunk.length; ) {
      if (this.failure) throw this.failure;
      if (!this.slab) {
        if (this.inFlight >= SLABS_IN_FLIGHT) await new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
        this.slab = this.pool.takeSlab();
        this.filled = 0;
      }
      const count = Math.min(chunk.length - offset, this.slab.byteLength - this.filled);
      new Uint8Array(this.slab, this.filled, count).set(chunk.subarray(offset, offset + count));
      this.filled += count;
      offset += count;
      if (this.filled === this.slab.byteLength) this.send();
    }
  }

  /** The digests, in the order they were named, once every byte written has been hashed. */
  finish(): Promise<Buffer[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.result = { resolve, reject };
      if (this.filled > 0) this.send();
      this.thread.post({ type: "finish", job: this.id });
    });
  }

  /** Drops the job (its producer failed); slabs already posted come back to the pool as they are hashed. */
  abort(): void {
    if (this.failure) return;
    this.failure = new Error("hash job aborted");
    if (this.slab) this.pool.giveBackSlab(this.slab);
    this.slab = undefined;
    this.thread.post({ type: "abort", job: this.id });
    this.thread.detach(this);
  }

  released(): void {
    this.inFlight--;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }

  settle(values: Buffer[]): void {
    this.thread.detach(this);
    this.result?.resolve(values);
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.waiter?.reject(err);
    this.result?.reject(err);
    this.waiter = undefined;
    this.result = undefined;
  }

  private send(): void {
    const slab = this.slab as ArrayBuffer;
    this.thread.post({ type: "update", job: this.id, slab, length: this.filled });
    this.inFlight++;
    this.slab = undefined;
    this.filled = 0;
  }
}

/** A body on its way to a consumer, and the digests of its bytes once they have all passed. */
export interface DigestingStream {
  /** What the consumer reads instead of the source. */
  chunks: AsyncIterable<Uint8Array> | Uint8Array;
  /** When given, the consumer must call it with every chunk it reads (a blob store's `onChunk`). */
  onChunk?: (chunk: Buffer) => void;
  /** Call once `chunks` has been read to its end; the values follow the order of `names`. */
  digests(): Promise<Buffer[]>;
}

/**
 * Digests `source` as a consumer reads it: on this thread while it is small, on `pool` once it has grown past
 * `offloadAbove` bytes (the chunks seen until then are held, not copied, to replay them to the worker). A body
 * whose length is known (`expectedBytes`, a buffer's own) not to pass it is hashed as it goes by, with no
 * pass-through in between; the hint only picks the path, a body of any length gets the right digests.
 */
export function digesting(
  pool: HashPool | undefined,
  source: AsyncIterable<Uint8Array> | Uint8Array,
  names: DigestName[],
  expectedBytes = source instanceof Uint8Array ? source.byteLength : undefined,
  offloadAbove = OFFLOAD_ABOVE_BYTES,
): DigestingStream {
  if (expectedBytes !== undefined && expectedBytes <= offloadAbove) return digestingHere(source, names);
  let held: Buffer[] = [];
  let heldBytes = 0;
  let job: HashJob | undefined;
  let local: Digest[] | undefined;
  const hashLocally = (chunks: Buffer[]) => {
    local ??= names.map(newDigest);
    for (const chunk of chunks) for (const digest of local) digest.update(chunk);
  };
  const take = async (chunk: Buffer) => {
    if (job) return job.write(chunk);
    if (local) return hashLocally([chunk]);
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes <= offloadAbove) return;
    const replay = held;
    held = [];
    job = pool?.open(names);
    if (!job) return hashLocally(replay);
    for (const c of replay) await job.write(c);
  };
  async function* chunks(): AsyncIterable<Buffer> {
    let complete = false;
    try {
      for await (const piece of source instanceof Uint8Array ? [source] : source) {
        const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        await take(chunk);
        yield chunk;
      }
      complete = true;
    } finally {
      if (!complete) job?.abort();
    }
  }
  return {
    chunks: chunks(),
    digests: async () => {
      if (job) return job.finish();
      hashLocally(held);
      held = [];
      return (local as Digest[]).map((d) => d.digest());
    },
  };
}

function digestingHere(source: AsyncIterable<Uint8Array> | Uint8Array, names: DigestName[]): DigestingStream {
  const digests = names.map(newDigest);
  return {
    chunks: source,
    onChunk: (chunk) => {
      for (const digest of digests) digest.update(chunk);
    },
    digests: async () => digests.map((d) => d.digest()),
  };
}
