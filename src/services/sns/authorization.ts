import type { AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import type { TopicRecord } from "./model.js";
import { topicPolicy, topicsIn } from "./topics.js";

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)/;

/** The topic a request acts on: its TopicArn, a subscription's topic, a tagged resource, or a new topic's name. */
function topicArnOf(i: OperationInput, ctx: RequestContext): string | undefined {
  const arn = i.TopicArn ?? i.TargetArn ?? i.ResourceArn ?? i.SubscriptionArn;
  if (typeof arn === "string") {
    const m = TOPIC_ARN.exec(arn);
    return m ? `arn:aws:sns:${m[1]}:${m[2]}:${m[3]}` : arn;
  }
  if (typeof i.Name === "string") return `arn:aws:sns:${ctx.region}:${ctx.account}:${i.Name}`;
  return undefined;
}

function topicRecord(i: OperationInput, ctx: RequestContext): TopicRecord | undefined {
  const m = TOPIC_ARN.exec(topicArnOf(i, ctx) ?? "");
  return m ? topicsIn(ctx.runtime.storeFor(m[2], m[1])).get(m[3]) : undefined;
}

/** Topic operations are governed by the topic's access policy (the default one until it is set). */
const onTopic = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [topicArnOf(i, ctx) ?? "*"],
  resourcePolicy: (i, ctx) => {
    const topic = topicRecord(i, ctx);
    return topic ? topicPolicy(topic) : undefined;
  },
  resourceTags: (i, ctx) => topicRecord(i, ctx)?.tags,
  ...extra,
});

export const authorization: AuthorizationTable = {
  AddPermission: onTopic("sns:AddPermission"),
  RemovePermission: onTopic("sns:RemovePermission"),
  CreateTopic: onTopic("sns:CreateTopic"),
  DeleteTopic: onTopic("sns:DeleteTopic"),
  ListTopics: { action: "sns:ListTopics" },
  GetTopicAttributes: onTopic("sns:GetTopicAttributes"),
  SetTopicAttributes: onTopic("sns:SetTopicAttributes"),
  TagResource: onTopic("sns:TagResource"),
  UntagResource: onTopic("sns:UntagResource"),
  ListTagsForResource: onTopic("sns:ListTagsForResource"),
  PutDataProtectionPolicy: onTopic("sns:PutDataProtectionPolicy"),
  GetDataProtectionPolicy: onTopic("sns:GetDataProtectionPolicy"),
  Subscribe: onTopic("sns:Subscribe", { context: (i) => ({ "sns:endpoint": i.Endpoint, "sns:protocol": i.Protocol }) }),
  Unsubscribe: onTopic("sns:Unsubscribe"),
  ConfirmSubscription: onTopic("sns:ConfirmSubscription"),
  ListSubscriptions: { action: "sns:ListSubscriptions" },
  ListSubscriptionsByTopic: onTopic("sns:ListSubscriptionsByTopic"),
  GetSubscriptionAttributes: onTopic("sns:GetSubscriptionAttributes"),
  SetSubscriptionAttributes: onTopic("sns:SetSubscriptionAttributes"),
  // Publishing to a phone number has no topic: the resource is "*". Mobile push and SMS actions have no resource type.
  Publish: onTopic("sns:Publish"),
  PublishBatch: onTopic("sns:Publish"),
  ...Object.fromEntries(
    [
      "CheckIfPhoneNumberIsOptedOut",
      "CreatePlatformApplication",
      "CreatePlatformEndpoint",
      "CreateSMSSandboxPhoneNumber",
      "DeleteEndpoint",
      "DeletePlatformApplication",
      "DeleteSMSSandboxPhoneNumber",
      "GetEndpointAttributes",
      "GetPlatformApplicationAttributes",
      "GetSMSAttributes",
      "GetSMSSandboxAccountStatus",
      "ListEndpointsByPlatformApplication",
      "ListOriginationNumbers",
      "ListPhoneNumbersOptedOut",
      "ListPlatformApplications",
      "ListSMSSandboxPhoneNumbers",
      "OptInPhoneNumber",
      "SetEndpointAttributes",
      "SetPlatformApplicationAttributes",
      "SetSMSAttributes",
      "VerifySMSSandboxPhoneNumber",
    ].map((operation) => [operation, { action: `sns:${operation}` }]),
  ),
};
