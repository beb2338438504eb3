import { defineService } from "../types.js";

/** No operation is implemented yet: every request gets the protocol's unknown-operation error. */
export default defineService({
  id: "dynamodbstreams",
  operations: {},
});
