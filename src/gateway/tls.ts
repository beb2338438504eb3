import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The names a local certificate must cover: our own and LocalStack's host-name forms. */
const NAMES = ["localhost", "*.localhost", "localhost.localstack.cloud", "*.localhost.localstack.cloud", "*.s3.localhost.localstack.cloud"];

/**
 * A self-signed certificate for local HTTPS. Kept in the data directory when there is one, so clients
 * that were told to trust it keep trusting it across restarts.
 */
export async function localCertificate(dataDir?: string): Promise<{ key: string; cert: string }> {
  const dir = dataDir ? join(dataDir, "tls") : undefined;
  if (dir) {
    try {
      return { key: readFileSync(join(dir, "server.key"), "utf8"), cert: readFileSync(join(dir, "server.crt"), "utf8") };
    } catch {
      // not generated yet
    }
  }
  // Loaded only when HTTPS is asked for: certificate generation pulls in a large X.509 library.
  const { generate } = await import("selfsigned");
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    notAfterDate: new Date(Date.now() + 825 * 86_400_000),
    // Supported by selfsigned but missing from its types; its default (SHA-1) is refused by current TLS stacks.
    ...({ algorithm: "sha256" } as object),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          ...NAMES.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: "127.0.0.1" },
          { type: 7 as const, ip: "::1" },
        ],
      },
    ],
  });
  const tls = { key: pems.private, cert: pems.cert };
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "server.key"), tls.key, { mode: 0o600 });
    writeFileSync(join(dir, "server.crt"), tls.cert);
  }
  return tls;
}
