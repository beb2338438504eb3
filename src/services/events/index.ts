import { defineService } from "../types.js";
import { createArchive, deleteArchive, describeArchive, listArchives, updateArchive } from "./archives.js";
import { authorization } from "./authorization.js";
import { createEventBus, deleteEventBus, describeEventBus, listEventBuses, updateEventBus } from "./buses.js";
import {
  createApiDestination,
  deleteApiDestination,
  describeApiDestination,
  listApiDestinations,
  updateApiDestination,
} from "./api-destinations.js";
import {
  createConnection,
  deauthorizeConnection,
  deleteConnection,
  describeConnection,
  listConnections,
  updateConnection,
} from "./connections.js";
import { putPermission, removePermission } from "./permissions.js";
import { putEvents } from "./put-events.js";
import { cancelReplay, describeReplay, listReplays, startReplay } from "./replays.js";
import { deleteRule, describeRule, disableRule, enableRule, listRules, putRule, testEventPattern } from "./rules.js";
import { startBackgroundWork } from "./scheduler.js";
import { listTagsForResource, tagResource, untagResource } from "./tags.js";
import { listRuleNamesByTarget, listTargetsByRule, putTargets, removeTargets } from "./targets.js";

/** EventBridge: buses, rules matching events or firing on schedules, and delivery to their targets. */
export default defineService({
  id: "events",
  authorization,
  operations: {
    CreateEventBus: createEventBus,
    DeleteEventBus: deleteEventBus,
    DescribeEventBus: describeEventBus,
    UpdateEventBus: updateEventBus,
    ListEventBuses: listEventBuses,
    PutPermission: putPermission,
    RemovePermission: removePermission,
    PutRule: putRule,
    DescribeRule: describeRule,
    DeleteRule: deleteRule,
    EnableRule: enableRule,
    DisableRule: disableRule,
    ListRules: listRules,
    TestEventPattern: testEventPattern,
    PutTargets: putTargets,
    RemoveTargets: removeTargets,
    ListTargetsByRule: listTargetsByRule,
    ListRuleNamesByTarget: listRuleNamesByTarget,
    PutEvents: putEvents,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTagsForResource: listTagsForResource,
    CreateArchive: createArchive,
    DescribeArchive: describeArchive,
    UpdateArchive: updateArchive,
    DeleteArchive: deleteArchive,
    ListArchives: listArchives,
    StartReplay: startReplay,
    DescribeReplay: describeReplay,
    CancelReplay: cancelReplay,
    ListReplays: listReplays,
    CreateConnection: createConnection,
    DescribeConnection: describeConnection,
    UpdateConnection: updateConnection,
    DeauthorizeConnection: deauthorizeConnection,
    DeleteConnection: deleteConnection,
    ListConnections: listConnections,
    CreateApiDestination: createApiDestination,
    DescribeApiDestination: describeApiDestination,
    UpdateApiDestination: updateApiDestination,
    DeleteApiDestination: deleteApiDestination,
    ListApiDestinations: listApiDestinations,
  },
  validateEnums: true,
  // Scheduled rules, archives and replays live in state: background work finds them wherever they are, also after a restart.
  start: startBackgroundWork,
});
