import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateBackupCommand,
  CreateTableCommand,
  DeleteBackupCommand,
  DynamoDBClient,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  ListBackupsCommand,
  QueryCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  UpdateContinuousBackupsCommand,
} from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type Overcast, startOvercast } from "../../src/index.js";
import { credentials, rejectsWith, useServer } from "../helpers.js";
import { tempDir } from "../state/fixtures.js";
import { clients, createTable, validationMessage } from "./fixtures.js";

const server = useServer();
const c = () => clients(server);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scanAll(table: string) {
  const { Items } = await c().doc.send(new ScanCommand({ TableName: table }));
  return (Items ?? []).sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
}

test("CreateBackup snapshots a table; RestoreTableFromBackup recreates it with its indexes and contents", async () => {
  const { ddb, doc } = c();
  await ddb.send(
    new CreateTableCommand({
      TableName: "bk-src",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "city", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [
        { IndexName: "byCity", KeySchema: [{ AttributeName: "city", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await doc.send(new PutCommand({ TableName: "bk-src", Item: { pk: "a", city: "Oslo" } }));
  await doc.send(new PutCommand({ TableName: "bk-src", Item: { pk: "b", city: "Rome" } }));
  const { BackupDetails } = await ddb.send(new CreateBackupCommand({ TableName: "bk-src", BackupName: "nightly" }));
  assert.equal(BackupDetails?.BackupStatus, "AVAILABLE");
  assert.match(BackupDetails?.BackupArn ?? "", /^arn:aws:dynamodb:us-east-1:\d{12}:table\/bk-src\/backup\/\d{14}-[0-9a-f]{8}$/);
  // Later writes do not reach the backup.
  await doc.send(new PutCommand({ TableName: "bk-src", Item: { pk: "c", city: "Oslo" } }));
  await doc.send(new DeleteCommand({ TableName: "bk-src", Key: { pk: "a" } }));

  const described = await ddb.send(new DescribeBackupCommand({ BackupArn: BackupDetails?.BackupArn }));
  assert.equal(described.BackupDescription?.SourceTableDetails?.ItemCount, 2);
  assert.equal(described.BackupDescription?.SourceTableFeatureDetails?.GlobalSecondaryIndexes?.[0].IndexName, "byCity");

  const restored = await ddb.send(
    new RestoreTableFromBackupCommand({
      TargetTableName: "bk-restored",
      BackupArn: BackupDetails?.BackupArn,
      BillingModeOverride: "PROVISIONED",
      ProvisionedThroughputOverride: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }),
  );
  assert.equal(restored.TableDescription?.RestoreSummary?.SourceBackupArn, BackupDetails?.BackupArn);
  assert.equal(restored.TableDescription?.ProvisionedThroughput?.ReadCapacityUnits, 5);
  assert.deepEqual(await scanAll("bk-restored"), [
    { pk: "a", city: "Oslo" },
    { pk: "b", city: "Rome" },
  ]);
  const byIndex = await ddb.send(
    new QueryCommand({
      TableName: "bk-restored",
      IndexName: "byCity",
      KeyConditionExpression: "city = :c",
      ExpressionAttributeValues: { ":c": { S: "Oslo" } },
    }),
  );
  assert.deepEqual(
    byIndex.Items?.map((i) => i.pk.S),
    ["a"],
  );
  const table = await ddb.send(new DescribeTableCommand({ TableName: "bk-restored" }));
  assert.equal(table.Table?.ItemCount, 2);

  await rejectsWith(
    ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: "bk-restored", BackupArn: BackupDetails?.BackupArn })),
    "TableAlreadyExistsException",
    400,
  );
});

test("ListBackups filters by table and time and pages; DeleteBackup removes; unknown ones are BackupNotFoundException", async () => {
  const { ddb } = c();
  await createTable(server, "bk-list-a");
  await createTable(server, "bk-list-b");
  const before = new Date(Date.now() - 1000);
  const arns: string[] = [];
  for (const [table, name] of [
    ["bk-list-a", "one"],
    ["bk-list-a", "two"],
    ["bk-list-b", "three"],
  ]) {
    const { BackupDetails } = await ddb.send(new CreateBackupCommand({ TableName: table, BackupName: name }));
    arns.push(BackupDetails?.BackupArn as string);
  }
  const onlyA = await ddb.send(new ListBackupsCommand({ TableName: "bk-list-a" }));
  assert.deepEqual(onlyA.BackupSummaries?.map((b) => b.BackupName).sort(), ["one", "two"]);
  const none = await ddb.send(new ListBackupsCommand({ TableName: "bk-list-a", TimeRangeUpperBound: before }));
  assert.deepEqual(none.BackupSummaries, []);
  const names: string[] = [];
  let ExclusiveStartBackupArn: string | undefined;
  do {
    const page = await ddb.send(new ListBackupsCommand({ Limit: 1, ExclusiveStartBackupArn, TimeRangeLowerBound: before }));
    names.push(...(page.BackupSummaries ?? []).filter((b) => b.TableName?.startsWith("bk-list")).map((b) => b.BackupName as string));
    ExclusiveStartBackupArn = page.LastEvaluatedBackupArn;
  } while (ExclusiveStartBackupArn);
  assert.deepEqual(names.sort(), ["one", "three", "two"]);

  const deleted = await ddb.send(new DeleteBackupCommand({ BackupArn: arns[0] }));
  assert.equal(deleted.BackupDescription?.BackupDetails?.BackupStatus, "DELETED");
  await rejectsWith(ddb.send(new DescribeBackupCommand({ BackupArn: arns[0] })), "BackupNotFoundException", 400);
  await rejectsWith(ddb.send(new DeleteBackupCommand({ BackupArn: arns[0] })), "BackupNotFoundException", 400);
  await rejectsWith(
    ddb.send(new RestoreTableFromBackupCommand({ BackupArn: arns[0], TargetTableName: "bk-x" })),
    "BackupNotFoundException",
    400,
  );
  await rejectsWith(ddb.send(new CreateBackupCommand({ TableName: "bk-missing", BackupName: "xyz" })), "TableNotFoundException", 400);
  const badName = await validationMessage(ddb.send(new CreateBackupCommand({ TableName: "bk-list-a", BackupName: "a b" })));
  assert.match(badName, /at 'backupName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
});

test("point-in-time recovery: settings, window, and restores of the contents as of a past instant", async () => {
  const { ddb, doc } = c();
  await createTable(server, "pitr-src");
  const initial = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "pitr-src" }));
  assert.equal(initial.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, "DISABLED");
  await rejectsWith(
    ddb.send(
      new RestoreTableToPointInTimeCommand({ SourceTableName: "pitr-src", TargetTableName: "pitr-x", UseLatestRestorableTime: true }),
    ),
    "PointInTimeRecoveryUnavailableException",
    400,
  );
  const range = await validationMessage(
    ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "pitr-src",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 36 },
      }),
    ),
  );
  assert.match(range, /recoveryPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 35/);

  await doc.send(new PutCommand({ TableName: "pitr-src", Item: { pk: "before", v: 0 } }));
  const enabled = await ddb.send(
    new UpdateContinuousBackupsCommand({
      TableName: "pitr-src",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
    }),
  );
  const description = enabled.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
  assert.equal(description?.PointInTimeRecoveryStatus, "ENABLED");
  assert.equal(description?.RecoveryPeriodInDays, 7);
  await sleep(20);
  await doc.send(new PutCommand({ TableName: "pitr-src", Item: { pk: "a", v: 1 } }));
  await doc.send(new PutCommand({ TableName: "pitr-src", Item: { pk: "b", v: 1 } }));
  await sleep(20);
  const checkpoint = new Date();
  await sleep(20);
  await doc.send(new PutCommand({ TableName: "pitr-src", Item: { pk: "a", v: 2 } }));
  await doc.send(new DeleteCommand({ TableName: "pitr-src", Key: { pk: "b" } }));
  await doc.send(new DeleteCommand({ TableName: "pitr-src", Key: { pk: "before" } }));
  await doc.send(new PutCommand({ TableName: "pitr-src", Item: { pk: "c", v: 1 } }));

  const past = await ddb.send(
    new RestoreTableToPointInTimeCommand({ SourceTableName: "pitr-src", TargetTableName: "pitr-past", RestoreDateTime: checkpoint }),
  );
  assert.equal(past.TableDescription?.RestoreSummary?.SourceTableArn, past.TableDescription?.TableArn?.replace("pitr-past", "pitr-src"));
  assert.deepEqual(await scanAll("pitr-past"), [
    { pk: "a", v: 1 },
    { pk: "b", v: 1 },
    { pk: "before", v: 0 },
  ]);
  await ddb.send(
    new RestoreTableToPointInTimeCommand({ SourceTableName: "pitr-src", TargetTableName: "pitr-latest", UseLatestRestorableTime: true }),
  );
  assert.deepEqual(await scanAll("pitr-latest"), [
    { pk: "a", v: 2 },
    { pk: "c", v: 1 },
  ]);
  // The restored table is a table of its own.
  await doc.send(new PutCommand({ TableName: "pitr-past", Item: { pk: "z" } }));
  assert.equal((await doc.send(new GetCommand({ TableName: "pitr-src", Key: { pk: "z" } }))).Item, undefined);

  const window = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "pitr-src" }))).ContinuousBackupsDescription
    ?.PointInTimeRecoveryDescription;
  const tooEarly = new Date((window?.EarliestRestorableDateTime ?? new Date()).getTime() - 60_000);
  await rejectsWith(
    ddb.send(
      new RestoreTableToPointInTimeCommand({ SourceTableName: "pitr-src", TargetTableName: "pitr-early", RestoreDateTime: tooEarly }),
    ),
    "InvalidRestoreTimeException",
    400,
  );
  await rejectsWith(
    ddb.send(
      new RestoreTableToPointInTimeCommand({ SourceTableName: "pitr-src", TargetTableName: "pitr-past", UseLatestRestorableTime: true }),
    ),
    "TableAlreadyExistsException",
    400,
  );
  await rejectsWith(
    ddb.send(
      new RestoreTableToPointInTimeCommand({ SourceTableName: "pitr-none", TargetTableName: "pitr-y", UseLatestRestorableTime: true }),
    ),
    "TableNotFoundException",
    400,
  );
  await ddb.send(
    new UpdateContinuousBackupsCommand({ TableName: "pitr-src", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }),
  );
  const off = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "pitr-src" }));
  assert.equal(off.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, "DISABLED");
});

test("backups and the PITR journal survive a restart on the same data dir", async (t) => {
  const dataDir = tempDir(t);
  const client = (cloud: Overcast) => new DynamoDBClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
  const first = await startOvercast({ port: 0, dataDir, initDirs: [] });
  let backupArn: string | undefined;
  let checkpoint = new Date();
  try {
    const ddb = client(first);
    const doc = DynamoDBDocumentClient.from(ddb);
    await ddb.send(
      new CreateTableCommand({
        TableName: "durable-bk",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "durable-bk",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    await doc.send(new PutCommand({ TableName: "durable-bk", Item: { pk: "a", bin: new Uint8Array([1, 2]) } }));
    backupArn = (await ddb.send(new CreateBackupCommand({ TableName: "durable-bk", BackupName: "before-b" }))).BackupDetails?.BackupArn;
    await sleep(20);
    checkpoint = new Date();
    await sleep(20);
    await doc.send(new PutCommand({ TableName: "durable-bk", Item: { pk: "b" } }));
  } finally {
    await first.stop();
  }
  const second = await startOvercast({ port: 0, dataDir, initDirs: [] });
  try {
    const ddb = client(second);
    const doc = DynamoDBDocumentClient.from(ddb);
    await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: "from-backup", BackupArn: backupArn }));
    const restored = await doc.send(new ScanCommand({ TableName: "from-backup" }));
    assert.deepEqual(restored.Items, [{ pk: "a", bin: new Uint8Array([1, 2]) }]);
    const window = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "durable-bk" }))).ContinuousBackupsDescription;
    assert.equal(window?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, "ENABLED");
    // Restoring to before the restart rolls back both the put journaled then and the delete journaled now.
    await doc.send(new DeleteCommand({ TableName: "durable-bk", Key: { pk: "a" } }));
    await ddb.send(
      new RestoreTableToPointInTimeCommand({ SourceTableName: "durable-bk", TargetTableName: "from-pitr", RestoreDateTime: checkpoint }),
    );
    const items = (await doc.send(new ScanCommand({ TableName: "from-pitr" }))).Items?.map((i) => i.pk).sort();
    assert.deepEqual(items, ["a"]);
  } finally {
    await second.stop();
  }
});
