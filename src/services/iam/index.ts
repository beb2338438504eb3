import { checkingConstraints, IAM_RULES } from "../../iam/constraints.js";
import { stsValidationError } from "../sts/errors.js";
import { defineService } from "../types.js";
import * as account from "./account.js";
import { GROUP, holderOperations, ROLE, USER } from "./holders.js";
import { getAccountAuthorizationDetails } from "./details.js";
import * as login from "./login.js";
import * as policies from "./policies.js";
import * as roles from "./roles.js";
import { simulateCustomPolicy, simulatePrincipalPolicy } from "./simulate.js";
import * as users from "./users.js";

/** IAM: users, groups, roles, policies and keys of each account; global (one state per account). */
export default defineService({
  id: "iam",
  operations: checkingConstraints(
    {
      CreateUser: users.createUser,
      GetUser: users.getUser,
      UpdateUser: users.updateUser,
      DeleteUser: users.deleteUser,
      ListUsers: users.listUsers,
      TagUser: users.tagUser,
      UntagUser: users.untagUser,
      ListUserTags: users.listUserTags,
      PutUserPermissionsBoundary: users.putUserPermissionsBoundary,
      DeleteUserPermissionsBoundary: users.deleteUserPermissionsBoundary,
      CreateGroup: users.createGroup,
      GetGroup: users.getGroup,
      DeleteGroup: users.deleteGroup,
      ListGroups: users.listGroups,
      AddUserToGroup: users.addUserToGroup,
      RemoveUserFromGroup: users.removeUserFromGroup,
      ListGroupsForUser: users.listGroupsForUser,
      CreateRole: roles.createRole,
      GetRole: roles.getRole,
      UpdateRole: roles.updateRole,
      UpdateAssumeRolePolicy: roles.updateAssumeRolePolicy,
      DeleteRole: roles.deleteRole,
      ListRoles: roles.listRoles,
      TagRole: roles.tagRole,
      UntagRole: roles.untagRole,
      ListRoleTags: roles.listRoleTags,
      PutRolePermissionsBoundary: roles.putRolePermissionsBoundary,
      DeleteRolePermissionsBoundary: roles.deleteRolePermissionsBoundary,
      CreateInstanceProfile: roles.createInstanceProfile,
      GetInstanceProfile: roles.getInstanceProfile,
      DeleteInstanceProfile: roles.deleteInstanceProfile,
      ListInstanceProfiles: roles.listInstanceProfiles,
      ListInstanceProfilesForRole: roles.listInstanceProfilesForRole,
      AddRoleToInstanceProfile: roles.addRoleToInstanceProfile,
      RemoveRoleFromInstanceProfile: roles.removeRoleFromInstanceProfile,
      CreatePolicy: policies.createPolicy,
      GetPolicy: policies.getPolicy,
      DeletePolicy: policies.deletePolicy,
      ListPolicies: policies.listPolicies,
      CreatePolicyVersion: policies.createPolicyVersion,
      GetPolicyVersion: policies.getPolicyVersion,
      ListPolicyVersions: policies.listPolicyVersions,
      DeletePolicyVersion: policies.deletePolicyVersion,
      SetDefaultPolicyVersion: policies.setDefaultPolicyVersion,
      ListEntitiesForPolicy: policies.listEntitiesForPolicy,
      TagPolicy: policies.tagPolicy,
      UntagPolicy: policies.untagPolicy,
      ListPolicyTags: policies.listPolicyTags,
      ...holderOperations(USER, "User"),
      ...holderOperations(GROUP, "Group"),
      ...holderOperations(ROLE, "Role"),
      CreateAccessKey: account.createAccessKey,
      UpdateAccessKey: account.updateAccessKey,
      DeleteAccessKey: account.deleteAccessKey,
      ListAccessKeys: account.listAccessKeys,
      GetAccessKeyLastUsed: account.getAccessKeyLastUsed,
      GetAccountSummary: account.getAccountSummary,
      CreateAccountAlias: account.createAccountAlias,
      DeleteAccountAlias: account.deleteAccountAlias,
      ListAccountAliases: account.listAccountAliases,
      CreateLoginProfile: login.createLoginProfile,
      GetLoginProfile: login.getLoginProfile,
      UpdateLoginProfile: login.updateLoginProfile,
      DeleteLoginProfile: login.deleteLoginProfile,
      ChangePassword: login.changePassword,
      UpdateAccountPasswordPolicy: login.updateAccountPasswordPolicy,
      GetAccountPasswordPolicy: login.getAccountPasswordPolicy,
      DeleteAccountPasswordPolicy: login.deleteAccountPasswordPolicy,
      GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
      SimulatePrincipalPolicy: simulatePrincipalPolicy,
      SimulateCustomPolicy: simulateCustomPolicy,
    },
    IAM_RULES,
  ),
  // IAM words failed constraints like STS, under the ValidationError code.
  validationError: stsValidationError,
});
