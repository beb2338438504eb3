import { defineService } from "../types.js";
import { lambdaSerializationError } from "./errors.js";
import { listFunctions } from "./functions.js";
import { invoke } from "./invoke.js";
import {
  createFunction,
  deleteFunction,
  getFunction,
  getFunctionConfiguration,
  updateFunctionCode,
  updateFunctionConfiguration,
} from "./lifecycle.js";
import { EnvironmentPool, killEnvironments, registerPool, stopPool } from "./pool.js";
import { listTags, tagResource, untagResource } from "./tags.js";
import { createAlias, deleteAlias, getAlias, listAliases, listVersionsByFunction, publishVersion, updateAlias } from "./versions.js";

export default defineService({
  id: "lambda",
  operations: {
    CreateFunction: createFunction,
    GetFunction: getFunction,
    GetFunctionConfiguration: getFunctionConfiguration,
    UpdateFunctionCode: updateFunctionCode,
    UpdateFunctionConfiguration: updateFunctionConfiguration,
    DeleteFunction: deleteFunction,
    ListFunctions: listFunctions,
    Invoke: invoke,
    PublishVersion: publishVersion,
    ListVersionsByFunction: listVersionsByFunction,
    CreateAlias: createAlias,
    GetAlias: getAlias,
    UpdateAlias: updateAlias,
    DeleteAlias: deleteAlias,
    ListAliases: listAliases,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTags: listTags,
  },
  validateEnums: true,
  serializationError: lambdaSerializationError,
  async start(runtime) {
    registerPool(runtime, await EnvironmentPool.start(runtime));
  },
  stop: stopPool,
  reset: killEnvironments,
});
