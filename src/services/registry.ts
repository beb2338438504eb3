import type { Protocol } from "../protocol/model.js";
import type { ServiceDefinition } from "./types.js";

/**
 * The one table of per-service routing metadata, kept small enough to read at start-up without loading
 * any model: how requests name the service (signing name, X-Amz-Target prefix, host label) and which
 * protocol it speaks. test/core/registry.test.ts checks it against the models.
 */
export interface ServiceInfo {
  /** Our id: the model file and the folder under src/services/. */
  id: string;
  protocol: Protocol;
  /** SigV4 credential-scope service name. */
  signingName: string;
  /** awsJson services: the X-Amz-Target prefix. */
  targetPrefix?: string;
  /** First label of the service's AWS host names (`sqs.us-east-1.amazonaws.com`). */
  endpointPrefix: string;
  /** JSON services that older clients still speak query to (SQS): the query XML namespace. */
  queryXmlNamespace?: string;
  /** Global services answer in us-east-1 whatever region the client names. */
  global?: boolean;
  load(): Promise<ServiceDefinition>;
}

const load = (path: string) => () => import(path).then((m: { default: ServiceDefinition }) => m.default);

export const SERVICES: readonly ServiceInfo[] = [
  { id: "s3", protocol: "restXml", signingName: "s3", endpointPrefix: "s3", load: load("./s3/index.js") },
  {
    id: "sqs",
    protocol: "awsJson1_0",
    signingName: "sqs",
    targetPrefix: "AmazonSQS",
    endpointPrefix: "sqs",
    queryXmlNamespace: "http://queue.amazonaws.com/doc/2012-11-05/",
    load: load("./sqs/index.js"),
  },
  { id: "sts", protocol: "awsQuery", signingName: "sts", endpointPrefix: "sts", load: load("./sts/index.js") },
  { id: "lambda", protocol: "restJson1", signingName: "lambda", endpointPrefix: "lambda", load: load("./lambda/index.js") },
  { id: "ec2", protocol: "ec2Query", signingName: "ec2", endpointPrefix: "ec2", load: load("./ec2/index.js") },
  {
    id: "logs",
    protocol: "awsJson1_1",
    signingName: "logs",
    targetPrefix: "Logs_20140328",
    endpointPrefix: "logs",
    load: load("./logs/index.js"),
  },
  { id: "sns", protocol: "awsQuery", signingName: "sns", endpointPrefix: "sns", load: load("./sns/index.js") },
  {
    id: "dynamodb",
    protocol: "awsJson1_0",
    signingName: "dynamodb",
    targetPrefix: "DynamoDB_20120810",
    endpointPrefix: "dynamodb",
    load: load("./dynamodb/index.js"),
  },
  {
    // Shares DynamoDB's signing name: requests are told apart by their X-Amz-Target prefix.
    id: "dynamodbstreams",
    protocol: "awsJson1_0",
    signingName: "dynamodb",
    targetPrefix: "DynamoDBStreams_20120810",
    endpointPrefix: "streams",
    load: load("./dynamodbstreams/index.js"),
  },
  {
    id: "kms",
    protocol: "awsJson1_1",
    signingName: "kms",
    targetPrefix: "TrentService",
    endpointPrefix: "kms",
    load: load("./kms/index.js"),
  },
  {
    id: "secretsmanager",
    protocol: "awsJson1_1",
    signingName: "secretsmanager",
    targetPrefix: "secretsmanager",
    endpointPrefix: "secretsmanager",
    load: load("./secretsmanager/index.js"),
  },
  { id: "ssm", protocol: "awsJson1_1", signingName: "ssm", targetPrefix: "AmazonSSM", endpointPrefix: "ssm", load: load("./ssm/index.js") },
  { id: "iam", protocol: "awsQuery", signingName: "iam", endpointPrefix: "iam", global: true, load: load("./iam/index.js") },
  {
    id: "events",
    protocol: "awsJson1_1",
    signingName: "events",
    targetPrefix: "AWSEvents",
    endpointPrefix: "events",
    load: load("./events/index.js"),
  },
  {
    id: "kinesis",
    protocol: "awsJson1_1",
    signingName: "kinesis",
    targetPrefix: "Kinesis_20131202",
    endpointPrefix: "kinesis",
    load: load("./kinesis/index.js"),
  },
];

export const serviceById = new Map(SERVICES.map((s) => [s.id, s]));
export const serviceByTargetPrefix = new Map(SERVICES.filter((s) => s.targetPrefix).map((s) => [s.targetPrefix as string, s]));
export const serviceBySigningName = new Map<string, ServiceInfo>();
for (const s of SERVICES) if (!serviceBySigningName.has(s.signingName)) serviceBySigningName.set(s.signingName, s);
export const serviceByEndpointPrefix = new Map(SERVICES.map((s) => [s.endpointPrefix, s]));
