import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { filterLogEvents, getLogEvents, putLogEvents } from "./events.js";
import { createLogGroup, deleteLogGroup, describeLogGroups } from "./groups.js";
import {
  deleteRetentionPolicy,
  listTagsForResource,
  listTagsLogGroup,
  putRetentionPolicy,
  tagLogGroup,
  tagResource,
  untagLogGroup,
  untagResource,
} from "./settings.js";
import { createLogStream, deleteLogStream, describeLogStreams } from "./streams.js";

export default defineService({
  id: "logs",
  authorization,
  operations: {
    CreateLogGroup: createLogGroup,
    DeleteLogGroup: deleteLogGroup,
    DescribeLogGroups: describeLogGroups,
    CreateLogStream: createLogStream,
    DeleteLogStream: deleteLogStream,
    DescribeLogStreams: describeLogStreams,
    PutLogEvents: putLogEvents,
    GetLogEvents: getLogEvents,
    FilterLogEvents: filterLogEvents,
    PutRetentionPolicy: putRetentionPolicy,
    DeleteRetentionPolicy: deleteRetentionPolicy,
    TagLogGroup: tagLogGroup,
    UntagLogGroup: untagLogGroup,
    ListTagsLogGroup: listTagsLogGroup,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTagsForResource: listTagsForResource,
  },
  validateEnums: true,
});
