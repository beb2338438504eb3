import type { AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import { regionalArn } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { parseIterator } from "./iterators.js";
import { type StreamMeta, streams } from "./state.js";

/** The stream ARN a request names (StreamARN, StreamName, or a consumer's or resource's ARN), without resolving errors. */
function streamArnOf(i: OperationInput, ctx: RequestContext): string | undefined {
  const arn = i.StreamARN ?? i.ResourceARN ?? i.ConsumerARN;
  if (typeof arn === "string") return arn.includes("/consumer/") ? arn.slice(0, arn.indexOf("/consumer/")) : arn;
  if (typeof i.StreamName === "string") return regionalArn(ctx, "kinesis", `stream/${i.StreamName}`);
  const iterator = typeof i.ShardIterator === "string" ? parseIterator(i.ShardIterator) : undefined;
  return iterator ? regionalArn(ctx, "kinesis", `stream/${iterator.stream}`) : undefined;
}

function streamOf(i: OperationInput, ctx: RequestContext): StreamMeta | undefined {
  const arn = streamArnOf(i, ctx);
  const stream = arn ? streams(ctx.store).get(arn.slice(arn.indexOf(":stream/") + ":stream/".length)) : undefined;
  return stream?.arn === arn ? stream : undefined;
}

/** A consumer's ARN as given, or as registered under its stream (consumer ARNs end in their creation time). */
function consumerArnOf(i: OperationInput, ctx: RequestContext): string | undefined {
  if (typeof i.ConsumerARN === "string") return i.ConsumerARN;
  if (typeof i.ResourceARN === "string" && i.ResourceARN.includes("/consumer/")) return i.ResourceARN;
  const consumer = streamOf(i, ctx)?.consumers.find((c) => c.name === i.ConsumerName);
  return consumer?.arn ?? (typeof i.StreamARN === "string" ? `${i.StreamARN}/consumer/${i.ConsumerName}:*` : undefined);
}

const onStream = (action: string): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [streamArnOf(i, ctx) ?? "*"],
  resourcePolicy: (i, ctx) => streamOf(i, ctx)?.policy,
  resourceTags: (i, ctx) => streamOf(i, ctx)?.tags,
});

const onConsumer = (action: string): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [consumerArnOf(i, ctx) ?? "*"],
  resourcePolicy: (i, ctx) => streamOf(i, ctx)?.consumers.find((c) => c.arn === consumerArnOf(i, ctx))?.policy,
});

/** TagResource and the policy operations name a stream or a consumer. */
const onResource = (action: string): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [(typeof i.ResourceARN === "string" ? i.ResourceARN : streamArnOf(i, ctx)) ?? "*"],
  resourceTags: (i, ctx) => streamOf(i, ctx)?.tags,
});

const onAccount = (action: string): OperationAuthorization => ({ action });

export const authorization: AuthorizationTable = {
  AddTagsToStream: onStream("kinesis:AddTagsToStream"),
  CreateStream: onStream("kinesis:CreateStream"),
  DecreaseStreamRetentionPeriod: onStream("kinesis:DecreaseStreamRetentionPeriod"),
  DeleteResourcePolicy: onResource("kinesis:DeleteResourcePolicy"),
  DeleteStream: onStream("kinesis:DeleteStream"),
  DeregisterStreamConsumer: onConsumer("kinesis:DeregisterStreamConsumer"),
  DescribeLimits: onAccount("kinesis:DescribeLimits"),
  DescribeStream: onStream("kinesis:DescribeStream"),
  DescribeStreamConsumer: onConsumer("kinesis:DescribeStreamConsumer"),
  DescribeStreamSummary: onStream("kinesis:DescribeStreamSummary"),
  DisableEnhancedMonitoring: onStream("kinesis:DisableEnhancedMonitoring"),
  EnableEnhancedMonitoring: onStream("kinesis:EnableEnhancedMonitoring"),
  GetRecords: onStream("kinesis:GetRecords"),
  GetResourcePolicy: onResource("kinesis:GetResourcePolicy"),
  GetShardIterator: onStream("kinesis:GetShardIterator"),
  IncreaseStreamRetentionPeriod: onStream("kinesis:IncreaseStreamRetentionPeriod"),
  ListShards: onStream("kinesis:ListShards"),
  ListStreamConsumers: onStream("kinesis:ListStreamConsumers"),
  ListStreams: onAccount("kinesis:ListStreams"),
  ListTagsForResource: onResource("kinesis:ListTagsForResource"),
  ListTagsForStream: onStream("kinesis:ListTagsForStream"),
  MergeShards: onStream("kinesis:MergeShards"),
  PutRecord: onStream("kinesis:PutRecord"),
  PutRecords: onStream("kinesis:PutRecords"),
  PutResourcePolicy: onResource("kinesis:PutResourcePolicy"),
  RegisterStreamConsumer: onStream("kinesis:RegisterStreamConsumer"),
  RemoveTagsFromStream: onStream("kinesis:RemoveTagsFromStream"),
  SplitShard: onStream("kinesis:SplitShard"),
  StartStreamEncryption: onStream("kinesis:StartStreamEncryption"),
  StopStreamEncryption: onStream("kinesis:StopStreamEncryption"),
  TagResource: onResource("kinesis:TagResource"),
  UntagResource: onResource("kinesis:UntagResource"),
  UpdateMaxRecordSize: onStream("kinesis:UpdateMaxRecordSize"),
  UpdateShardCount: onStream("kinesis:UpdateShardCount"),
  UpdateStreamMode: onStream("kinesis:UpdateStreamMode"),
};
