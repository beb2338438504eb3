import { errorClass } from "../../protocol/errors.js";

export const ResourceNotFoundException = errorClass("ResourceNotFoundException");
export const ResourceExistsException = errorClass("ResourceExistsException");
export const InvalidRequestException = errorClass("InvalidRequestException");
export const InvalidParameterException = errorClass("InvalidParameterException");
export const InvalidNextTokenException = errorClass("InvalidNextTokenException");
export const MalformedPolicyDocumentException = errorClass("MalformedPolicyDocumentException");
export const PublicPolicyException = errorClass("PublicPolicyException");
export const LimitExceededException = errorClass("LimitExceededException");

export const SECRET_NOT_FOUND = "Secrets Manager can't find the specified secret.";
export const MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion.";
export const EncryptionFailure = errorClass("EncryptionFailure");
export const DecryptionFailure = errorClass("DecryptionFailure");
