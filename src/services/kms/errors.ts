import { AwsError, errorClass, ValidationFailure } from "../../protocol/errors.js";

// KMS answers every client error with HTTP 400 on the wire, whatever httpError its model declares.

export const NotFoundException = errorClass("NotFoundException", 400);
export const DisabledException = errorClass("DisabledException", 400);
export const KMSInvalidStateException = errorClass("KMSInvalidStateException", 400);
export const AlreadyExistsException = errorClass("AlreadyExistsException", 400);
export const InvalidAliasNameException = errorClass("InvalidAliasNameException", 400);
export const InvalidArnException = errorClass("InvalidArnException", 400);
export const InvalidCiphertextException = errorClass("InvalidCiphertextException", 400);
export const IncorrectKeyException = errorClass("IncorrectKeyException", 400);
export const InvalidKeyUsageException = errorClass("InvalidKeyUsageException", 400);
export const InvalidMarkerException = errorClass("InvalidMarkerException", 400);
export const InvalidGrantIdException = errorClass("InvalidGrantIdException", 400);
export const InvalidGrantTokenException = errorClass("InvalidGrantTokenException", 400);
export const KMSInvalidSignatureException = errorClass("KMSInvalidSignatureException", 400);
export const KMSInvalidMacException = errorClass("KMSInvalidMacException", 400);
export const MalformedPolicyDocumentException = errorClass("MalformedPolicyDocumentException", 400);
export const TagException = errorClass("TagException", 400);
export const UnsupportedOperationException = errorClass("UnsupportedOperationException", 400);
export const LimitExceededException = errorClass("LimitExceededException", 400);
export const CustomKeyStoreNotFoundException = errorClass("CustomKeyStoreNotFoundException", 400);
export const InvalidImportTokenException = errorClass("InvalidImportTokenException", 400);
export const ExpiredImportTokenException = errorClass("ExpiredImportTokenException", 400);
export const IncorrectKeyMaterialException = errorClass("IncorrectKeyMaterialException", 400);
/** Not in KMS's model: what IAM's evaluation answers when no policy allows the action. */
export const AccessDeniedException = errorClass("AccessDeniedException", 400);
export const DryRunOperationException = errorClass("DryRunOperationException", 412);
/** Not in KMS's model, but what KMS answers when a caller touches the reserved alias/aws/ namespace. */
export const NotAuthorizedException = errorClass("NotAuthorizedException", 400);

/** KMS's generic input errors: ValidationException with a free-form message. */
export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, { status: 400 });
}

/** A number outside its documented range, in the "1 validation error detected" form. */
export function checkRange(path: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (value < min || value > max) {
    const bound = value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
    throw new ValidationFailure([{ path, value, constraint: `Member must have value ${bound}`, kind: "range" }]);
  }
}

/** A string or blob outside its documented length; blobs are printed the way KMS's Java front end does. */
export function checkLength(path: string, value: string | Uint8Array | undefined, min: number, max: number): void {
  if (value === undefined) return;
  const length = value.length;
  if (length >= min && length <= max) return;
  const shown = typeof value === "string" ? value : `java.nio.HeapByteBuffer[pos=0 lim=${length} cap=${length}]`;
  const bound = length < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
  throw new ValidationFailure([{ path, value: shown, constraint: `Member must have length ${bound}`, kind: "length" }]);
}

/** A dry run that would have succeeded. */
export function dryRunSucceeded(): AwsError {
  return new DryRunOperationException("The request would have succeeded, but the DryRun option is set.");
}
