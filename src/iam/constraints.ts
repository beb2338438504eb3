import { ValidationFailure, type ValidationIssue } from "../protocol/errors.js";

/** One member's constraints from the IAM/STS API references (the compact models do not carry them). */
export interface Constraint {
  length?: [number, number];
  pattern?: string;
  range?: [number, number];
}

/** Checks the members present in `input`, failing with AWS's "N validation errors detected" message. */
export function checkConstraints(input: object, rules: Record<string, Constraint>): void {
  const issues: ValidationIssue[] = [];
  const values = input as Record<string, unknown>;
  for (const [member, rule] of Object.entries(rules)) {
    const value = values[member];
    if (value === undefined || value === null) continue;
    const path = member.charAt(0).toLowerCase() + member.slice(1);
    if (typeof value === "number" && rule.range) {
      const [min, max] = rule.range;
      if (value < min) issues.push({ path, value, constraint: `Member must have value greater than or equal to ${min}`, kind: "range" });
      else if (value > max) issues.push({ path, value, constraint: `Member must have value less than or equal to ${max}`, kind: "range" });
    }
    if (typeof value !== "string") continue;
    if (rule.length) {
      const [min, max] = rule.length;
      if (value.length < min)
        issues.push({ path, value, constraint: `Member must have length greater than or equal to ${min}`, kind: "length" });
      else if (value.length > max)
        issues.push({ path, value, constraint: `Member must have length less than or equal to ${max}`, kind: "length" });
    }
    if (rule.pattern && !new RegExp(`^(?:${rule.pattern})$`, "u").test(value)) {
      issues.push({ path, value, constraint: `Member must satisfy regular expression pattern: ${rule.pattern}`, kind: "pattern" });
    }
  }
  if (issues.length) throw new ValidationFailure(issues);
}

const NAME = "[\\w+=,.@-]+";
export const IAM_RULES: Record<string, Constraint> = {
  UserName: { length: [1, 64], pattern: NAME },
  NewUserName: { length: [1, 64], pattern: NAME },
  GroupName: { length: [1, 128], pattern: NAME },
  RoleName: { length: [1, 64], pattern: NAME },
  PolicyName: { length: [1, 128], pattern: NAME },
  InstanceProfileName: { length: [1, 128], pattern: NAME },
  Path: { length: [1, 512], pattern: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)" },
  NewPath: { length: [1, 512], pattern: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)" },
  PathPrefix: { length: [1, 512], pattern: "\\u002F[\\u0021-\\u007F]*" },
  MaxItems: { range: [1, 1000] },
  MaxSessionDuration: { range: [3600, 43200] },
  Description: { length: [0, 1000] },
  PolicyDocument: { length: [1, 131072] },
  AssumeRolePolicyDocument: { length: [1, 131072] },
  PolicyArn: { length: [20, 2048] },
  AccessKeyId: { length: [16, 128], pattern: "[\\w]+" },
  AccountAlias: { length: [3, 63], pattern: "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$" },
  MinimumPasswordLength: { range: [6, 128] },
  MaxPasswordAge: { range: [1, 1095] },
  PasswordReusePrevention: { range: [1, 24] },
  VersionId: { pattern: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?" },
};

export const STS_RULES: Record<string, Constraint> = {
  RoleArn: { length: [20, 2048] },
  RoleSessionName: { length: [2, 64], pattern: "[\\w+=,.@-]*" },
  ExternalId: { length: [2, 1224], pattern: "[\\w+=,.@:\\/-]*" },
  SourceIdentity: { length: [2, 64], pattern: "[\\w+=,.@-]*" },
  AccessKeyId: { length: [16, 128], pattern: "[\\w]*" },
};

/** Wraps each handler so that its input's members are checked against `rules` first. */
export function checkingConstraints<T extends Record<string, (input: never, ctx: never) => unknown>>(
  operations: T,
  rules: Record<string, Constraint>,
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(operations)) {
    wrapped[name] = (input: object, ctx: unknown) => {
      checkConstraints(input, rules);
      return (handler as (i: object, c: unknown) => unknown)(input, ctx);
    };
  }
  return wrapped as T;
}
