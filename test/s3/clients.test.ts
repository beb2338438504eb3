import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { useServer } from "../helpers.js";

const run = promisify(execFile);
const server = useServer();

/** Environment for boto3 and the AWS CLI: fixed credentials, our endpoint, no config files of the machine. */
function clientEnv(region = "us-east-1"): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
}

async function python(script: string, region?: string): Promise<unknown> {
  const { stdout } = await run("python3", ["-c", script], { env: clientEnv(region) });
  return JSON.parse(stdout);
}

async function aws(args: string[], region?: string): Promise<string> {
  const { stdout } = await run("aws", [...args, "--endpoint-url", server.endpoint], { env: clientEnv(region) });
  return stdout;
}

test("boto3: create_bucket, list_buckets, head_bucket and the errors botocore parses", async () => {
  const result = await python(`
import json, boto3, botocore
s3 = boto3.client("s3")
out = {}
out["location"] = s3.create_bucket(Bucket="boto-bucket")["Location"]
listed = s3.list_buckets()
out["names"] = [b["Name"] for b in listed["Buckets"]]
out["dated"] = all(b["CreationDate"].year >= 2024 for b in listed["Buckets"])
out["owner"] = listed["Owner"]["ID"]
out["region"] = s3.head_bucket(Bucket="boto-bucket")["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"]
try:
    s3.create_bucket(Bucket="Bad_Name")
except botocore.exceptions.ClientError as e:
    out["bad"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["Error"].get("BucketName")]
try:
    s3.delete_bucket(Bucket="boto-missing")
except botocore.exceptions.ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`);
  assert.deepEqual(result, {
    location: "/boto-bucket",
    names: ["boto-bucket"],
    dated: true,
    owner: (result as { owner: string }).owner,
    region: "us-east-1",
    bad: ["InvalidBucketName", "The specified bucket is not valid.", "Bad_Name"],
    missing: ["NoSuchBucket", 404],
  });
  assert.match((result as { owner: string }).owner, /^[0-9a-f]{64}$/);
});

test("boto3 outside us-east-1: the constraint is required and must match the endpoint's region", async () => {
  const result = await python(
    `
import json, boto3, botocore
s3 = boto3.client("s3")
out = {}
try:
    s3.create_bucket(Bucket="boto-west")
except botocore.exceptions.ClientError as e:
    out["unspecified"] = e.response["Error"]["Code"]
s3.create_bucket(Bucket="boto-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
out["region"] = s3.head_bucket(Bucket="boto-west")["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"]
paged = s3.list_buckets(Prefix="boto-w", MaxBuckets=5)
out["paged"] = [[b["Name"], b["BucketRegion"]] for b in paged["Buckets"]]
print(json.dumps(out))
`,
    "eu-west-3",
  );
  assert.deepEqual(result, { unspecified: "IllegalLocationConstraintException", region: "eu-west-3", paged: [["boto-west", "eu-west-3"]] });
});

test("AWS CLI: s3 mb, s3 ls, s3api list-buckets, s3 rb", async () => {
  const made = await aws(["s3", "mb", "s3://cli-bucket"]);
  assert.match(made, /make_bucket: cli-bucket/);
  const ls = await aws(["s3", "ls"]);
  assert.match(ls, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d cli-bucket$/m);
  const listed = JSON.parse(await aws(["s3api", "list-buckets", "--output", "json"])) as {
    Buckets: Array<{ Name: string; CreationDate: string }>;
  };
  const bucket = listed.Buckets.find((b) => b.Name === "cli-bucket");
  assert.ok(bucket);
  assert.ok(!Number.isNaN(Date.parse(bucket.CreationDate)));
  // `s3 mb` adds the constraint for other regions.
  await aws(["s3", "mb", "s3://cli-west"], "us-west-1");
  const head = JSON.parse(await aws(["s3api", "head-bucket", "--bucket", "cli-west", "--output", "json"])) as { BucketRegion?: string };
  assert.equal(head.BucketRegion, "us-west-1");
  assert.match(await aws(["s3", "rb", "s3://cli-bucket"]), /remove_bucket: cli-bucket/);
  await assert.rejects(aws(["s3api", "head-bucket", "--bucket", "cli-bucket"]), /404/);
});
