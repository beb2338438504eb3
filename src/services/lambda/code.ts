import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { unzipSync } from "fflate";
import type { FunctionCode } from "@aws-sdk/client-lambda";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { InvalidParameterValueException, RequestTooLargeException } from "./errors.js";

/** A deployment package as stored: the zip lives in the blob store, named by the record. */
export interface StoredCode {
  blobId: string;
  /** Base64 SHA-256 of the zip, as Lambda reports CodeSha256. */
  sha256: string;
  size: number;
}

const MAX_DIRECT_UPLOAD = 50 * 1024 * 1024;
const MAX_UNZIPPED = 262_144_000;

/** Reads the package from the request (inline zip or S3 object), checks it as Lambda does, and stores it. */
export async function storeCode(code: FunctionCode, ctx: RequestContext, operation: string): Promise<StoredCode> {
  if (code.ImageUri !== undefined)
    throw new InvalidParameterValueException("Container images are not supported by Overcast; provide a .zip deployment package.");
  const sources = [code.ZipFile !== undefined, code.S3Bucket !== undefined || code.S3Key !== undefined].filter(Boolean).length;
  if (sources === 0) throw new InvalidParameterValueException("Please provide a source for function code.");
  if (sources > 1)
    throw new InvalidParameterValueException("Please do not provide other FunctionCode parameters when providing a ZipFile.");
  let zip: Buffer;
  if (code.ZipFile !== undefined) {
    zip = Buffer.from(code.ZipFile);
    if (zip.length > MAX_DIRECT_UPLOAD)
      throw new RequestTooLargeException(`Request must be smaller than 69905067 bytes for the ${operation} operation`);
  } else {
    zip = await fetchFromS3(code, ctx);
  }
  checkArchive(zip);
  const { id } = await ctx.runtime.blobs.write(zip);
  return { blobId: id, sha256: createHash("sha256").update(zip).digest("base64"), size: zip.length };
}

async function fetchFromS3(code: FunctionCode, ctx: RequestContext): Promise<Buffer> {
  if (!code.S3Bucket || !code.S3Key) throw new InvalidParameterValueException("Please provide a source for function code.");
  try {
    const object = await ctx.runtime.services.call<{ Body?: AsyncIterable<Uint8Array> | Uint8Array }>(
      "s3",
      "GetObject",
      { Bucket: code.S3Bucket, Key: code.S3Key, VersionId: code.S3ObjectVersion },
      { account: ctx.account, region: ctx.region, asService: "lambda" },
    );
    const chunks: Buffer[] = [];
    const body = object.Body ?? new Uint8Array();
    if (body instanceof Uint8Array) return Buffer.from(body);
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    throw new InvalidParameterValueException(
      `Error occurred while GetObject. S3 Error Code: ${err.code}. S3 Error Message: ${err.message}`,
    );
  }
}

function unzip(zip: Buffer): Record<string, Uint8Array> {
  try {
    return unzipSync(zip);
  } catch {
    throw new InvalidParameterValueException("Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
}

function checkArchive(zip: Buffer): void {
  const files = unzip(zip);
  const total = Object.values(files).reduce((sum, data) => sum + data.length, 0);
  if (total > MAX_UNZIPPED) throw new InvalidParameterValueException(`Unzipped size must be smaller than ${MAX_UNZIPPED} bytes`);
}

/**
 * Extracts a package once per content hash under `root` and returns its directory. Files are made
 * executable: zips built on Windows or by libraries often carry no Unix modes, and `bootstrap` must run.
 */
export async function extractedCode(runtime: ServiceRuntime, root: string, code: StoredCode): Promise<string> {
  const dir = join(root, Buffer.from(code.sha256, "base64").toString("hex"));
  if (existsSync(dir)) return dir;
  const chunks: Buffer[] = [];
  for await (const chunk of runtime.blobs.read(code.blobId)) chunks.push(chunk as Buffer);
  const staging = `${dir}.${randomBytes(8).toString("hex")}.tmp`;
  for (const [name, data] of Object.entries(unzip(Buffer.concat(chunks)))) {
    const target = normalize(join(staging, name));
    if (!target.startsWith(staging)) continue; // entries escaping the directory ("../x") are skipped
    if (name.endsWith("/")) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    chmodSync(target, 0o755);
  }
  mkdirSync(staging, { recursive: true });
  if (existsSync(dir)) rmSync(staging, { recursive: true, force: true });
  else renameSync(staging, dir);
  return dir;
}
