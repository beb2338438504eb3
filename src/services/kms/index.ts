import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { createAlias, deleteAlias, listAliases, updateAlias } from "./aliases.js";
import {
  decrypt,
  encrypt,
  generateDataKey,
  generateDataKeyPair,
  generateDataKeyPairWithoutPlaintext,
  generateDataKeyWithoutPlaintext,
  generateRandom,
  reEncrypt,
} from "./encryption.js";
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from "./imports.js";
import { createGrant, listGrants, listRetirableGrants, retireGrant, revokeGrant } from "./grants.js";
import {
  cancelKeyDeletion,
  createKey,
  describeKey,
  disableKey,
  enableKey,
  listKeys,
  scheduleKeyDeletion,
  updateKeyDescription,
} from "./keys.js";
import { getKeyPolicy, listKeyPolicies, listResourceTags, putKeyPolicy, tagResource, untagResource } from "./policy.js";
import { replicateKey, updatePrimaryRegion } from "./replicas.js";
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from "./rotation.js";
import { getKeyLastUsage, tracked } from "./usage.js";
import { deriveSharedSecret, generateMac, getPublicKey, sign, verify, verifyMac } from "./signing.js";

export default defineService({
  id: "kms",
  authorization,
  operations: {
    CreateKey: createKey,
    DescribeKey: describeKey,
    ListKeys: listKeys,
    EnableKey: enableKey,
    DisableKey: disableKey,
    ScheduleKeyDeletion: scheduleKeyDeletion,
    CancelKeyDeletion: cancelKeyDeletion,
    UpdateKeyDescription: updateKeyDescription,
    GetKeyPolicy: getKeyPolicy,
    PutKeyPolicy: putKeyPolicy,
    ListKeyPolicies: listKeyPolicies,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListResourceTags: listResourceTags,
    CreateAlias: createAlias,
    DeleteAlias: deleteAlias,
    UpdateAlias: updateAlias,
    ListAliases: listAliases,
    Encrypt: tracked("Encrypt", encrypt),
    Decrypt: tracked("Decrypt", decrypt),
    ReEncrypt: tracked("ReEncrypt", reEncrypt),
    GenerateDataKey: tracked("GenerateDataKey", generateDataKey),
    GenerateDataKeyWithoutPlaintext: tracked("GenerateDataKeyWithoutPlaintext", generateDataKeyWithoutPlaintext),
    GenerateDataKeyPair: tracked("GenerateDataKeyPair", generateDataKeyPair),
    GenerateDataKeyPairWithoutPlaintext: tracked("GenerateDataKeyPairWithoutPlaintext", generateDataKeyPairWithoutPlaintext),
    GenerateRandom: generateRandom,
    Sign: tracked("Sign", sign),
    Verify: tracked("Verify", verify),
    GetPublicKey: getPublicKey,
    GenerateMac: tracked("GenerateMac", generateMac),
    VerifyMac: tracked("VerifyMac", verifyMac),
    DeriveSharedSecret: tracked("DeriveSharedSecret", deriveSharedSecret),
    EnableKeyRotation: enableKeyRotation,
    DisableKeyRotation: disableKeyRotation,
    GetKeyRotationStatus: getKeyRotationStatus,
    RotateKeyOnDemand: rotateKeyOnDemand,
    ListKeyRotations: listKeyRotations,
    CreateGrant: createGrant,
    ListGrants: listGrants,
    ListRetirableGrants: listRetirableGrants,
    RetireGrant: retireGrant,
    RevokeGrant: revokeGrant,
    GetParametersForImport: getParametersForImport,
    ImportKeyMaterial: importKeyMaterial,
    DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
    ReplicateKey: replicateKey,
    GetKeyLastUsage: getKeyLastUsage,
    UpdatePrimaryRegion: updatePrimaryRegion,
  },
  validateEnums: true,
});
