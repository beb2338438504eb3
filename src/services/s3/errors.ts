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
export const NoSuchKey = errorClass("NoSuchKey", 404);
export const NoSuchUpload = errorClass("NoSuchUpload", 404);
export const BadDigest = errorClass("BadDigest", 400);
export const InvalidDigest = errorClass("InvalidDigest", 400);
export const MetadataTooLarge = errorClass("MetadataTooLarge", 400);
export const KeyTooLongError = errorClass("KeyTooLongError", 400);
export const InvalidRange = errorClass("InvalidRange", 416);
export const PreconditionFailed = errorClass("PreconditionFailed", 412);
export const NotModified = errorClass("NotModified", 304);
export const NotImplemented = errorClass("NotImplemented", 501);
export const InvalidTag = errorClass("InvalidTag", 400);
export const BadRequest = errorClass("BadRequest", 400);
export const InvalidStorageClass = errorClass("InvalidStorageClass", 400);
export const InvalidPart = errorClass("InvalidPart", 400);
export const InvalidPartOrder = errorClass("InvalidPartOrder", 400);
export const EntityTooSmall = errorClass("EntityTooSmall", 400);
export const EntityTooLarge = errorClass("EntityTooLarge", 400);

/** S3 names the offending parameter and value in InvalidArgument errors. */
export function invalidArgument(message: string, name: string, value: unknown, options: AwsErrorOptions = {}): AwsError {
  return new AwsError("InvalidArgument", message, {
    status: 400,
    ...options,
    fields: { ArgumentName: name, ArgumentValue: value === undefined ? undefined : String(value) },
  });
}

export const noSuchKey = (key: string) => new NoSuchKey("The specified key does not exist.", { fields: { Key: key } });

export const noSuchUpload = (uploadId: string) =>
  new NoSuchUpload("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", {
    fields: { UploadId: uploadId },
  });

export const preconditionFailed = (condition: string) =>
  new PreconditionFailed("At least one of the pre-conditions you specified did not hold", { fields: { Condition: condition } });

export const malformedXml = () =>
  new MalformedXML("The XML you provided was not well-formed or did not validate against our published schema");

export const noSuchBucket = (bucket: string) => new NoSuchBucket("The specified bucket does not exist", { fields: { BucketName: bucket } });

/** A body S3 cannot read is always MalformedXML; a bad header or query value is an InvalidArgument. */
export function s3SerializationError(failure: SerializationFailure): AwsError {
  if (failure instanceof RequestBodyFailure) {
    return malformedXml();
  }
  return new AwsError("InvalidArgument", failure.message, { status: 400 });
}

export function s3ValidationError(failure: ValidationFailure): AwsError {
  // A member missing inside an XML body (a CORS rule without AllowedMethod…) is a schema failure to S3.
  if (failure.issues.some((i) => i.kind === "required" && i.path.includes("."))) return malformedXml();
  return new InvalidRequest(failure.message);
}
