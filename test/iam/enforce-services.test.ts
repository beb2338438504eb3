import assert from "node:assert/strict";
import { test } from "node:test";
import { CreateUserCommand, CreateAccessKeyCommand, IAMClient, ListUsersCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from "@aws-sdk/client-sqs";
import { CreateKeyCommand, EncryptCommand, KMSClient, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { rejectsWith, useServer } from "../helpers.js";

const server = useServer({ enforceIam: true });
const ACCOUNT = "000000000000";
const policy = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** The SNS envelopes' messages a queue receives within a few seconds. */
async function receive(sqs: SQSClient, QueueUrl: string): Promise<string[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
  return (out.Messages ?? []).map((m) => (JSON.parse(m.Body as string) as { Message: string }).Message);
}

const allowTopic = (queueArn: string, topicArn: string) =>
  policy({
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
  });

test("SNS → SQS fan-out is denied without a queue policy allowing the topic, and delivered with one", async () => {
  const sns = new SNSClient(server.clientConfig());
  const sqs = new SQSClient(server.clientConfig());
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "fanout" }));
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "fanout-target" }));
  const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "fanout-dlq" }));
  const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:fanout-target`;
  const dlqArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:fanout-dlq`;
  // The dead-letter queue lets the topic in, so the refused delivery becomes visible there.
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: dlqUrl, Attributes: { Policy: allowTopic(dlqArn, TopicArn as string) } }));
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: queueArn,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }) },
    }),
  );
  await sns.send(new PublishCommand({ TopicArn, Message: "refused" }));
  assert.deepEqual(await receive(sqs, dlqUrl as string), ["refused"]);
  // A policy for another topic does not help.
  const otherTopic = `arn:aws:sns:us-east-1:${ACCOUNT}:other`;
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: allowTopic(queueArn, otherTopic) } }));
  await sns.send(new PublishCommand({ TopicArn, Message: "wrong source" }));
  assert.deepEqual(await receive(sqs, dlqUrl as string), ["wrong source"]);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: allowTopic(queueArn, TopicArn as string) } }));
  await sns.send(new PublishCommand({ TopicArn, Message: "delivered" }));
  assert.deepEqual(await receive(sqs, queueUrl as string), ["delivered"]);
});

test("SNS: a user without sns:Publish gets AuthorizationError with AWS's message", async () => {
  const iam = new IAMClient(server.clientConfig());
  await iam.send(new CreateUserCommand({ UserName: "no-sns" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "no-sns" }));
  const credentials = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
  const { TopicArn } = await new SNSClient(server.clientConfig()).send(new CreateTopicCommand({ Name: "guarded" }));
  const sns = new SNSClient({ ...server.clientConfig(), credentials });
  const denied = await rejectsWith(sns.send(new PublishCommand({ TopicArn, Message: "x" })), "AuthorizationErrorException", 403);
  assert.equal(
    denied.message,
    `User: arn:aws:iam::${ACCOUNT}:user/no-sns is not authorized to perform: SNS:Publish on resource: ${TopicArn} because no identity-based policy allows the SNS:Publish action`,
  );
});

test("KMS: a key policy that does not delegate to the account refuses even the root", async () => {
  const kms = new KMSClient(server.clientConfig());
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const KeyId = KeyMetadata?.KeyId as string;
  await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("ok") })); // the default key policy lets the account decide
  await kms.send(
    new PutKeyPolicyCommand({
      KeyId,
      PolicyName: "default",
      BypassPolicyLockoutSafetyCheck: true,
      Policy: policy({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/nobody` }, Action: "kms:*", Resource: "*" }),
    }),
  );
  const denied = await rejectsWith(kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("no") })), "AccessDeniedException", 400);
  assert.equal(
    denied.message,
    `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:Encrypt on resource: ${KeyMetadata?.Arn} because no resource-based policy allows the kms:Encrypt action`,
  );
});

test("each protocol answers a denial in its own form: IAM, EC2, Lambda, SSM", async () => {
  const iam = new IAMClient(server.clientConfig());
  await iam.send(new CreateUserCommand({ UserName: "nobody-allowed" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "nobody-allowed" }));
  const config = {
    ...server.clientConfig(),
    credentials: { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string },
  };
  const who = `User: arn:aws:iam::${ACCOUNT}:user/nobody-allowed is not authorized to perform:`;
  const iamDenied = await rejectsWith(new IAMClient(config).send(new ListUsersCommand({})), "AccessDenied", 403);
  assert.equal(
    iamDenied.message,
    `${who} iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`,
  );
  const ec2Denied = await rejectsWith(new EC2Client(config).send(new DescribeRegionsCommand({})), "UnauthorizedOperation", 403);
  assert.equal(
    ec2Denied.message,
    `You are not authorized to perform this operation. ${who} ec2:DescribeRegions because no identity-based policy allows the ec2:DescribeRegions action`,
  );
  const lambdaDenied = await rejectsWith(new LambdaClient(config).send(new ListFunctionsCommand({})), "AccessDeniedException", 403);
  assert.equal(lambdaDenied.message, `${who} lambda:ListFunctions because no identity-based policy allows the lambda:ListFunctions action`);
  const ssmDenied = await rejectsWith(
    new SSMClient(config).send(new GetParameterCommand({ Name: "/app/db" })),
    "AccessDeniedException",
    400,
  );
  assert.equal(
    ssmDenied.message,
    `${who} ssm:GetParameter on resource: arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/db because no identity-based policy allows the ssm:GetParameter action`,
  );
});

test("global condition keys reach the policies: aws:RequestTag, aws:TagKeys, aws:ResourceTag, aws:SourceIp, aws:SecureTransport", async () => {
  const root = new SQSClient(server.clientConfig());
  const { QueueUrl: blue } = await root.send(new CreateQueueCommand({ QueueName: "blue-q", tags: { team: "blue" } }));
  const { QueueUrl: red } = await root.send(new CreateQueueCommand({ QueueName: "red-q", tags: { team: "red" } }));
  const iam = new IAMClient(server.clientConfig());
  await iam.send(new CreateUserCommand({ UserName: "tagger" }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: "tagger",
      PolicyName: "conditions",
      PolicyDocument: policy(
        {
          Effect: "Allow",
          Action: "sqs:TagQueue",
          Resource: "*",
          Condition: { StringEquals: { "aws:RequestTag/team": "blue" }, "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } },
        },
        { Effect: "Allow", Action: "sqs:SendMessage", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "blue" } } },
        { Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
        { Effect: "Allow", Action: "sqs:ListQueueTags", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "127.0.0.0/8" } } },
        { Effect: "Allow", Action: "sqs:ListQueues", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ),
    }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "tagger" }));
  const sqs = new SQSClient({
    ...server.clientConfig(),
    credentials: { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string },
  });
  await sqs.send(new TagQueueCommand({ QueueUrl: blue, Tags: { team: "blue" } }));
  await rejectsWith(sqs.send(new TagQueueCommand({ QueueUrl: blue, Tags: { team: "red" } })), "AccessDenied", 403);
  await rejectsWith(sqs.send(new TagQueueCommand({ QueueUrl: blue, Tags: { team: "blue", owner: "me" } })), "AccessDenied", 403);
  await sqs.send(new SendMessageCommand({ QueueUrl: blue, MessageBody: "to blue" }));
  await rejectsWith(sqs.send(new SendMessageCommand({ QueueUrl: red, MessageBody: "to red" })), "AccessDenied", 403);
  // The test client connects from 127.0.0.1, outside 10.0.0.0/8; and over plain HTTP.
  await rejectsWith(sqs.send(new GetQueueAttributesCommand({ QueueUrl: blue, AttributeNames: ["All"] })), "AccessDenied", 403);
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: blue }))).Tags, { team: "blue" });
  await sqs.send(new ListQueuesCommand({}));
});
