import { authorization } from "./authorization.js";
import { defineService } from "../types.js";
import { getObjectAttributes } from "./attributes.js";
import { stopHashing } from "./bodies.js";
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
import { batchRemoved, created, removed, touched, withEvents } from "./notification-events.js";
import { getBucketNotificationConfiguration, putBucketNotificationConfiguration } from "./notifications.js";
import { deleteObject, getObject, headObject, putObject } from "./objects.js";
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from "./tagging.js";
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from "./encryption.js";
import * as objectLock from "./object-lock.js";
import { listObjectVersions } from "./version-listing.js";
import { getBucketVersioning, putBucketVersioning, refusingVersions } from "./versioning.js";
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from "./acl.js";
import * as bucketConfig from "./bucket-config.js";
import { deleteBucketCors, getBucketCors, putBucketCors } from "./cors.js";
import { deleteBucketLifecycle, getBucketLifecycleConfiguration, putBucketLifecycleConfiguration } from "./lifecycle.js";
import { startLifecycle } from "./lifecycle-sweep.js";
import { deleteBucketPolicy, getBucketPolicy, getBucketPolicyStatus, putBucketPolicy } from "./policy.js";
import { s3DecorateResponse, s3HttpRoute } from "./routes.js";
import { deleteBucketWebsite, getBucketWebsite, putBucketWebsite } from "./website.js";

export default defineService({
  id: "s3",
  authorization,
  operations: {
    CreateBucket: createBucket,
    DeleteBucket: refusingVersions(deleteBucket),
    GetBucketLocation: getBucketLocation,
    HeadBucket: headBucket,
    ListBuckets: listBuckets,
    PutObject: withEvents(putObject, created("Put")),
    GetObject: getObject,
    HeadObject: headObject,
    GetObjectAttributes: getObjectAttributes,
    DeleteObject: withEvents(deleteObject, removed),
    DeleteObjects: withEvents(deleteObjects, batchRemoved),
    CopyObject: withEvents(copyObject, created("Copy")),
    ListObjects: listObjects,
    ListObjectsV2: listObjectsV2,
    PutObjectTagging: withEvents(putObjectTagging, touched("ObjectTagging:Put")),
    GetObjectTagging: getObjectTagging,
    DeleteObjectTagging: withEvents(deleteObjectTagging, touched("ObjectTagging:Delete")),
    CreateMultipartUpload: createMultipartUpload,
    UploadPart: uploadPart,
    UploadPartCopy: uploadPartCopy,
    CompleteMultipartUpload: withEvents(completeMultipartUpload, created("CompleteMultipartUpload")),
    AbortMultipartUpload: abortMultipartUpload,
    ListParts: listParts,
    ListMultipartUploads: listMultipartUploads,
    // Versioning, object lock, server-side encryption (versioning, version-listing, object-lock, encryption)
    PutBucketVersioning: putBucketVersioning,
    GetBucketVersioning: getBucketVersioning,
    ListObjectVersions: listObjectVersions,
    PutObjectLockConfiguration: objectLock.putObjectLockConfiguration,
    GetObjectLockConfiguration: objectLock.getObjectLockConfiguration,
    PutObjectRetention: objectLock.putObjectRetention,
    GetObjectRetention: objectLock.getObjectRetention,
    PutObjectLegalHold: objectLock.putObjectLegalHold,
    GetObjectLegalHold: objectLock.getObjectLegalHold,
    PutBucketEncryption: putBucketEncryption,
    GetBucketEncryption: getBucketEncryption,
    DeleteBucketEncryption: deleteBucketEncryption,
    PutBucketNotificationConfiguration: putBucketNotificationConfiguration,
    GetBucketNotificationConfiguration: getBucketNotificationConfiguration,
    // Bucket configurations, CORS, websites, lifecycle (bucket-config, acl, policy, cors, website, lifecycle)
    PutBucketPolicy: putBucketPolicy,
    GetBucketPolicy: getBucketPolicy,
    DeleteBucketPolicy: deleteBucketPolicy,
    GetBucketPolicyStatus: getBucketPolicyStatus,
    PutBucketAcl: putBucketAcl,
    GetBucketAcl: getBucketAcl,
    PutObjectAcl: withEvents(putObjectAcl, touched("ObjectAcl:Put")),
    GetObjectAcl: getObjectAcl,
    PutPublicAccessBlock: bucketConfig.putPublicAccessBlock,
    GetPublicAccessBlock: bucketConfig.getPublicAccessBlock,
    DeletePublicAccessBlock: bucketConfig.deletePublicAccessBlock,
    PutBucketOwnershipControls: bucketConfig.putBucketOwnershipControls,
    GetBucketOwnershipControls: bucketConfig.getBucketOwnershipControls,
    DeleteBucketOwnershipControls: bucketConfig.deleteBucketOwnershipControls,
    PutBucketLogging: bucketConfig.putBucketLogging,
    GetBucketLogging: bucketConfig.getBucketLogging,
    PutBucketAccelerateConfiguration: bucketConfig.putBucketAccelerateConfiguration,
    GetBucketAccelerateConfiguration: bucketConfig.getBucketAccelerateConfiguration,
    PutBucketRequestPayment: bucketConfig.putBucketRequestPayment,
    GetBucketRequestPayment: bucketConfig.getBucketRequestPayment,
    PutBucketTagging: bucketConfig.putBucketTagging,
    GetBucketTagging: bucketConfig.getBucketTagging,
    DeleteBucketTagging: bucketConfig.deleteBucketTagging,
    PutBucketCors: putBucketCors,
    GetBucketCors: getBucketCors,
    DeleteBucketCors: deleteBucketCors,
    PutBucketWebsite: putBucketWebsite,
    GetBucketWebsite: getBucketWebsite,
    DeleteBucketWebsite: deleteBucketWebsite,
    PutBucketLifecycleConfiguration: putBucketLifecycleConfiguration,
    GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
    DeleteBucketLifecycle: deleteBucketLifecycle,
  },
  httpRoute: s3HttpRoute,
  decorateResponse: s3DecorateResponse,
  start: startLifecycle,
  stop: stopHashing,
  validationError: s3ValidationError,
  serializationError: s3SerializationError,
});
