import type {
  Consumer,
  DeregisterStreamConsumerInput,
  DescribeStreamConsumerInput,
  DescribeStreamConsumerOutput,
  ListStreamConsumersInput,
  ListStreamConsumersOutput,
  RegisterStreamConsumerInput,
  RegisterStreamConsumerOutput,
} from "@aws-sdk/client-kinesis";
import type { RequestContext } from "../types.js";
import {
  CONSUMER_ARN,
  Constraints,
  InvalidArgumentException,
  LimitExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  STREAM_NAME,
} from "./errors.js";
import { decodeToken, encodeToken } from "./paging.js";
import { type ConsumerMeta, type StreamMeta, saveStream, streamNamed } from "./state.js";
import { checkTags } from "./tags.js";

/** Enhanced fan-out consumers: at most 20 per stream. */
const MAX_CONSUMERS = 20;

interface ConsumerRef {
  StreamARN?: string;
  ConsumerName?: string;
  ConsumerARN?: string;
}

const checkConsumerName = (checker: Constraints, name: string | undefined) =>
  checker.length("consumerName", name, 1, 128).pattern("consumerName", name, STREAM_NAME);

function checkRef(input: ConsumerRef): void {
  checkConsumerName(new Constraints().streamArn("streamARN", input.StreamARN), input.ConsumerName)
    .length("consumerARN", input.ConsumerARN, 1, 2048)
    .pattern("consumerARN", input.ConsumerARN, CONSUMER_ARN)
    .throwIfAny();
}

/** A consumer named by its ARN, or by its stream's ARN and its name. */
function consumerNamed(ctx: RequestContext, input: ConsumerRef): { stream: StreamMeta; consumer: ConsumerMeta } {
  const arn = input.ConsumerARN;
  if (arn === undefined && (input.StreamARN === undefined || input.ConsumerName === undefined)) {
    throw new InvalidArgumentException("Either ConsumerARN or both StreamARN and ConsumerName must be provided.");
  }
  const stream = streamNamed(ctx, { StreamARN: arn === undefined ? input.StreamARN : arn.slice(0, arn.indexOf("/consumer/")) });
  const consumer = stream.consumers.find((c) => (arn === undefined ? c.name === input.ConsumerName : c.arn === arn));
  if (!consumer) throw new ResourceNotFoundException(`Consumer ${arn ?? input.ConsumerName} under account ${ctx.account} not found.`);
  return { stream, consumer };
}

const consumerToWire = (consumer: ConsumerMeta): Consumer => ({
  ConsumerName: consumer.name,
  ConsumerARN: consumer.arn,
  ConsumerStatus: "ACTIVE",
  ConsumerCreationTimestamp: new Date(consumer.createdAt),
});

/** The consumer is answered as CREATING, as AWS does; it is ACTIVE for every later call. */
export function registerStreamConsumer(input: RegisterStreamConsumerInput, ctx: RequestContext): RegisterStreamConsumerOutput {
  checkConsumerName(new Constraints().streamArn("streamARN", input.StreamARN), input.ConsumerName).throwIfAny();
  checkTags(input.Tags);
  const stream = streamNamed(ctx, input);
  const name = input.ConsumerName as string;
  if (stream.consumers.some((c) => c.name === name)) {
    throw new ResourceInUseException(`Consumer ${name} under stream ${stream.name} already exists for account ${ctx.account}.`);
  }
  if (stream.consumers.length >= MAX_CONSUMERS) {
    throw new LimitExceededException(
      `Stream ${stream.name} under account ${ctx.account} already has ${MAX_CONSUMERS} registered consumers.`,
    );
  }
  const now = ctx.runtime.now();
  const consumer: ConsumerMeta = {
    name,
    arn: `${stream.arn}/consumer/${name}:${Math.floor(now / 1000)}`,
    createdAt: now,
    tags: { ...input.Tags },
  };
  stream.consumers.push(consumer);
  saveStream(ctx, stream);
  return { Consumer: { ...consumerToWire(consumer), ConsumerStatus: "CREATING" } };
}

export function deregisterStreamConsumer(input: DeregisterStreamConsumerInput, ctx: RequestContext): void {
  checkRef(input);
  const { stream, consumer } = consumerNamed(ctx, input);
  stream.consumers = stream.consumers.filter((c) => c !== consumer);
  saveStream(ctx, stream);
}

export function describeStreamConsumer(input: DescribeStreamConsumerInput, ctx: RequestContext): DescribeStreamConsumerOutput {
  checkRef(input);
  const { stream, consumer } = consumerNamed(ctx, input);
  return { ConsumerDescription: { ...consumerToWire(consumer), StreamARN: stream.arn } };
}

export function listStreamConsumers(input: ListStreamConsumersInput, ctx: RequestContext): ListStreamConsumersOutput {
  new Constraints()
    .streamArn("streamARN", input.StreamARN)
    .range("maxResults", input.MaxResults, 1, 10000)
    .length("nextToken", input.NextToken, 1, 1048576)
    .throwIfAny();
  const stream = streamNamed(ctx, input);
  const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken, ctx, true).after;
  const limit = input.MaxResults ?? 100;
  const consumers = [...stream.consumers].sort((a, b) => (a.name < b.name ? -1 : 1)).filter((c) => after === undefined || c.name > after);
  const page = consumers.slice(0, limit);
  return {
    Consumers: page.map(consumerToWire),
    ...(consumers.length > limit ? { NextToken: encodeToken(ctx, { after: page[page.length - 1].name, of: stream.name }) } : {}),
  };
}
