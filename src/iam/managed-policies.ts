import { createHash } from "node:crypto";

/** An AWS managed policy: owned by "aws", the same in every account, read-only. */
export interface AwsManagedPolicy {
  PolicyName: string;
  Path: string;
  Arn: string;
  PolicyId: string;
  Description: string;
  Document: string;
  CreateDate: number;
}

const allow = (actions: string[] | string, extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Action: actions,
  Resource: "*",
  ...extra,
});

/**
 * The common AWS managed policies with their published documents. ReadOnlyAccess and
 * AmazonDynamoDBFullAccess are abridged to the services Overcast implements.
 */
const CATALOG: [name: string, path: string, description: string, statements: unknown[]][] = [
  ["AdministratorAccess", "/", "Provides full access to AWS services and resources.", [allow("*")]],
  [
    "PowerUserAccess",
    "/",
    "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
    [
      { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
      allow([
        "account:GetAccountInformation",
        "account:GetPrimaryEmail",
        "account:ListRegions",
        "iam:CreateServiceLinkedRole",
        "iam:DeleteServiceLinkedRole",
        "iam:ListRoles",
        "organizations:DescribeOrganization",
      ]),
    ],
  ],
  [
    "ReadOnlyAccess",
    "/",
    "Provides read-only access to AWS services and resources.",
    [
      allow([
        "dynamodb:BatchGetItem",
        "dynamodb:Describe*",
        "dynamodb:GetItem",
        "dynamodb:List*",
        "dynamodb:Query",
        "dynamodb:Scan",
        "ec2:Describe*",
        "ec2:Get*",
        "iam:Generate*",
        "iam:Get*",
        "iam:List*",
        "iam:Simulate*",
        "kms:Describe*",
        "kms:Get*",
        "kms:List*",
        "lambda:Get*",
        "lambda:List*",
        "logs:Describe*",
        "logs:FilterLogEvents",
        "logs:Get*",
        "logs:ListTagsForResource",
        "logs:ListTagsLogGroup",
        "logs:StartQuery",
        "logs:StopQuery",
        "logs:TestMetricFilter",
        "s3:Describe*",
        "s3:Get*",
        "s3:List*",
        "secretsmanager:Describe*",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:List*",
        "sns:Check*",
        "sns:Get*",
        "sns:List*",
        "sqs:Get*",
        "sqs:List*",
        "sqs:Receive*",
        "ssm:Describe*",
        "ssm:Get*",
        "ssm:List*",
        "sts:GetCallerIdentity",
      ]),
    ],
  ],
  [
    "IAMFullAccess",
    "/",
    "Provides full access to IAM via the AWS Management Console.",
    [
      allow([
        "iam:*",
        "organizations:DescribeAccount",
        "organizations:DescribeOrganization",
        "organizations:DescribeOrganizationalUnit",
        "organizations:DescribePolicy",
        "organizations:ListChildren",
        "organizations:ListParents",
        "organizations:ListPoliciesForTarget",
        "organizations:ListRoots",
        "organizations:ListPolicies",
        "organizations:ListTargetsForPolicy",
      ]),
    ],
  ],
  [
    "IAMReadOnlyAccess",
    "/",
    "Provides read only access to IAM via the AWS Management Console.",
    [
      allow([
        "iam:GenerateCredentialReport",
        "iam:GenerateServiceLastAccessedDetails",
        "iam:Get*",
        "iam:List*",
        "iam:SimulateCustomPolicy",
        "iam:SimulatePrincipalPolicy",
      ]),
    ],
  ],
  [
    "AmazonS3FullAccess",
    "/",
    "Provides full access to all buckets via the AWS Management Console.",
    [allow(["s3:*", "s3-object-lambda:*"])],
  ],
  [
    "AmazonS3ReadOnlyAccess",
    "/",
    "Provides read only access to all buckets via the AWS Management Console.",
    [allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"])],
  ],
  [
    "AmazonDynamoDBFullAccess",
    "/",
    "Provides full access to Amazon DynamoDB via the AWS Management Console.",
    [
      allow([
        "dynamodb:*",
        "dax:*",
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingActivities",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:RegisterScalableTarget",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DescribeAlarmsForMetric",
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:GetMetricData",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "iam:GetRole",
        "iam:ListRoles",
        "kms:DescribeKey",
        "kms:ListAliases",
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:ListSubscriptions",
        "sns:ListSubscriptionsByTopic",
        "sns:ListTopics",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:SetTopicAttributes",
        "lambda:CreateFunction",
        "lambda:ListFunctions",
        "lambda:ListEventSourceMappings",
        "lambda:CreateEventSourceMapping",
        "lambda:DeleteEventSourceMapping",
        "lambda:GetFunctionConfiguration",
        "lambda:DeleteFunction",
        "tag:GetResources",
        "kinesis:ListStreams",
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
      ]),
      {
        Action: "iam:PassRole",
        Effect: "Allow",
        Resource: "*",
        Condition: {
          StringLike: {
            "iam:PassedToService": [
              "application-autoscaling.amazonaws.com",
              "application-autoscaling.amazonaws.com.cn",
              "dax.amazonaws.com",
            ],
          },
        },
      },
      {
        Effect: "Allow",
        Action: ["iam:CreateServiceLinkedRole"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "iam:AWSServiceName": [
              "replication.dynamodb.amazonaws.com",
              "dax.amazonaws.com",
              "dynamodb.application-autoscaling.amazonaws.com",
              "contributorinsights.dynamodb.amazonaws.com",
              "kinesisreplication.dynamodb.amazonaws.com",
            ],
          },
        },
      },
    ],
  ],
  ["AmazonSQSFullAccess", "/", "Provides full access to Amazon SQS via the AWS Management Console.", [allow(["sqs:*"])]],
  [
    "AmazonSQSReadOnlyAccess",
    "/",
    "Provides read only access to Amazon SQS via the AWS Management Console.",
    [
      allow([
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ListDeadLetterSourceQueues",
        "sqs:ListQueues",
        "sqs:ListMessageMoveTasks",
        "sqs:ListQueueTags",
      ]),
    ],
  ],
  ["AmazonSNSFullAccess", "/", "Provides full access to Amazon SNS via the AWS Management Console.", [allow(["sns:*"])]],
  [
    "AWSLambdaBasicExecutionRole",
    "/service-role/",
    "Provides write permissions to CloudWatch Logs.",
    [allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])],
  ],
];

const CREATED = Date.parse("2015-02-06T18:39:46Z");

/** AWS's ids of these policies are fixed; ours are derived from the name so they are stable too. */
function stableId(name: string): string {
  if (name === "AdministratorAccess") return "ANPAIWMBCKSKIEE64ZLYK";
  const digest = createHash("sha256").update(name).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return `ANPA${[...digest.subarray(0, 17)].map((b) => alphabet[b % 32]).join("")}`;
}

export const AWS_MANAGED_POLICIES: ReadonlyMap<string, AwsManagedPolicy> = new Map(
  CATALOG.map(([name, path, description, statements]) => {
    const arn = `arn:aws:iam::aws:policy${path}${name}`;
    const document = JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 4);
    return [
      arn,
      {
        PolicyName: name,
        Path: path,
        Arn: arn,
        PolicyId: stableId(name),
        Description: description,
        Document: document,
        CreateDate: CREATED,
      },
    ];
  }),
);
