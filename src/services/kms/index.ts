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
import { deriveSharedSecret, generateMac, getPublicKey, sign, verify, verifyMac } from "./signing.js";

export default defineService({
  id: "kms",
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
    Encrypt: encrypt,
    Decrypt: decrypt,
    ReEncrypt: reEncrypt,
    GenerateDataKey: generateDataKey,
    GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
    GenerateDataKeyPair: generateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext: generateDataKeyPairWithoutPlaintext,
    GenerateRandom: generateRandom,
    Sign: sign,
    Verify: verify,
    GetPublicKey: getPublicKey,
    GenerateMac: generateMac,
    VerifyMac: verifyMac,
    DeriveSharedSecret: deriveSharedSecret,
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
    UpdatePrimaryRegion: updatePrimaryRegion,
  },
  validateEnums: true,
});
