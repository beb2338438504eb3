/** A topic as stored: one record per topic name in its account/region. */
export interface TopicRecord {
  name: string;
  arn: string;
  /** Attributes as set by the caller (string values, as SNS keeps them). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  dataProtectionPolicy?: string;
  subscriptionsDeleted: number;
  /** Last FIFO sequence number handed out. */
  sequence: number;
}

export interface SubscriptionRecord {
  arn: string;
  topicArn: string;
  owner: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
  pending: boolean;
  /** Confirmation token while pending (http/https/email). */
  token?: string;
  confirmationWasAuthenticated: boolean;
}

/** What a FIFO topic remembers of a deduplication id for the 5-minute window. */
export interface DedupRecord {
  messageId: string;
  sequenceNumber: string;
  expiresAt: number;
}

/** A delivery to an endpoint Overcast cannot reach for real (email, SMS, mobile push), kept for inspection. */
export interface DeliveryRecord {
  id: string;
  protocol: string;
  endpoint: string;
  topicArn?: string;
  subscriptionArn?: string;
  messageId: string;
  subject?: string;
  message: string;
  messageAttributes?: Record<string, unknown>;
  timestamp: string;
}

/** A mobile push platform application (FCM, APNS…): its credentials stay write-only. */
export interface PlatformApplicationRecord {
  arn: string;
  name: string;
  platform: string;
  attributes: Record<string, string>;
}

/** A device endpoint of a platform application. */
export interface PlatformEndpointRecord {
  arn: string;
  applicationArn: string;
  attributes: Record<string, string>;
}

/** A destination phone number of the SMS sandbox, verified with a one-time password. */
export interface SandboxNumberRecord {
  phoneNumber: string;
  status: "Pending" | "Verified";
  oneTimePassword: string;
  createdAt: number;
}
