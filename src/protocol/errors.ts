/**
 * Typed AWS errors. Services throw these; only the protocol codecs know how an error looks on the wire.
 * `code` is the error shape's name in the service model (e.g. "QueueDoesNotExist"); the codec looks the
 * shape up to find its HTTP status and query-protocol code, unless the thrower fixed them here.
 */
export interface AwsErrorOptions {
  /** HTTP status; defaults to the model's httpError trait, else 400. */
  status?: number;
  /** Whether the caller (Sender) or the service (Receiver) is at fault; defaults from the status. */
  fault?: "Sender" | "Receiver";
  /** Extra members of the error shape, serialized like any output member (e.g. S3's `Resource`). */
  fields?: Record<string, unknown>;
  /** Extra response headers (e.g. S3's `x-amz-bucket-region`). */
  headers?: Record<string, string>;
  /** Code for query protocols / `x-amzn-query-error` where it differs from the model's. */
  queryCode?: string;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly fault?: "Sender" | "Receiver";
  readonly fields: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly queryCode?: string;

  constructor(code: string, message: string, options: AwsErrorOptions = {}) {
    // A client's mistake needs no stack trace, and capturing one dominated error-path CPU (e.g. failed conditions).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = code;
    this.code = code;
    this.status = options.status;
    this.fault = options.fault;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
    this.queryCode = options.queryCode;
  }
}

/** An error with a fixed code and default status, e.g. `new QueueDoesNotExist("…")`. */
export function errorClass(code: string, status?: number, queryCode?: string) {
  return class extends AwsError {
    constructor(message: string, options: AwsErrorOptions = {}) {
      super(code, message, { status, queryCode, ...options });
    }
  };
}

/** One failed constraint, in the words of AWS's "1 validation error detected" messages. */
export interface ValidationIssue {
  /** Member path as AWS prints it: lower-camel member names joined with dots, list items as `.member.N`. */
  path: string;
  /** The offending value, or null where a required member is missing. */
  value: unknown;
  /** e.g. "Member must not be null". */
  constraint: string;
  kind: "required" | "type" | "enum" | "length" | "range" | "pattern";
}

/** Raised by request parsing; the pipeline turns it into the service's or protocol's own error. */
export class ValidationFailure extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(validationMessage(issues));
  }
}

export function validationMessage(issues: ValidationIssue[]): string {
  const parts = issues.map((i) => `Value ${formatValue(i.value)} at '${i.path}' failed to satisfy constraint: ${i.constraint}`);
  const n = issues.length;
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return `'${value}'`;
  if (Array.isArray(value)) return `'[${value.join(", ")}]'`;
  if (typeof value === "object") return `'${JSON.stringify(value)}'`;
  return `'${String(value)}'`;
}

/** A request the engine could not even parse (malformed JSON/XML/form, wrong member types). */
export class SerializationFailure extends Error {}
