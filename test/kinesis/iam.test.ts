import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  PutResourcePolicyCommand,
} from "@aws-sdk/client-kinesis";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer({ enforceIam: true });
const arnOf = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const policy = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

async function userClient(name: string, statements: Record<string, unknown>[]): Promise<KinesisClient> {
  const iam = new IAMClient(server.clientConfig());
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (statements.length)
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(...statements) }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return new KinesisClient({
    ...server.clientConfig(),
    credentials: { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string },
  });
}

test("IAM: stream actions are authorized on the stream's ARN, GetRecords on the iterator's stream", async () => {
  const admin = new KinesisClient(server.clientConfig());
  for (const name of ["allowed", "other"]) await admin.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  const writer = await userClient("writer", [
    { Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:GetShardIterator"], Resource: arnOf("allowed") },
  ]);
  const put = await writer.send(new PutRecordCommand({ StreamName: "allowed", PartitionKey: "k", Data: Buffer.from("x") }));
  assert.equal(put.ShardId, "shardId-000000000000");
  await rejectsWith(
    writer.send(new PutRecordCommand({ StreamName: "other", PartitionKey: "k", Data: Buffer.from("x") })),
    "AccessDeniedException",
    400,
  );
  await rejectsWith(writer.send(new ListStreamsCommand({})), "AccessDeniedException", 400);
  const { ShardIterator } = await writer.send(
    new GetShardIteratorCommand({ StreamName: "allowed", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
  );
  await rejectsWith(writer.send(new GetRecordsCommand({ ShardIterator })), "AccessDeniedException", 400);
  const reader = await userClient("reader", [{ Effect: "Allow", Action: "kinesis:GetRecords", Resource: arnOf("allowed") }]);
  const read = await reader.send(new GetRecordsCommand({ ShardIterator }));
  assert.equal(read.Records?.length, 1);
});

test("IAM: a stream's resource policy can grant access on its own", async () => {
  const admin = new KinesisClient(server.clientConfig());
  await admin.send(new CreateStreamCommand({ StreamName: "policy-granted", ShardCount: 1 }));
  const outsider = await userClient("outsider", []);
  const send = () => outsider.send(new PutRecordCommand({ StreamName: "policy-granted", PartitionKey: "k", Data: Buffer.from("x") }));
  await rejectsWith(send(), "AccessDeniedException", 400);
  await admin.send(
    new PutResourcePolicyCommand({
      ResourceARN: arnOf("policy-granted"),
      Policy: policy({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::000000000000:user/outsider" },
        Action: "kinesis:PutRecord",
        Resource: arnOf("policy-granted"),
      }),
    }),
  );
  const put = await send();
  assert.ok(put.SequenceNumber);
});
