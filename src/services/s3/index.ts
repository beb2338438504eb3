import { defineService } from "../types.js";
import { createBucket, deleteBucket, headBucket, listBuckets } from "./buckets.js";
import { s3SerializationError, s3ValidationError } from "./errors.js";

export default defineService({
  id: "s3",
  operations: {
    CreateBucket: createBucket,
    DeleteBucket: deleteBucket,
    HeadBucket: headBucket,
    ListBuckets: listBuckets,
  },
  validationError: s3ValidationError,
  serializationError: s3SerializationError,
});
