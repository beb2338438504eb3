import { errorClass, type ValidationIssue, ValidationFailure } from "../../protocol/errors.js";

export const ResourceNotFound = errorClass("ResourceNotFoundException");
export const ResourceAlreadyExists = errorClass("ResourceAlreadyExistsException");
export const InvalidEventPattern = errorClass("InvalidEventPatternException");
export const LimitExceeded = errorClass("LimitExceededException");
export const ConcurrentModification = errorClass("ConcurrentModificationException");
export const PolicyLengthExceeded = errorClass("PolicyLengthExceededException");
export const IllegalStatus = errorClass("IllegalStatusException");
export const ManagedRule = errorClass("ManagedRuleException");
/** Not in EventBridge's Smithy model, but what it answers for bad parameters (the Coral validation error). */
export const ValidationException = errorClass("ValidationException", 400);

/** A delivery that cannot succeed however often it is retried (not an API error: it only reaches dead-letter queues). */
export class PermanentFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const LIMIT_MESSAGE = "The requested resource exceeds the maximum number allowed.";

export const busNotFound = (name: string) => new ResourceNotFound(`Event bus ${name} does not exist.`);
export const ruleNotFound = (name: string, bus: string) => new ResourceNotFound(`Rule ${name} does not exist on EventBus ${bus}.`);

/** One member's length and pattern constraints, checked the way the Coral validator reports them. */
export interface Constraint {
  min?: number;
  max?: number;
  /** As AWS prints it in messages (a string: the escapes are AWS's, not ours). */
  pattern?: string;
}

export function checkMember(path: string, value: unknown, c: Constraint, issues: ValidationIssue[]): void {
  if (typeof value !== "string") return;
  if (c.min !== undefined && value.length < c.min) {
    issues.push({ path, value, constraint: `Member must have length greater than or equal to ${c.min}`, kind: "length" });
  } else if (c.max !== undefined && value.length > c.max) {
    issues.push({ path, value, constraint: `Member must have length less than or equal to ${c.max}`, kind: "length" });
  } else if (c.pattern && !new RegExp(`^(?:${c.pattern})$`).test(value)) {
    issues.push({ path, value, constraint: `Member must satisfy regular expression pattern: ${c.pattern}`, kind: "pattern" });
  }
}

export function checkCount(path: string, value: unknown[] | undefined, min: number, max: number, issues: ValidationIssue[]): void {
  if (!value) return;
  if (value.length < min) {
    issues.push({ path, value, constraint: `Member must have length greater than or equal to ${min}`, kind: "length" });
  } else if (value.length > max) {
    issues.push({ path, value, constraint: `Member must have length less than or equal to ${max}`, kind: "length" });
  }
}

export function checkRange(path: string, value: number | undefined, min: number, max: number, issues: ValidationIssue[]): void {
  if (value === undefined) return;
  if (value < min) issues.push({ path, value, constraint: `Member must have value greater than or equal to ${min}`, kind: "range" });
  else if (value > max) issues.push({ path, value, constraint: `Member must have value less than or equal to ${max}`, kind: "range" });
}

export function throwIssues(issues: ValidationIssue[]): void {
  if (issues.length) throw new ValidationFailure(issues);
}

// The API reference's constraints, shared by several operations.
export const RULE_NAME: Constraint = { min: 1, max: 64, pattern: "[\\.\\-_A-Za-z0-9]+" };
export const BUS_NAME: Constraint = { min: 1, max: 256, pattern: "[/\\.\\-_A-Za-z0-9]+" };
export const BUS_NAME_OR_ARN: Constraint = {
  min: 1,
  max: 1600,
  pattern: "(arn:aws[\\w-]*:events:[a-z]{2}-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+",
};
export const TARGET_ID: Constraint = { min: 1, max: 64, pattern: "[\\.\\-_A-Za-z0-9]+" };
export const TARGET_ARN: Constraint = { min: 1, max: 1600 };
export const NEXT_TOKEN: Constraint = { min: 1, max: 2048 };
