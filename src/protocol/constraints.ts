import type { AwsError } from "./errors.js";
import { type ValidationIssue, validationMessage } from "./errors.js";

/** A pattern of a service model: AWS prints its text; values must match it whole. */
export interface AwsPattern {
  text: string;
  regex: RegExp;
}

export const awsPattern = (text: string): AwsPattern => ({ text, regex: new RegExp(`^(?:${text})$`) });

/**
 * The model constraints the SDK schemas leave out (lengths, ranges, patterns), checked as AWS's front ends
 * check them: every failing member is collected, then one "N validation errors detected" error names them
 * all, with the member paths AWS prints. Lengths count Unicode characters, not UTF-16 units.
 */
export class ConstraintChecker {
  readonly issues: ValidationIssue[] = [];

  constructor(private readonly errorType: new (message: string) => AwsError) {}

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

  throwIfAny(): void {
    if (this.issues.length) throw new this.errorType(validationMessage(this.issues));
  }

  protected add(path: string, value: unknown, constraint: string, kind: ValidationIssue["kind"]) {
    this.issues.push({ path, value, constraint, kind });
  }
}

/** Unicode characters, as AWS counts string lengths. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
