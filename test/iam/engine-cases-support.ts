import assert from "node:assert/strict";
import { test } from "node:test";
import type { ConditionContext } from "../../src/iam/conditions.js";
import { type Decision, type EvaluationPrincipal, evaluate, type PolicySet } from "../../src/iam/engine.js";
import { type Policy, type PolicyKind, parsePolicy } from "../../src/iam/policy.js";

/** Shared vocabulary of the engine case tables (engine-cases-*.test.ts): AWS's documentation examples as data. */
export const ACCOUNT = "111122223333";
export const OTHER = "444455556666";

export const alice: EvaluationPrincipal = {
  type: "user",
  arn: `arn:aws:iam::${ACCOUNT}:user/division/alice`,
  account: ACCOUNT,
  userId: "AIDAALICEEXAMPLE12345",
};
export const roleSession: EvaluationPrincipal = {
  type: "assumed-role",
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`,
  account: ACCOUNT,
  userId: "AROAAPPEXAMPLE123456:s1",
  roleArn: `arn:aws:iam::${ACCOUNT}:role/service/app`,
};
export const bob: EvaluationPrincipal = {
  type: "user",
  arn: `arn:aws:iam::${OTHER}:user/bob`,
  account: OTHER,
  userId: "AIDABOBEXAMPLE1234567",
};
export const root: EvaluationPrincipal = { type: "root", arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT, userId: ACCOUNT };
export const otherRoot: EvaluationPrincipal = { type: "root", arn: `arn:aws:iam::${OTHER}:root`, account: OTHER, userId: OTHER };
export const anonymous: EvaluationPrincipal = { type: "anonymous", arn: "*", account: ACCOUNT };
export const snsService: EvaluationPrincipal = {
  type: "service",
  arn: "sns.amazonaws.com",
  account: ACCOUNT,
  servicePrincipal: "sns.amazonaws.com",
};

export type Statement = Record<string, unknown>;

export const doc = (kind: PolicyKind, statements: Statement[], version = "2012-10-17"): Policy =>
  parsePolicy(JSON.stringify({ Version: version, Statement: statements }), kind);
export const allow = (Action: string | string[], Resource: string | string[] = "*", extra: Statement = {}): Statement => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});
export const deny = (Action: string | string[], Resource: string | string[] = "*", extra: Statement = {}): Statement => ({
  Effect: "Deny",
  Action,
  Resource,
  ...extra,
});
export const identity = (...s: Statement[]) => [doc("identity", s)];
export const resource = (...s: Statement[]) => [doc("resource", s)];

export interface Case {
  name: string;
  action?: string;
  resource?: string;
  principal?: EvaluationPrincipal;
  context?: ConditionContext;
  set: PolicySet;
  expect: Decision;
}

/** Runs one table: each row evaluated with the engine, failures naming the row. */
export function runTable(title: string, cases: Case[], defaults: { action: string; resource: string }): void {
  test(`${title} (${cases.length} cases)`, () => {
    const failures: string[] = [];
    for (const c of cases) {
      const result = evaluate(
        {
          principal: c.principal ?? alice,
          action: c.action ?? defaults.action,
          resource: c.resource ?? defaults.resource,
          context: c.context,
        },
        c.set,
      );
      if (result.decision !== c.expect) failures.push(`${c.name}: expected ${c.expect}, got ${result.decision}`);
    }
    assert.deepEqual(failures, []);
  });
}

/** A condition-only case: an identity policy allowing the action when `condition` holds. */
export function conditionCase(name: string, condition: Statement, context: ConditionContext, holds: boolean): Case {
  return {
    name,
    context,
    set: { identity: identity(allow("s3:GetObject", "*", { Condition: condition })) },
    expect: holds ? "allowed" : "implicitDeny",
  };
}
