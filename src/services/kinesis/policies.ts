import type {
  DeleteResourcePolicyInput,
  GetResourcePolicyInput,
  GetResourcePolicyOutput,
  PutResourcePolicyInput,
} from "@aws-sdk/client-kinesis";
import type { RequestContext } from "../types.js";
import { Constraints, InvalidArgumentException, ResourceNotFoundException } from "./errors.js";
import { saveStream } from "./state.js";
import { checkResourceArn, resourceNamed } from "./tags.js";

/** A policy must be a JSON object with statements; IAM evaluates it when the stream or consumer is accessed. */
function checkPolicy(text: string): void {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw new InvalidArgumentException("Policy is not a valid JSON document.");
  }
  const statements = (policy as { Statement?: unknown } | null)?.Statement;
  if (typeof policy !== "object" || policy === null || Array.isArray(policy) || statements === undefined) {
    throw new InvalidArgumentException("Policy must be a JSON object with a Statement.");
  }
}

export function putResourcePolicy(input: PutResourcePolicyInput, ctx: RequestContext): void {
  checkResourceArn(new Constraints(), input.ResourceARN).throwIfAny();
  checkPolicy(input.Policy as string);
  const { stream, consumer } = resourceNamed(ctx, input.ResourceARN as string);
  (consumer ?? stream).policy = input.Policy;
  saveStream(ctx, stream);
}

/** A resource without a policy answers an empty policy document. */
export function getResourcePolicy(input: GetResourcePolicyInput, ctx: RequestContext): GetResourcePolicyOutput {
  checkResourceArn(new Constraints(), input.ResourceARN).throwIfAny();
  const { stream, consumer } = resourceNamed(ctx, input.ResourceARN as string);
  return { Policy: (consumer ?? stream).policy ?? "{}" };
}

export function deleteResourcePolicy(input: DeleteResourcePolicyInput, ctx: RequestContext): void {
  checkResourceArn(new Constraints(), input.ResourceARN).throwIfAny();
  const { stream, consumer } = resourceNamed(ctx, input.ResourceARN as string);
  const target = consumer ?? stream;
  if (target.policy === undefined) throw new ResourceNotFoundException(`No resource policy found for resource ARN ${input.ResourceARN}.`);
  target.policy = undefined;
  saveStream(ctx, stream);
}
