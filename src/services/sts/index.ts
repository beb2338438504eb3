import { checkingConstraints, STS_RULES } from "../../iam/constraints.js";
import { defineService } from "../types.js";
import { stsValidationError } from "./errors.js";
import { getCallerIdentity } from "./identity.js";
import { assumeRole, getAccessKeyInfo, getSessionToken } from "./sessions.js";

export default defineService({
  id: "sts",
  operations: checkingConstraints(
    {
      GetCallerIdentity: getCallerIdentity,
      AssumeRole: assumeRole,
      GetSessionToken: getSessionToken,
      GetAccessKeyInfo: getAccessKeyInfo,
    },
    STS_RULES,
  ),
  validationError: stsValidationError,
});
