import type { AuthorizationTable } from "../../iam/declarations.js";

export const authorization: AuthorizationTable = {
  // AWS requires no permission to ask who you are, nor to get a session token for yourself.
  GetCallerIdentity: { action: "sts:GetCallerIdentity", exempt: "public" },
  GetSessionToken: { action: "sts:GetSessionToken", exempt: "public" },
  // AssumeRole evaluates the role's trust policy together with the caller's identity policies itself (sessions.ts).
  AssumeRole: { action: "sts:AssumeRole", resources: (i) => [String(i.RoleArn)], exempt: "handler" },
  GetAccessKeyInfo: { action: "sts:GetAccessKeyInfo" },
  // Web identity and SAML callers are not AWS principals: the role's trust policy alone decides, in the handler (federation.ts).
  AssumeRoleWithWebIdentity: { action: "sts:AssumeRoleWithWebIdentity", resources: (i) => [String(i.RoleArn)], exempt: "handler" },
  AssumeRoleWithSAML: { action: "sts:AssumeRoleWithSAML", resources: (i) => [String(i.RoleArn)], exempt: "handler" },
  GetFederationToken: {
    action: "sts:GetFederationToken",
    resources: (i, ctx) => [`arn:aws:sts::${ctx.account}:federated-user/${String(i.Name)}`],
  },
  DecodeAuthorizationMessage: { action: "sts:DecodeAuthorizationMessage" },
};
