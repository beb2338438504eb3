import type { AuthorizationTable } from "../../iam/declarations.js";

/** Describe actions have no resource type: IAM checks them against "*". */
export const authorization: AuthorizationTable = {
  DescribeAvailabilityZones: { action: "ec2:DescribeAvailabilityZones" },
  DescribeRegions: { action: "ec2:DescribeRegions" },
};
