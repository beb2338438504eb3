import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { createBackup, deleteBackup, describeBackup, listBackups, restoreTableFromBackup } from "./backups.js";
import { batchGetItem, batchWriteItem } from "./batch.js";
import { deleteItem, getItem, putItem, updateItem } from "./items.js";
import {
  describeEndpoints,
  describeLimits,
  describeTimeToLive,
  listTagsOfResource,
  tagResource,
  untagResource,
  updateTimeToLive,
} from "./metadata.js";
import { batchExecuteStatement, executeStatement, executeTransaction } from "./partiql/operations.js";
import { describeContinuousBackups, restoreTableToPointInTime, updateContinuousBackups } from "./pitr.js";
import { query, scan } from "./query.js";
import { createTable, deleteTable, describeTable, listTables, updateTable } from "./tables.js";
import { transactGetItems, transactWriteItems } from "./transactions.js";
import { withThrottling } from "./throttling.js";
import { TTL_SWEEP_MS, sweepExpiredItems } from "./ttl.js";

export default defineService({
  id: "dynamodb",
  authorization,
  operations: withThrottling({
    CreateTable: createTable,
    DescribeTable: describeTable,
    ListTables: listTables,
    DeleteTable: deleteTable,
    UpdateTable: updateTable,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTagsOfResource: listTagsOfResource,
    DescribeLimits: describeLimits,
    DescribeEndpoints: describeEndpoints,
    UpdateTimeToLive: updateTimeToLive,
    DescribeTimeToLive: describeTimeToLive,
    PutItem: putItem,
    GetItem: getItem,
    UpdateItem: updateItem,
    DeleteItem: deleteItem,
    Query: query,
    Scan: scan,
    BatchGetItem: batchGetItem,
    BatchWriteItem: batchWriteItem,
    TransactWriteItems: transactWriteItems,
    TransactGetItems: transactGetItems,
    ExecuteStatement: executeStatement,
    BatchExecuteStatement: batchExecuteStatement,
    ExecuteTransaction: executeTransaction,
    CreateBackup: createBackup,
    DescribeBackup: describeBackup,
    ListBackups: listBackups,
    DeleteBackup: deleteBackup,
    RestoreTableFromBackup: restoreTableFromBackup,
    UpdateContinuousBackups: updateContinuousBackups,
    DescribeContinuousBackups: describeContinuousBackups,
    RestoreTableToPointInTime: restoreTableToPointInTime,
  }),
  validateEnums: true,
  start(runtime) {
    runtime.setTimer(() => sweepExpiredItems(runtime), TTL_SWEEP_MS, true);
  },
});
