import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { rejectsWith, type useServer } from "../helpers.js";

type Server = ReturnType<typeof useServer>;

export const clients = (server: Server) => {
  const ddb = new DynamoDBClient(server.clientConfig());
  return { ddb, doc: DynamoDBDocumentClient.from(ddb) };
};

/** A PAY_PER_REQUEST table keyed `pk` (S) and optionally `sk` of the given type. */
export async function createTable(server: Server, name: string, sortType?: "S" | "N" | "B", extra: Partial<CreateTableCommandInput> = {}) {
  const { ddb } = clients(server);
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, ...(sortType ? [{ AttributeName: "sk", KeyType: "RANGE" as const }] : [])],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        ...(sortType ? [{ AttributeName: "sk", AttributeType: sortType }] : []),
      ],
      BillingMode: "PAY_PER_REQUEST",
      ...extra,
    }),
  );
}

/** The ValidationException message of a failing call. */
export async function validationMessage(promise: Promise<unknown>): Promise<string> {
  return (await rejectsWith(promise, "ValidationException", 400)).message;
}
