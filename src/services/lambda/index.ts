import { defineService } from "../types.js";
import { lambdaSerializationError } from "./errors.js";
import { listFunctions } from "./functions.js";

export default defineService({
  id: "lambda",
  operations: {
    ListFunctions: listFunctions,
  },
  validateEnums: true,
  serializationError: lambdaSerializationError,
});
