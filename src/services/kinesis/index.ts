import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { deregisterStreamConsumer, describeStreamConsumer, listStreamConsumers, registerStreamConsumer } from "./consumers.js";
import { deleteResourcePolicy, getResourcePolicy, putResourcePolicy } from "./policies.js";
import { getRecords, getShardIterator, putRecord, putRecords } from "./records.js";
import { mergeShards, splitShard, updateShardCount } from "./resharding.js";
import {
  decreaseStreamRetentionPeriod,
  describeLimits,
  disableEnhancedMonitoring,
  enableEnhancedMonitoring,
  increaseStreamRetentionPeriod,
  startStreamEncryption,
  stopStreamEncryption,
  updateMaxRecordSize,
  updateStreamMode,
} from "./settings.js";
import { listShards } from "./shards.js";
import { createStream, deleteStream, describeStream, describeStreamSummary, listStreams } from "./streams.js";
import { addTagsToStream, listTagsForResource, listTagsForStream, removeTagsFromStream, tagResource, untagResource } from "./tags.js";

/**
 * Kinesis Data Streams: streams of shards holding ordered data records for the retention period. Not here:
 * SubscribeToShard (an HTTP/2 event stream) and the account-settings and channel operations.
 */
export default defineService({
  id: "kinesis",
  authorization,
  operations: {
    CreateStream: createStream,
    DeleteStream: deleteStream,
    DescribeStream: describeStream,
    DescribeStreamSummary: describeStreamSummary,
    ListStreams: listStreams,
    ListShards: listShards,
    PutRecord: putRecord,
    PutRecords: putRecords,
    GetShardIterator: getShardIterator,
    GetRecords: getRecords,
    SplitShard: splitShard,
    MergeShards: mergeShards,
    UpdateShardCount: updateShardCount,
    IncreaseStreamRetentionPeriod: increaseStreamRetentionPeriod,
    DecreaseStreamRetentionPeriod: decreaseStreamRetentionPeriod,
    UpdateStreamMode: updateStreamMode,
    UpdateMaxRecordSize: updateMaxRecordSize,
    StartStreamEncryption: startStreamEncryption,
    StopStreamEncryption: stopStreamEncryption,
    EnableEnhancedMonitoring: enableEnhancedMonitoring,
    DisableEnhancedMonitoring: disableEnhancedMonitoring,
    DescribeLimits: describeLimits,
    AddTagsToStream: addTagsToStream,
    RemoveTagsFromStream: removeTagsFromStream,
    ListTagsForStream: listTagsForStream,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTagsForResource: listTagsForResource,
    RegisterStreamConsumer: registerStreamConsumer,
    DeregisterStreamConsumer: deregisterStreamConsumer,
    DescribeStreamConsumer: describeStreamConsumer,
    ListStreamConsumers: listStreamConsumers,
    PutResourcePolicy: putResourcePolicy,
    GetResourcePolicy: getResourcePolicy,
    DeleteResourcePolicy: deleteResourcePolicy,
  },
  validateEnums: true,
});
