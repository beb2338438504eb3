import type { AuthorizationTable, OperationAuthorization } from "../../iam/declarations.js";

/** Stream operations act on the stream's ARN (`…:table/T/stream/<label>`). */
const onStream = (action: string): OperationAuthorization => ({ action, resources: (i) => [String(i.StreamArn)] });

export const authorization: AuthorizationTable = {
  DescribeStream: onStream("dynamodb:DescribeStream"),
  GetShardIterator: onStream("dynamodb:GetShardIterator"),
  // Shard iterators are opaque here; the stream they belong to is not known before the handler reads them.
  GetRecords: { action: "dynamodb:GetRecords" },
  ListStreams: { action: "dynamodb:ListStreams" },
};
