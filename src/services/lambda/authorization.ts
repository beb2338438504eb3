import type { AuthorizationTable, OperationAuthorization, OperationInput } from "../../iam/declarations.js";
import type { RequestContext } from "../types.js";
import { functions } from "./functions.js";
import { functionPolicy } from "./permissions.js";

const FUNCTION_NAME =
  /^(?:arn:aws[a-zA-Z-]*:lambda:)?(?:([a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;

interface FunctionRef {
  account: string;
  region: string;
  name: string;
  qualifier?: string;
}

/** The function a request names (plain name, partial or full ARN, optional qualifier); the handler reports malformed names. */
function target(i: OperationInput, ctx: RequestContext): FunctionRef | undefined {
  const raw = i.FunctionName ?? i.Resource;
  const m = typeof raw === "string" ? FUNCTION_NAME.exec(raw) : null;
  if (!m) return undefined;
  return { region: m[1] ?? ctx.region, account: m[2] ?? ctx.account, name: m[3], qualifier: i.Qualifier ?? m[4] };
}

const arnOf = (f: FunctionRef, qualified: boolean) =>
  `arn:aws:lambda:${f.region}:${f.account}:function:${f.name}${qualified && f.qualifier ? `:${f.qualifier}` : ""}`;

/** Lambda authorizes against the function (qualified where the request names a version or alias) and its resource policy. */
const onFunction = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({
  action,
  resources: (i, ctx) => {
    const f = target(i, ctx);
    return [f ? arnOf(f, true) : "*"];
  },
  resourcePolicy: (i, ctx) => {
    const f = target(i, ctx);
    if (!f) return undefined;
    const policy = functionPolicy(ctx.runtime.storeFor(f.account, f.region), f.name, f.qualifier);
    return policy ? JSON.stringify(policy) : undefined;
  },
  resourceTags: (i, ctx) => {
    const f = target(i, ctx);
    return f ? functions({ store: ctx.runtime.storeFor(f.account, f.region) } as RequestContext).get(f.name)?.tags : undefined;
  },
  ...extra,
});

function functionArnKey(i: OperationInput, ctx: RequestContext) {
  const f = target(i, ctx);
  return { "lambda:functionarn": f ? arnOf(f, true) : undefined };
}

const onMapping = (action: string): OperationAuthorization => ({
  action,
  resources: (i, ctx) => [`arn:aws:lambda:${ctx.region}:${ctx.account}:event-source-mapping:${i.UUID}`],
  context: functionArnKey,
});

const urlAuthType = (i: OperationInput) => ({ "lambda:functionurlauthtype": i.AuthType });

/** Layers are named by name or ARN; version-level actions act on `…:layer:<name>:<version>`. */
const onLayer = (action: string, versioned = true): OperationAuthorization => ({
  action,
  resources: (i, ctx) => {
    if (typeof i.Arn === "string") return [i.Arn];
    const name = String(i.LayerName ?? "");
    const layer = name.startsWith("arn:") ? name : `arn:aws:lambda:${ctx.region}:${ctx.account}:layer:${name}`;
    return [versioned && i.VersionNumber !== undefined ? `${layer}:${i.VersionNumber}` : layer];
  },
});

/** Creating or reconfiguring a function with an execution role passes that role to Lambda. */
const passesRole = (i: OperationInput) => (typeof i.Role === "string" ? [{ action: "iam:PassRole", resources: [i.Role] }] : []);

export const authorization: AuthorizationTable = {
  CreateFunction: onFunction("lambda:CreateFunction", { also: passesRole }),
  GetFunction: onFunction("lambda:GetFunction"),
  GetFunctionConfiguration: onFunction("lambda:GetFunctionConfiguration"),
  UpdateFunctionCode: onFunction("lambda:UpdateFunctionCode"),
  UpdateFunctionConfiguration: onFunction("lambda:UpdateFunctionConfiguration", { also: passesRole }),
  DeleteFunction: onFunction("lambda:DeleteFunction"),
  ListFunctions: { action: "lambda:ListFunctions" },
  Invoke: onFunction("lambda:InvokeFunction"),
  // Not an API operation: requests to a function URL, authorized by the URL route (urls.ts).
  InvokeFunctionUrl: onFunction("lambda:InvokeFunctionUrl", {
    httpRoute: true,
    context: (i) => ({ "lambda:functionurlauthtype": i.AuthType as string | undefined }),
  }),
  PublishVersion: onFunction("lambda:PublishVersion"),
  ListVersionsByFunction: onFunction("lambda:ListVersionsByFunction"),
  CreateAlias: onFunction("lambda:CreateAlias"),
  GetAlias: onFunction("lambda:GetAlias"),
  UpdateAlias: onFunction("lambda:UpdateAlias"),
  DeleteAlias: onFunction("lambda:DeleteAlias"),
  ListAliases: onFunction("lambda:ListAliases"),
  TagResource: onFunction("lambda:TagResource"),
  UntagResource: onFunction("lambda:UntagResource"),
  ListTags: onFunction("lambda:ListTags"),
  AddPermission: onFunction("lambda:AddPermission"),
  RemovePermission: onFunction("lambda:RemovePermission"),
  GetPolicy: onFunction("lambda:GetPolicy"),
  PutFunctionEventInvokeConfig: onFunction("lambda:PutFunctionEventInvokeConfig"),
  UpdateFunctionEventInvokeConfig: onFunction("lambda:UpdateFunctionEventInvokeConfig"),
  GetFunctionEventInvokeConfig: onFunction("lambda:GetFunctionEventInvokeConfig"),
  DeleteFunctionEventInvokeConfig: onFunction("lambda:DeleteFunctionEventInvokeConfig"),
  ListFunctionEventInvokeConfigs: onFunction("lambda:ListFunctionEventInvokeConfigs"),
  // Mappings are authorized on their own ARN; creating and listing have no resource, only lambda:FunctionArn.
  CreateEventSourceMapping: { action: "lambda:CreateEventSourceMapping", context: functionArnKey },
  ListEventSourceMappings: { action: "lambda:ListEventSourceMappings", context: functionArnKey },
  GetEventSourceMapping: onMapping("lambda:GetEventSourceMapping"),
  UpdateEventSourceMapping: onMapping("lambda:UpdateEventSourceMapping"),
  DeleteEventSourceMapping: onMapping("lambda:DeleteEventSourceMapping"),
  PutFunctionConcurrency: onFunction("lambda:PutFunctionConcurrency"),
  GetFunctionConcurrency: onFunction("lambda:GetFunctionConcurrency"),
  DeleteFunctionConcurrency: onFunction("lambda:DeleteFunctionConcurrency"),
  CreateFunctionUrlConfig: onFunction("lambda:CreateFunctionUrlConfig", { context: urlAuthType }),
  UpdateFunctionUrlConfig: onFunction("lambda:UpdateFunctionUrlConfig", { context: urlAuthType }),
  GetFunctionUrlConfig: onFunction("lambda:GetFunctionUrlConfig"),
  DeleteFunctionUrlConfig: onFunction("lambda:DeleteFunctionUrlConfig"),
  ListFunctionUrlConfigs: onFunction("lambda:ListFunctionUrlConfigs"),
  PutProvisionedConcurrencyConfig: onFunction("lambda:PutProvisionedConcurrencyConfig"),
  GetProvisionedConcurrencyConfig: onFunction("lambda:GetProvisionedConcurrencyConfig"),
  DeleteProvisionedConcurrencyConfig: onFunction("lambda:DeleteProvisionedConcurrencyConfig"),
  ListProvisionedConcurrencyConfigs: onFunction("lambda:ListProvisionedConcurrencyConfigs"),
  GetAccountSettings: { action: "lambda:GetAccountSettings" },
  ListLayers: { action: "lambda:ListLayers" },
  ListLayerVersions: { action: "lambda:ListLayerVersions" },
  PublishLayerVersion: onLayer("lambda:PublishLayerVersion", false),
  GetLayerVersion: onLayer("lambda:GetLayerVersion"),
  GetLayerVersionByArn: onLayer("lambda:GetLayerVersion"),
  DeleteLayerVersion: onLayer("lambda:DeleteLayerVersion"),
  GetLayerVersionPolicy: onLayer("lambda:GetLayerVersionPolicy"),
  AddLayerVersionPermission: onLayer("lambda:AddLayerVersionPermission"),
  RemoveLayerVersionPermission: onLayer("lambda:RemoveLayerVersionPermission"),
};
