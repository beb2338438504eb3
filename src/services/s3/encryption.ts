import { createHash } from "node:crypto";
import type {
  DeleteBucketEncryptionRequest,
  GetBucketEncryptionOutput,
  GetBucketEncryptionRequest,
  PutBucketEncryptionRequest,
  ServerSideEncryption,
  ServerSideEncryptionRule,
} from "@aws-sdk/client-s3";
import { AwsError, errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { AccessDenied, InvalidRequest, invalidArgument, malformedXml } from "./errors.js";
import { type BucketEncryptionRule, type BucketRecord, buckets, type EncryptionRecord, type ObjectRecord } from "./store.js";

export const InvalidEncryptionAlgorithmError = errorClass("InvalidEncryptionAlgorithmError", 400);

const ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];
const DEFAULT_KMS_KEY = "alias/aws/s3";
/** Every bucket encrypts new objects with SSE-S3 unless configured otherwise (since January 2023). */
const DEFAULT_RULE: BucketEncryptionRule = { algorithm: "AES256" };

/** The SSE-C headers of a request (GET/PUT/HEAD/UploadPart) or of a copy source. */
export interface CustomerKeyInput {
  SSECustomerAlgorithm?: string;
  SSECustomerKey?: string;
  SSECustomerKeyMD5?: string;
}

export interface EncryptionInput extends CustomerKeyInput {
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
}

/**
 * Checks SSE-C headers and returns the key's MD5 (base64), or undefined when the request has none.
 * `prefix` names the headers in errors: copy sources use `x-amz-copy-source-server-side-encryption-customer-…`.
 */
export function customerKeyMd5(input: CustomerKeyInput, prefix = "x-amz-server-side-encryption-customer"): string | undefined {
  const { SSECustomerAlgorithm: algorithm, SSECustomerKey: key, SSECustomerKeyMD5: md5 } = input;
  if (algorithm === undefined && key === undefined && md5 === undefined) return undefined;
  if (algorithm === undefined) {
    throw invalidArgument(
      "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.",
      `${prefix}-algorithm`,
      undefined,
    );
  }
  if (algorithm !== "AES256") {
    throw new InvalidEncryptionAlgorithmError("The encryption request you specified is not valid. The valid value is AES256.", {
      fields: { ArgumentName: `${prefix}-algorithm`, ArgumentValue: algorithm },
    });
  }
  if (!key) {
    throw invalidArgument(
      "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.",
      `${prefix}-key`,
      undefined,
    );
  }
  const bytes = Buffer.from(key, "base64");
  if (bytes.length !== 32 || bytes.toString("base64") !== key) {
    throw invalidArgument("The secret key was invalid for the specified algorithm.", `${prefix}-key`, undefined);
  }
  const computed = createHash("md5").update(bytes).digest("base64");
  if (!md5) {
    throw invalidArgument(
      "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.",
      `${prefix}-key-MD5`,
      undefined,
    );
  }
  if (md5 !== computed) {
    throw invalidArgument("The calculated MD5 hash of the key did not match the hash that was provided.", `${prefix}-key-MD5`, undefined);
  }
  return computed;
}

/**
 * How a new object is encrypted: SSE-C from the request's customer key, else the requested SSE (or the
 * bucket's default). SSE-KMS asks KMS for a data key under the key, which checks that it exists and is enabled.
 */
export async function writeEncryption(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  input: EncryptionInput,
): Promise<EncryptionRecord> {
  const customer = customerKeyMd5(input);
  if (customer !== undefined) {
    if (input.ServerSideEncryption !== undefined) {
      throw invalidArgument(
        "Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
        "x-amz-server-side-encryption",
        input.ServerSideEncryption,
      );
    }
    return { customerKeyMd5: customer };
  }
  const rule = bucket.encryption?.[0] ?? DEFAULT_RULE;
  const requested = input.ServerSideEncryption;
  if (requested !== undefined && !ALGORITHMS.includes(requested)) {
    throw invalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", requested);
  }
  const algorithm = (requested ?? rule.algorithm) as EncryptionRecord["algorithm"] & string;
  if (algorithm === "AES256") {
    const kmsOnly =
      input.SSEKMSKeyId !== undefined
        ? "x-amz-server-side-encryption-aws-kms-key-id"
        : input.SSEKMSEncryptionContext !== undefined
          ? "x-amz-server-side-encryption-context"
          : undefined;
    if (kmsOnly) {
      throw invalidArgument(
        "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
        kmsOnly,
        undefined,
      );
    }
    return { algorithm };
  }
  const keyId =
    input.SSEKMSKeyId ?? (requested === undefined || requested === rule.algorithm ? rule.kmsKeyId : undefined) ?? DEFAULT_KMS_KEY;
  const context = { ...parseContext(input.SSEKMSEncryptionContext), "aws:s3:arn": `arn:aws:s3:::${bucket.name}/${key}` };
  const dataKey = await kms<{ KeyId: string; CiphertextBlob: Uint8Array }>(ctx, "GenerateDataKey", {
    KeyId: keyId,
    KeySpec: "AES_256",
    EncryptionContext: context,
  });
  return {
    algorithm,
    kmsKeyId: dataKey.KeyId,
    context: Buffer.from(JSON.stringify(context)).toString("base64"),
    bucketKeyEnabled: input.BucketKeyEnabled ?? (requested === undefined ? rule.bucketKeyEnabled : undefined),
    dataKey: Buffer.from(dataKey.CiphertextBlob).toString("base64"),
  };
}

/** x-amz-server-side-encryption-context: base64 of a JSON object of strings. */
function parseContext(header: string | undefined): Record<string, string> {
  if (header === undefined) return {};
  const invalid = () =>
    invalidArgument(
      "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map",
      "x-amz-server-side-encryption-context",
      header,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, "base64").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid();
  if (Object.values(parsed).some((v) => typeof v !== "string")) throw invalid();
  return parsed as Record<string, string>;
}

/** Calls KMS as S3 does; KMS's errors reach the client as S3 reports them (`KMS.NotFoundException`, …). */
async function kms<O>(ctx: RequestContext, operation: string, input: Record<string, unknown>): Promise<O> {
  try {
    return await ctx.runtime.services.call<O>("kms", operation, input, { account: ctx.account, region: ctx.region, asService: "s3" });
  } catch (err) {
    if (err instanceof AwsError) {
      const status = err.code === "AccessDeniedException" ? 403 : 400;
      throw new AwsError(`KMS.${err.code}`, err.message, { status });
    }
    throw err;
  }
}

/**
 * The checks every read of a version makes: an SSE-C object needs its key (a wrong one is refused), no
 * other object takes one, and an SSE-KMS object's data key must still decrypt (a disabled key fails).
 */
export async function checkReadable(ctx: RequestContext, record: ObjectRecord, input: CustomerKeyInput, prefix?: string): Promise<void> {
  const given = customerKeyMd5(input, prefix);
  const stored = record.encryption?.customerKeyMd5;
  if (stored !== undefined) {
    if (given === undefined) {
      throw new InvalidRequest(
        "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.",
      );
    }
    if (given !== stored) throw new AccessDenied("Access Denied");
  } else if (given !== undefined) {
    throw new InvalidRequest("The encryption parameters are not applicable to this object.");
  }
  const dataKey = record.encryption?.dataKey;
  if (dataKey) {
    await kms(ctx, "Decrypt", {
      CiphertextBlob: Buffer.from(dataKey, "base64"),
      EncryptionContext: JSON.parse(Buffer.from(record.encryption?.context ?? "", "base64").toString("utf8") || "{}"),
    });
  }
}

export interface EncryptionMembers {
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  BucketKeyEnabled?: boolean;
  SSECustomerAlgorithm?: string;
  SSECustomerKeyMD5?: string;
}

/** The encryption headers S3 answers about a version (objects stored before encryption was recorded are SSE-S3). */
export function encryptionMembers(encryption: EncryptionRecord | undefined): EncryptionMembers {
  if (encryption?.customerKeyMd5) return { SSECustomerAlgorithm: "AES256", SSECustomerKeyMD5: encryption.customerKeyMd5 };
  return {
    ServerSideEncryption: (encryption?.algorithm ?? "AES256") as ServerSideEncryption,
    SSEKMSKeyId: encryption?.kmsKeyId,
    BucketKeyEnabled: encryption?.bucketKeyEnabled || undefined,
  };
}

/** Writes also echo the KMS encryption context. */
export const writeEncryptionMembers = (encryption: EncryptionRecord | undefined) => ({
  ...encryptionMembers(encryption),
  SSEKMSEncryptionContext: encryption?.context,
});

/** Whether a request names any encryption (a same-key copy that does is a legal change). */
export const asksForEncryption = (input: EncryptionInput) =>
  input.ServerSideEncryption !== undefined || input.SSECustomerAlgorithm !== undefined || input.SSEKMSKeyId !== undefined;

export function putBucketEncryption(input: PutBucketEncryptionRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const rules = input.ServerSideEncryptionConfiguration?.Rules ?? [];
  if (rules.length !== 1) throw malformedXml();
  const rule = checkRule(rules[0]);
  const latest = buckets(ctx).get(bucket.name) ?? bucket;
  buckets(ctx).set(bucket.name, { ...latest, encryption: [rule] });
}

function checkRule(rule: ServerSideEncryptionRule): BucketEncryptionRule {
  const byDefault = rule.ApplyServerSideEncryptionByDefault;
  const algorithm = byDefault?.SSEAlgorithm as string | undefined;
  if (!algorithm || !ALGORITHMS.includes(algorithm)) throw malformedXml();
  const kmsKeyId = byDefault?.KMSMasterKeyID;
  if (kmsKeyId !== undefined && algorithm === "AES256") {
    throw invalidArgument(
      "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
      "ApplyServerSideEncryptionByDefault",
      undefined,
    );
  }
  return {
    algorithm: algorithm as BucketEncryptionRule["algorithm"],
    kmsKeyId,
    bucketKeyEnabled: rule.BucketKeyEnabled,
  };
}

export function getBucketEncryption(input: GetBucketEncryptionRequest, ctx: RequestContext): GetBucketEncryptionOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const rules = bucket.encryption ?? [DEFAULT_RULE];
  return {
    ServerSideEncryptionConfiguration: {
      Rules: rules.map((rule) => ({
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: rule.algorithm, KMSMasterKeyID: rule.kmsKeyId },
        BucketKeyEnabled: rule.bucketKeyEnabled ?? false,
      })),
    },
  };
}

/** Deleting the configuration restores S3's default (SSE-S3), which GetBucketEncryption then reports. */
export function deleteBucketEncryption(input: DeleteBucketEncryptionRequest, ctx: RequestContext): void {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const latest = buckets(ctx).get(bucket.name) ?? bucket;
  buckets(ctx).set(bucket.name, { ...latest, encryption: undefined });
}
