import { AwsError, type AwsErrorOptions, errorClass, type SerializationFailure, type ValidationFailure } from "../../protocol/errors.js";
import { RequestBodyFailure } from "../../protocol/rest-binding.js";

/** S3's error codes; the statuses of those not in the model are S3's documented ones. */
export const AccessDenied = errorClass("AccessDenied", 403);
export const BucketAlreadyExists = errorClass("BucketAlreadyExists", 409);
export const BucketAlreadyOwnedByYou = errorClass("BucketAlreadyOwnedByYou", 409);
export const BucketNotEmpty = errorClass("BucketNotEmpty", 409);
export const IllegalLocationConstraintException = errorClass("IllegalLocationConstraintException", 400);
export const InvalidBucketAclWithObjectOwnership = errorClass("InvalidBucketAclWithObjectOwnership", 400);
export const InvalidBucketName = errorClass("InvalidBucketName", 400);
export const InvalidLocationConstraint = errorClass("InvalidLocationConstraint", 400);
export const InvalidRequest = errorClass("InvalidRequest", 400);
export const MalformedXML = errorClass("MalformedXML", 400);
export const NoSuchBucket = errorClass("NoSuchBucket", 404);

/** S3 names the offending parameter and value in InvalidArgument errors. */
export function invalidArgument(message: string, name: string, value: unknown, options: AwsErrorOptions = {}): AwsError {
  return new AwsError("InvalidArgument", message, {
    status: 400,
    ...options,
    fields: { ArgumentName: name, ArgumentValue: value === undefined ? undefined : String(value) },
  });
}

export const noSuchBucket = (bucket: string) => new NoSuchBucket("The specified bucket does not exist", { fields: { BucketName: bucket } });

/** A body S3 cannot read is always MalformedXML; a bad header or query value is an InvalidArgument. */
export function s3SerializationError(failure: SerializationFailure): AwsError {
  if (failure instanceof RequestBodyFailure) {
    return new MalformedXML("The XML you provided was not well-formed or did not validate against our published schema");
  }
  return new AwsError("InvalidArgument", failure.message, { status: 400 });
}

export function s3ValidationError(failure: ValidationFailure): AwsError {
  return new InvalidRequest(failure.message);
}
