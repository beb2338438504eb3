import { authorization } from "./authorization.js";
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
import { removeRegionsFromReplication, replicateSecretToRegions, stopReplicationToReplica } from "./replication.js";
import { cancelRotateSecret, ROTATION_SWEEP_MS, rotateDueSecrets, rotateSecret } from "./rotation.js";
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

/** Secret values are encrypted through the KMS service; rotation invokes the secret's Lambda function. */
export default defineService({
  id: "secretsmanager",
  authorization,
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
    RotateSecret: rotateSecret,
    CancelRotateSecret: cancelRotateSecret,
    ReplicateSecretToRegions: replicateSecretToRegions,
    RemoveRegionsFromReplication: removeRegionsFromReplication,
    StopReplicationToReplica: stopReplicationToReplica,
  },
  validateEnums: true,
  start(runtime) {
    runtime.setTimer(() => rotateDueSecrets(runtime), ROTATION_SWEEP_MS, true);
  },
});
