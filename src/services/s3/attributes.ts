import type { GetObjectAttributesOutput, GetObjectAttributesRequest, ObjectPart } from "@aws-sdk/client-s3";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { checksumMembers } from "./checksums.js";
import { checkReadable } from "./encryption.js";
import { InvalidRequest, invalidArgument } from "./errors.js";
import { findVersion, responseVersionId } from "./versioning.js";

const ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];
const MAX_PARTS_PAGE = 1000;

/** GetObjectAttributes: only the attributes asked for; the ETag bare, parts paged like ListParts. */
export async function getObjectAttributes(input: GetObjectAttributesRequest, ctx: RequestContext): Promise<GetObjectAttributesOutput> {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const wanted = new Set<string>(input.ObjectAttributes ?? []);
  if (wanted.size === 0) {
    throw new InvalidRequest("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty");
  }
  for (const name of wanted)
    if (!ATTRIBUTES.includes(name)) throw invalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", name);
  const record = findVersion(ctx, bucket.name, input.Key as string, input.VersionId);
  await checkReadable(ctx, record, input);
  const out: GetObjectAttributesOutput = { LastModified: new Date(record.lastModified), VersionId: responseVersionId(bucket, record) };
  if (wanted.has("ETag")) out.ETag = record.etag.replace(/"/g, "");
  if (wanted.has("StorageClass")) out.StorageClass = record.storageClass as GetObjectAttributesOutput["StorageClass"];
  if (wanted.has("ObjectSize")) out.ObjectSize = record.size;
  if (wanted.has("Checksum") && record.checksum) out.Checksum = checksumMembers(record.checksum);
  if (wanted.has("ObjectParts") && record.partSizes)
    out.ObjectParts = objectParts(record.partSizes, record.partChecksums, input, record.checksum?.algorithm);
  return out;
}

function objectParts(
  sizes: number[],
  checksums: string[] | undefined,
  input: GetObjectAttributesRequest,
  algorithm: string | undefined,
): GetObjectAttributesOutput["ObjectParts"] {
  const max = input.MaxParts ?? MAX_PARTS_PAGE;
  if (!Number.isInteger(max) || max < 0)
    throw invalidArgument("Provided max-parts not an integer or within integer range", "x-amz-max-parts", max);
  const marker = Number(input.PartNumberMarker ?? 0);
  if (!Number.isInteger(marker) || marker < 0) {
    throw invalidArgument(
      "Provided part-number-marker not an integer or within integer range",
      "x-amz-part-number-marker",
      input.PartNumberMarker,
    );
  }
  const page = sizes.slice(marker, marker + Math.min(max, MAX_PARTS_PAGE));
  const parts: ObjectPart[] = page.map((size, i) => ({
    PartNumber: marker + i + 1,
    Size: size,
    ...(algorithm && checksums?.[marker + i] ? { [`Checksum${algorithm}`]: checksums[marker + i] } : {}),
  }));
  return {
    TotalPartsCount: sizes.length,
    PartNumberMarker: String(marker),
    NextPartNumberMarker: parts.length ? String(marker + parts.length) : undefined,
    MaxParts: max,
    IsTruncated: marker + parts.length < sizes.length,
    Parts: parts,
  };
}
