import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RemoveRegionsFromReplicationCommand,
  ReplicateSecretToRegionsCommand,
  SecretsManagerClient,
  StopReplicationToReplicaCommand,
  UpdateSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer();
const sm = (region = "us-east-1") => new SecretsManagerClient(server.clientConfig(region));

test("a replica answers in its region with the primary's current value, and refuses changes", async () => {
  const created = await sm().send(
    new CreateSecretCommand({ Name: "shared/db", SecretString: "v1", AddReplicaRegions: [{ Region: "eu-west-1" }] }),
  );
  assert.deepEqual(created.ReplicationStatus, [{ Region: "eu-west-1", KmsKeyId: "alias/aws/secretsmanager", Status: "InSync" }]);
  const replicaArn = created.ARN?.replace(":us-east-1:", ":eu-west-1:");
  const read = await sm("eu-west-1").send(new GetSecretValueCommand({ SecretId: "shared/db" }));
  assert.equal(read.SecretString, "v1");
  assert.equal(read.ARN, replicaArn);
  await sm().send(new PutSecretValueCommand({ SecretId: "shared/db", SecretString: "v2" }));
  await sm().send(new UpdateSecretCommand({ SecretId: "shared/db", Description: "db password" }));
  const synced = await sm("eu-west-1").send(new DescribeSecretCommand({ SecretId: replicaArn }));
  assert.equal(synced.PrimaryRegion, "us-east-1");
  assert.equal(synced.Description, "db password");
  assert.equal((await sm("eu-west-1").send(new GetSecretValueCommand({ SecretId: "shared/db" }))).SecretString, "v2");
  const previous = await sm("eu-west-1").send(new GetSecretValueCommand({ SecretId: "shared/db", VersionStage: "AWSPREVIOUS" }));
  assert.equal(previous.SecretString, "v1");
  const primary = await sm().send(new DescribeSecretCommand({ SecretId: "shared/db" }));
  assert.equal(primary.PrimaryRegion, "us-east-1");
  assert.equal(primary.ReplicationStatus?.[0].Region, "eu-west-1");
  const listed = await sm("eu-west-1").send(new ListSecretsCommand({}));
  assert.deepEqual(
    listed.SecretList?.map((s) => s.Name),
    ["shared/db"],
  );

  const refused = await rejectsWith(
    sm("eu-west-1").send(new PutSecretValueCommand({ SecretId: "shared/db", SecretString: "local" })),
    "InvalidRequestException",
    400,
  );
  assert.match(refused.message, /replica secret/);
  const undeletable = await rejectsWith(sm().send(new DeleteSecretCommand({ SecretId: "shared/db" })), "InvalidRequestException", 400);
  assert.match(undeletable.message, /replica regions/);
});

test("StopReplicationToReplica makes the replica a standalone secret; RemoveRegionsFromReplication deletes replicas", async () => {
  const { ARN } = await sm().send(new CreateSecretCommand({ Name: "promote-me", SecretString: "p1" }));
  const replicated = await sm().send(
    new ReplicateSecretToRegionsCommand({ SecretId: ARN, AddReplicaRegions: [{ Region: "us-west-2" }, { Region: "ap-south-1" }] }),
  );
  assert.deepEqual(
    replicated.ReplicationStatus?.map((r) => [r.Region, r.Status]),
    [
      ["us-west-2", "InSync"],
      ["ap-south-1", "InSync"],
    ],
  );
  const stopped = await sm("us-west-2").send(new StopReplicationToReplicaCommand({ SecretId: "promote-me" }));
  assert.equal(stopped.ARN, ARN?.replace(":us-east-1:", ":us-west-2:"));
  await sm("us-west-2").send(new PutSecretValueCommand({ SecretId: "promote-me", SecretString: "west" }));
  assert.equal((await sm("us-west-2").send(new GetSecretValueCommand({ SecretId: "promote-me" }))).SecretString, "west");
  assert.equal((await sm().send(new GetSecretValueCommand({ SecretId: "promote-me" }))).SecretString, "p1");
  const primary = await sm().send(new DescribeSecretCommand({ SecretId: "promote-me" }));
  assert.deepEqual(
    primary.ReplicationStatus?.map((r) => r.Region),
    ["ap-south-1"],
  );
  const standalone = await sm("us-west-2").send(new DescribeSecretCommand({ SecretId: "promote-me" }));
  assert.equal(standalone.PrimaryRegion, undefined);

  const removed = await sm().send(
    new RemoveRegionsFromReplicationCommand({ SecretId: "promote-me", RemoveReplicaRegions: ["ap-south-1"] }),
  );
  assert.deepEqual(removed.ReplicationStatus, []);
  await rejectsWith(sm("ap-south-1").send(new GetSecretValueCommand({ SecretId: "promote-me" })), "ResourceNotFoundException", 400);
  await rejectsWith(
    sm().send(new RemoveRegionsFromReplicationCommand({ SecretId: "promote-me", RemoveReplicaRegions: ["ap-south-1"] })),
    "InvalidParameterException",
    400,
  );
  await rejectsWith(sm().send(new StopReplicationToReplicaCommand({ SecretId: "promote-me" })), "InvalidRequestException", 400);
});

test("replication to a region where the name is taken fails unless forced; bad regions are refused", async () => {
  await sm("eu-central-1").send(new CreateSecretCommand({ Name: "taken", SecretString: "theirs" }));
  const { ARN } = await sm().send(new CreateSecretCommand({ Name: "taken", SecretString: "ours" }));
  const failed = await sm().send(new ReplicateSecretToRegionsCommand({ SecretId: ARN, AddReplicaRegions: [{ Region: "eu-central-1" }] }));
  assert.equal(failed.ReplicationStatus?.[0].Status, "Failed");
  assert.match(failed.ReplicationStatus?.[0].StatusMessage ?? "", /already exists/);
  assert.equal((await sm("eu-central-1").send(new GetSecretValueCommand({ SecretId: "taken" }))).SecretString, "theirs");
  const forced = await sm().send(
    new ReplicateSecretToRegionsCommand({
      SecretId: ARN,
      AddReplicaRegions: [{ Region: "eu-central-1" }],
      ForceOverwriteReplicaSecret: true,
    }),
  );
  assert.equal(forced.ReplicationStatus?.[0].Status, "InSync");
  assert.equal((await sm("eu-central-1").send(new GetSecretValueCommand({ SecretId: "taken" }))).SecretString, "ours");
  for (const Region of ["us-east-1", "mars-1"]) {
    await rejectsWith(
      sm().send(new ReplicateSecretToRegionsCommand({ SecretId: ARN, AddReplicaRegions: [{ Region }] })),
      "InvalidParameterException",
      400,
    );
  }
  const badKey = await sm().send(
    new ReplicateSecretToRegionsCommand({ SecretId: ARN, AddReplicaRegions: [{ Region: "sa-east-1", KmsKeyId: "alias/missing" }] }),
  );
  assert.equal(badKey.ReplicationStatus?.find((r) => r.Region === "sa-east-1")?.Status, "Failed");
});
