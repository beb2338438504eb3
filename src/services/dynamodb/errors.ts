import { errorClass, type ValidationIssue, validationMessage } from "../../protocol/errors.js";

export const ValidationException = errorClass("ValidationException", 400);
export const ResourceNotFoundException = errorClass("ResourceNotFoundException", 400);
export const ResourceInUseException = errorClass("ResourceInUseException", 400);
export const ConditionalCheckFailedException = errorClass("ConditionalCheckFailedException", 400);
export const TransactionCanceledException = errorClass("TransactionCanceledException", 400);
export const IdempotentParameterMismatchException = errorClass("IdempotentParameterMismatchException", 400);
export const LimitExceededException = errorClass("LimitExceededException", 400);

export const tableNotFound = () => new ResourceNotFoundException("Requested resource not found");
export const invalidParameter = (detail: string) => new ValidationException(`One or more parameter values were invalid: ${detail}`);

/** DynamoDB's model carries no length/range traits; these checks give its "N validation errors detected" texts. */
export class ConstraintChecker {
  readonly issues: ValidationIssue[] = [];

  length(path: string, value: string | unknown[] | undefined, min: number, max?: number): this {
    if (value === undefined) return this;
    const n = value.length;
    if (n < min) this.add(path, value, `Member must have length greater than or equal to ${min}`, "length");
    if (max !== undefined && n > max) this.add(path, value, `Member must have length less than or equal to ${max}`, "length");
    return this;
  }

  range(path: string, value: number | undefined, min: number, max?: number): this {
    if (value === undefined) return this;
    if (value < min) this.add(path, value, `Member must have value greater than or equal to ${min}`, "range");
    if (max !== undefined && value > max) this.add(path, value, `Member must have value less than or equal to ${max}`, "range");
    return this;
  }

  pattern(path: string, value: string | undefined, regex: RegExp): this {
    if (value !== undefined && !regex.test(value)) {
      this.add(path, value, `Member must satisfy regular expression pattern: ${regex.source.slice(1, -1)}`, "pattern");
    }
    return this;
  }

  tableName(path: string, value: string | undefined): this {
    return this.pattern(path, value, /^[a-zA-Z0-9_.-]+$/).length(path, value, 3, 255);
  }

  private add(path: string, value: unknown, constraint: string, kind: ValidationIssue["kind"]) {
    this.issues.push({ path, value, constraint, kind });
  }

  throwIfAny(): void {
    if (this.issues.length) throw new ValidationException(validationMessage(this.issues));
  }
}
