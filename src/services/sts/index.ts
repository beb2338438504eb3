import { defineService } from "../types.js";
import { stsValidationError } from "./errors.js";
import { getCallerIdentity } from "./identity.js";

export default defineService({
  id: "sts",
  operations: {
    GetCallerIdentity: getCallerIdentity,
  },
  validationError: stsValidationError,
});
