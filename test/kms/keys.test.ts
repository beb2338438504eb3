import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateKeyDescriptionCommand,
} from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";
import { createKey, DAY_MS, kmsClient, withClockShift } from "./support.js";

const server = useServer();
const kms = (region?: string) => kmsClient(server, region);
const ACCOUNT = "000000000000";

test("CreateKey makes a symmetric encryption key with AWS's default metadata and policy", async () => {
  const { KeyMetadata: m } = await kms().send(new CreateKeyCommand({ Description: "orders", Tags: [{ TagKey: "team", TagValue: "a" }] }));
  assert.match(m?.KeyId as string, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(m?.Arn, `arn:aws:kms:us-east-1:${ACCOUNT}:key/${m?.KeyId}`);
  assert.equal(m?.AWSAccountId, ACCOUNT);
  assert.equal(m?.Description, "orders");
  assert.equal(m?.Enabled, true);
  assert.equal(m?.KeyState, "Enabled");
  assert.equal(m?.KeyUsage, "ENCRYPT_DECRYPT");
  assert.equal(m?.KeySpec, "SYMMETRIC_DEFAULT");
  assert.equal(m?.CustomerMasterKeySpec, "SYMMETRIC_DEFAULT");
  assert.equal(m?.Origin, "AWS_KMS");
  assert.equal(m?.KeyManager, "CUSTOMER");
  assert.equal(m?.MultiRegion, false);
  assert.deepEqual(m?.EncryptionAlgorithms, ["SYMMETRIC_DEFAULT"]);
  assert.match(m?.CurrentKeyMaterialId as string, /^[0-9a-f]{64}$/);
  assert.ok(m?.CreationDate instanceof Date && Math.abs(m.CreationDate.getTime() - Date.now()) < 60_000);
  const { Policy } = await kms().send(new GetKeyPolicyCommand({ KeyId: m?.KeyId }));
  const policy = JSON.parse(Policy as string);
  assert.equal(policy.Statement[0].Principal.AWS, `arn:aws:iam::${ACCOUNT}:root`);
  assert.equal(policy.Statement[0].Action, "kms:*");
  const { Tags } = await kms().send(new ListResourceTagsCommand({ KeyId: m?.KeyId }));
  assert.deepEqual(Tags, [{ TagKey: "team", TagValue: "a" }]);
});

test("CreateKey checks key usage against the key spec", async () => {
  const client = kms();
  const hmac = await rejectsWith(client.send(new CreateKeyCommand({ KeySpec: "HMAC_256" })), "ValidationException", 400);
  assert.match(hmac.message, /ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256/);
  await rejectsWith(
    client.send(new CreateKeyCommand({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "SIGN_VERIFY" })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    client.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "ENCRYPT_DECRYPT" })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    client.send(new CreateKeyCommand({ KeySpec: "ECC_SECG_P256K1", KeyUsage: "KEY_AGREEMENT" })),
    "ValidationException",
    400,
  );
  await rejectsWith(client.send(new CreateKeyCommand({ KeySpec: "BOGUS" as never })), "ValidationException", 400);
  await rejectsWith(
    client.send(new CreateKeyCommand({ KeySpec: "RSA_2048", CustomerMasterKeySpec: "RSA_2048" })),
    "ValidationException",
    400,
  );
  await rejectsWith(client.send(new CreateKeyCommand({ Policy: "not json" })), "MalformedPolicyDocumentException", 400);
  await rejectsWith(
    client.send(new CreateKeyCommand({ CustomKeyStoreId: "cks-1234567890abcdef0" })),
    "CustomKeyStoreNotFoundException",
    400,
  );
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: "RSA_4096", KeyUsage: "SIGN_VERIFY" }));
  assert.equal(KeyMetadata?.SigningAlgorithms?.length, 6);
  assert.equal(KeyMetadata?.EncryptionAlgorithms, undefined);
  assert.equal(KeyMetadata?.CurrentKeyMaterialId, undefined);
  const legacy = await client.send(new CreateKeyCommand({ CustomerMasterKeySpec: "ECC_NIST_P384", KeyUsage: "SIGN_VERIFY" }));
  assert.deepEqual(legacy.KeyMetadata?.SigningAlgorithms, ["ECDSA_SHA_384"]);
});

test("multi-region keys have mrk- ids and a primary configuration", async () => {
  const { KeyMetadata: m } = await kms().send(new CreateKeyCommand({ MultiRegion: true }));
  assert.match(m?.KeyId as string, /^mrk-[0-9a-f]{32}$/);
  assert.equal(m?.MultiRegion, true);
  assert.equal(m?.MultiRegionConfiguration?.MultiRegionKeyType, "PRIMARY");
  assert.deepEqual(m?.MultiRegionConfiguration?.PrimaryKey, { Arn: m?.Arn, Region: "us-east-1" });
  assert.deepEqual(m?.MultiRegionConfiguration?.ReplicaKeys, []);
});

test("DescribeKey finds a key by id, ARN, alias name and alias ARN; unknown ids are NotFound", async () => {
  const client = kms();
  const keyId = await createKey(client);
  await client.send(new CreateAliasCommand({ AliasName: "alias/describe-me", TargetKeyId: keyId }));
  const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`;
  for (const id of [keyId, arn, "alias/describe-me", `arn:aws:kms:us-east-1:${ACCOUNT}:alias/describe-me`]) {
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: id }));
    assert.equal(KeyMetadata?.KeyId, keyId, id);
  }
  const missing = "11111111-2222-3333-4444-555555555555";
  const err = await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: missing })), "NotFoundException", 400);
  assert.equal(err.message, `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${missing}' does not exist`);
  const alias = await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: "alias/nope" })), "NotFoundException", 400);
  assert.equal(alias.message, `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/nope is not found.`);
  const invalid = await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: "garbage" })), "NotFoundException", 400);
  assert.equal(invalid.message, "Invalid keyId garbage");
  await rejectsWith(kms("eu-west-1").send(new DescribeKeyCommand({ KeyId: keyId })), "NotFoundException", 400);
});

test("ListKeys pages with Limit and Marker", async () => {
  const client = kms("ap-southeast-2");
  const ids = new Set<string>();
  for (let i = 0; i < 5; i++) ids.add(await createKey(client));
  const seen: string[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
    assert.ok((page.Keys?.length ?? 0) <= 2);
    for (const k of page.Keys ?? []) {
      assert.equal(k.KeyArn, `arn:aws:kms:ap-southeast-2:${ACCOUNT}:key/${k.KeyId}`);
      seen.push(k.KeyId as string);
    }
    assert.equal(page.Truncated, page.NextMarker !== undefined);
    marker = page.NextMarker;
  } while (marker);
  assert.deepEqual(new Set(seen), ids);
  assert.equal(seen.length, 5);
  await rejectsWith(client.send(new ListKeysCommand({ Limit: 0 })), "ValidationException", 400);
  await rejectsWith(client.send(new ListKeysCommand({ Marker: "!!" })), "InvalidMarkerException", 400);
});

test("disabled keys refuse cryptography with DisabledException until enabled again", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`;
  await client.send(new DisableKeyCommand({ KeyId: keyId }));
  const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(KeyMetadata?.KeyState, "Disabled");
  assert.equal(KeyMetadata?.Enabled, false);
  const err = await rejectsWith(client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })), "DisabledException", 400);
  assert.equal(err.message, `${arn} is disabled.`);
  await client.send(new EnableKeyCommand({ KeyId: keyId }));
  await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));
});

test("ScheduleKeyDeletion: 7–30 days, PendingDeletion blocks use, CancelKeyDeletion leaves the key disabled", async () => {
  const client = kms();
  const keyId = await createKey(client);
  const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`;
  for (const days of [6, 31]) {
    const err = await rejectsWith(
      client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days })),
      "ValidationException",
      400,
    );
    assert.match(err.message, /pendingWindowInDays/);
  }
  const before = Date.now();
  const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  assert.equal(out.KeyId, arn);
  assert.equal(out.KeyState, "PendingDeletion");
  assert.equal(out.PendingWindowInDays, 7);
  const delta = (out.DeletionDate as Date).getTime() - before;
  assert.ok(delta >= 7 * DAY_MS - 2000 && delta <= 7 * DAY_MS + 60_000);
  const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(KeyMetadata?.KeyState, "PendingDeletion");
  assert.equal(KeyMetadata?.PendingDeletionWindowInDays, 7);
  const use = await rejectsWith(
    client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })),
    "KMSInvalidStateException",
    400,
  );
  assert.equal(use.message, `${arn} is pending deletion.`);
  await rejectsWith(client.send(new EnableKeyCommand({ KeyId: keyId })), "KMSInvalidStateException", 400);
  await rejectsWith(client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId })), "KMSInvalidStateException", 400);
  const cancelled = await client.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
  assert.equal(cancelled.KeyId, arn);
  const after = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  assert.equal(after.KeyMetadata?.KeyState, "Disabled");
  assert.equal(after.KeyMetadata?.DeletionDate, undefined);
  await rejectsWith(client.send(new CancelKeyDeletionCommand({ KeyId: keyId })), "KMSInvalidStateException", 400);
});

test("a key is gone once its deletion date passes", async () => {
  const client = kms("eu-central-1");
  const keyId = await createKey(client);
  await client.send(new CreateAliasCommand({ AliasName: "alias/doomed", TargetKeyId: keyId }));
  await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  await withClockShift(8 * DAY_MS, async () => {
    await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: keyId })), "NotFoundException", 400);
    await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: "alias/doomed" })), "NotFoundException", 400);
    const { Keys } = await client.send(new ListKeysCommand({}));
    assert.ok(!Keys?.some((k) => k.KeyId === keyId));
  });
});

test("UpdateKeyDescription, PutKeyPolicy and ListKeyPolicies", async () => {
  const client = kms();
  const keyId = await createKey(client, { Description: "old" });
  await client.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: "new" }));
  assert.equal((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Description, "new");
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }],
  });
  await client.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: "default", Policy: policy }));
  assert.equal((await client.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }))).Policy, policy);
  await rejectsWith(client.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: "{" })), "MalformedPolicyDocumentException", 400);
  await rejectsWith(client.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "other" })), "NotFoundException", 400);
  const { PolicyNames, Truncated } = await client.send(new ListKeyPoliciesCommand({ KeyId: keyId }));
  assert.deepEqual(PolicyNames, ["default"]);
  assert.equal(Truncated, false);
});

test("TagResource merges tags, UntagResource removes them, reserved and oversized tags are TagException", async () => {
  const client = kms();
  const keyId = await createKey(client);
  await client.send(
    new TagResourceCommand({
      KeyId: keyId,
      Tags: [
        { TagKey: "b", TagValue: "1" },
        { TagKey: "a", TagValue: "2" },
      ],
    }),
  );
  await client.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: "b", TagValue: "3" }] }));
  assert.deepEqual((await client.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags, [
    { TagKey: "a", TagValue: "2" },
    { TagKey: "b", TagValue: "3" },
  ]);
  await client.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ["a"] }));
  assert.deepEqual((await client.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags, [{ TagKey: "b", TagValue: "3" }]);
  await rejectsWith(client.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: "aws:x", TagValue: "1" }] })), "TagException", 400);
  await rejectsWith(
    client.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: "k", TagValue: "v".repeat(257) }] })),
    "TagException",
    400,
  );
  const many = Array.from({ length: 50 }, (_, i) => ({ TagKey: `t${i}`, TagValue: "v" }));
  await rejectsWith(client.send(new TagResourceCommand({ KeyId: keyId, Tags: many })), "TagException", 400);
  const page = await client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 1 }));
  assert.equal(page.Truncated, false);
});
