import { awsPattern, ConstraintChecker } from "../../protocol/constraints.js";
import { errorClass } from "../../protocol/errors.js";

export const ResourceNotFoundException = errorClass("ResourceNotFoundException", 400);
export const ResourceInUseException = errorClass("ResourceInUseException", 400);
export const InvalidArgumentException = errorClass("InvalidArgumentException", 400);
export const LimitExceededException = errorClass("LimitExceededException", 400);
export const ExpiredIteratorException = errorClass("ExpiredIteratorException", 400);
export const ExpiredNextTokenException = errorClass("ExpiredNextTokenException", 400);
export const ValidationException = errorClass("ValidationException", 400);

export const STREAM_NAME = awsPattern("[a-zA-Z0-9_.-]+");
export const STREAM_ARN = awsPattern("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
export const RESOURCE_ARN = awsPattern("arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+");
export const CONSUMER_ARN = awsPattern("^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+");
export const SHARD_ID = awsPattern("[a-zA-Z0-9_.-]+");
export const HASH_KEY = awsPattern("0|([1-9]\\d{0,38})");
export const SEQUENCE_NUMBER = awsPattern("0|([1-9]\\d{0,128})");

/**
 * Kinesis's model constraints (lengths, ranges, patterns) are not in the SDK schemas; these checks give AWS's
 * "N validation errors detected" texts, with the member paths AWS prints.
 */
export class Constraints extends ConstraintChecker {
  constructor() {
    super(ValidationException);
  }

  streamName(path: string, value: string | undefined): this {
    return this.length(path, value, 1, 128).pattern(path, value, STREAM_NAME);
  }

  streamArn(path: string, value: string | undefined): this {
    return this.length(path, value, 1, 2048).pattern(path, value, STREAM_ARN);
  }

  /** The StreamName / StreamARN pair most operations take. */
  stream(input: { StreamName?: string; StreamARN?: string }): this {
    return this.streamName("streamName", input.StreamName).streamArn("streamARN", input.StreamARN);
  }

  shardId(path: string, value: string | undefined): this {
    return this.length(path, value, 1, 128).pattern(path, value, SHARD_ID);
  }
}

export const streamNotFound = (name: string, account: string) =>
  new ResourceNotFoundException(`Stream ${name} under account ${account} not found.`);
