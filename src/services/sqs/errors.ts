import { type AwsError, errorClass, type ValidationFailure } from "../../protocol/errors.js";

export const QueueDoesNotExist = errorClass("QueueDoesNotExist");
export const QueueNameExists = errorClass("QueueNameExists");
/** Not in SQS's Smithy model, but what SQS answers for out-of-range values (query code and JSON __type alike). */
export const InvalidParameterValue = errorClass("InvalidParameterValue", 400, "InvalidParameterValue");
export const MissingParameter = errorClass("MissingParameter", 400, "MissingParameter");

/** SQS names the missing parameter instead of using the generic "1 validation error detected" text. */
export function sqsValidationError(failure: ValidationFailure): AwsError {
  const missing = failure.issues.find((i) => i.kind === "required");
  if (missing) {
    const member = missing.path.charAt(0).toUpperCase() + missing.path.slice(1);
    return new MissingParameter(`The request must contain the parameter ${member}.`);
  }
  return new InvalidParameterValue(failure.message);
}
