import { AwsError, errorClass } from "../../protocol/errors.js";

/** The model's awsQueryError trait says 404, but SSM speaks JSON only (not query-compatible) and answers 400. */
export const ParameterNotFound = errorClass("ParameterNotFound", 400);
export const ParameterAlreadyExists = errorClass("ParameterAlreadyExists");
export const ParameterVersionNotFound = errorClass("ParameterVersionNotFound");
export const ParameterMaxVersionLimitExceeded = errorClass("ParameterMaxVersionLimitExceeded");
export const ParameterPatternMismatchException = errorClass("ParameterPatternMismatchException");
export const ParameterVersionLabelLimitExceeded = errorClass("ParameterVersionLabelLimitExceeded");
export const HierarchyLevelLimitExceededException = errorClass("HierarchyLevelLimitExceededException");
export const InvalidAllowedPatternException = errorClass("InvalidAllowedPatternException");
export const InvalidPolicyTypeException = errorClass("InvalidPolicyTypeException");
export const InvalidPolicyAttributeException = errorClass("InvalidPolicyAttributeException");
export const InvalidFilterKey = errorClass("InvalidFilterKey");
export const InvalidFilterOption = errorClass("InvalidFilterOption");
export const InvalidFilterValue = errorClass("InvalidFilterValue");
export const InvalidNextToken = errorClass("InvalidNextToken");
export const InvalidResourceId = errorClass("InvalidResourceId");
export const InvalidKeyId = errorClass("InvalidKeyId");
export const InvalidTag = errorClass("InvalidTag");
export const TooManyTagsError = errorClass("TooManyTagsError");

/** SSM's own checks that are not model constraints still answer ValidationException. */
export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, { status: 400 });
}
