import { type AwsError, errorClass, type ValidationFailure } from "../../protocol/errors.js";

export const QueueDoesNotExist = errorClass("QueueDoesNotExist");
export const QueueNameExists = errorClass("QueueNameExists");
export const QueueDeletedRecently = errorClass("QueueDeletedRecently");
export const PurgeQueueInProgress = errorClass("PurgeQueueInProgress");
export const InvalidAttributeName = errorClass("InvalidAttributeName", 400, "InvalidAttributeName");
export const InvalidAttributeValue = errorClass("InvalidAttributeValue", 400, "InvalidAttributeValue");
export const InvalidMessageContents = errorClass("InvalidMessageContents", 400, "InvalidMessageContents");
export const ReceiptHandleIsInvalid = errorClass("ReceiptHandleIsInvalid");
export const EmptyBatchRequest = errorClass("EmptyBatchRequest");
export const TooManyEntriesInBatchRequest = errorClass("TooManyEntriesInBatchRequest");
export const BatchEntryIdsNotDistinct = errorClass("BatchEntryIdsNotDistinct");
export const InvalidBatchEntryId = errorClass("InvalidBatchEntryId");
export const BatchRequestTooLong = errorClass("BatchRequestTooLong");
export const ResourceNotFoundException = errorClass("ResourceNotFoundException");
export const UnsupportedOperation = errorClass("UnsupportedOperation");
export const OverLimit = errorClass("OverLimit");
/** Not in SQS's Smithy model, but what SQS answers for out-of-range values (query code and JSON __type alike). */
export const InvalidParameterValue = errorClass("InvalidParameterValue", 400, "InvalidParameterValue");
export const MissingParameter = errorClass("MissingParameter", 400, "MissingParameter");

export const queueDoesNotExist = () => new QueueDoesNotExist("The specified queue does not exist.");

/** SQS's usual wording for a parameter outside its range. */
export function invalidParameter(name: string, value: unknown, reason: string): AwsError {
  return new InvalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

/** SQS names the missing parameter instead of using the generic "1 validation error detected" text. */
export function sqsValidationError(failure: ValidationFailure): AwsError {
  const missing = failure.issues.find((i) => i.kind === "required");
  if (missing) {
    const member = missing.path.charAt(0).toUpperCase() + missing.path.slice(1);
    return new MissingParameter(`The request must contain the parameter ${member}.`);
  }
  return new InvalidParameterValue(failure.message);
}

export const InvalidAddress = errorClass("InvalidAddress");
export const invalidAddress = (url: string) => new InvalidAddress(`The address ${url} is not valid for this endpoint.`);
