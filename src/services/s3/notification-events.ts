import type {
  CompleteMultipartUploadRequest,
  CopyObjectRequest,
  DeleteObjectOutput,
  DeleteObjectRequest,
  DeleteObjectsOutput,
  DeleteObjectsRequest,
  NotificationConfiguration,
  PutObjectRequest,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import type { Principal, RequestContext } from "../types.js";
import { hostId } from "../../protocol/rest-xml.js";
import { deliver, destinationsOf, publishToEventBridge } from "./notification-delivery.js";
import { bucketNotifications, matchesEventType } from "./notifications.js";
import { type BucketRecord, buckets, objects } from "./store.js";

/** What an event says about its object; removals carry no size or ETag. */
export interface EventObject {
  key: string;
  size?: number;
  /** With or without quotes; events carry it bare. */
  etag?: string;
  versionId?: string;
}

/** An event name without the `s3:` prefix, e.g. "ObjectCreated:Put". */
export type ObjectEvent = [name: string, object: EventObject];

/**
 * Sends an event about one object to every destination whose event types and key filter match. Delivery
 * is asynchronous: the S3 request that caused it never waits for it or fails because of it.
 */
export function emitObjectEvent(ctx: RequestContext, bucketName: string, eventName: string, object: EventObject): void {
  const target = notifiedBucket(ctx, bucketName);
  if (target) emitTo(ctx, target, eventName, object);
}

/** The bucket and its configuration, when it has one: the one look-up every object write pays. */
function notifiedBucket(
  ctx: RequestContext,
  bucketName: string,
): { bucket: BucketRecord; configuration: NotificationConfiguration } | undefined {
  const bucket = buckets(ctx).get(bucketName);
  const configuration = bucket && bucketNotifications(ctx, bucket.name, bucket.createdAt);
  return bucket && configuration ? { bucket, configuration } : undefined;
}

function emitTo(
  ctx: RequestContext,
  target: { bucket: BucketRecord; configuration: NotificationConfiguration },
  eventName: string,
  object: EventObject,
) {
  for (const destination of destinationsOf(target.configuration)) {
    if (!destination.events.some((type) => matchesEventType(type, eventName))) continue;
    if (!object.key.startsWith(destination.prefix) || !object.key.endsWith(destination.suffix)) continue;
    const record = eventRecord(ctx, target.bucket, eventName, object, destination.id);
    deliver(ctx, target.bucket, destination, JSON.stringify({ Records: [record] }));
  }
  const kind = EVENTBRIDGE_EVENTS[eventName];
  if (target.configuration.EventBridgeConfiguration && kind)
    publishToEventBridge(ctx, target.bucket, kind.detailType, eventBridgeDetail(ctx, target.bucket, object, kind));
}

interface EventBridgeKind {
  detailType: string;
  reason?: string;
  deletionType?: "Permanently Deleted" | "Delete Marker Created";
}

/**
 * S3's mapping of its event types to EventBridge detail types, for the events Overcast emits
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-mapping-troubleshooting.html).
 */
const EVENTBRIDGE_EVENTS: Record<string, EventBridgeKind> = {
  "ObjectCreated:Put": { detailType: "Object Created", reason: "PutObject" },
  "ObjectCreated:Post": { detailType: "Object Created", reason: "PostObject" },
  "ObjectCreated:Copy": { detailType: "Object Created", reason: "CopyObject" },
  "ObjectCreated:CompleteMultipartUpload": { detailType: "Object Created", reason: "CompleteMultipartUpload" },
  "ObjectRemoved:Delete": { detailType: "Object Deleted", reason: "DeleteObject", deletionType: "Permanently Deleted" },
  "ObjectRemoved:DeleteMarkerCreated": { detailType: "Object Deleted", reason: "DeleteObject", deletionType: "Delete Marker Created" },
  "LifecycleExpiration:Delete": { detailType: "Object Deleted", reason: "Lifecycle Expiration", deletionType: "Permanently Deleted" },
  "LifecycleExpiration:DeleteMarkerCreated": {
    detailType: "Object Deleted",
    reason: "Lifecycle Expiration",
    deletionType: "Delete Marker Created",
  },
  "ObjectTagging:Put": { detailType: "Object Tags Added" },
  "ObjectTagging:Delete": { detailType: "Object Tags Deleted" },
  "ObjectAcl:Put": { detailType: "Object ACL Updated" },
};

/** A delete marker's ETag: that of empty content. */
const EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e";

/**
 * The `detail` of an S3 event on EventBridge. Unlike notification records, keys are not URL-encoded, and
 * work S3 does on its own (lifecycle) names s3.amazonaws.com as requester and carries no source address.
 */
function eventBridgeDetail(ctx: RequestContext, bucket: BucketRecord, object: EventObject, kind: EventBridgeKind) {
  const created = kind.detailType === "Object Created";
  const markerCreated = kind.deletionType === "Delete Marker Created";
  const etag = object.etag?.replace(/"/g, "") ?? (markerCreated ? EMPTY_ETAG : undefined);
  const versioned = object.versionId !== undefined && object.versionId !== "null";
  const bySelf = ctx.principal.type === "service";
  return {
    version: "0",
    bucket: { name: bucket.name },
    object: {
      key: object.key,
      ...(created && object.size !== undefined ? { size: object.size } : {}),
      ...(etag === undefined ? {} : { etag }),
      ...(versioned ? { "version-id": object.versionId } : {}),
      ...(created || kind.deletionType ? { sequencer: sequencer() } : {}),
    },
    "request-id": ctx.requestId,
    requester: bySelf ? (ctx.principal.servicePrincipal ?? ctx.principal.arn) : ctx.principal.account,
    ...(bySelf ? {} : { "source-ip-address": ctx.origin.sourceIp ?? "127.0.0.1" }),
    ...(kind.reason ? { reason: kind.reason } : {}),
    ...(kind.deletionType ? { "deletion-type": kind.deletionType } : {}),
  };
}

/** One record in S3's event message structure, version 2.1. */
function eventRecord(ctx: RequestContext, bucket: BucketRecord, eventName: string, object: EventObject, configurationId: string) {
  const removal = eventName.startsWith("ObjectRemoved:") || eventName.startsWith("LifecycleExpiration:");
  const versioned = object.versionId !== undefined && object.versionId !== "null";
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: bucket.region,
    eventTime: new Date(ctx.runtime.now()).toISOString(),
    eventName,
    userIdentity: { principalId: principalId(ctx.principal) },
    requestParameters: { sourceIPAddress: ctx.principal.type === "service" ? ctx.principal.arn : (ctx.origin.sourceIp ?? "127.0.0.1") },
    responseElements: { "x-amz-request-id": ctx.requestId, "x-amz-id-2": hostId(ctx.requestId) },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId,
      bucket: { name: bucket.name, ownerIdentity: { principalId: customerId(bucket.owner) }, arn: `arn:aws:s3:::${bucket.name}` },
      object: {
        key: eventKey(object.key),
        ...(removal || object.size === undefined ? {} : { size: object.size }),
        ...(removal || object.etag === undefined ? {} : { eTag: object.etag.replace(/"/g, "") }),
        ...(versioned ? { versionId: object.versionId } : {}),
        sequencer: sequencer(),
      },
    },
  };
}

/** Keys in events are form-URL-encoded (space as `+`), slashes kept. */
export function eventKey(key: string): string {
  let out = "";
  for (const byte of Buffer.from(key, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-_*/]/.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Grows with every event of the process, so later events about a key compare greater, as S3's do. */
function sequencer(): string {
  return process.hrtime.bigint().toString(16).toUpperCase().padStart(18, "0");
}

/** S3's short account identifier, stable for the account (events show it rather than the account id). */
function customerId(account: string): string {
  return `A${createHash("sha256").update(`customer:${account}`).digest("hex").slice(0, 13).toUpperCase()}`;
}

function principalId(principal: Principal): string {
  if (principal.type === "service") return principal.servicePrincipal ?? principal.arn;
  if (principal.type === "root") return customerId(principal.account);
  if (principal.type === "anonymous") return "Anonymous";
  return `AWS:${principal.userId}`;
}

type Handler<I, O> = (input: I, ctx: RequestContext) => O | Promise<O>;

/**
 * Wraps an object operation so that, once it succeeded, the events it caused are emitted. `describe` reads
 * the operation's output (and the stored object) and names the events; the operation itself knows nothing of them.
 */
export function withEvents<I extends { Bucket?: string }, O>(
  handler: Handler<I, O>,
  describe: (input: I, output: O, ctx: RequestContext) => ObjectEvent[],
): (input: I, ctx: RequestContext) => Promise<O> {
  return async (input, ctx) => {
    const output = await handler(input, ctx);
    try {
      const target = notifiedBucket(ctx, input.Bucket as string);
      if (target) for (const [name, object] of describe(input, output, ctx)) emitTo(ctx, target, name, object);
    } catch (err) {
      console.error("[overcast] s3: could not emit event notifications:", err);
    }
    return output;
  };
}

type Created = PutObjectRequest | CopyObjectRequest | CompleteMultipartUploadRequest;

/** ObjectCreated:<kind>, described from the object now stored under the key. */
export const created =
  (kind: "Put" | "Copy" | "CompleteMultipartUpload") =>
  (input: Created, output: { VersionId?: string }, ctx: RequestContext): ObjectEvent[] => {
    const key = input.Key as string;
    const record = objects(ctx, input.Bucket as string).get(key);
    if (!record) return [];
    return [[`ObjectCreated:${kind}`, { key, size: record.size, etag: record.etag, versionId: output.VersionId ?? record.versionId }]];
  };

export function removed(input: DeleteObjectRequest, output: DeleteObjectOutput): ObjectEvent[] {
  const key = input.Key as string;
  if (output.DeleteMarker && input.VersionId === undefined)
    return [["ObjectRemoved:DeleteMarkerCreated", { key, versionId: output.VersionId }]];
  return [["ObjectRemoved:Delete", { key, versionId: input.VersionId }]];
}

/** Quiet mode leaves the deleted keys out of the answer: they are the requested keys that did not fail. */
export function batchRemoved(input: DeleteObjectsRequest, output: DeleteObjectsOutput, ctx: RequestContext): ObjectEvent[] {
  const failed = new Set((output.Errors ?? []).map((e) => `${e.Key}\u0000${e.VersionId ?? ""}`));
  const markers = buckets(ctx).get(input.Bucket as string)?.versioning === "Enabled";
  const deleted =
    output.Deleted ??
    (input.Delete?.Objects ?? [])
      .filter((o) => !failed.has(`${o.Key}\u0000${o.VersionId ?? ""}`))
      .map((o) => ({
        Key: o.Key,
        VersionId: o.VersionId,
        DeleteMarker: markers && o.VersionId === undefined,
        DeleteMarkerVersionId: undefined,
      }));
  return deleted.map((d): ObjectEvent => {
    const key = d.Key as string;
    if (d.DeleteMarker && d.VersionId === undefined)
      return ["ObjectRemoved:DeleteMarkerCreated", { key, versionId: d.DeleteMarkerVersionId }];
    return ["ObjectRemoved:Delete", { key, versionId: d.VersionId }];
  });
}

/** Events about an existing object's sub-resources (ObjectTagging:Put/Delete, ObjectAcl:Put): key, ETag and version. */
export const touched =
  (eventName: "ObjectTagging:Put" | "ObjectTagging:Delete" | "ObjectAcl:Put") =>
  (input: { Bucket?: string; Key?: string; VersionId?: string }, output: object, ctx: RequestContext): ObjectEvent[] => {
    const key = input.Key as string;
    const record = objects(ctx, input.Bucket as string).get(key);
    const versionId = (output as { VersionId?: string }).VersionId ?? input.VersionId ?? record?.versionId;
    return [[eventName, { key, etag: record?.etag, versionId }]];
  };
