import { randomUUID } from "node:crypto";
import type { Options } from "../config.js";
import { principalForAccessKey, servicePrincipal } from "../auth/principal.js";
import { authenticate, type CredentialResolver, defaultCredentials } from "../auth/authenticate.js";
import { allowAll, type Authorizer } from "../auth/authorizer.js";
import { type Codec, type CodecContext, incompleteBody, readBody } from "../protocol/codec.js";
import { AwsError, SerializationFailure, ValidationFailure, type ValidationIssue } from "../protocol/errors.js";
import { type HttpRequest, type HttpResponse, parseQueryString } from "../protocol/http.js";
import { codecFor } from "../protocol/index.js";
import type { Shape } from "../protocol/model.js";
import { validateInput } from "../protocol/values.js";
import { type ServiceInfo, serviceById } from "../services/registry.js";
import type { CallOptions, Principal, RequestContext, RequestOrigin, RouteContext } from "../services/types.js";
import { accessLog } from "./log.js";
import { operationsRoute } from "./operations.js";
import { type HostInfo, parseHost, requestProtocol, resolveService } from "./router.js";
import type { LoadedService, ServiceHost } from "./service-host.js";
import { sniffCredentialScope } from "./scope.js";

/**
 * The request path, in order. Each stage is one line here; the work lives in the module it names.
 *   request id → operations routes → service → region/account → auth → parse → validate → dispatch → serialize → log
 */
export class Gateway {
  readonly services: ServiceHost;

  constructor(
    readonly options: Options,
    services: ServiceHost,
    private readonly authorizer: Authorizer = allowAll,
    private readonly credentials: CredentialResolver = defaultCredentials,
  ) {
    this.services = services;
  }

  async handle(req: HttpRequest): Promise<HttpResponse> {
    const started = process.hrtime.bigint();
    const requestId = randomUUID(); // request id: echoed in every response and error
    let label = "-";
    let response: HttpResponse;
    try {
      const own = await operationsRoute(req, this.services); // health, reset, coverage: ours, not AWS's
      if (own) return own;
      const scope = sniffCredentialScope(req); // SigV4 scope (header or presigned): service + region hints
      const host = parseHost(req.headers.host); // host-name forms: service, region, S3 bucket
      const action = queryAction(req) ?? (scope ? undefined : await unsignedFormAction(req)); // query-protocol Action
      const info =
        internalRouteService(req.path) ?? resolveService(req, { signingName: scope?.service, region: scope?.region }, host, action);
      if (!info || !this.services.enabled(info.id)) {
        response = this.unknownService(req, requestId);
      } else {
        const region = info.global ? "us-east-1" : (scope?.region ?? host.region ?? this.options.defaultRegion);
        const attempt = await this.handleService(req, info, region, requestId, host, scope?.accessKeyId);
        label = attempt.label;
        response = attempt.response;
      }
    } catch (err) {
      // Before a service is known (e.g. an oversized unsigned form body), errors answer in plain JSON.
      response = err instanceof AwsError ? plainError(err, requestId) : internalFailure(err, requestId);
    }
    accessLog(this.options.logLevel, label, response.status, started);
    return response;
  }

  private async handleService(req: HttpRequest, info: ServiceInfo, region: string, requestId: string, host: HostInfo, keyId?: string) {
    const service = await this.services.load(info.id); // the service's model and handlers, loaded on first use
    const codec = await codecFor(requestProtocol(req, info)); // JSON and query both reach query-compatible services
    const cctx: CodecContext = { model: service.model, requestId, xmlNamespace: info.queryXmlNamespace, bucket: host.bucket };
    let label = `${info.id}.?`;
    try {
      const routed = await this.serviceRoute(req, service, info, region, requestId, host, keyId); // CORS, websites, URLs
      if (routed) return { label: `${info.id}.http`, response: routed };
      const caller = await authenticate(req, info, this.options, this.credentials); // SigV4 → principal; aws-chunked bodies decoded
      const { operation, input } = await codec.decode(req, cctx); // protocol → typed input
      label = `${info.id}.${operation.name}`;
      const handler = service.definition.operations[operation.name];
      if (!handler) throw codec.unknownOperation(operation.name, cctx); // not implemented = not registered
      checkInput(service, operation.input, input); // required members, enums: AWS's validation errors
      const origin = originOf(req);
      const authorizing = this.authorizer.authorize({
        principal: caller,
        service: info.id,
        operation: operation.name,
        input,
        account: caller.account,
        region,
        origin,
      }); // IAM
      if (authorizing) await authorizing;
      const ctx = this.context(service, operation.name, caller, region, requestId, origin);
      const output = await handler(input, ctx); // the service's own semantics
      return { label, response: await this.decorate(req, service, codec.encode(operation, output, cctx), ctx) };
    } catch (err) {
      const error = toAwsError(err, service, requestId);
      if (!error) return { label, response: internalFailure(err, requestId, codec, cctx) };
      // Errors carry the service's response headers too (S3 sends CORS headers on a 404 for a matching Origin).
      const ctx = this.context(service, label.slice(info.id.length + 1), principalForAccessKey(keyId), region, requestId, originOf(req));
      const response = codec.encodeError(error, cctx);
      return { label, response: await this.decorate(req, service, response, ctx).catch(() => response) };
    }
  }

  /** The service's own routes outside its API model, with an anonymous caller until the route authenticates. */
  private async serviceRoute(
    req: HttpRequest,
    service: LoadedService,
    info: ServiceInfo,
    region: string,
    requestId: string,
    host: HostInfo,
    keyId?: string,
  ): Promise<HttpResponse | undefined> {
    const route = service.definition.httpRoute;
    if (!route) return undefined;
    const anonymous = { ...principalForAccessKey(undefined), account: principalForAccessKey(keyId).account };
    const base = this.context(service, "-", anonymous, region, requestId, originOf(req));
    const ctx: RouteContext = {
      ...base,
      host,
      authenticate: () => authenticate(req, info, this.options, this.credentials),
      authorize: async (operation, input, principal) =>
        this.authorizer.authorize({
          principal,
          service: info.id,
          operation,
          input,
          account: principal.account,
          region,
          origin: base.origin,
        }),
    };
    return route(req, ctx);
  }

  private async decorate(req: HttpRequest, service: LoadedService, response: HttpResponse, ctx: RequestContext): Promise<HttpResponse> {
    return service.definition.decorateResponse ? service.definition.decorateResponse(req, response, ctx) : response;
  }

  private context(
    service: LoadedService,
    operation: string,
    principal: Principal,
    region: string,
    requestId: string,
    origin: RequestOrigin,
  ): RequestContext {
    return {
      requestId,
      service: service.definition.id,
      operation,
      account: principal.account,
      region,
      principal,
      store: service.runtime.storeFor(principal.account, region),
      origin,
      runtime: service.runtime,
    };
  }

  /** Cross-service calls: the same dispatch, as the calling service's principal, without the wire. */
  async call<O>(serviceId: string, operationName: string, input: Record<string, unknown>, options: CallOptions): Promise<O> {
    const service = await this.services.load(serviceId);
    const operation = service.model.operations.get(operationName);
    const handler = service.definition.operations[operationName];
    if (!operation || !handler) throw new Error(`${serviceId}.${operationName} is not implemented`);
    checkInput(service, operation.input, input);
    const principal = servicePrincipal(options.account, options.asService);
    await this.authorizer.authorize({
      principal,
      service: serviceId,
      operation: operationName,
      input,
      account: options.account,
      region: options.region,
      sourceArn: options.sourceArn,
    });
    const origin: RequestOrigin = { baseUrl: this.baseUrl(), host: new URL(this.baseUrl()).host, secure: false, headers: {} };
    const ctx = this.context(service, operationName, principal, options.region, randomUUID(), origin);
    return (await handler(input, ctx)) as O;
  }

  baseUrl(): string {
    const host = this.options.hostname ?? (this.options.host === "0.0.0.0" ? "localhost" : this.options.host);
    return `http://${host}:${this.options.port}`;
  }

  private unknownService(req: HttpRequest, requestId: string): HttpResponse {
    const body = JSON.stringify({ __type: "UnknownOperationException", message: `No service is enabled for ${req.method} ${req.path}` });
    return { status: 404, headers: { "content-type": "application/json", "x-amzn-requestid": requestId }, body };
  }
}

/** `/_overcast/<service>/…`: a service's own inspection routes (e.g. SNS's recorded deliveries). */
function internalRouteService(path: string): ServiceInfo | undefined {
  const m = /^\/_overcast\/([a-z0-9-]+)\//.exec(path);
  return m ? serviceById.get(m[1]) : undefined;
}

/**
 * Unsigned query-protocol calls (STS AssumeRoleWithWebIdentity / AssumeRoleWithSAML) carry their Action only
 * in the form body: buffer it (the codec reads the buffer later) to tell their service.
 */
async function unsignedFormAction(req: HttpRequest): Promise<string | undefined> {
  if (req.method !== "POST" || !(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return undefined;
  if (req.headers["x-amz-target"]) return undefined;
  req.body = await readBody(req.body);
  return parseQueryString(req.body.toString("utf8")).get("Action")?.[0];
}

function queryAction(req: HttpRequest): string | undefined {
  if (!req.rawQuery.includes("Action=")) return undefined;
  return parseQueryString(req.rawQuery).get("Action")?.[0];
}

function checkInput(service: LoadedService, shape: Shape, input: Record<string, unknown>) {
  const issues: ValidationIssue[] = [];
  validateInput(shape, input, issues, service.definition.validateEnums ?? false);
  if (issues.length) throw new ValidationFailure(issues);
}

/** Client mistakes become AWS errors in the service's own terms; anything else is our bug (undefined). */
function toAwsError(err: unknown, service: LoadedService, requestId: string): AwsError | undefined {
  if (err instanceof AwsError) return err;
  if (err instanceof ValidationFailure) {
    return service.definition.validationError?.(err) ?? new AwsError("ValidationException", err.message, { status: 400 });
  }
  if (err instanceof SerializationFailure) {
    return service.definition.serializationError?.(err) ?? new AwsError("SerializationException", err.message, { status: 400 });
  }
  void requestId;
  if (isClientAbort(err)) return incompleteBody(err);
  return undefined;
}

/** The client closed the connection while we were still reading its request. */
function isClientAbort(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === "ECONNRESET" || e?.code === "ERR_STREAM_PREMATURE_CLOSE" || e?.message === "aborted";
}

function plainError(error: AwsError, requestId: string): HttpResponse {
  return {
    status: error.status ?? 400,
    headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

function internalFailure(err: unknown, requestId: string, codec?: Codec, cctx?: CodecContext): HttpResponse {
  console.error(`[overcast] internal error (request ${requestId}):`, err);
  const error = new AwsError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", {
    status: 500,
    fault: "Receiver",
  });
  if (codec && cctx) return codec.encodeError(error, cctx);
  return {
    status: 500,
    headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

function originOf(req: HttpRequest): RequestOrigin {
  const host = req.headers.host ?? "localhost:4566";
  return {
    baseUrl: `${req.secure ? "https" : "http"}://${host}`,
    host,
    secure: req.secure ?? false,
    headers: req.headers,
    sourceIp: req.sourceIp,
    trailers: req.trailers,
  };
}
