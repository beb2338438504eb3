/** A queue as stored: plain data, one record per queue name. */
export interface QueueRecord {
  name: string;
  /** Settable attributes as set (string values, as SQS keeps them); defaults are filled in on read. */
  attributes: Record<string, string>;
  /** Seconds since the epoch. */
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  tags: Record<string, string>;
  /** Next message sequence number: orders messages and is FIFO's SequenceNumber. */
  nextSequence?: number;
  /** ms since the epoch of the last PurgeQueue (one per 60 s). */
  lastPurge?: number;
}

/** A message attribute as stored: binary values base64-encoded, so records stay plain JSON. */
export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** One message, keyed `<queue>/<sequence, 20 digits>` so a queue's messages are contiguous and in send order. */
export interface MessageRecord {
  key: string;
  queue: string;
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes?: Record<string, StoredAttribute>;
  md5OfAttributes?: string;
  systemAttributes?: Record<string, StoredAttribute>;
  md5OfSystemAttributes?: string;
  senderId: string;
  /** ms since the epoch. */
  sentAt: number;
  /** Hidden until then: delay or visibility timeout. */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** Time of the latest receive, the start of the 12-hour visibility limit. */
  receivedAt?: number;
  /** Changes on every receive: only the newest receipt handle is current. */
  receiptToken?: string;
  sequenceNumber: string;
  groupId?: string;
  dedupId?: string;
  /** Set when redriven to a dead-letter queue: the queue it came from. */
  deadLetterSourceArn?: string;
}

/** Deduplication ids seen within the last five minutes, per queue (and group with messageGroup scope). */
export interface DedupRecord {
  messageId: string;
  sequenceNumber: string;
  expiresAt: number;
}

export const MAX_MESSAGE_SIZE = 1_048_576;
