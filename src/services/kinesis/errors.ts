import { errorClass, type ValidationIssue, validationMessage } from "../../protocol/errors.js";

export const ResourceNotFoundException = errorClass("ResourceNotFoundException", 400);
export const ResourceInUseException = errorClass("ResourceInUseException", 400);
export const InvalidArgumentException = errorClass("InvalidArgumentException", 400);
export const LimitExceededException = errorClass("LimitExceededException", 400);
export const ExpiredIteratorException = errorClass("ExpiredIteratorException", 400);
export const ExpiredNextTokenException = errorClass("ExpiredNextTokenException", 400);
export const ValidationException = errorClass("ValidationException", 400);

/** A pattern of the Kinesis model: AWS prints its text; values must match it whole. */
export interface AwsPattern {
  text: string;
  regex: RegExp;
}

const awsPattern = (text: string): AwsPattern => ({ text, regex: new RegExp(`^(?:${text})$`) });

export const STREAM_NAME = awsPattern("[a-zA-Z0-9_.-]+");
export const STREAM_ARN = awsPattern("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
export const RESOURCE_ARN = awsPattern("arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+");
export const CONSUMER_ARN = awsPattern("^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+");
export const SHARD_ID = awsPattern("[a-zA-Z0-9_.-]+");
export const HASH_KEY = awsPattern("0|([1-9]\\d{0,38})");
export const SEQUENCE_NUMBER = awsPattern("0|([1-9]\\d{0,128})");

/**
 * Kinesis's model constraints (lengths, ranges, patterns) are not in the SDK schemas; these checks give AWS's
 * "N validation errors detected" texts, with the member paths AWS prints.
 */
export class Constraints {
  readonly issues: ValidationIssue[] = [];

  length(path: string, value: string | unknown[] | undefined, min: number, max?: number): this {
    if (value === undefined) return this;
    const n = typeof value === "string" ? codePoints(value) : value.length;
    if (n < min) this.add(path, value, `Member must have length greater than or equal to ${min}`, "length");
    if (max !== undefined && n > max) this.add(path, value, `Member must have length less than or equal to ${max}`, "length");
    return this;
  }

  /** Blobs: AWS prints no value for them. */
  size(path: string, value: Uint8Array | undefined, max: number): this {
    if (value !== undefined && value.byteLength > max) {
      this.issues.push({ path, value: undefined, constraint: `Member must have length less than or equal to ${max}`, kind: "length" });
    }
    return this;
  }

  range(path: string, value: number | undefined, min: number, max?: number): this {
    if (value === undefined) return this;
    if (value < min) this.add(path, value, `Member must have value greater than or equal to ${min}`, "range");
    if (max !== undefined && value > max) this.add(path, value, `Member must have value less than or equal to ${max}`, "range");
    return this;
  }

  pattern(path: string, value: string | undefined, pattern: AwsPattern): this {
    if (value !== undefined && !pattern.regex.test(value)) {
      this.add(path, value, `Member must satisfy regular expression pattern: ${pattern.text}`, "pattern");
    }
    return this;
  }

  streamName(path: string, value: string | undefined): this {
    return this.length(path, value, 1, 128).pattern(path, value, STREAM_NAME);
  }

  streamArn(path: string, value: string | undefined): this {
    return this.length(path, value, 1, 2048).pattern(path, value, STREAM_ARN);
  }

  /** The StreamName / StreamARN pair most operations take. */
  stream(input: { StreamName?: string; StreamARN?: string }): this {
    return this.streamName("streamName", input.StreamName).streamArn("streamARN", input.StreamARN);
  }

  shardId(path: string, value: string | undefined): this {
    return this.length(path, value, 1, 128).pattern(path, value, SHARD_ID);
  }

  private add(path: string, value: unknown, constraint: string, kind: ValidationIssue["kind"]) {
    this.issues.push({ path, value, constraint, kind });
  }

  throwIfAny(): void {
    if (this.issues.length) throw new ValidationException(validationMessage(this.issues));
  }
}

/** Kinesis counts Unicode characters, not UTF-16 units. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export const streamNotFound = (name: string, account: string) =>
  new ResourceNotFoundException(`Stream ${name} under account ${account} not found.`);
