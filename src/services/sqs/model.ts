/** A queue as stored: plain data, one record per queue name. */
export interface QueueRecord {
  name: string;
  /** Attributes as set (string values, as SQS keeps them). */
  attributes: Record<string, string>;
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  tags: Record<string, string>;
}
