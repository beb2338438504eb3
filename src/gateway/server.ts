import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import net, { type Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { Readable } from "node:stream";
import type { HttpRequest, HttpResponse } from "../protocol/http.js";

export type RequestHandler = (req: HttpRequest) => Promise<HttpResponse>;

const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * One port for HTTP/1.1 and cleartext HTTP/2 with prior knowledge (what the SDK's HTTP/2 handler sends):
 * the first bytes of each connection tell which server gets the socket.
 */
export class Listener {
  private readonly h1: http.Server;
  private readonly h2: http2.Http2Server;
  private readonly front: net.Server;
  private secure?: http2.Http2SecureServer;
  private readonly onRequest: (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<Http2Session>();
  /** HTTP/1.1 requests in flight per socket: http.Server tracks idle sockets only for sockets it accepted itself. */
  private readonly inFlight = new Map<Socket, number>();
  private closing = false;

  constructor(handler: RequestHandler) {
    const onRequest = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
      void serve(handler, req, res);
    };
    this.onRequest = onRequest;
    this.h1 = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, onRequest);
    this.h1.on("request", (req: IncomingMessage, res: ServerResponse) => this.track(req.socket, res));
    this.h2 = http2.createServer({}, onRequest);
    this.h2.on("session", (s) => {
      this.sessions.add(s);
      s.once("close", () => this.sessions.delete(s));
    });
    this.front = net.createServer({ noDelay: true }, (socket) => this.route(socket));
  }

  private track(socket: Socket, res: ServerResponse): void {
    this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
    if (this.closing) res.shouldKeepAlive = false;
    res.once("close", () => {
      const left = (this.inFlight.get(socket) ?? 1) - 1;
      this.inFlight.set(socket, left);
      if (left === 0 && this.closing) socket.end();
    });
  }

  private route(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.inFlight.delete(socket);
    });
    socket.on("error", () => socket.destroy());
    let seen: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = seen.length ? Buffer.concat([seen, chunk]) : chunk;
      const n = Math.min(seen.length, H2_PREFACE.length);
      const isH2 = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && seen.length < H2_PREFACE.length) return; // need more bytes to decide
      socket.off("data", onData);
      socket.pause();
      socket.unshift(seen);
      (isH2 ? this.h2 : this.h1).emit("connection", socket);
      // The HTTP/2 session reads the socket itself; resuming here would drop the bytes it was handed.
      if (!isH2) socket.resume();
    };
    socket.on("data", onData);
  }

  private isH2(socket: Socket): boolean {
    for (const s of this.sessions) if (s.socket === socket) return true;
    return false;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.front.once("error", reject);
      this.front.listen(port, host, () => {
        this.front.off("error", reject);
        resolve((this.front.address() as net.AddressInfo).port);
      });
    });
  }

  /** HTTPS on a second port: HTTP/2 or HTTP/1.1 by ALPN, with the given certificate. */
  listenTls(port: number, host: string, tls: { key: string; cert: string }): Promise<number> {
    const server = http2.createSecureServer({ ...tls, allowHTTP1: true }, this.onRequest);
    server.on("session", (s) => {
      this.sessions.add(s);
      s.once("close", () => this.sessions.delete(s));
    });
    server.on("secureConnection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    this.secure = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes what is left. */
  async close(graceMs = 5_000): Promise<void> {
    this.closing = true;
    const closed = Promise.all([
      new Promise<void>((resolve) => this.front.close(() => resolve())),
      new Promise<void>((resolve) => (this.secure ? this.secure.close(() => resolve()) : resolve())),
    ]);
    for (const s of this.sessions) s.close();
    for (const socket of this.sockets) {
      if (!this.inFlight.get(socket) && !this.isH2(socket)) socket.end();
    }
    const deadline = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(deadline);
  }
}

async function serve(
  handler: RequestHandler,
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
): Promise<void> {
  try {
    const response = await handler(toRequest(req));
    await writeResponse(res, response, req.method === "HEAD");
  } catch (err) {
    console.error("[overcast] failed to write a response:", err);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    } else {
      res.destroy();
    }
  }
}

function toRequest(req: IncomingMessage | Http2ServerRequest): HttpRequest {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  if (!headers.host && req.headers[":authority"]) headers.host = String(req.headers[":authority"]);
  const socket = req.socket as Socket | TLSSocket;
  return {
    method: req.method ?? "GET",
    path: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? "" : url.slice(q + 1),
    headers,
    body: req as unknown as Readable,
    sourceIp: socket.remoteAddress?.replace(/^::ffff:/, ""),
    secure: "encrypted" in socket && socket.encrypted === true,
  };
}

async function writeResponse(res: ServerResponse | Http2ServerResponse, response: HttpResponse, head: boolean): Promise<void> {
  const { body } = response;
  if (body !== undefined && !(body instanceof Readable) && response.headers["content-length"] === undefined) {
    response.headers["content-length"] = String(Buffer.byteLength(body));
  }
  res.writeHead(response.status, response.headers as http.OutgoingHttpHeaders);
  if (head || body === undefined) {
    if (body instanceof Readable) body.destroy();
    res.end();
    return;
  }
  if (body instanceof Readable) {
    await streamBody(body, res);
    return;
  }
  res.end(body);
}

/**
 * Streams a body to the client. Plain pipe() rather than stream.pipeline: pipeline's abort bookkeeping
 * was a measurable share of a small S3 GET. A client that goes away ends the body's stream too.
 */
function streamBody(body: Readable, res: ServerResponse | Http2ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = res as unknown as NodeJS.WritableStream & { once(event: string, fn: (...args: unknown[]) => void): void };
    body.once("error", (err) => {
      (res as ServerResponse).destroy(err);
      reject(err);
    });
    out.once("close", () => {
      if (!body.readableEnded) body.destroy();
      resolve();
    });
    body.pipe(out);
  });
}
