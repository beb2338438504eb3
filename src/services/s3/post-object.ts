/**
 * Browser-based uploads: `POST /<bucket>` with a multipart/form-data body whose fields describe the object
 * (key, Content-Type, x-amz-meta-*, acl…), a policy with conditions, its SigV4 signature, and the file last.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 */
import type { PutObjectRequest } from "@aws-sdk/client-s3";
import { Busboy } from "@fastify/busboy";
import { Readable } from "node:stream";
import { signatureMismatch } from "../../auth/sigv4-errors.js";
import { hmac, sameSignature, signingKey } from "../../auth/sigv4.js";
import { principalForAccessKey } from "../../auth/principal.js";
import { iamCredentials } from "../../iam/credentials.js";
import { AwsError } from "../../protocol/errors.js";
import type { HttpRequest, HttpResponse } from "../../protocol/http.js";
import { childNamed, escapeXml, parseXml, type XmlElement } from "../../protocol/xml.js";
import type { Principal, RequestContext, RouteContext } from "../types.js";
import { withCorsHeaders } from "./cors.js";
import { invalidArgument, malformedXml } from "./errors.js";
import { hostId } from "../../protocol/rest-xml.js";
import { emitObjectEvent } from "./notification-events.js";
import { putObject } from "./objects.js";
import { checkPolicy, decodePolicy, withinRange } from "./post-policy.js";
import { requestResource, s3ErrorResponse } from "./routes.js";
import { buckets, objects } from "./store.js";

interface UploadedFile {
  stream: Readable;
  filename: string;
}

/** The fields before the file (by lower-case name; S3 ignores anything after the file) and the file. */
interface Form {
  fields: Map<string, string>;
  file?: UploadedFile;
}

/** Fields that are headers of the stored object when they appear in the form. */
const HEADER_FIELDS = ["content-type", "cache-control", "content-disposition", "content-encoding", "expires"];
/** Form fields that authenticate the upload rather than describe the object. */
const AUTH_FIELDS = new Set(["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "x-amz-security-token"]);
const SIGNING_ALGORITHM = "AWS4-HMAC-SHA256";

const malformedPost = () =>
  new AwsError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.", { status: 400 });
const missingField = (name: string) =>
  invalidArgument(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, name, "");

/** Answers a POST Object upload; undefined for any other request. */
export async function postObjectRoute(req: HttpRequest, ctx: RouteContext): Promise<HttpResponse | undefined> {
  if (req.method !== "POST" || !(req.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data")) return undefined;
  const { bucket, key } = requestResource(req, ctx.host);
  if (!bucket || key !== undefined || req.rawQuery !== "") return undefined;
  let form: Form | undefined;
  try {
    form = await readForm(req);
    const response = await upload(ctx, bucket, form);
    return req.headers.origin ? withCorsHeaders(req, response, ctx, bucket) : response;
  } catch (err) {
    form?.file?.stream.resume(); // let the rest of the body drain
    if (err instanceof AwsError) return s3ErrorResponse(err, ctx);
    throw err;
  }
}

async function upload(ctx: RouteContext, bucketName: string, form: Form): Promise<HttpResponse> {
  const { fields, file } = form;
  const rawKey = fields.get("key");
  if (rawKey === undefined) throw missingField("key");
  const bucket = buckets(ctx).get(bucketName);
  const principal = postPrincipal(ctx, fields, bucket?.owner);
  const policy = fields.get("policy");
  let range = { min: 0, max: Number.POSITIVE_INFINITY };
  if (policy !== undefined) {
    if (ctx.runtime.options.enforceSignatures) verifyPostSignature(ctx, fields, policy);
    range = checkPolicy(decodePolicy(policy), new Map([...fields, ["bucket", bucketName]]), ctx.runtime.now());
  }
  if (!file) throw invalidArgument("POST requires exactly one file upload per request.", "file", 0);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own literal ${filename} placeholder
  const key = rawKey.replaceAll("${filename}", file.filename);
  await ctx.authorize("PutObject", { Bucket: bucketName, Key: key }, principal); // IAM and the bucket policy, under --enforce-iam
  const putCtx: RequestContext = {
    ...ctx,
    operation: "PutObject",
    principal,
    account: principal.account,
    origin: { ...ctx.origin, headers: objectHeaders(fields) },
  };
  const output = await putObject(putInput(bucketName, key, fields, Readable.from(withinRange(file.stream, range))), putCtx);
  emitObjectEvent(putCtx, bucketName, "ObjectCreated:Post", {
    key,
    size: objects(putCtx, bucketName).get(key)?.size ?? 0,
    etag: output.ETag,
    versionId: output.VersionId,
  });
  return successResponse(ctx, fields, { bucket: bucketName, key, etag: output.ETag as string, versionId: output.VersionId });
}

/** Who uploads: the signing key's identity, or (unsigned) an anonymous caller of the bucket's account. */
function postPrincipal(ctx: RequestContext, fields: Map<string, string>, bucketOwner: string | undefined): Principal {
  const credential = fields.get("x-amz-credential");
  if (credential === undefined) return { ...principalForAccessKey(undefined), account: bucketOwner ?? ctx.account };
  const accessKeyId = credential.split("/")[0];
  const known = iamCredentials(ctx.runtime.state, () => ctx.runtime.now())(accessKeyId);
  if (!known) {
    throw new AwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
      status: 403,
      fields: { AWSAccessKeyId: accessKeyId },
    });
  }
  return known.principal;
}

/** A POST's SigV4 signature is the HMAC of the base64 policy under the credential's signing key. */
function verifyPostSignature(ctx: RequestContext, fields: Map<string, string>, policy: string): void {
  for (const name of ["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"]) {
    if (fields.get(name) === undefined) throw missingField(name);
  }
  const algorithm = fields.get("x-amz-algorithm") as string;
  if (algorithm !== SIGNING_ALGORITHM) throw invalidArgument("Unsupported value for x-amz-algorithm", "x-amz-algorithm", algorithm);
  const credential = fields.get("x-amz-credential") as string;
  const [accessKeyId, date, region, service, terminal] = credential.split("/");
  if (!date || !region || !service || terminal !== "aws4_request") {
    throw invalidArgument("Invalid credential format", "x-amz-credential", credential);
  }
  const secret = iamCredentials(ctx.runtime.state, () => ctx.runtime.now())(accessKeyId)?.secretAccessKey as string;
  const expected = hmac(signingKey(secret, date, region, service), policy).toString("hex");
  const provided = fields.get("x-amz-signature") as string;
  if (!sameSignature(expected, provided)) throw signatureMismatch("s3", { accessKeyId, stringToSign: policy, signatureProvided: provided });
}

/** The form's object headers and x-amz-* settings (encryption, storage class, checksums), as a PUT would send them. */
function objectHeaders(fields: Map<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of fields) {
    if (HEADER_FIELDS.includes(name) || (name.startsWith("x-amz-") && !AUTH_FIELDS.has(name) && !name.startsWith("x-amz-meta-"))) {
      headers[name] = value;
    }
  }
  return headers;
}

function putInput(bucket: string, key: string, fields: Map<string, string>, body: Readable): PutObjectRequest {
  const metadata: Record<string, string> = {};
  for (const [name, value] of fields) if (name.startsWith("x-amz-meta-")) metadata[name.slice("x-amz-meta-".length)] = value;
  const field = (name: string) => fields.get(name);
  return {
    Bucket: bucket,
    Key: key,
    Body: body,
    ACL: field("acl") as PutObjectRequest["ACL"],
    ContentType: field("content-type"),
    CacheControl: field("cache-control"),
    ContentDisposition: field("content-disposition"),
    ContentEncoding: field("content-encoding"),
    StorageClass: field("x-amz-storage-class") as PutObjectRequest["StorageClass"],
    WebsiteRedirectLocation: field("x-amz-website-redirect-location"),
    ServerSideEncryption: field("x-amz-server-side-encryption") as PutObjectRequest["ServerSideEncryption"],
    SSEKMSKeyId: field("x-amz-server-side-encryption-aws-kms-key-id"),
    Metadata: metadata,
    Tagging: taggingHeader(fields.get("tagging")),
  };
}

/** The form's `tagging` field is a Tagging XML document; PutObject takes tags as a query string. */
function taggingHeader(xml: string | undefined): string | undefined {
  if (xml === undefined) return undefined;
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    throw malformedXml();
  }
  const tagSet = childNamed(root, "TagSet");
  if (root.name !== "Tagging" || !tagSet) throw malformedXml();
  const params = new URLSearchParams();
  for (const tag of tagSet.children.filter((c) => c.name === "Tag")) {
    params.append(childNamed(tag, "Key")?.text ?? "", childNamed(tag, "Value")?.text ?? "");
  }
  return params.toString().replace(/\+/g, "%20");
}

interface Stored {
  bucket: string;
  key: string;
  etag: string;
  versionId?: string;
}

/** success_action_redirect (303 to it), else success_action_status: 200 and 204 empty, 201 with a PostResponse document. */
function successResponse(ctx: RouteContext, fields: Map<string, string>, stored: Stored): HttpResponse {
  const location = objectUrl(ctx, stored.bucket, stored.key);
  const headers: Record<string, string> = {
    "x-amz-request-id": ctx.requestId,
    "x-amz-id-2": hostId(ctx.requestId),
    etag: stored.etag,
    location,
  };
  if (stored.versionId) headers["x-amz-version-id"] = stored.versionId;
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (redirect && /^https?:\/\//i.test(redirect)) {
    const query = new URLSearchParams({ bucket: stored.bucket, key: stored.key, etag: stored.etag }).toString();
    return { status: 303, headers: { ...headers, location: `${redirect}${redirect.includes("?") ? "&" : "?"}${query}` }, body: undefined };
  }
  const status = fields.get("success_action_status");
  if (status === "201") {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
      `<Location>${escapeXml(location)}</Location><Bucket>${escapeXml(stored.bucket)}</Bucket>` +
      `<Key>${escapeXml(stored.key)}</Key><ETag>${escapeXml(stored.etag)}</ETag></PostResponse>`;
    return { status: 201, headers: { ...headers, "content-type": "application/xml" }, body };
  }
  return { status: status === "200" ? 200 : 204, headers, body: undefined };
}

/** The new object's URL, in the addressing style the upload used. */
function objectUrl(ctx: RouteContext, bucket: string, key: string): string {
  const path = key.split("/").map(encodeURIComponent).join("/");
  return ctx.host.bucket ? `${ctx.origin.baseUrl}/${path}` : `${ctx.origin.baseUrl}/${encodeURIComponent(bucket)}/${path}`;
}

/** Streams the form: fields until the file, then hands over the file stream unread (so it is never buffered). */
function readForm(req: HttpRequest): Promise<Form> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let file: UploadedFile | undefined;
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({ headers: { "content-type": req.headers["content-type"] ?? "" }, limits: { files: 1, fieldSize: 1024 * 1024 } });
    } catch {
      reject(malformedPost());
      return;
    }
    parser.on("field", (name, value) => {
      if (file) return;
      const lower = name.toLowerCase();
      if (lower === "file") {
        file = { stream: Readable.from([Buffer.from(value, "utf8")]), filename: "" };
        resolve({ fields, file });
      } else if (!fields.has(lower)) fields.set(lower, value);
    });
    parser.on("file", (name, stream, filename) => {
      if (file || name.toLowerCase() !== "file") {
        stream.resume();
        return;
      }
      file = { stream, filename: filename ?? "" };
      resolve({ fields, file });
    });
    parser.on("finish", () => resolve({ fields, file }));
    parser.on("error", () => {
      const error = malformedPost();
      file?.stream.destroy(error);
      reject(error);
    });
    const body = Buffer.isBuffer(req.body) ? Readable.from([req.body]) : req.body;
    body.on("error", (err) => parser.destroy(err));
    body.pipe(parser);
  });
}
