import { type AwsError, errorClass, type ValidationFailure } from "../../protocol/errors.js";

export const InvalidParameter = errorClass("InvalidParameterException");
export const InvalidParameterValue = errorClass("InvalidParameterValueException");
export const NotFound = errorClass("NotFoundException");
export const ResourceNotFound = errorClass("ResourceNotFoundException");
export const TagLimitExceeded = errorClass("TagLimitExceededException");
export const EmptyBatchRequest = errorClass("EmptyBatchRequestException");
export const TooManyEntriesInBatchRequest = errorClass("TooManyEntriesInBatchRequestException");
export const BatchEntryIdsNotDistinct = errorClass("BatchEntryIdsNotDistinctException");
export const InvalidBatchEntryId = errorClass("InvalidBatchEntryIdException");
export const BatchRequestTooLong = errorClass("BatchRequestTooLongException");
/** Not in SNS's Smithy model: the common query-service error for failed input constraints. */
export const ValidationError = errorClass("ValidationError", 400);

/** SNS answers missing or malformed members with the Coral "1 validation error detected" text. */
export function snsValidationError(failure: ValidationFailure): AwsError {
  return new ValidationError(failure.message);
}

export const invalid = (what: string) => new InvalidParameter(`Invalid parameter: ${what}`);
export const topicNotFound = () => new NotFound("Topic does not exist");
export const subscriptionNotFound = () => new NotFound("Subscription does not exist");
