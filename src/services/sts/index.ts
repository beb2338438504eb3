import { authorization } from "./authorization.js";
import { checkingConstraints, STS_RULES } from "../../iam/constraints.js";
import { defineService } from "../types.js";
import { stsValidationError } from "./errors.js";
import { assumeRoleWithSAML, assumeRoleWithWebIdentity, decodeAuthorizationMessageRequest, getFederationToken } from "./federation.js";
import { getCallerIdentity } from "./identity.js";
import { assumeRole, getAccessKeyInfo, getSessionToken } from "./sessions.js";

export default defineService({
  id: "sts",
  authorization,
  operations: checkingConstraints(
    {
      GetCallerIdentity: getCallerIdentity,
      AssumeRole: assumeRole,
      GetSessionToken: getSessionToken,
      GetAccessKeyInfo: getAccessKeyInfo,
      AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
      AssumeRoleWithSAML: assumeRoleWithSAML,
      GetFederationToken: getFederationToken,
      DecodeAuthorizationMessage: decodeAuthorizationMessageRequest,
    },
    STS_RULES,
  ),
  validationError: stsValidationError,
});
