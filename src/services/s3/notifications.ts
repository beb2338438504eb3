import type {
  FilterRule,
  GetBucketNotificationConfigurationRequest,
  LambdaFunctionConfiguration,
  NotificationConfiguration,
  PutBucketNotificationConfigurationRequest,
  QueueConfiguration,
  TopicConfiguration,
} from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { AwsError } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { ownedBucket } from "./buckets.js";
import { invalidArgument, malformedXml } from "./errors.js";
import { type Destination, destinationsOf, sendTestEvent, validateDestinations } from "./notification-delivery.js";
import { s3Store } from "./store.js";

export { emitObjectEvent, withEvents } from "./notification-events.js";

/** A bucket's notification configuration, tied to the bucket's creation so a re-created bucket starts clean. */
export interface NotificationRecord {
  bucket: string;
  bucketCreatedAt: number;
  configuration: NotificationConfiguration;
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
const EVENT_TYPES = new Set(
  [
    "ObjectCreated:*",
    "ObjectCreated:Put",
    "ObjectCreated:Post",
    "ObjectCreated:Copy",
    "ObjectCreated:CompleteMultipartUpload",
    "ObjectRemoved:*",
    "ObjectRemoved:Delete",
    "ObjectRemoved:DeleteMarkerCreated",
    "ObjectRestore:*",
    "ObjectRestore:Post",
    "ObjectRestore:Completed",
    "ObjectRestore:Delete",
    "ReducedRedundancyLostObject",
    "Replication:*",
    "Replication:OperationFailedReplication",
    "Replication:OperationMissedThreshold",
    "Replication:OperationReplicatedAfterThreshold",
    "Replication:OperationNotTracked",
    "LifecycleExpiration:*",
    "LifecycleExpiration:Delete",
    "LifecycleExpiration:DeleteMarkerCreated",
    "LifecycleTransition",
    "IntelligentTiering",
    "ObjectTagging:*",
    "ObjectTagging:Put",
    "ObjectTagging:Delete",
    "ObjectAcl:Put",
  ].map((name) => `s3:${name}`),
);

export const notificationRecords = (ctx: RequestContext) => s3Store(ctx).collection<NotificationRecord>("notifications");

/** The bucket's current configuration; one left behind by a deleted bucket of the same name does not count. */
export function bucketNotifications(ctx: RequestContext, bucket: string, createdAt: number): NotificationConfiguration | undefined {
  const record = notificationRecords(ctx).get(bucket);
  return record && record.bucketCreatedAt === createdAt ? record.configuration : undefined;
}

export function getBucketNotificationConfiguration(input: GetBucketNotificationConfigurationRequest, ctx: RequestContext) {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  return bucketNotifications(ctx, bucket.name, bucket.createdAt) ?? {};
}

/**
 * Validates the whole configuration (events, filters, overlaps, then every destination, which must exist
 * and let S3 deliver), stores it, and sends s3:TestEvent to destinations it did not have before.
 */
export async function putBucketNotificationConfiguration(input: PutBucketNotificationConfigurationRequest, ctx: RequestContext) {
  const bucket = ownedBucket(ctx, input.Bucket as string, input.ExpectedBucketOwner);
  const configuration = normalize(input.NotificationConfiguration ?? {});
  const destinations = destinationsOf(configuration);
  for (const destination of destinations) checkEntry(destination);
  checkOverlaps(destinations);
  if (!input.SkipDestinationValidation) await validateDestinations(ctx, bucket, destinations);
  const previous = bucketNotifications(ctx, bucket.name, bucket.createdAt);
  notificationRecords(ctx).set(bucket.name, { bucket: bucket.name, bucketCreatedAt: bucket.createdAt, configuration });
  const known = new Set(previous ? destinationsOf(previous).map((d) => d.arn) : []);
  const fresh = new Set(destinations.filter((d) => !known.has(d.arn) && d.kind !== "lambda").map((d) => d.arn));
  for (const arn of fresh) sendTestEvent(ctx, bucket, destinations.find((d) => d.arn === arn) as Destination);
  return {};
}

/** Keeps only what S3 stores and returns, with an Id for every configuration that came without one. */
function normalize(configuration: NotificationConfiguration): NotificationConfiguration {
  const withId = <T extends { Id?: string }>(list: T[] | undefined): T[] | undefined =>
    list?.length ? list.map((c) => ({ ...c, Id: c.Id || generatedId() })) : undefined;
  const result: NotificationConfiguration = {};
  const topics = withId<TopicConfiguration>(configuration.TopicConfigurations);
  const queues = withId<QueueConfiguration>(configuration.QueueConfigurations);
  const functions = withId<LambdaFunctionConfiguration>(configuration.LambdaFunctionConfigurations);
  if (topics) result.TopicConfigurations = topics;
  if (queues) result.QueueConfigurations = queues;
  if (functions) result.LambdaFunctionConfigurations = functions;
  if (configuration.EventBridgeConfiguration) result.EventBridgeConfiguration = {};
  return result;
}

/** S3's generated ids are the base64 of a UUID's text. */
function generatedId(): string {
  return Buffer.from(randomUUID()).toString("base64");
}

function checkEntry(destination: Destination): void {
  if (destination.events.length === 0) throw malformedXml();
  for (const event of destination.events) {
    if (!EVENT_TYPES.has(event)) {
      throw new AwsError("InvalidArgument", "The event is not supported for notifications", {
        status: 400,
        fields: { ArgumentName: "Event", ArgumentValue: event },
      });
    }
  }
  checkFilterRules(destination.rules);
}

function checkFilterRules(rules: FilterRule[]): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    const name = (rule.Name ?? "").toLowerCase();
    if (name !== "prefix" && name !== "suffix") {
      throw invalidArgument("FilterRule name must be either prefix or suffix", "FilterRule.Name", rule.Name ?? "");
    }
    if (seen.has(name)) throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`, "FilterRule.Name", rule.Name);
    seen.add(name);
  }
}

/**
 * Two configurations overlap when they share an event type (wildcards included) and some key could match
 * both filters: one prefix starts the other and one suffix ends the other (a missing rule matches all).
 */
function checkOverlaps(destinations: Destination[]): void {
  for (let i = 0; i < destinations.length; i++) {
    for (let j = i + 1; j < destinations.length; j++) {
      const [a, b] = [destinations[i], destinations[j]];
      const sharedEvent = a.events.some((x) => b.events.some((y) => eventsOverlap(x, y)));
      if (!sharedEvent) continue;
      const prefixes = [a.prefix, b.prefix];
      const suffixes = [a.suffix, b.suffix];
      const prefixOverlap = prefixes[0].startsWith(prefixes[1]) || prefixes[1].startsWith(prefixes[0]);
      const suffixOverlap = suffixes[0].endsWith(suffixes[1]) || suffixes[1].endsWith(suffixes[0]);
      if (prefixOverlap && suffixOverlap) {
        throw invalidArgument(
          "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
          "Event",
          a.events.find((x) => b.events.some((y) => eventsOverlap(x, y))),
        );
      }
    }
  }
}

/** Whether a configured event type (`s3:ObjectCreated:*`, `s3:ObjectCreated:Put`) covers the same events as another. */
function eventsOverlap(a: string, b: string): boolean {
  return a === b || matchesEventType(a, b.replace(/\*$/, "")) || matchesEventType(b, a.replace(/\*$/, ""));
}

/** Whether a configured event type covers an event name (with or without the `s3:` prefix). */
export function matchesEventType(configured: string, eventName: string): boolean {
  const name = eventName.startsWith("s3:") ? eventName : `s3:${eventName}`;
  if (configured.endsWith(":*")) return name.startsWith(configured.slice(0, -1));
  return configured === name;
}
