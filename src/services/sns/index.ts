import { defineService } from "../types.js";
import { snsInspectionRoute } from "./inspection.js";
import { snsValidationError } from "./errors.js";
import { publish, publishBatch } from "./publish.js";
import {
  confirmSubscription,
  getSubscriptionAttributes,
  listSubscriptions,
  listSubscriptionsByTopic,
  setSubscriptionAttributes,
  subscribe,
  unsubscribe,
} from "./subscriptions.js";
import {
  createTopic,
  deleteTopic,
  getDataProtectionPolicy,
  getTopicAttributes,
  listTagsForResource,
  listTopics,
  putDataProtectionPolicy,
  setTopicAttributes,
  tagResource,
  untagResource,
} from "./topics.js";

export default defineService({
  id: "sns",
  operations: {
    CreateTopic: createTopic,
    DeleteTopic: deleteTopic,
    ListTopics: listTopics,
    GetTopicAttributes: getTopicAttributes,
    SetTopicAttributes: setTopicAttributes,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTagsForResource: listTagsForResource,
    PutDataProtectionPolicy: putDataProtectionPolicy,
    GetDataProtectionPolicy: getDataProtectionPolicy,
    Subscribe: subscribe,
    Unsubscribe: unsubscribe,
    ConfirmSubscription: confirmSubscription,
    ListSubscriptions: listSubscriptions,
    ListSubscriptionsByTopic: listSubscriptionsByTopic,
    GetSubscriptionAttributes: getSubscriptionAttributes,
    SetSubscriptionAttributes: setSubscriptionAttributes,
    Publish: publish,
    PublishBatch: publishBatch,
  },
  validationError: snsValidationError,
  httpRoute: (req, ctx) => (req.path.startsWith("/_overcast/sns/") ? snsInspectionRoute(req, ctx.runtime.state) : undefined),
});
