import { allowAll } from "./auth/authorizer.js";
import { type Options, resolveOptions } from "./config.js";
import { Gateway } from "./gateway/gateway.js";
import { runInitScripts } from "./gateway/init-hooks.js";
import { Listener } from "./gateway/server.js";
import { localCertificate } from "./gateway/tls.js";
import { ServiceHost } from "./gateway/service-host.js";
import type { HttpRequest, HttpResponse } from "./protocol/http.js";
import { iamCredentials } from "./iam/credentials.js";
import { IamEnforcer } from "./iam/enforce.js";
import { openState } from "./state/index.js";

export type { Options } from "./config.js";
export type { HttpRequest, HttpResponse } from "./protocol/http.js";

export interface Overcast {
  /** `http://127.0.0.1:<port>`: what to give SDKs as their endpoint. */
  endpoint: string;
  /** `https://127.0.0.1:<port>` when --https-port is set. */
  httpsEndpoint?: string;
  port: number;
  options: Options;
  /** The request core, without HTTP: for in-process callers and tests. */
  handle(req: HttpRequest): Promise<HttpResponse>;
  /** Stops accepting, finishes in-flight requests, stops background work, persists and closes state. */
  stop(): Promise<void>;
}

/** Starts Overcast: `const cloud = await startOvercast({ port: 0 }); cloud.endpoint; await cloud.stop()`. */
export async function startOvercast(overrides: Partial<Options> = {}): Promise<Overcast> {
  const options = resolveOptions(overrides);
  const { state, blobs } = await openState(options);
  const services = new ServiceHost(options, state, blobs);
  const gateway = new Gateway(
    options,
    services,
    options.enforceIam ? new IamEnforcer(services, state, options.enforceIam === "log" ? "log" : "deny") : allowAll,
    iamCredentials(state, () => Date.now()),
  ); // keys IAM and STS issued
  services.connect(gateway);
  const listener = new Listener((req) => gateway.handle(req));
  let port: number;
  try {
    port = await listener.listen(options.port, options.host);
  } catch (err) {
    state.close();
    throw err;
  }
  options.port = port;
  let httpsEndpoint: string | undefined;
  if (options.httpsPort !== undefined) {
    const httpsPort = await listener.listenTls(options.httpsPort, options.host, await localCertificate(options.dataDir));
    options.httpsPort = httpsPort;
  }
  const host = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const endpoint = `http://${hostPart}:${port}`;
  if (options.httpsPort !== undefined) httpsEndpoint = `https://${hostPart}:${options.httpsPort}`;
  let stopping: Promise<void> | undefined;
  const cloud: Overcast = {
    endpoint,
    httpsEndpoint,
    port,
    options,
    handle: (req) => gateway.handle(req),
    stop() {
      stopping ??= (async () => {
        await listener.close();
        await services.stop();
        state.close();
      })();
      return stopping;
    },
  };
  services.resumeServicesWithState().catch((err) => console.error("[overcast] resuming services failed:", err));
  void runInitScripts(options.initDirs, endpoint);
  return cloud;
}
