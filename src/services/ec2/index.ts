import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { describeAvailabilityZones, describeRegions } from "./describe.js";
import { ec2ValidationError } from "./errors.js";

export default defineService({
  id: "ec2",
  authorization,
  operations: {
    DescribeAvailabilityZones: describeAvailabilityZones,
    DescribeRegions: describeRegions,
  },
  validationError: ec2ValidationError,
});
