import { type AwsError, errorClass, type ValidationFailure } from "../../protocol/errors.js";

/** Not in STS's Smithy model: the common query-service errors STS answers with. */
export const ValidationError = errorClass("ValidationError", 400);
export const MissingAuthenticationToken = errorClass("MissingAuthenticationToken", 403);
export const AccessDenied = errorClass("AccessDenied", 403);
export const PackedPolicyTooLarge = errorClass("PackedPolicyTooLargeException");

/** STS words failed constraints like the other Coral services, under its own ValidationError code. */
export function stsValidationError(failure: ValidationFailure): AwsError {
  return new ValidationError(failure.message);
}
