import type { AddPermissionInput, RemovePermissionInput } from "@aws-sdk/client-sns";
import type { RequestContext } from "../types.js";
import { invalid } from "./errors.js";
import { findTopic, saveTopic, topicPolicy } from "./topics.js";

/** The actions a topic policy statement may grant (SNS's own API, as AddPermission accepts them). */
const TOPIC_ACTIONS = new Set([
  "AddPermission",
  "DeleteTopic",
  "GetDataProtectionPolicy",
  "GetTopicAttributes",
  "ListSubscriptionsByTopic",
  "ListTagsForResource",
  "Publish",
  "PutDataProtectionPolicy",
  "RemovePermission",
  "SetTopicAttributes",
  "Subscribe",
  "TagResource",
  "UntagResource",
]);

interface Statement {
  Sid?: string;
  [key: string]: unknown;
}

/** AddPermission appends an Allow statement for the accounts to the topic's policy (the default one at first). */
export function addPermission(input: AddPermissionInput, ctx: RequestContext): void {
  const topic = findTopic(ctx, input.TopicArn);
  const label = input.Label as string;
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) throw invalid("Label");
  const accounts = input.AWSAccountId ?? [];
  const actions = input.ActionName ?? [];
  if (accounts.length === 0) throw invalid("AWSAccountId");
  if (actions.length === 0) throw invalid("ActionName");
  for (const action of actions) {
    if (!TOPIC_ACTIONS.has(action)) throw invalid("Policy statement action out of service scope!");
  }
  const policy = JSON.parse(topicPolicy(topic)) as { Statement: Statement[] };
  if (policy.Statement.some((s) => s.Sid === label)) throw invalid("Statement already exists");
  const principals = accounts.map((account) => (/^\d{12}$/.test(account) ? `arn:aws:iam::${account}:root` : account));
  const sns = actions.map((action) => `SNS:${action}`);
  policy.Statement.push({
    Sid: label,
    Effect: "Allow",
    Principal: { AWS: principals.length === 1 ? principals[0] : principals },
    Action: sns.length === 1 ? sns[0] : sns,
    Resource: topic.arn,
  });
  topic.attributes.Policy = JSON.stringify(policy);
  saveTopic(ctx, topic);
}

/** RemovePermission drops the statement with that label; an unknown label changes nothing. */
export function removePermission(input: RemovePermissionInput, ctx: RequestContext): void {
  const topic = findTopic(ctx, input.TopicArn);
  const policy = JSON.parse(topicPolicy(topic)) as { Statement: Statement[] };
  const kept = policy.Statement.filter((s) => s.Sid !== input.Label);
  if (kept.length === policy.Statement.length) return;
  topic.attributes.Policy = JSON.stringify({ ...policy, Statement: kept });
  saveTopic(ctx, topic);
}
