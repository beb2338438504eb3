import { defineService } from "../types.js";
import {
  deleteResourcePolicy,
  getRandomPassword,
  getResourcePolicy,
  putResourcePolicy,
  tagResource,
  untagResource,
  validateResourcePolicy,
} from "./extras.js";
import { batchGetSecretValue, listSecrets, listSecretVersionIds } from "./listing.js";
import {
  createSecret,
  deleteSecret,
  describeSecret,
  getSecretValue,
  putSecretValue,
  restoreSecret,
  updateSecret,
  updateSecretVersionStage,
} from "./secrets.js";

/** Secret values are encrypted through the KMS service. RotateSecret waits for Lambda and is not registered. */
export default defineService({
  id: "secretsmanager",
  operations: {
    CreateSecret: createSecret,
    GetSecretValue: getSecretValue,
    PutSecretValue: putSecretValue,
    UpdateSecret: updateSecret,
    UpdateSecretVersionStage: updateSecretVersionStage,
    DescribeSecret: describeSecret,
    ListSecrets: listSecrets,
    ListSecretVersionIds: listSecretVersionIds,
    DeleteSecret: deleteSecret,
    RestoreSecret: restoreSecret,
    BatchGetSecretValue: batchGetSecretValue,
    GetRandomPassword: getRandomPassword,
    TagResource: tagResource,
    UntagResource: untagResource,
    PutResourcePolicy: putResourcePolicy,
    GetResourcePolicy: getResourcePolicy,
    DeleteResourcePolicy: deleteResourcePolicy,
    ValidateResourcePolicy: validateResourcePolicy,
  },
  validateEnums: true,
});
