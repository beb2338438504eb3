import type { ScopeStore, StateBackend } from "../state/store.js";
import type { BlobStore } from "../state/blobs.js";
import type { AwsError, SerializationFailure, ValidationFailure } from "../protocol/errors.js";
import type { Options } from "../config.js";
import type { AuthorizationTable } from "../iam/declarations.js";
import type { HttpRequest, HttpResponse } from "../protocol/http.js";
import type { HostInfo } from "../gateway/router.js";

/** Who is calling: an IAM identity of an account, or an AWS service acting for one (cross-service calls). */
export interface Principal {
  type: "root" | "user" | "assumed-role" | "federated" | "service" | "anonymous";
  account: string;
  arn: string;
  /** AIDA…/AROA…:session; the account id for root. */
  userId: string;
  accessKeyId?: string;
  /** For service principals: e.g. "sqs.amazonaws.com". */
  servicePrincipal?: string;
}

/** How the client reached us: what services need to build URLs that point back here. */
export interface RequestOrigin {
  /** `http://localhost:4566` as the client wrote it (scheme + Host header). */
  baseUrl: string;
  host: string;
  secure: boolean;
  headers: Record<string, string>;
  sourceIp?: string;
  /** Trailing headers of an aws-chunked body (S3 trailing checksums), known once the body was read. */
  trailers?: Promise<Record<string, string>>;
}

export interface CallOptions {
  account: string;
  region: string;
  /** The calling service, e.g. "sns" → principal sns.amazonaws.com. */
  asService: string;
  /** aws:SourceArn of the call (e.g. the topic ARN), for resource policies. */
  sourceArn?: string;
}

/** In-process calls between services, through the same dispatch as wire requests. */
export interface ServiceCaller {
  call<O = Record<string, unknown>>(service: string, operation: string, input: Record<string, unknown>, options: CallOptions): Promise<O>;
}

export interface RequestContext {
  requestId: string;
  service: string;
  operation: string;
  account: string;
  region: string;
  principal: Principal;
  /** This service's state for the request's account and region. */
  store: ScopeStore;
  origin: RequestOrigin;
  runtime: ServiceRuntime;
}

/** What a service gets once, when it is first loaded: its state, blobs, clock, other services. */
export interface ServiceRuntime {
  service: string;
  options: Options;
  state: StateBackend;
  blobs: BlobStore;
  services: ServiceCaller;
  /** ms since the epoch; injectable so tests and lifecycle rules can move time. */
  now(): number;
  /** The service's store for any account/region (background work, cross-region features). */
  storeFor(account: string, region: string): ScopeStore;
  /** Registers a timer owned by the service; all are cleared on shutdown. */
  setTimer(fn: () => void, ms: number, repeat?: boolean): { cancel(): void };
}

/** What a service's own HTTP route sees: the request context (anonymous until it authenticates) and the host form. */
export interface RouteContext extends RequestContext {
  host: HostInfo;
  /** Authenticates the request as the API pipeline would (SigV4 when enforced), for routes that need a caller. */
  authenticate(): Promise<Principal>;
  /** Authorizes an operation of this service for a caller as the API pipeline does (IAM under --enforce-iam). */
  authorize(operation: string, input: Record<string, unknown>, principal: Principal): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: handlers are typed individually by their SDK input/output types.
export type Handler<I = any, O = any> = (input: I, ctx: RequestContext) => O | Promise<O>;

export interface ServiceDefinition {
  /** Matches the model id (models/<id>.json). */
  id: string;
  operations: Record<string, Handler>;
  /** Each operation's IAM action, resources and condition keys, for --enforce-iam (src/iam/declarations.ts). */
  authorization?: AuthorizationTable;
  /** Whether the engine rejects out-of-enum values with ValidationException (JSON services do). */
  validateEnums?: boolean;
  /** Turns the engine's generic validation failures into this service's own error. */
  validationError?(failure: ValidationFailure): AwsError;
  /** Turns unparseable input (wrong JSON types, malformed bodies) into this service's own error. */
  serializationError?(failure: SerializationFailure): AwsError;
  /**
   * Requests the service answers outside its API model: CORS preflights, website endpoints, browser POST
   * uploads, function URLs, `/_overcast/<service>/…` inspection routes. Runs before authentication;
   * undefined lets the API pipeline handle the request.
   */
  httpRoute?(req: HttpRequest, ctx: RouteContext): HttpResponse | undefined | Promise<HttpResponse | undefined>;
  /** Adjusts each API response of the service (S3's CORS headers on actual requests). */
  decorateResponse?(req: HttpRequest, response: HttpResponse, ctx: RequestContext): HttpResponse | Promise<HttpResponse>;
  /** Called once when the service is loaded. */
  start?(runtime: ServiceRuntime): void | Promise<void>;
  /** Stop background work (timers, processes, long polls). */
  stop?(runtime: ServiceRuntime): void | Promise<void>;
  /** Called after the service's state was wiped, to drop derived in-memory state. */
  reset?(runtime: ServiceRuntime): void;
}

export function defineService(definition: ServiceDefinition): ServiceDefinition {
  return definition;
}
