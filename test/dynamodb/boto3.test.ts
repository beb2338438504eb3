import assert from "node:assert/strict";
import { test } from "node:test";
import { useServer } from "../helpers.js";
import { CLIENTS, runPython } from "../query/clients.js";

const server = useServer();

const SCRIPT = `
import json, boto3
from decimal import Decimal
from boto3.dynamodb.conditions import Key, Attr
from botocore.exceptions import ClientError
ddb = boto3.resource("dynamodb")
table = ddb.create_table(
    TableName="boto-notes",
    KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"}, {"AttributeName": "at", "AttributeType": "N"}],
    BillingMode="PAY_PER_REQUEST",
)
table.wait_until_exists()
with table.batch_writer() as batch:
    for i in range(5):
        batch.put_item(Item={"user": "u1", "at": i, "text": "note %d" % i, "price": Decimal("0.1") * i})
table.update_item(Key={"user": "u1", "at": 1}, UpdateExpression="SET done = :t", ExpressionAttributeValues={":t": True})
page = table.query(KeyConditionExpression=Key("user").eq("u1") & Key("at").gte(1), FilterExpression=Attr("done").not_exists(), ScanIndexForward=False)
failure = None
try:
    table.put_item(Item={"user": "u1", "at": 0}, ConditionExpression="attribute_not_exists(#u)", ExpressionAttributeNames={"#u": "user"})
except ClientError as e:
    failure = e.response["Error"]
item = table.get_item(Key={"user": "u1", "at": 1})["Item"]
print(json.dumps({
    "ats": [int(i["at"]) for i in page["Items"]],
    "scanned": page["ScannedCount"],
    "price": str(table.get_item(Key={"user": "u1", "at": 3})["Item"]["price"]),
    "done": item["done"],
    "failure": failure,
    "count": table.scan(Select="COUNT")["Count"],
}))
`;

test("boto3 resource API: create, batch write, update, query with conditions, conditional put", async () => {
  const result = await runPython<{
    ats: number[];
    scanned: number;
    price: string;
    done: boolean;
    failure: { Code: string; Message: string };
    count: number;
  }>(CLIENTS.python, SCRIPT, server.endpoint);
  assert.deepEqual(result.ats, [4, 3, 2]);
  assert.equal(result.scanned, 4);
  assert.equal(result.price, "0.3");
  assert.equal(result.done, true);
  assert.deepEqual(result.failure, { Code: "ConditionalCheckFailedException", Message: "The conditional request failed" });
  assert.equal(result.count, 5);
});
