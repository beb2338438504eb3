import type { _Error, DeleteObjectsOutput, DeleteObjectsRequest, DeletedObject } from "@aws-sdk/client-s3";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { malformedXml } from "./errors.js";
import { type Removal, removeObject } from "./objects.js";

const MAX_KEYS_PER_DELETE = 1000;

/** DeleteObjects: each key succeeds or fails on its own; quiet mode reports only the failures. */
export function deleteObjects(input: DeleteObjectsRequest, ctx: RequestContext): DeleteObjectsOutput {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const requested = input.Delete?.Objects ?? [];
  if (requested.length === 0 || requested.length > MAX_KEYS_PER_DELETE) throw malformedXml();
  const deleted: DeletedObject[] = [];
  const errors: _Error[] = [];
  for (const item of requested) {
    const key = item.Key ?? "";
    try {
      const removed = removeObject(ctx, bucket, key, {
        IfMatch: item.ETag,
        VersionId: item.VersionId,
        BypassGovernanceRetention: input.BypassGovernanceRetention,
      });
      deleted.push(deletedEntry(key, item.VersionId, removed));
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

/** A new delete marker is reported by its id; deleting a marker by id names it twice. */
function deletedEntry(key: string, versionId: string | undefined, removed: Removal): DeletedObject {
  if (!removed.deleteMarker) return { Key: key, VersionId: versionId };
  return {
    Key: key,
    VersionId: versionId,
    DeleteMarker: true,
    DeleteMarkerVersionId: removed.versionId,
  };
}
