import { type AwsError, errorClass, type ValidationFailure } from "../../protocol/errors.js";

/** EC2's model declares no error shapes: its codes are documented, and all are client errors unless noted. */
export const InvalidParameterValue = errorClass("InvalidParameterValue", 400);
export const MissingParameter = errorClass("MissingParameter", 400);
/** What a permitted DryRun request answers instead of doing the work. */
export const DryRunOperation = errorClass("DryRunOperation", 412);

/** EC2 names the missing parameter in its MissingParameter message. */
export function ec2ValidationError(failure: ValidationFailure): AwsError {
  const missing = failure.issues.find((i) => i.kind === "required");
  if (missing) return new MissingParameter(`The request must contain the parameter ${wireName(missing.path)}`);
  const issue = failure.issues[0];
  return new InvalidParameterValue(`Value (${String(issue?.value)}) for parameter ${wireName(issue?.path ?? "")} is invalid.`);
}

/**
 * The engine's validation path (`instanceIds.1.member`) in EC2's capitalized style (`InstanceIds.1`). The path
 * carries member names, not wire names, so a list sent under another name (Filters as `Filter.N`) keeps its
 * member name here.
 */
function wireName(path: string): string {
  return path
    .split(".")
    .filter((s) => s !== "member")
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join(".");
}

export function checkDryRun(dryRun: boolean | undefined): void {
  if (dryRun) throw new DryRunOperation("Request would have succeeded, but DryRun flag is set.");
}
