import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { getRecords, getShardIterator } from "./records.js";
import { describeStream, listStreams } from "./streams.js";

/** The streams of DynamoDB tables; their records are written by DynamoDB's writes (see dynamodb/streams.ts). */
export default defineService({
  id: "dynamodbstreams",
  authorization,
  operations: {
    ListStreams: listStreams,
    DescribeStream: describeStream,
    GetShardIterator: getShardIterator,
    GetRecords: getRecords,
  },
  validateEnums: true,
});
