import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The baseline: a bare Node HTTP server answering every request with one fixed response (status,
 * headers and body captured from Overcast), after reading the request body as any server must.
 * Usage: node reference-server.js <response.json>  where the file holds {status, headers, body (base64)}.
 */
interface FixedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const spec = JSON.parse(readFileSync(process.argv[2], "utf8")) as FixedResponse;
const body = Buffer.from(spec.body, "base64");

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(spec.status, spec.headers);
    res.end(body);
  });
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`reference server ready on http://127.0.0.1:${port}`);
});

process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
