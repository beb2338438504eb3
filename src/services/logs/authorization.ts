import type { AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import { regionalArn } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";

const groupArn = (i: OperationInput, ctx: RequestContext) =>
  typeof i.resourceArn === "string" ? i.resourceArn : regionalArn(ctx, "logs", `log-group:${i.logGroupName ?? i.logGroupIdentifier}`);

const onGroup = (action: string): OperationAuthorization => ({ action, resources: (i, ctx) => [groupArn(i, ctx)] });

/** Stream-level actions name the stream inside its group. */
const onStream = (action: string): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [`${groupArn(i, ctx)}:log-stream:${i.logStreamName}`],
});

/** Listing actions name every group of the account, in the form CloudWatch Logs reports them. */
const onAccount = (action: string): OperationAuthorization => ({
  action,
  resources: (_i, ctx) => [regionalArn(ctx, "logs", "log-group::log-stream:")],
});

export const authorization: AuthorizationTable = {
  CreateLogGroup: onGroup("logs:CreateLogGroup"),
  DeleteLogGroup: onGroup("logs:DeleteLogGroup"),
  DescribeLogGroups: onAccount("logs:DescribeLogGroups"),
  CreateLogStream: onGroup("logs:CreateLogStream"),
  DeleteLogStream: onStream("logs:DeleteLogStream"),
  DescribeLogStreams: onGroup("logs:DescribeLogStreams"),
  PutLogEvents: onStream("logs:PutLogEvents"),
  GetLogEvents: onStream("logs:GetLogEvents"),
  FilterLogEvents: onGroup("logs:FilterLogEvents"),
  PutRetentionPolicy: onGroup("logs:PutRetentionPolicy"),
  DeleteRetentionPolicy: onGroup("logs:DeleteRetentionPolicy"),
  TagLogGroup: onGroup("logs:TagLogGroup"),
  UntagLogGroup: onGroup("logs:UntagLogGroup"),
  ListTagsLogGroup: onGroup("logs:ListTagsLogGroup"),
  TagResource: onGroup("logs:TagResource"),
  UntagResource: onGroup("logs:UntagResource"),
  ListTagsForResource: onGroup("logs:ListTagsForResource"),
};
