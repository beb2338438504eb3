import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { useServer } from "../helpers.js";

const run = promisify(execFile);
const server = useServer();

async function python(script: string): Promise<Record<string, unknown>> {
  const { stdout } = await run("python3", ["-c", script], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
  });
  return JSON.parse(stdout);
}

test("boto3: enable versioning, overwrite, delete, list versions, read an old one, restore by deleting the marker", async () => {
  const out = await python(`
import json, boto3, botocore
s3 = boto3.client("s3")
s3.create_bucket(Bucket="boto-versions")
s3.put_bucket_versioning(Bucket="boto-versions", VersioningConfiguration={"Status": "Enabled"})
out = {"status": s3.get_bucket_versioning(Bucket="boto-versions")["Status"]}
v1 = s3.put_object(Bucket="boto-versions", Key="k", Body=b"one")["VersionId"]
v2 = s3.put_object(Bucket="boto-versions", Key="k", Body=b"two")["VersionId"]
marker = s3.delete_object(Bucket="boto-versions", Key="k")
out["marker"] = marker["DeleteMarker"]
try:
    s3.get_object(Bucket="boto-versions", Key="k")
except botocore.exceptions.ClientError as e:
    out["gone"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-delete-marker")]
listed = s3.list_object_versions(Bucket="boto-versions")
out["versions"] = [[v["VersionId"] == vid, v["IsLatest"]] for v, vid in zip(listed["Versions"], [v2, v1])]
out["markers"] = [[m["VersionId"] == marker["VersionId"], m["IsLatest"]] for m in listed["DeleteMarkers"]]
out["old"] = s3.get_object(Bucket="boto-versions", Key="k", VersionId=v1)["Body"].read().decode()
s3.delete_object(Bucket="boto-versions", Key="k", VersionId=marker["VersionId"])
out["restored"] = s3.get_object(Bucket="boto-versions", Key="k")["Body"].read().decode()
paginator = s3.get_paginator("list_object_versions")
out["paged"] = sum(len(p.get("Versions", [])) for p in paginator.paginate(Bucket="boto-versions", PaginationConfig={"PageSize": 1}))
print(json.dumps(out))
`);
  assert.deepEqual(out, {
    status: "Enabled",
    marker: true,
    gone: ["NoSuchKey", "true"],
    versions: [
      [true, false],
      [true, false],
    ],
    markers: [[true, true]],
    old: "one",
    restored: "two",
    paged: 2,
  });
});
