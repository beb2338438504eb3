import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { deleteFunctionConcurrency, getAccountSettings, getFunctionConcurrency, putFunctionConcurrency } from "./concurrency.js";
import {
  deleteFunctionEventInvokeConfig,
  getFunctionEventInvokeConfig,
  listFunctionEventInvokeConfigs,
  putFunctionEventInvokeConfig,
  updateFunctionEventInvokeConfig,
} from "./destinations.js";
import { lambdaSerializationError } from "./errors.js";
import {
  createEventSourceMapping,
  deleteEventSourceMapping,
  getEventSourceMapping,
  listEventSourceMappings,
  updateEventSourceMapping,
} from "./event-sources/mappings.js";
import { startPollers, stopPollers } from "./event-sources/pollers.js";
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
import {
  addLayerVersionPermission,
  deleteLayerVersion,
  getLayerVersion,
  getLayerVersionByArn,
  getLayerVersionPolicy,
  listLayers,
  listLayerVersions,
  publishLayerVersion,
  removeLayerVersionPermission,
} from "./layers.js";
import { addPermission, getPolicy, removePermission } from "./permissions.js";
import { EnvironmentPool, killEnvironments, registerPool, stopPool } from "./pool.js";
import {
  deleteProvisionedConcurrencyConfig,
  getProvisionedConcurrencyConfig,
  listProvisionedConcurrencyConfigs,
  putProvisionedConcurrencyConfig,
} from "./provisioned.js";
import { listTags, tagResource, untagResource } from "./tags.js";
import {
  createFunctionUrlConfig,
  deleteFunctionUrlConfig,
  getFunctionUrlConfig,
  listFunctionUrlConfigs,
  updateFunctionUrlConfig,
} from "./url-configs.js";
import { functionUrlRoute } from "./urls.js";
import { createAlias, deleteAlias, getAlias, listAliases, listVersionsByFunction, publishVersion, updateAlias } from "./versions.js";

export default defineService({
  id: "lambda",
  authorization,
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
    AddPermission: addPermission,
    RemovePermission: removePermission,
    GetPolicy: getPolicy,
    PutFunctionEventInvokeConfig: putFunctionEventInvokeConfig,
    UpdateFunctionEventInvokeConfig: updateFunctionEventInvokeConfig,
    GetFunctionEventInvokeConfig: getFunctionEventInvokeConfig,
    ListFunctionEventInvokeConfigs: listFunctionEventInvokeConfigs,
    DeleteFunctionEventInvokeConfig: deleteFunctionEventInvokeConfig,
    CreateEventSourceMapping: createEventSourceMapping,
    GetEventSourceMapping: getEventSourceMapping,
    UpdateEventSourceMapping: updateEventSourceMapping,
    DeleteEventSourceMapping: deleteEventSourceMapping,
    ListEventSourceMappings: listEventSourceMappings,
    PutFunctionConcurrency: putFunctionConcurrency,
    GetFunctionConcurrency: getFunctionConcurrency,
    DeleteFunctionConcurrency: deleteFunctionConcurrency,
    GetAccountSettings: getAccountSettings,
    PublishLayerVersion: publishLayerVersion,
    GetLayerVersion: getLayerVersion,
    GetLayerVersionByArn: getLayerVersionByArn,
    ListLayers: listLayers,
    ListLayerVersions: listLayerVersions,
    DeleteLayerVersion: deleteLayerVersion,
    AddLayerVersionPermission: addLayerVersionPermission,
    RemoveLayerVersionPermission: removeLayerVersionPermission,
    GetLayerVersionPolicy: getLayerVersionPolicy,
    CreateFunctionUrlConfig: createFunctionUrlConfig,
    GetFunctionUrlConfig: getFunctionUrlConfig,
    UpdateFunctionUrlConfig: updateFunctionUrlConfig,
    DeleteFunctionUrlConfig: deleteFunctionUrlConfig,
    ListFunctionUrlConfigs: listFunctionUrlConfigs,
    PutProvisionedConcurrencyConfig: putProvisionedConcurrencyConfig,
    GetProvisionedConcurrencyConfig: getProvisionedConcurrencyConfig,
    DeleteProvisionedConcurrencyConfig: deleteProvisionedConcurrencyConfig,
    ListProvisionedConcurrencyConfigs: listProvisionedConcurrencyConfigs,
  },
  validateEnums: true,
  serializationError: lambdaSerializationError,
  httpRoute: functionUrlRoute,
  async start(runtime) {
    registerPool(runtime, await EnvironmentPool.start(runtime));
    startPollers(runtime);
  },
  async stop(runtime) {
    stopPollers(runtime);
    await stopPool(runtime);
  },
  reset(runtime) {
    stopPollers(runtime);
    killEnvironments(runtime);
  },
});
