import { AwsError, errorClass } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import type { QueueRef } from "./engine.js";
import { arnOf } from "./queues.js";

/** SQS's own codes for what KMS refuses (query codes `KMS.NotFoundException` etc., from SQS's model). */
const KMS_ERRORS: Record<string, ReturnType<typeof errorClass>> = {
  NotFoundException: errorClass("KmsNotFound", 400, "KMS.NotFoundException"),
  DisabledException: errorClass("KmsDisabled", 400, "KMS.DisabledException"),
  KMSInvalidStateException: errorClass("KmsInvalidState", 400, "KMS.InvalidStateException"),
  InvalidKeyUsageException: errorClass("KmsInvalidKeyUsage", 400, "KMS.InvalidKeyUsageException"),
  AccessDeniedException: errorClass("KmsAccessDenied", 400, "KMS.AccessDeniedException"),
};

/**
 * SSE-KMS queues: SQS asks KMS for a data key when a message is sent, then reuses it for the queue's
 * KmsDataKeyReusePeriodSeconds. A key KMS refuses (missing, disabled, pending deletion, asymmetric) fails
 * the send with SQS's KMS error, as on AWS. The bodies themselves stay as stored: encryption at rest is
 * invisible to callers.
 */
export async function ensureDataKey(ref: QueueRef, ctx: RequestContext, reuse: Map<string, number>): Promise<void> {
  const keyId = ref.record.attributes.KmsMasterKeyId;
  if (!keyId) return;
  const arn = arnOf(ref);
  const cacheKey = `${arn}|${keyId}`;
  const now = ctx.runtime.now();
  if ((reuse.get(cacheKey) ?? 0) > now) return;
  try {
    await ctx.runtime.services.call(
      "kms",
      "GenerateDataKey",
      { KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { "aws:sqs:arn": arn } },
      { account: ref.account, region: ref.region, asService: "sqs", sourceArn: arn },
    );
  } catch (err) {
    const mapped = err instanceof AwsError ? KMS_ERRORS[err.code] : undefined;
    if (mapped) throw new mapped(err instanceof AwsError ? err.message : String(err));
    throw err;
  }
  const period = Number(ref.record.attributes.KmsDataKeyReusePeriodSeconds ?? 300);
  reuse.set(cacheKey, now + period * 1000);
}
