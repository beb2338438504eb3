import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import type { useServer } from "../helpers.js";
import { clients } from "./fixtures.js";

type Server = ReturnType<typeof useServer>;

export const streamsClient = (server: Server, region?: string) => new DynamoDBStreamsClient(server.clientConfig(region));

export async function latestStreamArn(server: Server, table: string): Promise<string> {
  const { Table } = await clients(server).ddb.send(new DescribeTableCommand({ TableName: table }));
  if (!Table?.LatestStreamArn) throw new Error(`table ${table} has no stream`);
  return Table.LatestStreamArn;
}

export async function shardIdOf(server: Server, streamArn: string): Promise<string> {
  const { StreamDescription } = await streamsClient(server).send(new DescribeStreamCommand({ StreamArn: streamArn }));
  return StreamDescription?.Shards?.[0]?.ShardId as string;
}

export async function iteratorOf(server: Server, streamArn: string, type: ShardIteratorType, sequence?: string): Promise<string> {
  const { ShardIterator } = await streamsClient(server).send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: await shardIdOf(server, streamArn),
      ShardIteratorType: type,
      SequenceNumber: sequence,
    }),
  );
  return ShardIterator as string;
}

/** Every record of the table's latest stream from the trim horizon, following iterators until a page is empty. */
export async function allRecords(server: Server, table: string): Promise<_Record[]> {
  const streams = streamsClient(server);
  let iterator: string | undefined = await iteratorOf(server, await latestStreamArn(server, table), "TRIM_HORIZON");
  const records: _Record[] = [];
  while (iterator) {
    const page: GetRecordsCommandOutput = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(page.Records ?? []));
    if (!page.Records?.length) break;
    iterator = page.NextShardIterator;
  }
  return records;
}
