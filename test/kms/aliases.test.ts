import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  ListAliasesCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";
import { createKey, kmsClient } from "./support.js";

const server = useServer();
const ACCOUNT = "000000000000";

test("CreateAlias, UpdateAlias and DeleteAlias move a name between keys", async () => {
  const client = kmsClient(server);
  const first = await createKey(client);
  const second = await createKey(client);
  await client.send(new CreateAliasCommand({ AliasName: "alias/app/main_key-1", TargetKeyId: first }));
  const dup = await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: "alias/app/main_key-1", TargetKeyId: second })),
    "AlreadyExistsException",
    400,
  );
  assert.equal(dup.message, `An alias with the name arn:aws:kms:us-east-1:${ACCOUNT}:alias/app/main_key-1 already exists`);
  await client.send(
    new UpdateAliasCommand({ AliasName: "alias/app/main_key-1", TargetKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${second}` }),
  );
  assert.equal((await client.send(new DescribeKeyCommand({ KeyId: "alias/app/main_key-1" }))).KeyMetadata?.KeyId, second);
  await client.send(new DeleteAliasCommand({ AliasName: "alias/app/main_key-1" }));
  await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: "alias/app/main_key-1" })), "NotFoundException", 400);
  const gone = await rejectsWith(client.send(new DeleteAliasCommand({ AliasName: "alias/app/main_key-1" })), "NotFoundException", 400);
  assert.equal(gone.message, `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/app/main_key-1 is not found.`);
});

test("alias names need the alias/ prefix, valid characters, and stay out of alias/aws/", async () => {
  const client = kmsClient(server);
  const keyId = await createKey(client);
  const prefix = await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: "nope", TargetKeyId: keyId })),
    "ValidationException",
    400,
  );
  assert.match(prefix.message, /^Alias must start with the prefix "alias\/"/);
  const chars = await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: "alias/a:b", TargetKeyId: keyId })),
    "ValidationException",
    400,
  );
  assert.equal(chars.message, "alias/a:b contains invalid characters for an alias");
  await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: "alias/aws/mine", TargetKeyId: keyId })),
    "NotAuthorizedException",
    400,
  );
  await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: `alias/${"x".repeat(251)}`, TargetKeyId: keyId })),
    "ValidationException",
    400,
  );
  await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: "alias/to-alias", TargetKeyId: "alias/other" })),
    "NotFoundException",
    400,
  );
  await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: "alias/to-missing", TargetKeyId: "11111111-2222-3333-4444-555555555555" })),
    "NotFoundException",
    400,
  );
});

test("aliases cannot point at keys pending deletion, nor switch to a key of another type", async () => {
  const client = kmsClient(server);
  const doomed = await createKey(client);
  await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed }));
  await rejectsWith(
    client.send(new CreateAliasCommand({ AliasName: "alias/doomed", TargetKeyId: doomed })),
    "KMSInvalidStateException",
    400,
  );
  const symmetric = await createKey(client);
  const signing = await createKey(client, { KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
  await client.send(new CreateAliasCommand({ AliasName: "alias/typed", TargetKeyId: symmetric }));
  await rejectsWith(client.send(new UpdateAliasCommand({ AliasName: "alias/typed", TargetKeyId: signing })), "ValidationException", 400);
});

test("ListAliases lists in name order, filters by key and pages", async () => {
  const client = kmsClient(server, "sa-east-1");
  const keyId = await createKey(client);
  const other = await createKey(client);
  for (const name of ["alias/c", "alias/a", "alias/b"]) await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: keyId }));
  await client.send(new CreateAliasCommand({ AliasName: "alias/other", TargetKeyId: other }));
  const page1 = await client.send(new ListAliasesCommand({ KeyId: keyId, Limit: 2 }));
  assert.deepEqual(
    page1.Aliases?.map((a) => a.AliasName),
    ["alias/a", "alias/b"],
  );
  assert.equal(page1.Truncated, true);
  assert.equal(page1.Aliases?.[0].AliasArn, `arn:aws:kms:sa-east-1:${ACCOUNT}:alias/a`);
  assert.equal(page1.Aliases?.[0].TargetKeyId, keyId);
  assert.ok(page1.Aliases?.[0].CreationDate instanceof Date);
  const page2 = await client.send(new ListAliasesCommand({ KeyId: keyId, Limit: 2, Marker: page1.NextMarker }));
  assert.deepEqual(
    page2.Aliases?.map((a) => a.AliasName),
    ["alias/c"],
  );
  assert.equal(page2.Truncated, false);
  const all = await client.send(new ListAliasesCommand({}));
  assert.deepEqual(
    all.Aliases?.map((a) => a.AliasName),
    ["alias/a", "alias/b", "alias/c", "alias/other"],
  );
  await rejectsWith(client.send(new ListAliasesCommand({ Limit: 101 })), "ValidationException", 400);
});
