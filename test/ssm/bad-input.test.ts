import { test } from "node:test";
import ssm from "../../src/services/ssm/index.js";
import { useServer } from "../helpers.js";
import { assertNoServerErrors } from "../secretsmanager/odd-inputs.js";

const server = useServer();

test("no Parameter Store operation answers 5xx to empty or odd inputs", async () => {
  await assertNoServerErrors(server.endpoint, "ssm", "AmazonSSM", Object.keys(ssm.operations));
});
