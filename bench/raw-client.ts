import net from "node:net";
import { performance } from "node:perf_hooks";
import type { LoadResult, WireRequest } from "./load.js";

/**
 * A load generator that costs the client as little as possible: each connection writes the request's
 * pre-encoded bytes and reads the response with a minimal HTTP/1.1 parser (status, Content-Length or
 * chunked framing; the body is counted, not kept). node:http's client spends more CPU per request than
 * a fast server does, which on a small machine would measure the client instead of the server.
 */
export async function rawReplay(
  endpoint: string,
  request: WireRequest,
  count: number,
  connections: number,
  timeLimitMs: number,
): Promise<LoadResult> {
  const url = new URL(endpoint);
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") throw new Error(`refusing a non-loopback address: ${endpoint}`);
  const head = Buffer.from(
    `${request.method} ${request.path} HTTP/1.1\r\n` +
      Object.entries({ ...request.headers, host: url.host, connection: "keep-alive" })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("") +
      "\r\n",
    "latin1",
  );
  const statuses = new Map<number, number>();
  let issued = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + timeLimitMs;
  const worker = async () => {
    const connection = new Connection(Number(url.port), url.hostname);
    try {
      while (issued < count && performance.now() < deadline) {
        issued++;
        const status = await connection.exchange(head, request.body);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    } catch {
      failed++;
    } finally {
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const completed = [...statuses.values()].reduce((a, b) => a + b, 0);
  return { completed, failed, elapsedMs: performance.now() - started, statuses };
}

/** One keep-alive connection carrying one request at a time. */
class Connection {
  private readonly socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private waiter?: { resolve: (status: number) => void; reject: (err: Error) => void };
  private response?: { status: number; remaining: number; chunked: boolean };

  constructor(port: number, host: string) {
    this.socket = net.connect(port, host);
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk: Buffer) => this.receive(chunk));
    this.socket.on("error", (err) => this.waiter?.reject(err));
    this.socket.on("close", () => this.waiter?.reject(new Error("connection closed")));
  }

  exchange(head: Buffer, body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.socket.write(head);
      if (body.length) this.socket.write(body);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (!this.response) {
        const end = this.pending.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = this.pending.subarray(0, end).toString("latin1");
        this.pending = this.pending.subarray(end + 4);
        const status = Number(head.slice(9, 12));
        // An interim response (100 Continue to the SDK's `Expect: 100-continue`) has no body and is not the answer.
        if (status < 200) continue;
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
        const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        this.response = { status, remaining: length === undefined ? 0 : Number(length), chunked };
      }
      if (this.response.chunked ? !this.skipChunks() : !this.skipBody()) return;
      const { status } = this.response;
      this.response = undefined;
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.resolve(status);
    }
  }

  /** Consumes a Content-Length body; true once all of it arrived. */
  private skipBody(): boolean {
    const response = this.response as { remaining: number };
    const take = Math.min(response.remaining, this.pending.length);
    response.remaining -= take;
    this.pending = this.pending.subarray(take);
    return response.remaining === 0;
  }

  /** Consumes chunked framing; true once the last (empty) chunk and its CRLF arrived. */
  private skipChunks(): boolean {
    for (;;) {
      const line = this.pending.indexOf("\r\n");
      if (line < 0) return false;
      const size = Number.parseInt(this.pending.subarray(0, line).toString("latin1"), 16);
      const total = line + 2 + size + 2;
      if (this.pending.length < total) return false;
      this.pending = this.pending.subarray(total);
      if (size === 0) return true;
    }
  }
}
