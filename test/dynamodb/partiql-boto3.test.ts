import assert from "node:assert/strict";
import { test } from "node:test";
import { useServer } from "../helpers.js";
import { CLIENTS, runPython } from "../query/clients.js";

const server = useServer();

const SCRIPT = `
import json, boto3
from botocore.exceptions import ClientError
client = boto3.client("dynamodb")
client.create_table(
    TableName="boto-pq",
    KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"}, {"AttributeName": "at", "AttributeType": "N"}],
    BillingMode="PAY_PER_REQUEST",
)
for i in range(5):
    client.execute_statement(Statement='INSERT INTO "boto-pq" VALUE {\\'user\\': ?, \\'at\\': ?, \\'text\\': ?}',
                             Parameters=[{"S": "u1"}, {"N": str(i)}, {"S": "note %d" % i}])
duplicate = None
try:
    client.execute_statement(Statement='INSERT INTO "boto-pq" VALUE {\\'user\\': \\'u1\\', \\'at\\': 0}')
except ClientError as e:
    duplicate = e.response["Error"]["Code"]
client.execute_statement(Statement='UPDATE "boto-pq" SET done = true WHERE "user" = \\'u1\\' AND at = 2')
pages, ats, token = 0, [], None
while True:
    args = {"Statement": 'SELECT at, done FROM "boto-pq" WHERE "user" = ? ORDER BY at DESC', "Parameters": [{"S": "u1"}], "Limit": 2}
    if token:
        args["NextToken"] = token
    page = client.execute_statement(**args)
    pages += 1
    ats += [int(i["at"]["N"]) for i in page["Items"]]
    token = page.get("NextToken")
    if not token:
        break
done = client.execute_statement(Statement='SELECT at FROM "boto-pq" WHERE "user" = \\'u1\\' AND done = true')["Items"]
batch = client.batch_execute_statement(Statements=[
    {"Statement": 'DELETE FROM "boto-pq" WHERE "user" = \\'u1\\' AND at = 0'},
    {"Statement": 'UPDATE "boto-pq" SET x = 1 WHERE "user" = \\'u1\\' AND at = 99'},
])["Responses"]
print(json.dumps({
    "duplicate": duplicate,
    "ats": ats,
    "pages": pages,
    "done": [int(i["at"]["N"]) for i in done],
    "batch": [r.get("Error", {}).get("Code", r.get("TableName")) for r in batch],
}))
`;

test("boto3 PartiQL: INSERT, duplicate refusal, UPDATE, paginated descending SELECT, batch", async () => {
  const result = await runPython<{ duplicate: string; ats: number[]; pages: number; done: number[]; batch: string[] }>(
    CLIENTS.python,
    SCRIPT,
    server.endpoint,
  );
  assert.equal(result.duplicate, "DuplicateItemException");
  assert.deepEqual(result.ats, [4, 3, 2, 1, 0]);
  assert.equal(result.pages, 3);
  assert.deepEqual(result.done, [2]);
  assert.deepEqual(result.batch, ["boto-pq", "ConditionalCheckFailed"]);
});
