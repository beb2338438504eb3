import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateGrantCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  ListGrantsCommand,
  ListKeyRotationsCommand,
  ListRetirableGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  RotateKeyOnDemandCommand,
} from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";
import { createKey, DAY_MS, kmsClient, withClockShift } from "./support.js";

const server = useServer();
const ACCOUNT = "000000000000";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/worker`;

test("EnableKeyRotation takes 90–2560 days and reports the next rotation; DisableKeyRotation turns it off", async () => {
  const client = kmsClient(server);
  const keyId = await createKey(client);
  const off = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
  assert.equal(off.KeyRotationEnabled, false);
  for (const days of [89, 2561]) {
    await rejectsWith(client.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: days })), "ValidationException", 400);
  }
  await client.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
  const on = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
  assert.equal(on.KeyRotationEnabled, true);
  assert.equal(on.RotationPeriodInDays, 90);
  const delta = (on.NextRotationDate as Date).getTime() - Date.now();
  assert.ok(delta > 89 * DAY_MS && delta <= 90 * DAY_MS);
  await client.send(new DisableKeyRotationCommand({ KeyId: keyId }));
  assert.equal((await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled, false);
  const rsa = await createKey(client, { KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
  await rejectsWith(client.send(new EnableKeyRotationCommand({ KeyId: rsa })), "UnsupportedOperationException", 400);
  await rejectsWith(client.send(new EnableKeyRotationCommand({ KeyId: "alias/aws/s3" })), "NotFoundException", 400);
});

test("RotateKeyOnDemand adds key material; old ciphertexts still decrypt, new ones use the new material", async () => {
  const client = kmsClient(server);
  const keyId = await createKey(client);
  const before = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("old") }));
  const original = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId;
  const rotated = await client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
  assert.equal(rotated.KeyId, keyId);
  const current = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId;
  assert.notEqual(current, original);
  const old = await client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
  assert.equal(Buffer.from(old.Plaintext as Uint8Array).toString(), "old");
  assert.equal(old.KeyMaterialId, original);
  const after = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("new") }));
  assert.equal((await client.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }))).KeyMaterialId, current);
  const { Rotations } = await client.send(new ListKeyRotationsCommand({ KeyId: keyId }));
  assert.equal(Rotations?.length, 1);
  assert.equal(Rotations?.[0].RotationType, "ON_DEMAND");
  assert.equal(Rotations?.[0].KeyMaterialId, current);
  assert.equal(Rotations?.[0].KeyMaterialState, "CURRENT");
  const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
  assert.ok(status.OnDemandRotationStartDate instanceof Date);
});

test("automatic rotation happens when the period has passed", async () => {
  const client = kmsClient(server, "us-west-2");
  const keyId = await createKey(client);
  await client.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
  const before = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("before") }));
  await withClockShift(91 * DAY_MS, async () => {
    const { Rotations } = await client.send(new ListKeyRotationsCommand({ KeyId: keyId }));
    assert.equal(Rotations?.length, 1);
    assert.equal(Rotations?.[0].RotationType, "AUTOMATIC");
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    assert.ok((status.NextRotationDate as Date).getTime() > Date.now());
    const old = await client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
    assert.equal(Buffer.from(old.Plaintext as Uint8Array).toString(), "before");
  });
});

test("grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant by token, RevokeGrant", async () => {
  const client = kmsClient(server);
  const keyId = await createKey(client);
  const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`;
  const grant = await client.send(
    new CreateGrantCommand({
      KeyId: keyId,
      GranteePrincipal: ROLE,
      RetiringPrincipal: ROLE,
      Operations: ["Encrypt", "Decrypt"],
      Name: "worker-grant",
      Constraints: { EncryptionContextSubset: { tenant: "a" } },
    }),
  );
  assert.match(grant.GrantId as string, /^[0-9a-f]{64}$/);
  assert.ok((grant.GrantToken as string).length > 0);
  const retry = await client.send(
    new CreateGrantCommand({
      KeyId: keyId,
      GranteePrincipal: ROLE,
      RetiringPrincipal: ROLE,
      Operations: ["Encrypt", "Decrypt"],
      Name: "worker-grant",
      Constraints: { EncryptionContextSubset: { tenant: "a" } },
    }),
  );
  assert.equal(retry.GrantId, grant.GrantId, "a named grant with the same parameters is the same grant");
  const second = await client.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: ROLE, Operations: ["GenerateDataKey"] }));

  const { Grants } = await client.send(new ListGrantsCommand({ KeyId: keyId }));
  assert.equal(Grants?.length, 2);
  const listed = Grants?.find((g) => g.GrantId === grant.GrantId);
  assert.equal(listed?.KeyId, arn);
  assert.equal(listed?.Name, "worker-grant");
  assert.deepEqual(listed?.Operations, ["Encrypt", "Decrypt"]);
  assert.deepEqual(listed?.Constraints, { EncryptionContextSubset: { tenant: "a" } });
  assert.equal(listed?.IssuingAccount, `arn:aws:iam::${ACCOUNT}:root`);
  const one = await client.send(new ListGrantsCommand({ KeyId: keyId, GrantId: second.GrantId }));
  assert.deepEqual(
    one.Grants?.map((g) => g.GrantId),
    [second.GrantId],
  );
  const retirable = await client.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ROLE }));
  assert.deepEqual(
    retirable.Grants?.map((g) => g.GrantId),
    [grant.GrantId],
  );

  // Encrypt accepts the grant token of a fresh grant.
  await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x"), GrantTokens: [grant.GrantToken as string] }));

  await client.send(new RetireGrantCommand({ GrantToken: grant.GrantToken }));
  await rejectsWith(client.send(new RetireGrantCommand({ GrantToken: grant.GrantToken })), "InvalidGrantTokenException", 400);
  await client.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: second.GrantId }));
  await rejectsWith(client.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: second.GrantId })), "NotFoundException", 400);
  assert.deepEqual((await client.send(new ListGrantsCommand({ KeyId: keyId }))).Grants, []);
  await rejectsWith(client.send(new RetireGrantCommand({})), "ValidationException", 400);
});

test("CreateGrant only allows operations the key supports", async () => {
  const client = kmsClient(server);
  const signing = await createKey(client, { KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
  await client.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: ROLE, Operations: ["Sign", "Verify", "GetPublicKey"] }));
  await rejectsWith(
    client.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: ROLE, Operations: ["Encrypt"] })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    client.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: ROLE, Operations: [] })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    client.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: ROLE, Operations: ["Sign"], Name: "bad name" })),
    "ValidationException",
    400,
  );
});
