import { type AwsError, errorClass, type SerializationFailure } from "../../protocol/errors.js";
import { RequestBodyFailure } from "../../protocol/rest-binding.js";

export const InvalidParameterValueException = errorClass("InvalidParameterValueException");
export const InvalidRequestContentException = errorClass("InvalidRequestContentException");
export const ResourceNotFoundException = errorClass("ResourceNotFoundException", 404);
export const ResourceConflictException = errorClass("ResourceConflictException", 409);
export const RequestTooLargeException = errorClass("RequestTooLargeException", 413);
export const PreconditionFailedException = errorClass("PreconditionFailedException", 412);
export const CodeStorageExceededException = errorClass("CodeStorageExceededException");
const SerializationException = errorClass("SerializationException", 400);

/** Lambda reports unreadable JSON bodies as InvalidRequestContentException, naming the parse failure. */
export function lambdaSerializationError(failure: SerializationFailure): AwsError {
  if (failure instanceof RequestBodyFailure)
    return new InvalidRequestContentException(`Could not parse request body into json: ${failure.message}`);
  return new SerializationException(failure.message);
}
