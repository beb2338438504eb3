import { test } from "node:test";
import secretsmanager from "../../src/services/secretsmanager/index.js";
import { useServer } from "../helpers.js";
import { assertNoServerErrors } from "./odd-inputs.js";

const server = useServer();

test("no Secrets Manager operation answers 5xx to empty or odd inputs", async () => {
  await assertNoServerErrors(server.endpoint, "secretsmanager", "secretsmanager", Object.keys(secretsmanager.operations));
});
