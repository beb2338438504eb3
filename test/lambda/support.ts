import { strToU8, zipSync } from "fflate";
import { CreateFunctionCommand, type CreateFunctionRequest, type LambdaClient } from "@aws-sdk/client-lambda";

/** A fixed timestamp keeps packages byte-identical, so their CodeSha256 is predictable. */
const FIXED_MTIME = new Date("2024-01-01T00:00:00Z");

export const ROLE = "arn:aws:iam::000000000000:role/lambda-role";

/** A deployment package from file names to contents; `bootstrap` files get an executable mode. */
export function zip(files: Record<string, string>): Uint8Array {
  const entries: Record<string, [Uint8Array, { os: number; attrs: number; mtime: Date }]> = {};
  for (const [name, text] of Object.entries(files)) {
    const mode = name.endsWith("bootstrap") ? 0o100755 : 0o100644;
    entries[name] = [strToU8(text), { os: 3, attrs: mode << 16, mtime: FIXED_MTIME }];
  }
  return zipSync(entries);
}

export async function createFunction(
  client: LambdaClient,
  name: string,
  files: Record<string, string>,
  extra: Partial<CreateFunctionRequest> = {},
) {
  return client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: ROLE,
      Code: { ZipFile: zip(files) },
      ...extra,
    }),
  );
}

export const decode = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString("utf8"));
