import { defineService } from "../types.js";
import { createLogGroup, deleteLogGroup, describeLogGroups } from "./groups.js";

export default defineService({
  id: "logs",
  operations: {
    CreateLogGroup: createLogGroup,
    DeleteLogGroup: deleteLogGroup,
    DescribeLogGroups: describeLogGroups,
  },
  validateEnums: true,
});
