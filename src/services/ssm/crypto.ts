import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { InvalidKeyId } from "./errors.js";

/** Parameter Store's AWS managed key, used for SecureString parameters that name no key. */
export const DEFAULT_KEY = "alias/aws/ssm";

const options = (ctx: RequestContext) => ({ asService: "ssm", account: ctx.account, region: ctx.region });
/** SSM binds each ciphertext to its parameter's ARN. */
const context = (arn: string) => ({ PARAMETER_ARN: arn });

/** KMS refusing the key (missing, disabled, pending deletion, wrong type) is an invalid key id in SSM's terms. */
async function viaKms<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AwsError) throw new InvalidKeyId(err.message);
    throw err;
  }
}

export async function encryptValue(ctx: RequestContext, keyId: string, arn: string, value: string): Promise<string> {
  const out = await viaKms(() =>
    ctx.runtime.services.call<{ CiphertextBlob: Uint8Array }>(
      "kms",
      "Encrypt",
      { KeyId: keyId, Plaintext: Buffer.from(value, "utf8"), EncryptionContext: context(arn) },
      options(ctx),
    ),
  );
  return Buffer.from(out.CiphertextBlob).toString("base64");
}

export async function decryptValue(ctx: RequestContext, arn: string, ciphertext: string): Promise<string> {
  const out = await viaKms(() =>
    ctx.runtime.services.call<{ Plaintext: Uint8Array }>(
      "kms",
      "Decrypt",
      { CiphertextBlob: Buffer.from(ciphertext, "base64"), EncryptionContext: context(arn) },
      options(ctx),
    ),
  );
  return Buffer.from(out.Plaintext).toString("utf8");
}
