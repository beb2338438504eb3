import { defineService } from "../types.js";
import { getObjectAttributes } from "./attributes.js";
import { deleteObjects } from "./batch.js";
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from "./buckets.js";
import { copyObject } from "./copy.js";
import { s3SerializationError, s3ValidationError } from "./errors.js";
import { listObjects, listObjectsV2 } from "./listing.js";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from "./multipart.js";
import { deleteObject, getObject, headObject, putObject } from "./objects.js";
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from "./tagging.js";

export default defineService({
  id: "s3",
  operations: {
    CreateBucket: createBucket,
    DeleteBucket: deleteBucket,
    GetBucketLocation: getBucketLocation,
    HeadBucket: headBucket,
    ListBuckets: listBuckets,
    PutObject: putObject,
    GetObject: getObject,
    HeadObject: headObject,
    GetObjectAttributes: getObjectAttributes,
    DeleteObject: deleteObject,
    DeleteObjects: deleteObjects,
    CopyObject: copyObject,
    ListObjects: listObjects,
    ListObjectsV2: listObjectsV2,
    PutObjectTagging: putObjectTagging,
    GetObjectTagging: getObjectTagging,
    DeleteObjectTagging: deleteObjectTagging,
    CreateMultipartUpload: createMultipartUpload,
    UploadPart: uploadPart,
    UploadPartCopy: uploadPartCopy,
    CompleteMultipartUpload: completeMultipartUpload,
    AbortMultipartUpload: abortMultipartUpload,
    ListParts: listParts,
    ListMultipartUploads: listMultipartUploads,
  },
  validationError: s3ValidationError,
  serializationError: s3SerializationError,
});
