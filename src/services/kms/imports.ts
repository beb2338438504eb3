import { constants, createDecipheriv, createHash, generateKeyPairSync, privateDecrypt, randomBytes } from "node:crypto";
import type {
  DeleteImportedKeyMaterialRequest,
  DeleteImportedKeyMaterialResponse,
  GetParametersForImportRequest,
  GetParametersForImportResponse,
  ImportKeyMaterialRequest,
  ImportKeyMaterialResponse,
} from "@aws-sdk/client-kms";
import { toBuffer } from "../../protocol/values.js";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import {
  ExpiredImportTokenException,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  InvalidImportTokenException,
  UnsupportedOperationException,
  validation,
} from "./errors.js";
import { hashOf, privateKeyOf, publicKeyDer } from "./material.js";
import { type KeyRecord, type KeyRef, keyArn, removeImportedMaterial, requireNotPendingDeletion, resolveKey, saveKey } from "./store.js";

/** Wrapping keys and tokens are valid for 24 hours, as in AWS. */
const PARAMETERS_TTL_MS = 24 * 3_600_000;
const SYMMETRIC_KEY_BYTES = 32;
const WRAPPING_ALGORITHMS = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"];
const WRAPPING_KEY_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

interface ImportParameters {
  keyId: string;
  algorithm: string;
  /** PKCS#8 DER of the wrapping private key, base64. */
  wrappingKey: string;
  validTo: number;
}

const importCollection = (store: ScopeStore) => store.collection<ImportParameters>("import-parameters");

/** Only keys created with Origin EXTERNAL take imported material. */
function externalKey(ctx: RequestContext, keyId: string, operation: string): KeyRef {
  const ref = resolveKey(ctx, keyId, false);
  if (ref.key.origin !== "EXTERNAL") {
    throw new UnsupportedOperationException(`${keyArn(ref.key)} origin is ${ref.key.origin} which is not valid for ${operation}.`);
  }
  requireNotPendingDeletion(ref.key);
  return ref;
}

export function getParametersForImport(input: GetParametersForImportRequest, ctx: RequestContext): GetParametersForImportResponse {
  const ref = externalKey(ctx, input.KeyId as string, "GetParametersForImport");
  const algorithm = input.WrappingAlgorithm as string;
  const bits = WRAPPING_KEY_BITS[input.WrappingKeySpec as string];
  if (!WRAPPING_ALGORITHMS.includes(algorithm) || !bits) {
    throw new UnsupportedOperationException(
      `Wrapping algorithm ${algorithm} with wrapping key spec ${input.WrappingKeySpec} is not supported.`,
    );
  }
  const wrappingKey = generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({ type: "pkcs8", format: "der" });
  const token = randomBytes(48);
  const validTo = ctx.runtime.now() + PARAMETERS_TTL_MS;
  importCollection(ctx.store).set(token.toString("hex"), {
    keyId: ref.key.keyId,
    algorithm,
    wrappingKey: wrappingKey.toString("base64"),
    validTo,
  });
  return { KeyId: keyArn(ref.key), ImportToken: token, PublicKey: publicKeyDer(wrappingKey), ParametersValidTo: new Date(validTo) };
}

/** Undoes the caller's wrapping: plain RSA-OAEP, or RSA-OAEP of an AES key followed by AES-KWP (RFC 5649). */
function unwrap(parameters: ImportParameters, wrapped: Buffer): Buffer {
  const key = privateKeyOf(Buffer.from(parameters.wrappingKey, "base64"));
  const oaep = (data: Buffer) =>
    privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hashOf(parameters.algorithm) }, data);
  try {
    if (!parameters.algorithm.startsWith("RSA_AES_KEY_WRAP")) return oaep(wrapped);
    const rsaBytes = (key.asymmetricKeyDetails?.modulusLength as number) / 8;
    const aesKey = oaep(wrapped.subarray(0, rsaBytes));
    const decipher = createDecipheriv(`id-aes${aesKey.length * 8}-wrap-pad`, aesKey, Buffer.from("A65959A6", "hex"));
    return Buffer.concat([decipher.update(wrapped.subarray(rsaBytes)), decipher.final()]);
  } catch {
    throw new InvalidCiphertextException("");
  }
}

function expiration(input: ImportKeyMaterialRequest, now: number): Pick<KeyRecord, "validTo" | "expirationModel"> {
  const model = input.ExpirationModel ?? (input.ValidTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE");
  if (model === "KEY_MATERIAL_EXPIRES") {
    if (!input.ValidTo) throw validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
    const validTo = new Date(input.ValidTo).getTime();
    if (validTo <= now) throw validation("The ValidTo date must be in the future.");
    return { validTo, expirationModel: model };
  }
  if (input.ValidTo) throw validation("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE");
  return { validTo: undefined, expirationModel: model };
}

export function importKeyMaterial(input: ImportKeyMaterialRequest, ctx: RequestContext): ImportKeyMaterialResponse {
  const ref = externalKey(ctx, input.KeyId as string, "ImportKeyMaterial");
  const now = ctx.runtime.now();
  const tokenId = toBuffer(input.ImportToken).toString("hex");
  const parameters = importCollection(ctx.store).get(tokenId);
  if (!parameters || parameters.keyId !== ref.key.keyId)
    throw new InvalidImportTokenException("Import token is not valid for this KMS key.");
  if (parameters.validTo <= now)
    throw new ExpiredImportTokenException("The import token has expired. Use GetParametersForImport to get a new one.");
  const { validTo, expirationModel } = expiration(input, now);
  const material = unwrap(parameters, toBuffer(input.EncryptedKeyMaterial));
  if (material.length !== SYMMETRIC_KEY_BYTES)
    throw new IncorrectKeyMaterialException("Symmetric key material must be 256 bits (32 bytes) long.");
  // The id comes from the material itself, so re-importing the same material restores old ciphertexts.
  const id = createHash("sha256").update("kms-imported-material").update(material).digest("hex");
  if (ref.key.importedMaterialId && ref.key.importedMaterialId !== id) {
    throw new IncorrectKeyMaterialException("The key material is different from the key material previously imported into this KMS key.");
  }
  ref.key.materials = [{ id, secret: material.toString("base64"), createdAt: now }];
  Object.assign(ref.key, { validTo, expirationModel, importedMaterialId: id });
  if (ref.key.state === "PendingImport") ref.key.state = "Enabled";
  saveKey(ref);
  importCollection(ctx.store).delete(tokenId);
  return { KeyId: keyArn(ref.key), KeyMaterialId: id };
}

export function deleteImportedKeyMaterial(input: DeleteImportedKeyMaterialRequest, ctx: RequestContext): DeleteImportedKeyMaterialResponse {
  const ref = externalKey(ctx, input.KeyId as string, "DeleteImportedKeyMaterial");
  const materialId = ref.key.materials[0]?.id;
  removeImportedMaterial(ref);
  return { KeyId: keyArn(ref.key), KeyMaterialId: materialId };
}
