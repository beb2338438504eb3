import { type MessagePort, parentPort } from "node:worker_threads";
import { type Digest, newDigest } from "./digests.js";
import type { FromWorker, ToWorker } from "./hash-pool.js";

/**
 * A hashing thread of the HashPool: keeps the digests of each open job and feeds them the slabs the
 * main thread posts, handing every slab back once it is hashed so the producer can refill it.
 */
function serve(port: MessagePort): void {
  const jobs = new Map<number, Digest[]>();
  const reply = (message: FromWorker) => port.postMessage(message, message.type === "released" ? [message.slab] : undefined);
  port.on("message", (message: ToWorker) => {
    switch (message.type) {
      case "open":
        jobs.set(message.job, message.digests.map(newDigest));
        return;
      case "update": {
        // Slabs of an aborted job still come back: their producer counts them.
        const view = new Uint8Array(message.slab, 0, message.length);
        for (const digest of jobs.get(message.job) ?? []) digest.update(view);
        reply({ type: "released", job: message.job, slab: message.slab });
        return;
      }
      case "finish": {
        const digests = jobs.get(message.job) ?? [];
        jobs.delete(message.job);
        reply({ type: "digests", job: message.job, values: digests.map((d) => d.digest()) });
        return;
      }
      case "abort":
        jobs.delete(message.job);
        return;
    }
  });
}

if (parentPort) serve(parentPort);
