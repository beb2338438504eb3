import { AwsError } from "../protocol/errors.js";
import type { SigV4Flavor } from "./sigv4.js";

/** The errors signature checks answer with: S3's, and the JSON/query front ends' (same texts, other codes). */
const S3_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
const AWS_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const CORAL_CODES = {
  json: {
    incomplete: "IncompleteSignatureException",
    invalid: "InvalidSignatureException",
    missing: "MissingAuthenticationTokenException",
  },
  query: { incomplete: "IncompleteSignature", invalid: "SignatureDoesNotMatch", missing: "MissingAuthenticationToken" },
} as const;
const CORAL_STATUS = { incomplete: 400, invalid: 403, missing: 403 } as const;

/** The JSON and query front ends answer the same texts under different codes. */
export function coral(flavor: "json" | "query", kind: keyof typeof CORAL_STATUS, message: string, status?: number): AwsError {
  return new AwsError(CORAL_CODES[flavor][kind], message, { status: status ?? CORAL_STATUS[kind], fault: "Sender" });
}

export function s3Error(code: string, status: number, message: string, fields?: Record<string, unknown>): AwsError {
  return new AwsError(code, message, { status, fault: "Sender", fields });
}

/** S3 shows the strings it signed, and their bytes as space-separated hex pairs, so clients can compare. */
function bytesOf(text: string): string {
  return Buffer.from(text, "utf8")
    .toString("hex")
    .replace(/(..)(?!$)/g, "$1 ");
}

/** SignatureDoesNotMatch as S3 (with the strings) or the JSON/query front ends (message only) answer it. */
export function signatureMismatch(
  flavor: SigV4Flavor,
  detail: { accessKeyId?: string; stringToSign: string; signatureProvided: string; canonicalRequest?: string },
): AwsError {
  if (flavor !== "s3") return coral(flavor, "invalid", AWS_MISMATCH);
  const fields: Record<string, unknown> = {};
  if (detail.accessKeyId !== undefined) fields.AWSAccessKeyId = detail.accessKeyId;
  fields.StringToSign = detail.stringToSign;
  fields.SignatureProvided = detail.signatureProvided;
  fields.StringToSignBytes = bytesOf(detail.stringToSign);
  if (detail.canonicalRequest !== undefined) {
    fields.CanonicalRequest = detail.canonicalRequest;
    fields.CanonicalRequestBytes = bytesOf(detail.canonicalRequest);
  }
  return s3Error("SignatureDoesNotMatch", 403, S3_MISMATCH, fields);
}
