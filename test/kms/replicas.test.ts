import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UpdatePrimaryRegionCommand,
} from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";
import { createKey, DAY_MS, kmsClient, withClockShift } from "./support.js";

const server = useServer();
const ACCOUNT = "000000000000";

test("ReplicateKey copies a multi-region key; ciphertexts decrypt in either region and rotation is shared", async () => {
  const east = kmsClient(server, "us-east-1");
  const west = kmsClient(server, "eu-west-1");
  const keyId = await createKey(east, { MultiRegion: true, Description: "primary" });
  const fromEast = await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("east"), EncryptionContext: { r: "1" } }));

  const out = await east.send(
    new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "eu-west-1", Description: "replica", Tags: [{ TagKey: "k", TagValue: "v" }] }),
  );
  const replicaArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${keyId}`;
  assert.equal(out.ReplicaKeyMetadata?.Arn, replicaArn);
  assert.equal(out.ReplicaKeyMetadata?.Description, "replica");
  assert.equal(out.ReplicaKeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType, "REPLICA");
  assert.deepEqual(out.ReplicaTags, [{ TagKey: "k", TagValue: "v" }]);
  assert.equal(JSON.parse(out.ReplicaPolicy as string).Statement[0].Action, "kms:*");

  const primary = await east.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.deepEqual(primary.KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys, [{ Arn: replicaArn, Region: "eu-west-1" }]);
  const replica = await west.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(replica.KeyMetadata?.MultiRegionConfiguration?.PrimaryKey?.Region, "us-east-1");
  assert.equal(replica.KeyMetadata?.CurrentKeyMaterialId, primary.KeyMetadata?.CurrentKeyMaterialId);

  const inWest = await west.send(new DecryptCommand({ CiphertextBlob: fromEast.CiphertextBlob, EncryptionContext: { r: "1" } }));
  assert.equal(Buffer.from(inWest.Plaintext as Uint8Array).toString(), "east");
  assert.equal(inWest.KeyId, replicaArn);
  const fromWest = await west.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("west") }));
  const inEast = await east.send(new DecryptCommand({ CiphertextBlob: fromWest.CiphertextBlob }));
  assert.equal(Buffer.from(inEast.Plaintext as Uint8Array).toString(), "west");

  await east.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
  const rotated = await east.send(new DescribeKeyCommand({ KeyId: keyId }));
  const after = await west.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(after.KeyMetadata?.CurrentKeyMaterialId, rotated.KeyMetadata?.CurrentKeyMaterialId);
  assert.notEqual(after.KeyMetadata?.CurrentKeyMaterialId, primary.KeyMetadata?.CurrentKeyMaterialId);
  await rejectsWith(west.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "UnsupportedOperationException", 400);
});

test("ReplicateKey refuses single-region keys, replicas, duplicates; a primary with replicas cannot be deleted", async () => {
  const east = kmsClient(server, "us-east-1");
  const west = kmsClient(server, "us-west-1");
  const single = await createKey(east);
  await rejectsWith(
    east.send(new ReplicateKeyCommand({ KeyId: single, ReplicaRegion: "us-west-1" })),
    "UnsupportedOperationException",
    400,
  );
  const keyId = await createKey(east, { MultiRegion: true });
  await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-west-1" }));
  await rejectsWith(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-west-1" })), "AlreadyExistsException", 400);
  await rejectsWith(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-east-1" })), "AlreadyExistsException", 400);
  await rejectsWith(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "mars" })), "ValidationException", 400);
  await rejectsWith(
    west.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "eu-north-1" })),
    "UnsupportedOperationException",
    400,
  );
  await rejectsWith(east.send(new ScheduleKeyDeletionCommand({ KeyId: keyId })), "UnsupportedOperationException", 400);

  await west.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  await withClockShift(8 * DAY_MS, async () => {
    await rejectsWith(west.send(new DescribeKeyCommand({ KeyId: keyId })), "NotFoundException", 400);
    const primary = await east.send(new DescribeKeyCommand({ KeyId: keyId }));
    assert.deepEqual(primary.KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys, []);
    await east.send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
  });
});

test("UpdatePrimaryRegion makes a replica the primary; rotation then happens there", async () => {
  const east = kmsClient(server, "us-east-2");
  const west = kmsClient(server, "ca-central-1");
  const keyId = await createKey(east, { MultiRegion: true });
  await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "ca-central-1" }));
  await rejectsWith(east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: "ap-east-1" })), "NotFoundException", 400);
  await rejectsWith(
    west.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: "us-east-2" })),
    "UnsupportedOperationException",
    400,
  );
  await east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: "ca-central-1" }));
  const newPrimary = await west.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(newPrimary.KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType, "PRIMARY");
  assert.deepEqual(
    newPrimary.KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region),
    ["us-east-2"],
  );
  const oldPrimary = await east.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(oldPrimary.KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType, "REPLICA");
  await rejectsWith(east.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "UnsupportedOperationException", 400);
  await west.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
  const after = await east.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.notEqual(after.KeyMetadata?.CurrentKeyMaterialId, oldPrimary.KeyMetadata?.CurrentKeyMaterialId);
});
