import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { describeParameters, getParametersByPath } from "./describe.js";
import { deleteParameter, deleteParameters, getParameter, getParameterHistory, getParameters } from "./get.js";
import {
  addTagsToResource,
  labelParameterVersion,
  listTagsForResource,
  removeTagsFromResource,
  unlabelParameterVersion,
} from "./labels.js";
import { putParameter } from "./put.js";

/** Parameter Store. SecureString values are encrypted through the KMS service. */
export default defineService({
  id: "ssm",
  authorization,
  operations: {
    PutParameter: putParameter,
    GetParameter: getParameter,
    GetParameters: getParameters,
    GetParametersByPath: getParametersByPath,
    GetParameterHistory: getParameterHistory,
    DeleteParameter: deleteParameter,
    DeleteParameters: deleteParameters,
    DescribeParameters: describeParameters,
    LabelParameterVersion: labelParameterVersion,
    UnlabelParameterVersion: unlabelParameterVersion,
    AddTagsToResource: addTagsToResource,
    RemoveTagsFromResource: removeTagsFromResource,
    ListTagsForResource: listTagsForResource,
  },
  validateEnums: true,
});
