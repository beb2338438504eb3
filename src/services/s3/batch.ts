import type { _Error, DeleteObjectsOutput, DeleteObjectsRequest, DeletedObject } from "@aws-sdk/client-s3";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { malformedXml } from "./errors.js";
import { removeObject } from "./objects.js";

const MAX_KEYS_PER_DELETE = 1000;

/** DeleteObjects: each key succeeds or fails on its own; quiet mode reports only the failures. */
export function deleteObjects(input: DeleteObjectsRequest, ctx: RequestContext): DeleteObjectsOutput {
  const bucket = input.Bucket as string;
  ownedBucket(ctx, bucket, input.ExpectedBucketOwner);
  const requested = input.Delete?.Objects ?? [];
  if (requested.length === 0 || requested.length > MAX_KEYS_PER_DELETE) throw malformedXml();
  const deleted: DeletedObject[] = [];
  const errors: _Error[] = [];
  for (const item of requested) {
    const key = item.Key ?? "";
    try {
      if (item.VersionId !== undefined && item.VersionId !== "null") {
        throw new AwsError("NoSuchVersion", "The specified version does not exist.", { status: 404 });
      }
      removeObject(ctx, bucket, key, { IfMatch: item.ETag });
      deleted.push({ Key: key, VersionId: item.VersionId });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      errors.push({ Key: key, VersionId: item.VersionId, Code: err.code, Message: err.message });
    }
  }
  return {
    Deleted: input.Delete?.Quiet || deleted.length === 0 ? undefined : deleted,
    Errors: errors.length ? errors : undefined,
  };
}
