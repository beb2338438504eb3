import type { AuthorizationTable, OperationAuthorization } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { parameterArn, parameters } from "./store.js";

/** A parameter's ARN from its name (`/a/b`, `name:3`, `name:label`) or an ARN, which is kept as given. */
function arnOf(name: unknown, ctx: RequestContext): string {
  const text = String(name ?? "");
  if (text.startsWith("arn:")) return text.replace(/(:parameter\/[^:]*):[^:]*$/, "$1");
  return parameterArn(ctx, text.replace(/:[^/:]*$/, ""));
}

const onParameter = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [arnOf(i.Name ?? i.Path ?? i.ResourceId, ctx)],
  resourceTags: (i, ctx) => {
    const name = String(i.Name ?? i.ResourceId ?? "");
    return Object.fromEntries((parameters(ctx).get(name)?.tags ?? []).map((t) => [t.Key, t.Value]));
  },
  ...extra,
});

/** Operations on several parameters need the action on each. */
const onParameters = (action: string): OperationAuthorization =>
  onParameter(action, { resources: (i, ctx) => ((i.Names ?? []) as string[]).map((n) => arnOf(n, ctx)) });

export const authorization: AuthorizationTable = {
  PutParameter: onParameter("ssm:PutParameter"),
  GetParameter: onParameter("ssm:GetParameter"),
  GetParameters: onParameters("ssm:GetParameters"),
  GetParametersByPath: onParameter("ssm:GetParametersByPath"),
  GetParameterHistory: onParameter("ssm:GetParameterHistory"),
  DeleteParameter: onParameter("ssm:DeleteParameter"),
  DeleteParameters: onParameters("ssm:DeleteParameters"),
  DescribeParameters: { action: "ssm:DescribeParameters" },
  LabelParameterVersion: onParameter("ssm:LabelParameterVersion"),
  UnlabelParameterVersion: onParameter("ssm:UnlabelParameterVersion"),
  AddTagsToResource: onParameter("ssm:AddTagsToResource"),
  RemoveTagsFromResource: onParameter("ssm:RemoveTagsFromResource"),
  ListTagsForResource: onParameter("ssm:ListTagsForResource"),
};
